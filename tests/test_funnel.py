"""Funnel KPIs, observed handoff health and the revenue waterfall, checked against cases
computed by hand. No database needed."""

from dataclasses import fields, replace
from decimal import Decimal

import pytest

from funnel.health import (
    DEFAULT_THRESHOLDS,
    FUNNEL_BOOST,
    HANDOFF_METRICS,
    THRESHOLD_LABELS,
    HandoffHealth,
    Threshold,
    contradictions,
    handoff_health,
    health_label,
    priority_boosts,
    thresholds_with,
)
from funnel.kpis import FIGURE_FIELDS, KPI_KEYS, Figures, Kpi, flags, kpis, problems
from funnel.waterfall import observed_rates, waterfall
from lib.maturity import HANDOFF_ORDER

# A quarter worked by hand; every KPI below is computed from these numbers.
FULL = Figures(
    2026,
    3,
    impressions=20_000,
    engaged_leads=400,
    content_downloads=200,
    emails_sent=5_000,
    emails_opened=1_000,
    emails_clicked=150,
    hard_bounces=50,
    soft_bounces=100,
    inquiries=200,
    mqls=50,
    sals=30,
    sqls=12,
    won_deals=3,
    pipeline_value=600_000.0,
    closed_revenue=120_000.0,
    average_deal_size=None,
    days_inquiry_to_mql=4.0,
    days_mql_to_sal=1.5,
    days_sal_to_sql=10.0,
    days_sql_to_won=30.5,
)
# The quarter before: inquiries 160 -> 200 is +25%, MQLs flat, SALs 40 -> 30 is -25%,
# SQLs from 0 (no growth from nothing), pipeline 500,000 -> 600,000 is +20%, revenue missing.
PREVIOUS = Figures(2026, 2, inquiries=160, mqls=50, sals=40, sqls=0, pipeline_value=500_000.0)
EMPTY = Figures(2026, 3)

# Every ratio KPI: (key, numerator field, denominator field).
RATIOS = [
    ("prospect_to_engaged", "engaged_leads", "impressions"),
    ("submit_rate", "content_downloads", "impressions"),
    ("engaged_to_inquiry", "inquiries", "engaged_leads"),
    ("open_rate", "emails_opened", "emails_sent"),
    ("click_rate", "emails_clicked", "emails_sent"),
    ("hard_bounce_rate", "hard_bounces", "emails_sent"),
    ("soft_bounce_rate", "soft_bounces", "emails_sent"),
    ("inquiry_to_mql", "mqls", "inquiries"),
    ("mql_to_sal", "sals", "mqls"),
    ("sal_to_sql", "sqls", "sals"),
    ("win_rate", "won_deals", "sqls"),
    ("inquiry_to_won", "won_deals", "inquiries"),
    ("deal_size", "closed_revenue", "won_deals"),  # when no average deal size is entered
]


def _values(figures: Figures, previous: Figures | None = None) -> dict[str, float | None]:
    return {key: kpi.value for key, kpi in kpis(figures, previous).items()}


# ---- Figures -------------------------------------------------------------------------------


def test_figures_have_one_attribute_per_figure_field():
    assert [f.name for f in fields(Figures)] == ["year", "quarter", *FIGURE_FIELDS]


def test_figures_read_from_a_mapping_turn_decimals_into_floats_and_missing_into_none():
    figures = Figures.from_mapping(
        2026,
        3,
        {
            "impressions": 1_200,
            "pipeline_value": Decimal("150000.50"),
            "days_mql_to_sal": Decimal("1.5"),
            "inquiries": None,
            "client": 7,  # not a figure: ignored
        },
    )
    assert figures.impressions == 1_200 and isinstance(figures.impressions, int)
    assert figures.pipeline_value == 150_000.5 and isinstance(figures.pipeline_value, float)
    assert figures.days_mql_to_sal == 1.5 and isinstance(figures.days_mql_to_sal, float)
    assert figures.inquiries is None and figures.won_deals is None


def test_figures_are_labelled_by_quarter():
    assert FULL.label == "2026-Q3"
    assert Figures(2027, 1).label == "2027-Q1"


# ---- KPIs ----------------------------------------------------------------------------------


