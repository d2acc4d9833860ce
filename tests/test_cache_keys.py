"""One cache key scheme (assessments.cache_keys): the code version plus the data stamp, used by
the results page's body and the stored PDF reports alike."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse

from assessments import cache_keys
from assessments import pdf as pdf_module
from assessments.models import Assessment, ReportRender
from assessments.views import results as results_views
from devtools.demo import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo(today=date(2026, 11, 22))


@pytest.fixture
def templates(tmp_path, settings):
    """Relay's templates, copied so that a test can edit them as a new release would."""
    copy = tmp_path / "templates"
    shutil.copytree(Path(settings.BASE_DIR, "templates"), copy)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [copy]}]
    return copy


@pytest.fixture
def a_release(settings):
    """Production: the code version is computed once per process, as a deploy starts new ones."""
    settings.DEBUG = False
    settings.RELEASE = ""
    cache_keys._deployed_version.cache_clear()
    yield
    cache_keys._deployed_version.cache_clear()


@pytest.fixture
def page_renders(monkeypatch):
    calls = []
    original = results_views.results_context

    def counting(assessment):
        calls.append(assessment.pk)
        return original(assessment)

    monkeypatch.setattr(results_views, "results_context", counting)
    return calls


@pytest.fixture
def pdf_renders(monkeypatch, settings):
    settings.REPORT_BACKGROUND_SECONDS = float("inf")
    calls = []
    real = pdf_module.html_to_pdf

    def counting(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(pdf_module, "html_to_pdf", counting)
    return calls


def _new_processes() -> None:
    """What a deploy does to a running server: new processes, so nothing read from the files
    is remembered (the code version, the compiled templates)."""
    cache_keys._deployed_version.cache_clear()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            loader.reset()


def _assessment() -> Assessment:
    return Assessment.objects.select_related("client__workspace").get(
        client__name="Acme Analytics", year=2026, quarter=2
    )


def _url(name: str, assessment: Assessment) -> str:
    return reverse(f"assessments:{name}", args=[assessment.client.workspace.slug, assessment.pk])


def _visit(client, assessment: Assessment) -> None:
    assert client.get(_url("results", assessment)).status_code == 200
    response = client.get(_url("report_pdf", assessment))
    assert response.content.startswith(b"%PDF")


def test_a_release_that_changes_a_chart_template_renders_page_and_report_anew(
    demo, client, templates, a_release, page_renders, pdf_renders
):
    assessment = _assessment()
    client.force_login(assessment.client.workspace.memberships.get(role="owner").user)
    _visit(client, assessment)
    _visit(client, assessment)
    assert (len(page_renders), len(pdf_renders)) == (1, 1)  # the second visit: from the caches

    # The relay chart: drawn by both the page and the report's executive summary.
    relay = templates / "charts" / "_relay.svg.html"
    relay.write_text(relay.read_text().replace("<svg", "<svg data-release='next'", 1))
    _new_processes()  # the new release starts
    _visit(client, assessment)

    assert (len(page_renders), len(pdf_renders)) == (2, 2)
    assert "data-release='next'" in pdf_renders[-1]
    assert ReportRender.objects.filter(assessment=assessment, status="ready").count() == 2


def test_a_release_that_changes_nothing_keeps_page_and_report(
    demo, client, a_release, page_renders, pdf_renders
):
    assessment = _assessment()
    client.force_login(assessment.client.workspace.memberships.get(role="owner").user)
    _visit(client, assessment)
    _new_processes()  # restarted on the same code
    _visit(client, assessment)
    assert (len(page_renders), len(pdf_renders)) == (1, 1)


def test_a_release_name_from_the_environment_is_the_code_version(settings):
    settings.RELEASE = "2026.12.3"
    assert cache_keys.code_version() == "2026.12.3"


def test_the_code_version_covers_every_template_static_file_and_module(settings):
    names = {name.split("/", 1)[1] for name, _ in cache_keys._code_files()}
    for expected in (
        "charts/_radar.svg.html",  # a template
        "assessments/results.html",
        "css/report.css",  # a static file
        "scoring.py",  # modules of the apps and lib
        "charts/trend.py",
        "templatetags/results.py",
    ):
        assert expected in names, expected
    assert not any("__pycache__" in name for name in names)


def test_servers_installed_in_different_places_agree_on_the_code_version(tmp_path, settings):
    """Files are named relative to their root, so the path of an installation is not part of
    the version."""
    first, second = tmp_path / "a" / "templates", tmp_path / "b" / "templates"
    for copy in (first, second):
        shutil.copytree(Path(settings.BASE_DIR, "templates"), copy)
    versions = []
    for copy in (first, second):
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [copy]}]
        versions.append(cache_keys._hash_files(cache_keys._code_files()))
    assert versions[0] == versions[1]


def test_the_data_stamp_is_one_query(demo, django_assert_num_queries):
    assessment = _assessment()
    with django_assert_num_queries(1):
        cache_keys.data_stamp(assessment)
