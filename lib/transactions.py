"""A request that may write runs in one transaction; a read runs in none.

Django's ``ATOMIC_REQUESTS`` wraps every view, reads included. On SQLite, where Relay's
transactions begin IMMEDIATE (so that several processes queue for the write lock instead of
failing), that made every page wait for the write lock behind any save: a page that writes
nothing had a p99 of 2.1 s under 8 connections. This middleware keeps the guarantee where it
matters, a POST that fails half-way leaves nothing half-written, and lets a GET or HEAD run
in autocommit: its reads take no lock, and the few writes a page makes (the session, a
results snapshot, a report claim) are single statements or transactions of their own.

A view marked ``transaction.non_atomic_requests`` stays outside a transaction on a POST too.
"""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpRequest, HttpResponse

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AtomicWritesMiddleware:
    """Runs the view of each writing request inside ``transaction.atomic``.

    It must come last among the middleware that have a ``process_view``: it calls the view
    itself, so none after it would see the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, view_args, view_kwargs):
        if request.method in READ_METHODS or _exempt(view):
            return None  # Django calls the view, outside any transaction
        with transaction.atomic():
            # An exception leaves this block, rolling back, before Django turns it into
            # an error page, as with ATOMIC_REQUESTS.
            return view(request, *view_args, **view_kwargs)


def _exempt(view) -> bool:
    return DEFAULT_DB_ALIAS in getattr(view, "_non_atomic_requests", set())