def test_kpis_come_in_display_order_with_labels_and_units():
    result = kpis(FULL)
    assert tuple(result) == KPI_KEYS
    assert all(kpi.key == key and kpi.label for key, kpi in result.items())
    assert result["mql_to_sal"].unit == "percent"
    assert result["cycle_days"].unit == "days"
    assert result["deal_size"].unit == "money"
    assert result["revenue_growth"].unit == "growth"


def test_engagement_content_and_email_kpis_by_hand():
    values = _values(FULL)
    assert values["prospect_to_engaged"] == pytest.approx(0.02)  # 400 / 20,000
    assert values["submit_rate"] == pytest.approx(0.01)  # 200 downloads / 20,000 impressions
    assert values["engaged_to_inquiry"] == pytest.approx(0.5)  # 200 / 400
    assert values["open_rate"] == pytest.approx(0.2)  # 1,000 / 5,000
    assert values["click_rate"] == pytest.approx(0.03)  # 150 / 5,000
    assert values["hard_bounce_rate"] == pytest.approx(0.01)  # 50 / 5,000
    assert values["soft_bounce_rate"] == pytest.approx(0.02)  # 100 / 5,000


def test_conversion_per_stage_by_hand():
    values = _values(FULL)
    assert values["inquiry_to_mql"] == pytest.approx(0.25)  # 50 / 200
    assert values["mql_to_sal"] == pytest.approx(0.6)  # 30 / 50
    assert values["sal_to_sql"] == pytest.approx(0.4)  # 12 / 30
    assert values["win_rate"] == pytest.approx(0.25)  # 3 / 12
    assert values["inquiry_to_won"] == pytest.approx(0.015)  # 3 / 200


def test_velocity_is_the_entered_days_and_the_cycle_is_their_sum():
    values = _values(FULL)
    assert values["days_inquiry_to_mql"] == 4.0
    assert values["days_mql_to_sal"] == 1.5
    assert values["days_sal_to_sql"] == 10.0
    assert values["days_sql_to_won"] == 30.5
    assert values["cycle_days"] == 46.0  # 4 + 1.5 + 10 + 30.5


def test_the_cycle_needs_all_four_stage_times():
    assert _values(replace(FULL, days_sal_to_sql=None))["cycle_days"] is None


def test_deal_size_is_the_entered_average_when_there_is_one():
    assert _values(replace(FULL, average_deal_size=45_000.0))["deal_size"] == 45_000.0


def test_deal_size_falls_back_to_closed_revenue_per_won_deal():
    assert _values(FULL)["deal_size"] == pytest.approx(40_000)  # 120,000 / 3


def test_growth_compares_with_the_previous_quarter():
    values = _values(FULL, PREVIOUS)
    assert values["inquiry_growth"] == pytest.approx(0.25)  # (200 - 160) / 160
    assert values["mql_growth"] == 0  # 50 -> 50
    assert values["sal_growth"] == pytest.approx(-0.25)  # (30 - 40) / 40
    assert values["sql_growth"] is None  # from 0 there is no percentage
    assert values["pipeline_growth"] == pytest.approx(0.2)  # (600,000 - 500,000) / 500,000
    assert values["revenue_growth"] is None  # not entered the quarter before


def test_growth_without_a_previous_quarter_is_unknown():
    result = kpis(FULL)
    growth_keys = [key for key in KPI_KEYS if key.endswith("_growth")]
    assert len(growth_keys) == 6
    assert all(result[key].value is None for key in growth_keys)
    assert all(result[key].display == "n/a" for key in growth_keys)


@pytest.mark.parametrize("denominator_value", [0, None], ids=["zero", "missing"])
@pytest.mark.parametrize(("key", "numerator", "denominator"), RATIOS, ids=[r[0] for r in RATIOS])
def test_a_ratio_without_a_usable_denominator_is_not_available(
    key, numerator, denominator, denominator_value
):
    kpi = kpis(replace(FULL, **{denominator: denominator_value}))[key]
    assert kpi.value is None
    assert kpi.display == "n/a"


@pytest.mark.parametrize(("key", "numerator", "denominator"), RATIOS, ids=[r[0] for r in RATIOS])
def test_a_ratio_without_its_numerator_is_not_available(key, numerator, denominator):
    kpi = kpis(replace(FULL, **{numerator: None}))[key]
    assert (kpi.value, kpi.display) == (None, "n/a")


