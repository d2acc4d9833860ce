"""The URLconf of `make bench` only: Relay's own URLs plus the two anchors every figure is
compared with: a bare view, and a minimal logged-in page (the session, the user, one
membership read and a small template extending base.html; what every workspace page costs
before it does anything of its own)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path

from accounts.access import get_membership_for


def bare_view(request):
    return HttpResponse("hello")


@login_required
def minimal_page(request, workspace_slug: str):
    membership = get_membership_for(request, workspace_slug)
    return render(request, "devtools/bench_minimal.html", {"membership": membership})


urlpatterns = [
    path("bench/bare/", bare_view),
    path("bench/minimal/<slug:workspace_slug>/", minimal_page),
    path("", include("gtm.urls")),
]
