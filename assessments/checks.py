"""System checks of the assessments app's settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register


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
