"""The funnel pages: a client's funnel, its figures form, the CSV import, the waterfall planner
and the workspace's thresholds. Access (405, login, 404, 403) is in test_url_access.py."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funnel.health import DEFAULT_THRESHOLDS
from funnel.kpis import FIGURE_FIELDS
from funnel.models import FunnelFigures, FunnelThresholds
from lib.csv import MAX_CSV_BYTES
from lib.quarters import Quarter
from tests.factories import make_client, make_workspace

pytestmark = pytest.mark.django_db

A_QUARTER = {
    "impressions": 100_000,
    "engaged_leads": 2_000,
    "content_downloads": 900,
    "emails_sent": 10_000,
    "emails_opened": 2_500,
    "emails_clicked": 250,
    "hard_bounces": 50,
    "soft_bounces": 80,
    "inquiries": 400,
    "mqls": 100,
    "sals": 30,
    "sqls": 12,
    "won_deals": 3,
    "pipeline_value": Decimal("600000"),
    "closed_revenue": Decimal("150000"),
    "average_deal_size": Decimal("50000"),
    "days_inquiry_to_mql": Decimal("2"),
    "days_mql_to_sal": Decimal("9"),
    "days_sal_to_sql": Decimal("12"),
    "days_sql_to_won": Decimal("60"),
}


def _figures(client, year=2026, quarter=3, **values) -> FunnelFigures:
    return FunnelFigures.objects.create(
        client=client, year=year, quarter=quarter, **{**A_QUARTER, **values}
    )


def _url(name: str, client, *more) -> str:
    return reverse(name, args=[client.workspace.slug, client.pk, *more])


def _text(response) -> str:
    """The page's text, tags stripped and spaces squeezed, to read sentences from."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _post_data(quarter: str, **values) -> dict:
    return {"quarter": quarter, **{name: "" for name in FIGURE_FIELDS}, **values}


# ---- The funnel page -----------------------------------------------------------------------


def test_an_empty_funnel_explains_what_to_enter_and_why(client, consultant, gtm_client):
    client.force_login(consultant)

    response = client.get(_url("funnel:funnel", gtm_client))

    text = _text(response)
    assert "No funnel figures yet" in text
    assert "No maturity questionnaire checks what people say against what the funnel shows" in text
    assert "Enter a quarter’s figures" in text and "Import a CSV file" in text


def test_the_page_shows_every_figure_and_kpi_per_quarter(client, consultant, gtm_client):
    _figures(gtm_client, quarter=2, inquiries=350, mqls=80)
    _figures(gtm_client, quarter=3, content_downloads=None)
    client.force_login(consultant)

    response = client.get(_url("funnel:funnel", gtm_client))

    text = _text(response)
    assert "2026-Q2" in text and "2026-Q3" in text
    assert "Inquiry → MQL 22.9% 25.0%" in text  # 80 / 350, then 100 / 400
    assert "MQL → SAL 37.5% 30.0%" in text
    assert "Time MQL → SAL 9.0 days 9.0 days" in text
    assert "Submit rate 0.9% n/a" in text  # no content downloads in 2026-Q3
    assert "Inquiry growth n/a +14.3%" in text  # the first quarter has none before it
    assert "Inquiries 350 400" in text
    assert "Pipeline value 600,000 600,000" in text
    assert "Days from MQL to SAL 9.0 days 9.0 days" in text


def test_quarter_over_quarter_arrows_say_better_or_worse(client, consultant, gtm_client):
    _figures(gtm_client, quarter=2, sals=40, days_mql_to_sal=Decimal("4"))
    _figures(gtm_client, quarter=3, sals=30, days_mql_to_sal=Decimal("9"))
    client.force_login(consultant)

    html = client.get(_url("funnel:funnel", gtm_client)).content.decode()

    assert 'class="qoq worse" title="Down from 40.0% in 2026-Q2"' in html  # MQL → SAL fell
    assert 'class="qoq worse" title="Up from 4.0 days in 2026-Q2"' in html  # slower follow-up


