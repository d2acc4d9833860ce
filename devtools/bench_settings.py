"""Settings for `make bench`'s load test only: Relay's own, plus the bare view it is compared
with. Static files are served from the app folders, so nothing needs collecting first."""

import warnings

from gtm.settings import *  # noqa: F403

ROOT_URLCONF = "devtools.bench_urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Nothing is collected for the load test, and that is fine: say nothing about it.
warnings.filterwarnings("ignore", message="No directory at")
