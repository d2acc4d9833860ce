"""Views for tests/test_transactions.py: each says whether it ran in a transaction, and the
failing one writes before it fails."""

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path

from accounts.models import Workspace


def in_transaction(request):
    answer = str(connection.in_atomic_block)
    return HttpResponse(answer, headers={"In-Transaction": answer})  # a HEAD has no body


@transaction.non_atomic_requests
def exempt(request):
    return HttpResponse(str(connection.in_atomic_block))


def write_then_fail(request):
    Workspace.objects.create(name="Half written", slug="half-written")
    raise RuntimeError("failed after a write")


urlpatterns = [
    path("in-transaction/", in_transaction),
    path("exempt/", exempt),
    path("write-then-fail/", write_then_fail),
]
