"""The results page's body, rendered once per change of what it shows.

Scoring an assessment and rendering its page (charts, every recommendation, every answer of
every respondent) costs tens of milliseconds; reading a cached copy costs one query for the
data stamp and a cache lookup. The key is assessments.cache_keys.results_body_key: the code
version and the data stamp, so any change of either renders the body anew.

What differs per visitor stays out of the body or in its key: the header and menus are the
page around it, rendered fresh; whether the visitor may change the plan is part of the key;
the CSRF token of the "Add to plan" forms is put in after the cache, as the token is the
visitor's own.
"""

import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.middleware.csrf import get_token

TIMEOUT = 24 * 60 * 60  # entries of changed pages are never read again; let them go in a day


def cached_body(request, *, key: str, render: Callable[[str], str]) -> str:
    """The body cached under `key`, rendered by `render(csrf_placeholder)` when missing,
    with the visitor's own CSRF token put in place of the placeholder."""
    entry = cache.get(key)
    if entry is None:
        # A fresh random placeholder per rendering: no text in the page (a respondent's
        # comment, say) can contain it by design.
        placeholder = f"csrf-{secrets.token_hex(16)}"
        entry = (placeholder, render(placeholder))
        cache.set(key, entry, TIMEOUT)
    placeholder, body = entry
    return body.replace(placeholder, get_token(request))
