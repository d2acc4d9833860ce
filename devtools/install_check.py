"""`python -m devtools.install_check`: prove an installation made with `pip install .` works on
its own, far from the checkout (.ci/check-install runs it in a fresh virtualenv).

It imports every module of every Relay package from the installation (never from a checkout
on the path), then, through Django's test client, logs in as the demo owner and opens the
dashboard, a client, a results page, the funnel, the methodology page, a static file and a
PDF report. Run it after `migrate`, `load_default_bank` and `seed_demo` (DEBUG on), or with
DEBUG off after `collectstatic` (then it reads what seed_demo left in the same database).
"""

import importlib
import pkgutil
import sys
from pathlib import Path

RELAY_PACKAGES = ("gtm", "lib", "accounts", "bank", "clients", "funnel", "assessments", "devtools")


def _fail(message: str) -> None:
    print(f"install check: {message}", file=sys.stderr)
    raise SystemExit(1)


def import_everything(site: Path) -> int:
    """Import every module of Relay's packages; each must come from `site`."""
    count = 0
    for name in RELAY_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if module.name.endswith("install_check"):
                continue
            loaded = importlib.import_module(module.name)
            if site not in Path(loaded.__file__).resolve().parents:
                _fail(f"{module.name} was imported from {loaded.__file__}, not the installation")
            count += 1
    return count


def open_pages() -> list[str]:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from assessments.models import Assessment
    from devtools.demo_world import DEMO_PASSWORD, NORTHWIND

    owner = User.objects.filter(email=NORTHWIND.people[0].email).first()
    if owner is None or not owner.check_password(DEMO_PASSWORD):
        _fail("the demo owner is missing; run seed_demo first")
    browser = Client()
    browser.force_login(owner)
    assessment = (
        Assessment.objects.filter(client__workspace__name=NORTHWIND.name)
        .with_results()
        .select_related("client__workspace")
        .order_by("-year", "-quarter")
        .first()
    )
    slug, client = assessment.client.workspace.slug, assessment.client
    pages = {
        "dashboard": reverse("assessments:workspace_home", args=[slug]),
        "client": reverse("assessments:client_detail", args=[slug, client.pk]),
        "results": reverse("assessments:results", args=[slug, assessment.pk]),
        "funnel": reverse("funnel:funnel", args=[slug, client.pk]),
        "methodology": reverse("assessments:methodology"),
    }
    seen = []
    for name, url in pages.items():
        response = browser.get(url, secure=True)
        if response.status_code != 200:
            _fail(f"{name} ({url}) answered {response.status_code}")
        seen.append(f"{name} {len(response.content):,} bytes")
    static = browser.get(settings.STATIC_URL + "css/relay.css", secure=True)
    body = b"".join(static.streaming_content) if static.streaming else static.content
    if static.status_code != 200 or b"{" not in body:
        _fail(f"the stylesheet answered {static.status_code}")
    seen.append(f"static css/relay.css {len(body):,} bytes")
    report = browser.get(reverse("assessments:report_pdf", args=[slug, assessment.pk]), secure=True)
    if report.status_code == 302:  # a large report renders in the background: ask for it here
        from assessments.pdf import render_and_store

        render_and_store(assessment)
        report = browser.get(
            reverse("assessments:report_pdf", args=[slug, assessment.pk]), secure=True
        )
    if report.status_code != 200 or not report.content.startswith(b"%PDF"):
        _fail(f"the report answered {report.status_code}")
    seen.append(f"report.pdf {len(report.content):,} bytes")
    return seen


def main() -> None:
    import django

    site = Path(importlib.import_module("gtm").__file__).resolve().parents[1]
    django.setup()
    modules = import_everything(site)
    print(f"install check: {modules} modules imported from {site}")
    for line in open_pages():
        print(f"install check: {line}")


if __name__ == "__main__":
    main()