def test_a_zero_numerator_over_a_real_denominator_is_a_true_zero():
    kpi = kpis(replace(FULL, won_deals=0))["win_rate"]
    assert (kpi.value, kpi.display) == (0, "0.0%")


def test_a_quarter_with_nothing_entered_shows_every_kpi_as_not_available():
    result = kpis(EMPTY, EMPTY)
    assert all(kpi.value is None and kpi.display == "n/a" for kpi in result.values())


# ---- Display -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.125, "percent", "12.5%"),
        (0.0, "percent", "0.0%"),
        (1.5, "percent", "150.0%"),
        (3, "days", "3.0 days"),
        (1.25, "days", "1.2 days"),
        (0.08, "growth", "+8.0%"),
        (-0.042, "growth", "-4.2%"),
        (0.0, "growth", "+0.0%"),
        (-0.0001, "growth", "+0.0%"),  # rounds to no change, never "-0.0%"
        (1_234_567.8, "money", "1,234,568"),
        (950.0, "money", "950"),
    ],
)
def test_kpis_display_in_their_unit(value, unit, shown):
    assert Kpi("k", "K", value, unit).display == shown


@pytest.mark.parametrize("unit", ["percent", "days", "growth", "money"])
def test_a_kpi_without_a_value_displays_as_not_available(unit):
    assert Kpi("k", "K", None, unit).display == "n/a"


# ---- Flags and problems --------------------------------------------------------------------


def test_a_plausible_quarter_raises_no_flags_and_no_problems():
    assert flags(FULL) == []
    assert problems(FULL) == {}


def test_it_flags_each_stage_that_holds_more_than_the_one_before():
    figures = replace(
        FULL,
        impressions=100,
        engaged_leads=150,
        content_downloads=120,
        inquiries=10,
        mqls=1_200,
        sals=1_300,
        sqls=1_400,
        won_deals=1_500,
    )
    found = flags(figures)
    assert len(found) == 6
    assert found[0].startswith("More MQLs (1,200) than inquiries (10):")
    assert found[1].startswith("More SALs (1,300) than MQLs (1,200):")
    assert found[2].startswith("More SQLs (1,400) than SALs (1,300):")
    assert found[3].startswith("More won deals (1,500) than SQLs (1,400):")
    assert found[4].startswith("More engaged leads (150) than prospect impressions (100):")
    assert found[5].startswith("More content downloads (120) than prospect impressions (100):")
    assert all(flag.endswith("but worth checking.") for flag in found)


def test_it_does_not_flag_what_is_missing_or_equal():
    assert flags(replace(FULL, inquiries=None, sals=50, sqls=50)) == []


def test_more_emails_opened_than_sent_is_a_problem():
    assert problems(replace(FULL, emails_sent=1_000, emails_opened=1_200)) == {
        "emails_opened": "More emails opened (1,200) than sent (1,000)."
    }


def test_each_part_of_the_emails_sent_is_checked():
    found = problems(
        replace(
            FULL,
            emails_sent=10,
            emails_opened=11,
            emails_clicked=12,
            hard_bounces=13,
            soft_bounces=14,
        )
    )
    assert found == {
        "emails_opened": "More emails opened (11) than sent (10).",
        "emails_clicked": "More emails clicked (12) than sent (10).",
        "hard_bounces": "More hard bounces (13) than emails sent (10).",
        "soft_bounces": "More soft bounces (14) than emails sent (10).",
    }


def test_a_negative_figure_is_a_problem():
    found = problems(replace(FULL, inquiries=-5, closed_revenue=-1.5, days_mql_to_sal=-2.0))
    assert found == {
        "inquiries": "Inquiries cannot be negative (-5).",
        "closed_revenue": "Closed revenue cannot be negative (-1.5).",
        "days_mql_to_sal": "Days from MQL to SAL cannot be negative (-2).",
    }


def test_a_negative_emails_sent_is_reported_once_not_as_a_comparison_too():
    assert problems(replace(FULL, emails_sent=-1)) == {
        "emails_sent": "Emails sent cannot be negative (-1)."
    }


def test_nothing_is_compared_with_a_missing_figure():
    assert problems(replace(FULL, emails_sent=None, emails_opened=1_000_000)) == {}


# ---- Thresholds ----------------------------------------------------------------------------