def test_no_arrow_without_the_quarter_just_before(client, consultant, gtm_client):
    _figures(gtm_client, year=2025, quarter=4)
    _figures(gtm_client, year=2026, quarter=2)  # 2026-Q1 has no figures
    client.force_login(consultant)

    response = client.get(_url("funnel:funnel", gtm_client))

    cells = [cell for _, rows in response.context["groups"] for row in rows for cell in row.cells]
    assert cells and not any(cell.arrow for cell in cells)


def test_each_handoffs_observed_health_is_shown_per_quarter(client, consultant, gtm_client):
    # MQL → SAL 30% (poor), SAL → SQL 40% (healthy), 9 days to accept (poor): 33, poor.
    _figures(gtm_client)
    client.force_login(consultant)

    response = client.get(_url("funnel:funnel", gtm_client))

    text = _text(response)
    assert "Handoff health in 2026-Q3" in text
    assert "Lead gen → Sales-ready opportunities Poor 33 of 100" in text
    assert "MQL → SAL 30.0% poor SAL → SQL 40.0% healthy Time MQL → SAL 9.0 days poor" in text
    assert "Judged against the default thresholds" in text


def test_the_workspaces_thresholds_judge_the_handoffs(client, owner, workspace, gtm_client):
    _figures(gtm_client)
    FunnelThresholds.objects.create(
        workspace=workspace,
        values={
            "mql_to_sal": {"poor": 0.1, "healthy": 0.25},
            "days_mql_to_sal": {"poor": 14, "healthy": 10},
        },
    )
    client.force_login(owner)

    text = _text(client.get(_url("funnel:funnel", gtm_client)))

    assert "Lead gen → Sales-ready opportunities Healthy 100 of 100" in text
    assert "Judged against this workspace’s own thresholds" in text


def test_flagged_figures_are_listed_to_check(client, consultant, gtm_client):
    _figures(gtm_client, inquiries=100, mqls=120)
    client.force_login(consultant)

    text = _text(client.get(_url("funnel:funnel", gtm_client)))

    assert "Worth a second look 1 to check" in text
    assert "More MQLs (120) than inquiries (100): possible when leads" in text


def test_the_trend_chart_plots_rates_in_percent_with_gaps(client, consultant, gtm_client):
    _figures(gtm_client, year=2025, quarter=4, mqls=80)
    _figures(gtm_client, year=2026, quarter=2, mqls=120)
    client.force_login(consultant)

    response = client.get(_url("funnel:funnel", gtm_client))

    chart = response.context["chart"]
    assert [cell.text for cell in chart.table.headers] == [
        "Series",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    inquiry_to_mql = chart.table.rows[0]
    assert [cell.text for cell in inquiry_to_mql] == ["Inquiry → MQL", "20", "—", "30"]
    assert "Managed" not in {text.text for text in chart.texts}  # no maturity stages here
    assert "Inquiry → MQL from 20% in 2025-Q4 to 30% in 2026-Q2" in chart.description
    assert chart.description.startswith("Percent by quarter") and not chart.bands


def test_a_single_quarter_has_no_chart(client, consultant, gtm_client):
    _figures(gtm_client)
    client.force_login(consultant)

    assert client.get(_url("funnel:funnel", gtm_client)).context["chart"] is None


def test_a_viewer_reads_everything_but_gets_nothing_that_changes(client, viewer, gtm_client):
    figures = _figures(gtm_client)
    client.force_login(viewer)

    response = client.get(_url("funnel:funnel", gtm_client))

    html = response.content.decode()
    assert "MQL → SAL" in html and "Plan revenue" in html
    assert _url("funnel:figures_edit", gtm_client, figures.pk) not in html
    assert _url("funnel:figures_create", gtm_client) not in html
    assert _url("funnel:import", gtm_client) not in html
    assert "owners and consultants enter and change them" in _text(response)


def test_the_client_page_links_to_the_funnel_for_every_member(client, viewer, gtm_client):
    client.force_login(viewer)

    response = client.get(gtm_client.get_absolute_url())

    assert f'href="{_url("funnel:funnel", gtm_client)}">Funnel</a>' in response.content.decode()


def _queries(client, url) -> int:
    assert client.get(url).status_code == 200  # the first request of a session writes it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_funnel_page_reads_eight_quarters_in_as_many_queries_as_one(
    client, consultant, gtm_client, django_assert_max_num_queries
):
    _figures(gtm_client, year=2024, quarter=3)
    client.force_login(consultant)
    url = _url("funnel:funnel", gtm_client)
    one = _queries(client, url)
    for n in range(1, 8):
        period = Quarter(2024, 3).shifted(n)
        _figures(gtm_client, year=period.year, quarter=period.number, mqls=100 + n)

    with django_assert_max_num_queries(one):
        response = client.get(url)

    assert len(response.context["columns"]) == 8
    # Session, user, membership, client, thresholds, figures, the layout's memberships, and
    # the savepoint the test wraps around the request (two statements).
    assert one <= 9


