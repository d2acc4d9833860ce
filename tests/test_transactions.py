"""A writing request runs in one transaction, a read in none (lib.transactions)."""

import pytest
from django.test import Client

from accounts.models import Workspace

# Not the usual test transaction around each test: it would make every request look atomic.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.transaction_urls")]


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_a_read_runs_in_no_transaction(client, method):
    response = getattr(client, method)("/in-transaction/")
    assert response["In-Transaction"] == "False"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_runs_in_one_transaction(client, method):
    assert getattr(client, method)("/in-transaction/")["In-Transaction"] == "True"


def test_a_view_marked_non_atomic_runs_in_none_even_on_a_post(client):
    assert client.post("/exempt/").content == b"False"


def test_a_post_that_fails_half_way_leaves_nothing_written(client):
    assert client.post("/write-then-fail/").status_code == 500
    assert not Workspace.objects.filter(slug="half-written").exists()


def test_a_get_that_fails_keeps_what_it_wrote_like_any_autocommit_read(client):
    # Guards the test above: without the transaction the write stays, so its absence there
    # is the transaction's doing.
    assert client.get("/write-then-fail/").status_code == 500
    assert Workspace.objects.filter(slug="half-written").exists()
