"""Refusing request bodies larger than settings.MAX_REQUEST_BYTES before anyone reads them.

Django checks an upload's size only after it has stored the whole file (on disk, when it is
larger than FILE_UPLOAD_MAX_MEMORY_SIZE), and each form checks its own limit (2 MB for a CSV)
later still: without this, a 40 MB upload is written out before it is refused.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

# Set on a request whose body turned out too large while it was read (no Content-Length).
_TOO_LARGE = "_relay_body_too_large"


class _LimitedBody:
    """A request's input that stops with RequestDataTooBig once more than `limit` bytes have
    been read, for bodies sent without a Content-Length (chunked), whose size is known only
    by reading them."""

    def __init__(self, stream, limit: int, request: HttpRequest):
        self._stream, self._limit, self._request = stream, limit, request
        self._read = 0

    def _counted(self, data: bytes) -> bytes:
        self._read += len(data)
        if self._read > self._limit:
            setattr(self._request, _TOO_LARGE, True)
            raise RequestDataTooBig("The request body is larger than MAX_REQUEST_BYTES.")
        return data

    def read(self, size: int = -1) -> bytes:
        return self._counted(self._stream.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._counted(self._stream.readline(size))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)  # close() and the rest, as the stream has them


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None  # none given, or one Django itself reads as none


def limit_for(request: HttpRequest) -> int:
    """MAX_REQUEST_BYTES, or LARGE_REQUEST_BYTES for the URLs named in LARGE_REQUEST_URLS
    (a CRM export's upload): one large import must not raise the limit of every page."""
    try:
        name = resolve(request.path_info).view_name
    except Resolver404:
        return settings.MAX_REQUEST_BYTES
    large = name in settings.LARGE_REQUEST_URLS
    return settings.LARGE_REQUEST_BYTES if large else settings.MAX_REQUEST_BYTES


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return render(request, "413.html", {"limit": f"{limit / 1024 / 1024:g} MB"}, status=413)


def limit_request_size(get_response: Callable[[HttpRequest], HttpResponse]):
    """Middleware: a 413 page for a body over the limit, judged by its Content-Length before
    a byte is read, or, without one, as soon as reading passes the limit."""

    def middleware(request: HttpRequest) -> HttpResponse:
        limit = limit_for(request)
        length = _declared_length(request)
        if length is not None and length > limit:
            return too_large(request, limit)
        if length is None:
            request._stream = _LimitedBody(request._stream, limit, request)
        response = get_response(request)
        # Whatever the reader made of the interruption (Django answers 400), say why.
        return too_large(request, limit) if getattr(request, _TOO_LARGE, False) else response

    return middleware