# ---- Entering and editing figures ----------------------------------------------------------


def test_the_form_offers_the_quarter_just_ended(client, consultant, gtm_client):
    client.force_login(consultant)

    response = client.get(_url("funnel:figures_create", gtm_client))

    expected = str(Quarter.of(timezone.localdate()).previous())
    assert response.context["form"]["quarter"].value() == expected
    text = _text(response)
    for legend in ("Audience and content", "Email", "Funnel stages", "Revenue", "Velocity"):
        assert legend in text
    assert "MQLs (marketing-qualified leads)" in text


def test_a_quarter_already_entered_is_not_offered_first(client, consultant, gtm_client):
    ended = Quarter.of(timezone.localdate()).previous()
    _figures(gtm_client, year=ended.year, quarter=ended.number)
    client.force_login(consultant)

    response = client.get(_url("funnel:figures_create", gtm_client))

    assert response.context["form"]["quarter"].value() == str(ended.next())


def _quarter() -> str:
    return str(Quarter.of(timezone.localdate()).previous())


def test_entering_figures_saves_them_and_shows_the_flags(client, consultant, gtm_client):
    client.force_login(consultant)
    data = _post_data(
        _quarter(),
        inquiries="1,200",
        mqls="1300",
        sals="400",
        closed_revenue="$250,000.50",
        days_mql_to_sal="2.5",
    )

    response = client.post(_url("funnel:figures_create", gtm_client), data, follow=True)

    figures = gtm_client.funnel_figures.get()
    assert (figures.inquiries, figures.mqls, figures.sals) == (1200, 1300, 400)
    assert figures.closed_revenue == Decimal("250000.50")
    assert figures.days_mql_to_sal == Decimal("2.5")
    assert figures.emails_sent is None
    assert response.redirect_chain[-1][0].endswith(f"#quarter-{_quarter()}")
    messages = _messages(response)
    assert messages[0] == f"The {_quarter()} figures of Brightline Logistics are saved."
    assert messages[1].startswith(f"{_quarter()}: More MQLs (1,300) than inquiries (1,200)")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("lots", "Enter a whole number, like 1200."),
        ("1e30", "That is more than 2,000,000,000; check the figure."),
        ("-5", "This cannot be negative: enter 0 or more, or leave it empty."),
        ("12.5", "A count is a whole number: no decimals."),
        ("NaN", "Enter a whole number, like 1200."),
        ("1.200,5", "Enter a whole number, like 1200."),
    ],
)
def test_a_count_that_is_not_a_count_is_refused(client, consultant, gtm_client, typed, message):
    client.force_login(consultant)

    response = client.post(
        _url("funnel:figures_create", gtm_client), _post_data(_quarter(), mqls=typed)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["mqls"] == [message]
    assert not FunnelFigures.objects.exists()


def test_money_and_days_are_checked_too(client, consultant, gtm_client):
    client.force_login(consultant)
    data = _post_data(
        _quarter(), pipeline_value="-1", average_deal_size="a lot", days_sql_to_won="99999"
    )

    response = client.post(_url("funnel:figures_create", gtm_client), data)

    errors = response.context["form"].errors
    assert errors["pipeline_value"] == [
        "This cannot be negative: enter 0 or more, or leave it empty."
    ]
    assert errors["average_deal_size"] == ["Enter an amount, like 250000 or 250,000.50."]
    assert errors["days_sql_to_won"] == ["That is more than 3,650; check the figure."]
    assert not FunnelFigures.objects.exists()


def test_an_impossible_figure_is_refused_on_its_field(client, consultant, gtm_client):
    client.force_login(consultant)
    data = _post_data(_quarter(), emails_sent="1000", emails_opened="1200", emails_clicked="1001")

    response = client.post(_url("funnel:figures_create", gtm_client), data)

    errors = response.context["form"].errors
    assert errors["emails_opened"] == ["More emails opened (1,200) than sent (1,000)."]
    assert errors["emails_clicked"] == ["More emails clicked (1,001) than sent (1,000)."]
    assert "nothing was saved" in _text(response)
    assert not FunnelFigures.objects.exists()


def test_a_form_without_any_figure_is_refused(client, consultant, gtm_client):
    client.force_login(consultant)

    response = client.post(_url("funnel:figures_create", gtm_client), _post_data(_quarter()))

    assert response.context["form"].non_field_errors() == [
        "Enter at least one figure; the others may stay empty."
    ]
    assert not FunnelFigures.objects.exists()


def test_a_quarter_outside_the_list_is_refused(client, consultant, gtm_client):
    client.force_login(consultant)

    response = client.post(
        _url("funnel:figures_create", gtm_client), _post_data("2026-Q9", mqls="10")
    )

    assert response.context["form"].errors["quarter"] == [
        "Choose a quarter from the list, like 2026-Q3."
    ]
    assert not FunnelFigures.objects.exists()


def test_a_quarter_that_has_figures_links_to_them(client, consultant, gtm_client):
    period = Quarter.parse(_quarter())
    existing = _figures(gtm_client, year=period.year, quarter=period.number)
    client.force_login(consultant)

    response = client.post(
        _url("funnel:figures_create", gtm_client), _post_data(_quarter(), mqls="10")
    )

    assert response.context["form"].errors["quarter"] == [
        f"Brightline Logistics already has figures for {period}: edit them instead."
    ]
    assert _url("funnel:figures_edit", gtm_client, existing.pk) in response.content.decode()
    assert gtm_client.funnel_figures.get().mqls == 100


def test_editing_shows_the_figures_and_saves_changes(client, consultant, gtm_client):
    period = Quarter.parse(_quarter())
    figures = _figures(gtm_client, year=period.year, quarter=period.number)
    client.force_login(consultant)
    url = _url("funnel:figures_edit", gtm_client, figures.pk)

    form = client.get(url).context["form"]
    assert form["pipeline_value"].value() == "600000"  # not 600000.00

    values = {name: str(value) for name, value in A_QUARTER.items()}
    response = client.post(url, _post_data(_quarter(), **{**values, "sals": "45"}), follow=True)

    figures.refresh_from_db()
    assert figures.sals == 45
    assert _messages(response) == [f"The {period} figures of Brightline Logistics are saved."]


def test_an_old_quarter_stays_choosable_when_editing(client, consultant, gtm_client):
    figures = _figures(gtm_client, year=2015, quarter=1)
    client.force_login(consultant)

    response = client.get(_url("funnel:figures_edit", gtm_client, figures.pk))

    assert ("2015-Q1", "2015-Q1") in response.context["form"].fields["quarter"].choices


def test_moving_figures_onto_a_quarter_that_has_some_is_refused(client, consultant, gtm_client):
    period = Quarter.parse(_quarter())
    _figures(gtm_client, year=period.year, quarter=period.number)
    earlier = _figures(gtm_client, year=period.previous().year, quarter=period.previous().number)
    client.force_login(consultant)

    response = client.post(
        _url("funnel:figures_edit", gtm_client, earlier.pk), _post_data(_quarter(), mqls="5")
    )

    assert "already has figures" in response.context["form"].errors["quarter"][0]


def test_figures_of_another_client_or_workspace_are_not_found(client, consultant, gtm_client):
    sibling = _figures(make_client(gtm_client.workspace, name="Cobalt"))
    foreign = _figures(make_client(make_workspace(), name="Elsewhere Ltd"))
    client.force_login(consultant)

    for figures in (sibling, foreign):
        assert client.get(_url("funnel:figures_edit", gtm_client, figures.pk)).status_code == 404
        response = client.post(_url("funnel:figures_delete", gtm_client, figures.pk))
        assert response.status_code == 404
    assert FunnelFigures.objects.count() == 2


def test_deleting_a_quarters_figures(client, consultant, gtm_client):
    figures = _figures(gtm_client)
    client.force_login(consultant)

    response = client.post(_url("funnel:figures_delete", gtm_client, figures.pk), follow=True)

    assert not FunnelFigures.objects.exists()
    assert _messages(response) == ["The 2026-Q3 figures of Brightline Logistics deleted."]


# ---- The CSV import ------------------------------------------------------------------------


def _upload(text: bytes, name="funnel.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text, content_type="text/csv")


def test_importing_a_file_says_what_was_added_and_updated(client, consultant, gtm_client):
    _figures(gtm_client, year=2026, quarter=2)
    client.force_login(consultant)
    data = b"quarter,inquiries,mqls\n2026-Q2,500,600\n2026-Q3,520,130\n"

    response = client.post(_url("funnel:import", gtm_client), {"file": _upload(data)}, follow=True)

    assert response.redirect_chain[-1][0] == _url("funnel:funnel", gtm_client)
    messages = _messages(response)
    assert messages[0].startswith("Imported 2 quarters: 2026-Q3 added; 2026-Q2 updated")
    assert messages[1].startswith("2026-Q2: More MQLs (600) than inquiries (500)")
    assert gtm_client.funnel_figures.get(quarter=2).mqls == 600


def test_a_bad_file_lists_every_problem_and_saves_nothing(client, consultant, gtm_client):
    client.force_login(consultant)
    data = b"quarter,mqls\n2026-Q3,ten\n2026-Q9,5\n"

    response = client.post(_url("funnel:import", gtm_client), {"file": _upload(data)})

    text = _text(response)
    assert "Nothing was imported. Fix these problems in the file" in text
    assert 'Line 2, column mqls ("ten"): Enter a whole number, like 1200.' in text
    assert 'Line 3, column quarter: "2026-Q9" is not a quarter' in text
    assert not FunnelFigures.objects.exists()


def test_a_utf16_file_gets_one_clear_message(client, consultant, gtm_client):
    client.force_login(consultant)
    data = "quarter,mqls\n2026-Q3,10\n".encode("utf-16")

    response = client.post(_url("funnel:import", gtm_client), {"file": _upload(data)})

    assert response.context["errors"] == [
        "This is not a CSV file of funnel figures. Save it from your spreadsheet as “CSV UTF-8” "
        "(comma-separated), with a header like quarter,inquiries,mqls,sals,sqls,won_deals."
    ]


def test_the_import_form_asks_for_a_file(client, consultant, gtm_client):
    client.force_login(consultant)

    response = client.post(_url("funnel:import", gtm_client), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["This field is required."]


def test_a_file_over_the_size_limit_is_refused_unread(client, consultant, gtm_client):
    client.force_login(consultant)
    data = b"quarter,mqls\n" + b"2026-Q3,10\n" * (MAX_CSV_BYTES // 11 + 1)

    response = client.post(_url("funnel:import", gtm_client), {"file": _upload(data)})

    assert response.context["form"].errors["file"] == ["The file is larger than 2 MB."]
    assert not FunnelFigures.objects.exists()


# ---- The waterfall planner -----------------------------------------------------------------


def test_the_planner_starts_from_the_latest_quarters_rates(client, viewer, gtm_client):
    _figures(gtm_client, quarter=2, mqls=50)
    _figures(gtm_client, quarter=3)  # inquiry → MQL 25%, MQL → SAL 30%, ...
    client.force_login(viewer)

    response = client.get(_url("funnel:planner", gtm_client))

    form = response.context["form"]
    assert not form.is_bound
    assert [form[key].value() for key in ("inquiry_to_mql", "mql_to_sal", "sal_to_sql")] == [
        "25",
        "30",
        "40",
    ]
    assert form["win_rate"].value() == "25" and form["deal_size"].value() == "50000"
    assert "Observed: 30.0% in 2026-Q3." in _text(response)
    assert response.context["plan"] is None


def test_the_planner_works_back_from_the_target(client, viewer, gtm_client):
    _figures(gtm_client)  # 400 inquiries, 100 MQLs, 30 SALs, 12 SQLs, 3 won
    client.force_login(viewer)

    response = client.get(
        _url("funnel:planner", gtm_client), {"target_revenue": "500,000", "quarter": _next()}
    )

    stages = response.context["stages"]
    assert [(s.label, s.needed, s.actual, s.gap_text) for s in stages] == [
        ("Inquiries", "1,336", "400", "936 short"),
        ("MQLs", "334", "100", "234 short"),  # 100 / 30%, rounded up
        ("SALs", "100", "30", "70 short"),
        ("SQLs", "40", "12", "28 short"),
        ("Won deals", "10", "3", "7 short"),
    ]
    assert stages[0].converts == "25.0% become MQLs"
    html = response.content.decode()
    assert html.count('class="is-short"') == 5
    # The form shows the rates the plan used, so the shared URL keeps them.
    assert response.context["form"]["mql_to_sal"].value() == "30"


def _next() -> str:
    return str(Quarter.of(timezone.localdate()).next())


def test_edited_rates_and_deal_size_change_the_plan(client, viewer, gtm_client):
    _figures(gtm_client)
    client.force_login(viewer)
    query = {
        "target_revenue": "500000",
        "quarter": _next(),
        "inquiry_to_mql": "50",
        "mql_to_sal": "50",
        "sal_to_sql": "50",
        "win_rate": "50",
        "deal_size": "100000",
    }

    stages = client.get(_url("funnel:planner", gtm_client), query).context["stages"]

    assert [s.needed for s in stages] == ["80", "40", "20", "10", "5"]
    assert stages[-1].gap_text == "2 short" and stages[0].gap_text == "320 ahead"


def test_what_is_missing_to_plan_is_named(client, viewer, gtm_client):
    client.force_login(viewer)  # no figures: no observed rates

    response = client.get(
        _url("funnel:planner", gtm_client),
        {"target_revenue": "100000", "quarter": _next(), "deal_size": "20000", "win_rate": "20"},
    )

    assert [s.needed for s in response.context["stages"]] == [
        "unknown",
        "unknown",
        "unknown",
        "25",
        "5",
    ]
    text = _text(response)
    assert "needs the inquiry to MQL rate, the MQL to SAL rate, the SAL to SQL rate" in text
    assert "has no funnel figures yet, so there is nothing to compare with" in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"target_revenue": "lots"}, "target_revenue", "Enter an amount, like 250000"),
        ({"target_revenue": "0"}, "target_revenue", "Enter a target above 0."),
        ({"target_revenue": ""}, "target_revenue", "Enter the revenue to reach"),
        ({"target_revenue": "1e30"}, "target_revenue", "That is more than 999,999,999,999"),
        ({"quarter": "2026-Q9"}, "quarter", "Choose a quarter from the list"),
        ({"mql_to_sal": "-5"}, "mql_to_sal", "A percentage cannot be negative."),
        ({"mql_to_sal": "abc"}, "mql_to_sal", "Enter a percentage, like 25 or 12.5."),
        ({"win_rate": "0"}, "win_rate", "Zero reaches no target"),
        ({"win_rate": "5000"}, "win_rate", "A percentage is at most 1000."),
    ],
)
def test_bad_planner_input_is_explained_not_a_500(
    client, viewer, gtm_client, query, field, message
):
    _figures(gtm_client)
    client.force_login(viewer)

    response = client.get(
        _url("funnel:planner", gtm_client),
        {"target_revenue": "100000", "quarter": _next(), **query},
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
    assert response.context["plan"] is None
    assert "Nothing could be worked out yet" in _text(response)


def test_htmx_gets_only_the_result(client, viewer, gtm_client):
    _figures(gtm_client)
    client.force_login(viewer)

    response = client.get(
        _url("funnel:planner", gtm_client),
        {"target_revenue": "500000", "quarter": _next()},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="planner-result"')
    assert "<form" not in html
    assert "HX-Request" in response["Vary"]


def test_the_planner_reads_eight_quarters_in_as_many_queries_as_one(
    client, viewer, gtm_client, django_assert_max_num_queries
):
    _figures(gtm_client, year=2024, quarter=3)
    client.force_login(viewer)
    url = _url("funnel:planner", gtm_client) + f"?target_revenue=100000&quarter={_next()}"
    one = _queries(client, url)
    for n in range(1, 8):
        period = Quarter(2024, 3).shifted(n)
        _figures(gtm_client, year=period.year, quarter=period.number)

    with django_assert_max_num_queries(one):
        client.get(url)


# ---- The workspace's thresholds ------------------------------------------------------------


def _settings_url(workspace) -> str:
    return reverse("funnel:settings", args=[workspace.slug])


def _threshold_data(**changes) -> dict:
    data = {}
    for metric, threshold in DEFAULT_THRESHOLDS.items():
        scale = 1 if metric == "days_mql_to_sal" else 100
        data[f"{metric}-poor"] = f"{threshold.poor * scale:g}"
        data[f"{metric}-healthy"] = f"{threshold.healthy * scale:g}"
    return {**data, "discount_rate": "10", **changes}


def test_the_thresholds_page_shows_percentages_as_percentages(client, owner, workspace):
    client.force_login(owner)

    response = client.get(_settings_url(workspace))

    form = response.context["form"]
    assert form["mql_to_sal-poor"].value() == "40"
    assert form["submit_rate-poor"].value() == "0.5"
    assert form["days_mql_to_sal-poor"].value() == "5"
    text = _text(response)
    assert "MQLs that sales accepts (SALs) Lead gen → Sales-ready opportunities" in text
    assert "poor 40%, healthy 70%" in text and "poor 5 days, healthy 2 days" in text
    assert "Every metric uses its default." in text


def test_only_the_thresholds_that_differ_from_the_defaults_are_stored(client, owner, workspace):
    client.force_login(owner)
    data = _threshold_data(**{"mql_to_sal-poor": "30", "days_mql_to_sal-healthy": "1.5"})

    response = client.post(_settings_url(workspace), data, follow=True)

    assert _messages(response) == ["Funnel settings saved; every funnel page now uses them."]
    assert workspace.funnel_thresholds.values == {
        "mql_to_sal": {"poor": 0.3, "healthy": 0.7},
        "days_mql_to_sal": {"poor": 5.0, "healthy": 1.5},
    }
    assert "2 metrics differ from the defaults." in _text(response)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mql_to_sal-poor": "80"}, "mql_to_sal-healthy", "Higher is better here"),
        ({"days_mql_to_sal-healthy": "7"}, "days_mql_to_sal-healthy", "Lower is better here"),
        ({"mql_to_sal-healthy": "150"}, "mql_to_sal-healthy", "A percentage is at most 100."),
        ({"days_mql_to_sal-poor": "-1"}, "days_mql_to_sal-poor", "A number of days cannot"),
        ({"click_rate-poor": "abc"}, "click_rate-poor", "Enter a percentage, like 25"),
        ({"click_rate-poor": "1e30"}, "click_rate-poor", "A percentage is at most 100."),
        ({"click_rate-poor": ""}, "click_rate-poor", "Enter a percentage."),
    ],
)
def test_bad_thresholds_are_refused_and_nothing_is_saved(
    client, owner, workspace, changes, field, message
):
    client.force_login(owner)

    response = client.post(_settings_url(workspace), _threshold_data(**changes))

    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
    assert not FunnelThresholds.objects.exists()


