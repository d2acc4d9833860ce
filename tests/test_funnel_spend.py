"""Spend and returns: the cost and return KPIs worked by hand, the lifetime value discounted at
the workspace's rate, the planner's spend, and where they are shown (the funnel page, the
settings, the results page, results.json and the report)."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.pdf import report_html
from funnel.forms import FunnelValuesForm, figure_kind
from funnel.imports import FunnelImportError, import_funnel_csv
from funnel.kpis import (
    COST_KPI_KEYS,
    DEFAULT_DISCOUNT_RATE,
    KPI_KEYS,
    Figures,
    Kpi,
    kpis,
    lifetime_value_today,
    problems,
)
from funnel.models import FunnelFigures, FunnelThresholds
from funnel.tables import spend_lines
from funnel.waterfall import spend_estimates, waterfall
from tests.factories import answer_all, make_assessment, make_respondent
from tests.test_views_funnel import A_QUARTER, _text

# A quarter worked by hand: every cost and return below comes from these numbers.
SPENT = Figures(
    2026,
    3,
    impressions=20_000,
    engaged_leads=400,
    inquiries=200,
    mqls=50,
    sqls=10,
    won_deals=4,
    pipeline_value=500_000.0,
    closed_revenue=200_000.0,
    marketing_spend=50_000.0,
    engage_spend=20_000.0,
    content_cost=8_000.0,
    customer_margin_per_year=10_000.0,
    customer_lifetime_years=3.0,
)


def _values(figures: Figures, rate: float = 0.10) -> dict[str, float | None]:
    return {key: kpi.value for key, kpi in kpis(figures, discount_rate=rate).items()}


# ---- The KPIs ------------------------------------------------------------------------------


def test_the_costs_and_returns_come_last_in_their_own_group():
    assert KPI_KEYS[-len(COST_KPI_KEYS) :] == COST_KPI_KEYS


def test_the_engage_stage_and_content_costs_by_hand():
    values = _values(SPENT)
    assert values["engage_cost"] == 20_000
    assert values["engage_cost_per_impression"] == pytest.approx(1.0)  # 20,000 / 20,000
    assert values["engage_cost_per_engaged"] == pytest.approx(50.0)  # 20,000 / 400
    assert values["engage_cost_share"] == pytest.approx(0.1)  # 20,000 / 200,000 revenue
    assert values["content_cost"] == 8_000


def test_the_cost_per_lead_and_deal_by_hand():
    values = _values(SPENT)
    assert values["cost_per_inquiry"] == pytest.approx(250.0)  # 50,000 / 200
    assert values["cost_per_mql"] == pytest.approx(1_000.0)  # 50,000 / 50
    assert values["cost_per_sql"] == pytest.approx(5_000.0)  # 50,000 / 10
    assert values["cost_per_won"] == pytest.approx(12_500.0)  # 50,000 / 4
    assert values["marketing_cost_share"] == pytest.approx(0.25)  # 50,000 / 200,000


def test_pipeline_and_revenue_per_unit_of_spend_by_hand():
    values = _values(SPENT)
    assert values["pipeline_per_spend"] == pytest.approx(10.0)  # 500,000 / 50,000
    assert values["revenue_per_spend"] == pytest.approx(4.0)  # 200,000 / 50,000


def test_the_lifetime_value_and_the_return_on_spend_by_hand():
    values = _values(SPENT)
    assert values["lifetime_value"] == pytest.approx(30_000.0)  # 10,000 a year for 3 years
    # 10,000/1.1 + 10,000/1.1² + 10,000/1.1³ = 9,090.91 + 8,264.46 + 7,513.15 = 24,868.52
    assert values["lifetime_value_today"] == pytest.approx(24_868.52, abs=0.01)
    # (4 won × 24,868.52 − 50,000) / 50,000 = (99,474.08 − 50,000) / 50,000 = 98.95%
    assert values["roi"] == pytest.approx(0.98948, abs=0.00001)


def test_a_part_year_brings_its_share_of_a_years_margin_at_the_end_of_that_year():
    figures = replace(SPENT, customer_margin_per_year=1_000.0, customer_lifetime_years=2.5)
    # 1,000/1.1 + 1,000/1.1² + 500/1.1³ = 909.09 + 826.45 + 375.66 = 2,111.19
    assert lifetime_value_today(figures, 0.10) == pytest.approx(2_111.19, abs=0.01)


def test_the_discount_rate_changes_the_return_and_says_so_in_the_label():
    undiscounted = kpis(SPENT, discount_rate=0.0)
    # At 0%, today's value is the lifetime value: (4 × 30,000 − 50,000) / 50,000 = 140%
    assert undiscounted["roi"].value == pytest.approx(1.4)
    assert undiscounted["roi"].label == "Return on spend, at a 0% discount rate"
    at_seven_and_a_half = kpis(SPENT, discount_rate=0.075)
    assert at_seven_and_a_half["roi"].label == "Return on spend, at a 7.5% discount rate"
    assert at_seven_and_a_half["lifetime_value_today"].label.endswith("at a 7.5% discount rate")
    assert kpis(SPENT)["roi"].label.endswith(f"at a {DEFAULT_DISCOUNT_RATE:.0%} discount rate")


def test_no_won_customer_is_a_true_loss_of_the_whole_spend():
    assert _values(replace(SPENT, won_deals=0))["roi"] == pytest.approx(-1.0)


@pytest.mark.parametrize(
    ("missing", "key"),
    [
        ("marketing_spend", "roi"),
        ("won_deals", "roi"),
        ("customer_margin_per_year", "roi"),
        ("customer_lifetime_years", "lifetime_value_today"),
        ("customer_margin_per_year", "lifetime_value"),
        ("engage_spend", "engage_cost_per_impression"),
        ("impressions", "engage_cost_per_impression"),
        ("closed_revenue", "marketing_cost_share"),
        ("marketing_spend", "revenue_per_spend"),
    ],
)
def test_a_missing_figure_leaves_its_cost_or_return_not_available(missing, key):
    assert kpis(replace(SPENT, **{missing: None}))[key].display == "n/a"


@pytest.mark.parametrize(
    ("zero", "key"),
    [
        ("marketing_spend", "roi"),
        ("marketing_spend", "pipeline_per_spend"),
        ("mqls", "cost_per_mql"),
        ("won_deals", "cost_per_won"),
        ("engaged_leads", "engage_cost_per_engaged"),
        ("closed_revenue", "engage_cost_share"),
    ],
)
def test_a_zero_denominator_leaves_its_cost_or_return_not_available(zero, key):
    assert kpis(replace(SPENT, **{zero: 0}))[key].value is None


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1.5, "money_cents", "1.50"),
        (0.0042, "money_cents", "0.0042"),
        (0.0, "money_cents", "0.00"),
        (1234.5, "money_cents", "1,234.50"),
        (4.0, "multiple", "4.00"),
        (15.539, "percent", "1,553.9%"),
    ],
)
def test_costs_and_multiples_are_shown_for_a_reader(value, unit, shown):
    assert Kpi("k", "K", value, unit).display == shown


def test_a_part_of_the_spend_cannot_exceed_the_whole():
    found = problems(replace(SPENT, engage_spend=60_000.0, content_cost=51_000.0))
    assert found == {
        "engage_spend": "More engage-stage spend (60,000) than marketing spend (50,000).",
        "content_cost": "More content production cost (51,000) than marketing spend (50,000).",
    }


# ---- The form ------------------------------------------------------------------------------


def test_the_form_reads_spend_as_money_and_the_lifetime_as_years():
    assert figure_kind("marketing_spend") == "money"
    assert figure_kind("customer_lifetime_years") == "years"
    form = FunnelValuesForm(
        {"marketing_spend": "50,000", "customer_lifetime_years": "4.25", "engage_spend": "-1"}
    )
    assert not form.is_valid()
    assert form.cleaned_data["marketing_spend"] == Decimal("50000.00")
    assert form.cleaned_data["customer_lifetime_years"] == Decimal("4.3")
    assert "cannot be negative" in form.errors["engage_spend"][0]
    assert FunnelValuesForm({"customer_lifetime_years": "101"}).errors[
        "customer_lifetime_years"
    ] == ["That is more than 100; check the figure."]
    assert FunnelValuesForm({"customer_lifetime_years": "four"}).errors[
        "customer_lifetime_years"
    ] == ["Enter a number of years, like 4 or 5.5."]


# ---- The planner ---------------------------------------------------------------------------


def _plan(figures: Figures | None):
    rates = {"inquiry_to_mql": 0.25, "mql_to_sal": 0.5, "sal_to_sql": 0.5, "win_rate": 0.4}
    return waterfall(target_revenue=400_000, deal_size=50_000, rates=rates, actual=figures)


def test_the_planner_works_the_target_back_to_the_spend_it_takes():
    # 400,000 / 50,000 = 8 won; / 0.4 = 20 SQLs; / 0.5 = 40 SALs; / 0.5 = 80 MQLs; / 0.25 = 320
    estimates = spend_estimates(_plan(SPENT), SPENT)
    # 320 inquiries × 250 per inquiry = 80,000; 80 MQLs × 1,000 per MQL = 80,000
    assert [(e.stage, e.needed, e.cost, e.spend) for e in estimates] == [
        ("inquiries", 320, 250.0, 80_000.0),
        ("mqls", 80, 1_000.0, 80_000.0),
    ]


class _Basis:
    period = "2026-Q3"

    def __init__(self, spend):
        self.marketing_spend = spend


def test_the_planner_says_why_the_spend_is_not_known():
    no_spend = replace(SPENT, marketing_spend=None)
    assert spend_lines(spend_estimates(_plan(no_spend), no_spend), _Basis(None)) == [
        "The spend it takes cannot be worked out: 2026-Q3’s figures have no marketing spend. "
        "Enter it with the quarter’s figures to see it here."
    ]
    assert spend_lines(spend_estimates(_plan(None), None), None) == [
        "The spend it takes cannot be worked out yet: there are no funnel figures."
    ]
    lines = spend_lines(spend_estimates(_plan(SPENT), SPENT), _Basis(50_000))
    assert lines[0] == (
        "At 2026-Q3’s 250 of marketing spend per inquiry, the 320 inquiries needed take about "
        "80,000."
    )


# ---- Where they are shown ------------------------------------------------------------------

SPEND = {
    "marketing_spend": Decimal("50000"),
    "engage_spend": Decimal("20000"),
    "content_cost": Decimal("8000"),
    "customer_margin_per_year": Decimal("10000"),
    "customer_lifetime_years": Decimal("3"),
}


@pytest.mark.django_db
def test_the_funnel_page_groups_the_costs_and_returns(client, consultant, gtm_client):
    FunnelFigures.objects.create(client=gtm_client, year=2026, quarter=3, **A_QUARTER, **SPEND)
    client.force_login(consultant)

    text = _text(
        client.get(reverse("funnel:funnel", args=[gtm_client.workspace.slug, gtm_client.pk]))
    )

    assert "Costs and returns" in text and "Figures: spend and returns" in text
    assert "Marketing spend per MQL 500" in text  # 50,000 / 100 MQLs
    assert "Engage spend per impression 0.20" in text  # 20,000 / 100,000
    # (3 won × 24,868.52 − 50,000) / 50,000 = 49.2%
    assert "Return on spend, at a 10% discount rate 49.2%" in text


@pytest.mark.django_db
def test_the_owner_sets_the_discount_rate_and_every_return_uses_it(
    client, owner, workspace, gtm_client
):
    from tests.test_views_funnel import _threshold_data

    FunnelFigures.objects.create(client=gtm_client, year=2026, quarter=3, **A_QUARTER, **SPEND)
    client.force_login(owner)
    settings_url = reverse("funnel:settings", args=[workspace.slug])

    refused = client.post(settings_url, _threshold_data(discount_rate="51"))
    assert refused.context["form"].errors["discount_rate"] == ["A percentage is at most 50."]
    client.post(settings_url, _threshold_data(discount_rate="0"))

    assert FunnelThresholds.objects.get(workspace=workspace).discount_rate == 0
    text = _text(client.get(reverse("funnel:funnel", args=[workspace.slug, gtm_client.pk])))
    # At 0%: (3 × 30,000 − 50,000) / 50,000 = 80%
    assert "Return on spend, at a 0% discount rate 80.0%" in text


@pytest.mark.django_db
def test_results_json_the_page_and_the_report_agree_on_the_costs(client, owner, gtm_client):
    FunnelThresholds.objects.create(workspace=gtm_client.workspace, discount_rate=Decimal("0.075"))
    FunnelFigures.objects.create(client=gtm_client, year=2026, quarter=3, **A_QUARTER, **SPEND)
    assessment = make_assessment(gtm_client, year=2026, quarter=3)
    answer_all(make_respondent(assessment), submit=True)
    client.force_login(owner)
    args = [gtm_client.workspace.slug, assessment.pk]

    data = json.loads(client.get(reverse("assessments:results_json", args=args)).content)
    page = _text(client.get(reverse("assessments:results", args=args)))
    report = report_html(assessment=assessment)

    funnel = data["funnel"]
    assert funnel["discount_rate"] == 0.075
    assert funnel["figures"]["marketing_spend"] == 50_000
    assert funnel["kpis"]["cost_per_mql"] == 500.0
    checked = kpis(Figures.from_mapping(2026, 3, {**A_QUARTER, **SPEND}), discount_rate=0.075)
    for key in COST_KPI_KEYS:
        kpi = checked[key]
        assert funnel["kpis"][key] == pytest.approx(kpi.value, abs=0.005), key
        assert f"{kpi.label}: {kpi.display}" in page, key
        assert kpi.label in report and kpi.display in report, key
    assert "Return on spend, at a 7.5% discount rate" in page


# ---- The CSV import ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_csv_import_takes_the_spend_and_lifetime_columns(gtm_client):
    data = (
        "quarter,marketing_spend,engage_spend,content_cost,customer_margin_per_year,"
        'customer_lifetime_years\n2026-Q3,"50,000",20000,8000,10000,3.5\n'
    )

    import_funnel_csv(client=gtm_client, data=data.encode())

    row = FunnelFigures.objects.get(client=gtm_client)
    assert (row.marketing_spend, row.engage_spend, row.customer_lifetime_years) == (
        Decimal("50000"),
        Decimal("20000"),
        Decimal("3.5"),
    )


@pytest.mark.django_db
def test_the_csv_import_refuses_a_part_of_the_spend_above_the_whole(gtm_client):
    data = b"quarter,marketing_spend,engage_spend\n2026-Q3,50000,60000\n"

    with pytest.raises(FunnelImportError) as refused:
        import_funnel_csv(client=gtm_client, data=data)

    assert (
        "More engage-stage spend (60,000) than marketing spend (50,000)" in refused.value.errors[0]
    )
    assert not FunnelFigures.objects.exists()


@pytest.mark.django_db
def test_the_planner_page_shows_the_spend_it_takes(client, consultant, gtm_client):
    FunnelFigures.objects.create(client=gtm_client, year=2026, quarter=3, **A_QUARTER, **SPEND)
    client.force_login(consultant)
    url = reverse("funnel:planner", args=[gtm_client.workspace.slug, gtm_client.pk])

    text = _text(client.get(url, {"target_revenue": "300000", "quarter": "2026-Q4"}))

    # 300,000 / 50,000 = 6 won; / 25% = 24 SQLs; / 40% = 60 SALs; / 30% = 200 MQLs; / 25% = 800
    # inquiries, at 50,000 / 400 = 125 each: 100,000; 200 MQLs at 50,000 / 100 = 500: 100,000
    assert "The spend it takes" in text
    assert (
        "At 2026-Q3’s 125 of marketing spend per inquiry, the 800 inquiries needed take about "
        "100,000." in text
    )
    assert (
        "At 2026-Q3’s 500 of marketing spend per MQL, the 200 MQLs needed take about 100,000."
        in text
    )