def test_every_handoff_metric_has_a_default_threshold_and_a_label():
    used = {metric for metrics in HANDOFF_METRICS.values() for metric in metrics}
    assert set(DEFAULT_THRESHOLDS) == used == set(THRESHOLD_LABELS)
    assert all(threshold.is_consistent for threshold in DEFAULT_THRESHOLDS.values())
    assert tuple(HANDOFF_METRICS) == HANDOFF_ORDER


def test_follow_up_speed_is_better_lower_with_48_hours_healthy():
    assert DEFAULT_THRESHOLDS["days_mql_to_sal"] == Threshold(5, 2, higher_is_better=False)


def test_without_overrides_the_thresholds_are_the_defaults():
    assert thresholds_with(None) == DEFAULT_THRESHOLDS
    assert thresholds_with({}) == DEFAULT_THRESHOLDS


def test_a_workspace_override_replaces_the_default():
    thresholds = thresholds_with(
        {"mql_to_sal": {"poor": 0.3, "healthy": 0.6}, "days_mql_to_sal": {"poor": 3, "healthy": 1}}
    )
    assert thresholds["mql_to_sal"] == Threshold(0.3, 0.6)
    assert thresholds["days_mql_to_sal"] == Threshold(3, 1, higher_is_better=False)
    assert thresholds["sal_to_sql"] == DEFAULT_THRESHOLDS["sal_to_sql"]


def test_an_override_of_one_bound_keeps_the_other_default():
    assert thresholds_with({"click_rate": {"healthy": 0.05}})["click_rate"] == Threshold(0.01, 0.05)


@pytest.mark.parametrize(
    "overrides",
    [
        [("mql_to_sal", {"poor": 0.3})],  # not a mapping at all
        "mql_to_sal",
        {"no_such_metric": {"poor": 0.1, "healthy": 0.2}},
        {"mql_to_sal": "high"},
        {"mql_to_sal": None},
        {"mql_to_sal": {"poor": "0.3"}},
        {"mql_to_sal": {"poor": None}},
        {"mql_to_sal": {"poor": True}},
        {"mql_to_sal": {"poor": -0.1}},
        {"mql_to_sal": {"poor": float("nan")}},
        {"mql_to_sal": {"healthy": float("inf")}},
        {"mql_to_sal": {"poor": 40, "healthy": 70}},  # percents typed as whole numbers
        {"mql_to_sal": {"poor": 0.8, "healthy": 0.5}},  # poor on the good side
        {"mql_to_sal": {"poor": 0.8}},  # poor above the default healthy 0.70
        {"days_mql_to_sal": {"poor": 1, "healthy": 3}},  # lower is better: poor must be higher
    ],
)
def test_junk_overrides_are_ignored(overrides):
    assert thresholds_with(overrides) == DEFAULT_THRESHOLDS


def test_an_override_cannot_turn_a_metric_around():
    thresholds = thresholds_with({"days_mql_to_sal": {"higher_is_better": True}})
    assert thresholds["days_mql_to_sal"].higher_is_better is False


def test_a_junk_override_does_not_spoil_the_good_ones_beside_it():
    thresholds = thresholds_with({"mql_to_sal": {"poor": "x"}, "sal_to_sql": {"poor": 0.1}})
    assert thresholds["mql_to_sal"] == DEFAULT_THRESHOLDS["mql_to_sal"]
    assert thresholds["sal_to_sql"] == Threshold(0.1, 0.4)


# ---- Handoff health ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [(0.75, "healthy"), (0.70, "healthy"), (0.55, "fair"), (0.40, "poor"), (0.1, "poor")],
)
def test_a_higher_is_better_metric_is_judged_with_both_bounds_included(value, status):
    assert Threshold(0.40, 0.70).judge(value) == status


@pytest.mark.parametrize(
    ("days", "status"),
    [(1, "healthy"), (2, "healthy"), (3, "fair"), (5, "poor"), (9, "poor")],
)
def test_a_lower_is_better_metric_is_healthy_when_quick(days, status):
    assert DEFAULT_THRESHOLDS["days_mql_to_sal"].judge(days) == status


def test_a_metric_without_a_value_is_unknown():
    assert Threshold(0.4, 0.7).judge(None) == "unknown"


