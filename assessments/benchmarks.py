"""`make bench`: Relay's speed, as ratios against baselines measured in the same run.

Run on a throwaway test database holding the demo data, so a developer's own data is never
touched and every run measures the same thing.
"""

import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path, reverse

RUNS = 5


@dataclass(frozen=True)
class Figure:
    name: str
    seconds: float
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None


def median_seconds(work: Callable[[], object], runs: int = RUNS) -> float:
    work()  # warm up: imports, template and font caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bare_view(request):
    return HttpResponse("hello")


# The app's URLs plus the baseline view, only while benchmarking.
urlpatterns = [path("bench/bare/", bare_view), path("", include("gtm.urls"))]


def _report_figures(assessment) -> list[Figure]:
    from assessments.pdf import html_to_pdf, render_report_pdf, report_html

    html = report_html(assessment=assessment)
    weasyprint_alone = median_seconds(lambda: html_to_pdf(html))
    ours = median_seconds(lambda: render_report_pdf(assessment=assessment))
    overhead = ours / weasyprint_alone - 1
    return [
        Figure("WeasyPrint alone, the report's HTML", weasyprint_alone),
        Figure(
            "PDF report (render_report_pdf)",
            ours,
            "WeasyPrint alone",
            ours / weasyprint_alone,
            "overhead < 30%, < 2 s",
            overhead < 0.30 and ours < 2.0,
        ),
    ]


def _cached_download_figures(assessment) -> list[Figure]:
    client = Client()
    client.force_login(assessment.client.workspace.memberships.get(role="owner").user)
    url = reverse("assessments:report_pdf", args=[assessment.client.workspace.slug, assessment.pk])
    client.get(url)  # renders and caches
    bare = median_seconds(lambda: client.get("/bench/bare/"), runs=50)
    cached = median_seconds(lambda: client.get(url), runs=20)
    return [
        Figure("Bare Django view", bare),
        Figure(
            "Cached report.pdf download",
            cached,
            "bare view",
            cached / bare,
            "instant: < 50 ms",
            cached < 0.05,
        ),
    ]


def run() -> list[Figure]:
    from assessments.demo import seed_demo
    from assessments.models import Assessment

    seed_demo(today=date(2026, 11, 22))
    assessment = Assessment.objects.select_related("client__workspace").get(
        client__name="Brightline Logistics", year=2026, quarter=3
    )
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        return [*_report_figures(assessment), *_cached_download_figures(assessment)]


def _duration(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def table(figures: list[Figure]) -> str:
    lines = [
        f"Relay benchmarks: median of {RUNS}+ runs on {platform.node()} "
        f"({platform.machine()}, Python {platform.python_version()})",
        "",
        f"{'measure':<42} {'median':>10}  {'ratio':<24}  target",
        "-" * 100,
    ]
    for f in figures:
        ratio = f"{f.ratio:.2f}x {f.baseline}" if f.ratio is not None else ""
        verdict = "" if f.met is None else ("  ok" if f.met else "  MISSED")
        lines.append(f"{f.name:<42} {_duration(f.seconds):>10}  {ratio:<24}  {f.target}{verdict}")
    return "\n".join(lines)
