"""System checks of the settings production needs (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register

from lib.cache import is_shared


@register(deploy=True)
def site_url_is_set(app_configs, **kwargs) -> list[Warning]:
    """Scheduled reminders and submission notices are sent outside any request, so their
    links need the site's address from the environment."""
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: the links in scheduled reminders and submission notices "
            "would have no address.",
            hint="Set SITE_URL to the address people reach Relay at, e.g. https://relay.example.com.",
            id="relay.W001",
        )
    ]


@register(deploy=True)
def cache_is_shared(app_configs, **kwargs) -> list[Warning]:
    """Each gunicorn worker is a process of its own: with a per-process cache each renders
    every results page again and keeps its own throttle counts (five password resets per
    worker, not five). Relay cannot see how many workers run, so it trusts WEB_CONCURRENCY."""
    if is_shared(settings.CACHES["default"]) or settings.WEB_CONCURRENCY == 1:
        return []
    return [
        Warning(
            "The cache is per process, and more than one app process may run "
            "(WEB_CONCURRENCY is not 1): results pages would be rendered by each worker and "
            "throttles counted apart.",
            hint="Set CACHE_URL to a Redis server every app process reaches, e.g. "
            "redis://127.0.0.1:6379/0, or WEB_CONCURRENCY=1 if only one process serves Relay.",
            id="relay.W002",
        )
    ]