def test_handoff_health_of_the_worked_quarter():
    health = handoff_health(kpis(FULL), DEFAULT_THRESHOLDS)
    assert tuple(health) == HANDOFF_ORDER
    gtm, demand, lead = health.values()
    # prospect_to_engaged 2% fair, submit rate 1% fair, click rate 3% healthy: (50 + 50 + 100) / 3;
    # no ICP or opt-out share entered, so those two do not count
    assert [m.status for m in gtm.metrics] == ["fair", "fair", "healthy", "unknown", "unknown"]
    assert (gtm.score, gtm.label) == (pytest.approx(200 / 3), "fair")
    # engaged_to_inquiry 50% healthy, inquiry_to_mql 25% healthy (on the bound); no quarter
    # before, so no inquiry growth
    assert [m.status for m in demand.metrics] == ["healthy", "healthy", "unknown"]
    assert (demand.score, demand.label) == (100, "healthy")
    # mql_to_sal 60% fair, sal_to_sql 40% healthy, follow-up in 1.5 days healthy; stalls and the
    # share contacted within 48 hours not entered
    assert [m.status for m in lead.metrics] == ["fair", "healthy", "healthy", "unknown", "unknown"]
    assert (lead.score, lead.label) == (pytest.approx(250 / 3), "healthy")
    assert lead.name == "Lead gen → Sales-ready opportunities"
    assert [m.kpi.key for m in lead.metrics] == [
        "mql_to_sal",
        "sal_to_sql",
        "days_mql_to_sal",
        "stalled_mql_share",
        "follow_up_48h",
    ]


def test_slow_follow_up_makes_the_lead_to_sales_handoff_poorer():
    slow = handoff_health(kpis(replace(FULL, days_mql_to_sal=6.0)), DEFAULT_THRESHOLDS)
    lead = slow["lead_to_sales"]
    assert lead.metrics[2].status == "poor"
    assert (lead.score, lead.label) == (50, "fair")  # (50 + 100 + 0) / 3


def test_the_workspace_thresholds_decide_the_status():
    thresholds = thresholds_with({"mql_to_sal": {"poor": 0.3, "healthy": 0.6}})
    lead = handoff_health(kpis(FULL), thresholds)["lead_to_sales"]
    assert lead.metrics[0].status == "healthy"  # 60% now reaches healthy
    assert lead.metrics[0].threshold == Threshold(0.3, 0.6)
    assert lead.score == 100


def test_the_score_rests_only_on_the_metrics_with_a_value():
    figures = replace(EMPTY, mqls=100, sals=30)  # only mql_to_sal is known: 30%, poor
    lead = handoff_health(kpis(figures), DEFAULT_THRESHOLDS)["lead_to_sales"]
    assert [m.status for m in lead.metrics] == ["poor", "unknown", "unknown", "unknown", "unknown"]
    assert (lead.score, lead.label) == (0, "poor")


def test_a_handoff_without_any_known_metric_is_unknown():
    health = handoff_health(kpis(EMPTY), DEFAULT_THRESHOLDS)
    assert all((h.score, h.label) == (None, "unknown") for h in health.values())


def test_missing_kpis_and_thresholds_do_not_break_handoff_health():
    health = handoff_health({}, {})
    assert all(h.label == "unknown" for h in health.values())
    assert health["lead_to_sales"].metrics[2].threshold == DEFAULT_THRESHOLDS["days_mql_to_sal"]


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (100, "healthy"),
        (75, "healthy"),
        (74.9, "fair"),
        (40, "fair"),
        (39.9, "poor"),
        (0, "poor"),
        (None, "unknown"),
    ],
)
def test_the_health_label_boundaries(score, label):
    assert health_label(score) == label


# ---- Contradictions and boosts -------------------------------------------------------------

# Demand -> lead healthy: 200 inquiries / 400 engaged = 50%, 100 MQLs / 200 inquiries = 50%.
# Lead -> sales poor: 30 SALs / 100 MQLs = 30% (poor),
# 3 SQLs / 30 SALs = 10% (poor), 6 days to follow up (poor). Strategy -> demand: nothing entered.
MIXED = Figures(
    2026, 3, engaged_leads=400, inquiries=200, mqls=100, sals=30, sqls=3, days_mql_to_sal=6.0
)


@pytest.fixture
def mixed_health():
    return handoff_health(kpis(MIXED), DEFAULT_THRESHOLDS)