def test_reset_goes_back_to_the_defaults(client, owner, workspace):
    FunnelThresholds.objects.create(
        workspace=workspace, values={"mql_to_sal": {"poor": 0.3, "healthy": 0.6}}
    )
    client.force_login(owner)

    assert "1 metric differs from the defaults." in _text(client.get(_settings_url(workspace)))
    response = client.post(reverse("funnel:settings_reset", args=[workspace.slug]), follow=True)

    assert not FunnelThresholds.objects.exists()
    assert _messages(response) == ["Funnel thresholds and discount rate reset to the defaults."]
    assert response.context["form"]["mql_to_sal-poor"].value() == "40"


def test_saved_thresholds_show_as_saved(client, owner, workspace):
    FunnelThresholds.objects.create(
        workspace=workspace, values={"submit_rate": {"poor": 0.0025, "healthy": 0.01}}
    )
    client.force_login(owner)

    form = client.get(_settings_url(workspace)).context["form"]

    assert (form["submit_rate-poor"].value(), form["submit_rate-healthy"].value()) == (
        "0.25",
        "1",
    )


def test_the_workspace_settings_link_to_the_thresholds(client, owner, workspace):
    client.force_login(owner)

    response = client.get(reverse("accounts:workspace_settings", args=[workspace.slug]))

    assert _settings_url(workspace) in response.content.decode()
