"""The URLconf of `make bench` only: Relay's own URLs plus the bare view it is compared with."""

from django.http import HttpResponse
from django.urls import include, path


def bare_view(request):
    return HttpResponse("hello")


urlpatterns = [path("bench/bare/", bare_view), path("", include("gtm.urls"))]