def test_mixed_health_as_worked_by_hand(mixed_health):
    labels = {key: h.label for key, h in mixed_health.items()}
    assert labels == {
        "gtm_to_demand": "unknown",
        "demand_to_lead": "healthy",
        "lead_to_sales": "poor",
    }


def test_contradictions_both_ways_in_handoff_order(mixed_health):
    indexes = {"gtm_to_demand": 70, "demand_to_lead": 30, "lead_to_sales": 65}
    underrated, overrated = contradictions(indexes, mixed_health)

    assert (underrated.handoff, underrated.kind, underrated.index) == (
        "demand_to_lead",
        "underrated",
        30,
    )
    assert underrated.name == "Demand gen → Lead gen"
    assert underrated.health is mixed_health["demand_to_lead"]
    assert underrated.message == (
        "The respondents place Demand gen → Lead gen at the emerging stage, a low rating, but "
        "its funnel figures are healthy (Engaged → inquiry 50.0%, Inquiry → MQL 50.0%)."
    )

    assert (overrated.handoff, overrated.kind, overrated.index) == (
        "lead_to_sales",
        "overrated",
        65,
    )
    assert overrated.message == (
        "The respondents place Lead gen → Sales-ready opportunities at the managed stage, a high "
        "rating, but its funnel figures are poor (MQL → SAL 30.0%, SAL → SQL 10.0%, "
        "Time MQL → SAL 6.0 days)."
    )


@pytest.mark.parametrize(
    ("handoff", "index"),
    [
        ("lead_to_sales", 50),  # a middling rating and poor figures: no contradiction
        ("lead_to_sales", 59.9),
        ("lead_to_sales", None),  # not rated
        ("gtm_to_demand", 65),  # rated high, but the figures are unknown
        ("gtm_to_demand", 20),  # rated low, but the figures are unknown
        ("demand_to_lead", 40),  # healthy figures, and 40 is not a low rating
        ("demand_to_lead", 80),  # rated high and healthy: they agree
    ],
)
def test_neutral_cases_contradict_nothing(mixed_health, handoff, index):
    assert contradictions({handoff: index}, mixed_health) == []


def test_the_rating_bounds_are_60_and_just_under_40(mixed_health):
    overrated = contradictions({"lead_to_sales": 60}, mixed_health)
    underrated = contradictions({"demand_to_lead": 39.9}, mixed_health)
    assert [c.kind for c in overrated + underrated] == ["overrated", "underrated"]


def test_a_fair_observation_contradicts_no_rating():
    fair = HandoffHealth("lead_to_sales", "Lead → Sales", 50, "fair", ())
    assert contradictions({"lead_to_sales": 90}, {"lead_to_sales": fair}) == []
    assert contradictions({"lead_to_sales": 10}, {"lead_to_sales": fair}) == []


def test_poor_handoffs_get_the_funnel_boost(mixed_health):
    assert priority_boosts(mixed_health) == {"lead_to_sales": FUNNEL_BOOST}
    assert FUNNEL_BOOST == 1.25


def test_no_poor_handoff_means_no_boost():
    assert priority_boosts(handoff_health(kpis(FULL), DEFAULT_THRESHOLDS)) == {}
    assert priority_boosts(handoff_health(kpis(EMPTY), DEFAULT_THRESHOLDS)) == {}


# ---- Waterfall -----------------------------------------------------------------------------

PLAN_RATES = {"win_rate": 0.25, "sal_to_sql": 0.4, "mql_to_sal": 0.6, "inquiry_to_mql": 0.2}
LAST_QUARTER = Figures(2026, 2, inquiries=2_000, mqls=450, sals=310, sqls=100, won_deals=30)


def test_the_waterfall_worked_by_hand():
    # 1,200,000 / 40,000 = 30 won; / 0.25 = 120 SQLs; / 0.4 = 300 SALs; / 0.6 = 500 MQLs;
    # / 0.2 = 2,500 inquiries. Gaps against last quarter: 500, 50, -10, 20, 0.
    plan = waterfall(
        target_revenue=1_200_000, deal_size=40_000, rates=PLAN_RATES, actual=LAST_QUARTER
    )
    assert [s.key for s in plan.stages] == ["inquiries", "mqls", "sals", "sqls", "won_deals"]
    assert [s.label for s in plan.stages] == ["Inquiries", "MQLs", "SALs", "SQLs", "Won deals"]
    assert [s.needed for s in plan.stages] == [2_500, 500, 300, 120, 30]
    assert [s.actual for s in plan.stages] == [2_000, 450, 310, 100, 30]
    assert [s.gap for s in plan.stages] == [500, 50, -10, 20, 0]
    assert [s.rate for s in plan.stages] == [0.2, 0.6, 0.4, 0.25, None]
    assert (plan.target_revenue, plan.deal_size, plan.missing) == (1_200_000, 40_000, ())


