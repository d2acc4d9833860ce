from django.http import HttpRequest
from django.utils.http import content_disposition_header
from django_htmx.middleware import HtmxDetails

from lib.forms import CONTROL_CHARACTERS


class HtmxHttpRequest(HttpRequest):
    """A request that has passed through django-htmx's middleware (for type checkers)."""

    htmx: HtmxDetails


def content_disposition(filename: str, *, attachment: bool) -> str:
    """A Content-Disposition header naming a download after user data (a client's name):
    control characters, which servers refuse in a header, are dropped, spaces become dashes,
    and a name beyond ASCII goes as RFC 6266's filename* so it arrives intact."""
    safe = CONTROL_CHARACTERS.sub("", filename).replace(" ", "-")
    return content_disposition_header(attachment, safe)