def test_the_waterfall_rounds_every_stage_up():
    # 1,000,000 / 30,000 = 33.3 -> 34 won; / 0.3 = 113.3 -> 114 SQLs; / 0.5 = 228 SALs;
    # / 0.7 = 325.7 -> 326 MQLs; / 0.15 = 2,173.3 -> 2,174 inquiries.
    rates = {"win_rate": 0.3, "sal_to_sql": 0.5, "mql_to_sal": 0.7, "inquiry_to_mql": 0.15}
    plan = waterfall(target_revenue=1_000_000, deal_size=30_000, rates=rates, actual=None)
    assert [s.needed for s in plan.stages] == [2_174, 326, 228, 114, 34]


def test_a_missing_rate_leaves_its_stage_and_those_above_unknown():
    rates = {**PLAN_RATES, "mql_to_sal": None}
    plan = waterfall(target_revenue=1_200_000, deal_size=40_000, rates=rates, actual=LAST_QUARTER)
    assert [s.needed for s in plan.stages] == [None, None, 300, 120, 30]
    assert [s.gap for s in plan.stages] == [None, None, -10, 20, 0]
    assert plan.missing == ("MQL to SAL rate",)


def test_a_zero_or_absent_rate_counts_as_missing():
    rates = {"win_rate": 0.25, "sal_to_sql": 0.0}
    plan = waterfall(target_revenue=1_200_000, deal_size=40_000, rates=rates, actual=None)
    assert [s.needed for s in plan.stages] == [None, None, None, 120, 30]
    assert plan.missing == ("inquiry to MQL rate", "MQL to SAL rate", "SAL to SQL rate")


def test_a_zero_deal_size_leaves_every_stage_unknown():
    plan = waterfall(target_revenue=1_200_000, deal_size=0, rates=PLAN_RATES, actual=LAST_QUARTER)
    assert all(s.needed is None and s.gap is None for s in plan.stages)
    assert plan.deal_size is None
    assert plan.missing == ("average deal size",)


def test_rates_above_one_are_used_as_entered():
    rates = {**PLAN_RATES, "sal_to_sql": 1.2}  # 120 SQLs / 1.2 = 100 SALs
    plan = waterfall(target_revenue=1_200_000, deal_size=40_000, rates=rates, actual=None)
    assert [s.needed for s in plan.stages][2:] == [100, 120, 30]


def test_without_actuals_there_is_no_gap():
    plan = waterfall(target_revenue=1_200_000, deal_size=40_000, rates=PLAN_RATES, actual=None)
    assert all(s.actual is None and s.gap is None for s in plan.stages)


def test_observed_rates_come_from_a_quarters_kpis():
    rates = observed_rates(FULL)
    assert rates == {
        "inquiry_to_mql": pytest.approx(0.25),
        "mql_to_sal": pytest.approx(0.6),
        "sal_to_sql": pytest.approx(0.4),
        "win_rate": pytest.approx(0.25),
        "deal_size": pytest.approx(40_000),
    }


def test_without_figures_every_observed_rate_is_unknown():
    assert observed_rates(None) == dict.fromkeys(
        ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "win_rate", "deal_size")
    )


def test_a_waterfall_planned_on_the_observed_rates():
    # FULL: deal size 40,000, win 25%, SAL -> SQL 40%, MQL -> SAL 60%, inquiry -> MQL 25%.
    # 400,000 / 40,000 = 10 won; 40 SQLs; 100 SALs; 166.7 -> 167 MQLs; 668 inquiries.
    rates = observed_rates(FULL)
    plan = waterfall(target_revenue=400_000, deal_size=rates["deal_size"], rates=rates, actual=FULL)
    assert [s.needed for s in plan.stages] == [668, 167, 100, 40, 10]
    assert [s.gap for s in plan.stages] == [468, 117, 70, 28, 7]
