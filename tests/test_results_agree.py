"""For every demo assessment, the page, results.json and a recomputation by hand from
answers.csv (with the weights in results.json) all agree. Done independently of
assessments/scoring.py, following docs/results-format.md, in exact fractions: the methodology
decides on exact values, and rounds only what it shows."""

import csv
import io
import math
import re
from collections import defaultdict
from datetime import date
from fractions import Fraction
from html import escape

import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.pdf import report_html
from bank.models import RecommendationRung
from devtools.demo import seed_demo

pytestmark = pytest.mark.django_db


def _half_up(value: Fraction, step: Fraction) -> Fraction:
    return math.floor(value / step + Fraction(1, 2)) * step


def _one_decimal(value: Fraction) -> float:
    return float(_half_up(value, Fraction(1, 10)))


def _whole(value: Fraction) -> int:
    return int(_half_up(value, Fraction(1)))


def _mean(pairs):
    total = sum(weight for weight, _ in pairs)
    return sum(weight * value for weight, value in pairs) / total if total else None


def _recompute(answers_csv: str, data: dict) -> dict:
    """Dimension, overall and handoff indexes from the raw answers and the exported weights."""
    levels = defaultdict(list)
    for row in csv.DictReader(io.StringIO(answers_csv.lstrip("\ufeff"))):
        if row["submitted"] == "yes" and row["level"].isdigit():
            levels[row["question_key"]].append(int(row["level"]))
    question_level = {key: Fraction(sum(values), len(values)) for key, values in levels.items()}
    for question in data["questions"]:
        answered = question_level.get(question["key"])
        expected = None if answered is None else pytest.approx(float(answered), abs=0.005)
        assert question["answered_level"] == expected, question["key"]
        # A consultant's validated level replaces the answers' mean (docs/results-format.md).
        if question["validation"]:
            question_level[question["key"]] = Fraction(question["validation"]["level"])
    question_index = {key: (level - 1) / 4 * 100 for key, level in question_level.items()}
    questions = data["questions"]
    dimensions = {
        d["key"]: _mean(
            [
                (Fraction(repr(q["weight"])), question_index[q["key"]])
                for q in questions
                if q["dimension"] == d["key"] and q["key"] in question_index
            ]
        )
        for d in data["dimensions"]
    }
    weights = {d["key"]: Fraction(repr(d["weight"])) for d in data["dimensions"]}
    overall = _mean([(weights[k], v) for k, v in dimensions.items() if v is not None])
    handoffs = {
        h["key"]: _mean(
            [
                (Fraction(repr(q["weight"])), question_index[q["key"]])
                for q in questions
                if h["key"] in q["handoffs"] and q["key"] in question_index
            ]
        )
        for h in data["handoffs"]
    }
    return {
        "dimensions": dimensions,
        "overall": overall,
        "handoffs": handoffs,
        "levels": question_level,
    }


@pytest.fixture
def demo(settings, client):
    settings.DEBUG = True
    seed_demo(today=date(2026, 11, 22))
    return client


def _urls(assessment: Assessment) -> tuple[str, str, str]:
    args = [assessment.client.workspace.slug, assessment.pk]
    return (
        reverse("assessments:results", args=args),
        reverse("assessments:results_json", args=args),
        reverse("assessments:answers_csv", args=args),
    )


def test_page_json_and_a_recomputation_from_answers_csv_agree(demo):
    assessments = list(Assessment.objects.select_related("client__workspace"))
    assert len(assessments) == 20
    for assessment in assessments:
        owner = assessment.client.workspace.memberships.get(role="owner").user
        demo.force_login(owner)
        page_url, json_url, csv_url = _urls(assessment)
        data = demo.get(json_url).json()
        by_hand = _recompute(demo.get(csv_url).content.decode(), data)
        page = demo.get(page_url).content.decode()
        where = f"{assessment.client} {assessment.period}"

        assert data["overall"]["index"] == _one_decimal(by_hand["overall"]), where
        for dimension in data["dimensions"]:
            assert dimension["index"] == _one_decimal(by_hand["dimensions"][dimension["key"]]), (
                where
            )
        for handoff in data["handoffs"]:
            assert handoff["index"] == _one_decimal(by_hand["handoffs"][handoff["key"]]), where
        # The lowest exact index; min() keeps the first, upstream, of equal ones.
        drop = min(data["handoffs"], key=lambda h: by_hand["handoffs"][h["key"]])
        assert [h["key"] for h in data["handoffs"] if h["baton_drop"]] == [drop["key"]], where

        # The page shows the same figures as whole numbers.
        overall_shown = re.search(r'class="stat-value">(\d+)<span class="stat-unit">', page)
        assert int(overall_shown.group(1)) == _whole(by_hand["overall"]), where
        for dimension in data["dimensions"]:
            shown = re.search(
                rf"<h3>{re.escape(dimension['name'].replace('&', '&amp;'))}</h3>\s*"
                r'<p class="stat-value">(\d+)',
                page,
            )
            assert int(shown.group(1)) == _whole(by_hand["dimensions"][dimension["key"]]), where
        assert f"{drop['name']}</p>" in page, where
        first = data["recommendations"][0]
        assert first["title"] in page.split("Recommendations")[1], where
        _check_the_ladder(assessment, data, by_hand, where)
        _check_the_headline(assessment, data, page, where)
        _check_the_costs(assessment, data, page, where)
        _check_the_signs(assessment, data, page, where)


def _check_the_ladder(assessment, data: dict, by_hand: dict, where: str) -> None:
    """Each recommendation is the step of its question's ladder for the level rounded down."""
    steps = {
        (rung.question.key, rung.from_level): rung.title
        for rung in RecommendationRung.objects.filter(
            question__version=assessment.bank_version
        ).select_related("question")
    }
    for recommendation in data["recommendations"]:
        level = by_hand["levels"][recommendation["question"]]
        expected = min(max(math.floor(level), 1), 4)
        assert recommendation["from_level"] == expected, where
        assert recommendation["title"] == steps[(recommendation["question"], expected)], where


def _check_the_headline(assessment, data: dict, page: str, where: str) -> None:
    """The act-first conclusion: the same on the page, in results.json and in the report."""
    act = data["act_first"]
    if act["handoff"] is None:
        return
    html_of = escape  # the templates escape what they show
    assert html_of(act["headline"]) in page and html_of(act["reason"]) in page, where
    report = report_html(assessment=assessment)
    assert html_of(act["headline"]) in report and html_of(act["reason"]) in report, where


def _costs_by_hand(figures: dict, rate: float) -> dict[str, tuple[float | None, str]]:
    """The costs and returns from results.json's figures, following docs/results-format.md:
    key -> (value, how the page and the report show it)."""

    def ratio(numerator, denominator):
        return None if numerator is None or not denominator else numerator / denominator

    spend, engage = figures["marketing_spend"], figures["engage_spend"]
    margin, years = figures["customer_margin_per_year"], figures["customer_lifetime_years"]
    today = None
    if margin is not None and years is not None:
        whole = int(years)
        today = sum(margin / (1 + rate) ** year for year in range(1, whole + 1))
        today += (years - whole) * margin / (1 + rate) ** (whole + 1)
    won = figures["won_deals"]
    values = {
        "engage_cost_per_impression": (ratio(engage, figures["impressions"]), "cents"),
        "engage_cost_per_engaged": (ratio(engage, figures["engaged_leads"]), "cents"),
        "engage_cost_share": (ratio(engage, figures["closed_revenue"]), "percent"),
        "cost_per_inquiry": (ratio(spend, figures["inquiries"]), "money"),
        "cost_per_mql": (ratio(spend, figures["mqls"]), "money"),
        "cost_per_sql": (ratio(spend, figures["sqls"]), "money"),
        "cost_per_won": (ratio(spend, won), "money"),
        "marketing_cost_share": (ratio(spend, figures["closed_revenue"]), "percent"),
        "pipeline_per_spend": (ratio(figures["pipeline_value"], spend), "multiple"),
        "revenue_per_spend": (ratio(figures["closed_revenue"], spend), "multiple"),
        "lifetime_value_today": (today, "money"),
        "roi": (None if today is None or won is None else ratio(won * today - spend, spend),
                "percent"),
    }  # fmt: skip
    shown = {
        "cents": lambda v: f"{v:,.2f}",
        "money": lambda v: f"{v:,.0f}",
        "percent": lambda v: f"{v * 100:,.1f}%",
        "multiple": lambda v: f"{v:,.2f}",
    }
    return {
        key: (value, shown[unit](value) if value is not None else "n/a")
        for key, (value, unit) in values.items()
    }


def _check_the_costs(assessment, data: dict, page: str, where: str) -> None:
    """The costs and returns: results.json, the results page and the report agree, and all
    three follow from the quarter's figures."""
    funnel = data["funnel"]
    if funnel is None:
        return
    by_hand = _costs_by_hand(funnel["figures"], funnel["discount_rate"])
    costs_on_page = page.split("Costs and returns in")[1].split("</ul>")[0]
    report = report_html(assessment=assessment).split("<h2>Costs and returns</h2>")[1]
    for key, (value, shown) in by_hand.items():
        assert funnel["kpis"][key] == pytest.approx(value, abs=0.005), (where, key)
        assert value is not None, (where, key)  # the demo gives every figure
        assert f"<strong>{shown}</strong>" in costs_on_page, (where, key, shown)
        assert f"{shown}</span>" in report.split("</ul>")[0], (where, key, shown)
    rate = f"at a {funnel['discount_rate'] * 100:g}% discount rate"
    assert rate in costs_on_page and rate in report, where


# The default thresholds as the methodology page states them (no demo workspace changes
# them): (poor, healthy, higher is better).
SIGN_BOUNDS = {
    "inquiry_growth": (-0.10, 0.0, True),
    "icp_fit_share": (0.40, 0.70, True),
    "opt_out_rate": (0.05, 0.02, False),
    "click_rate": (0.01, 0.03, True),
    "stalled_mql_share": (0.40, 0.20, False),
    "mql_to_sal": (0.40, 0.70, True),
}
SIGN_WORDS = {
    "showing": "Showing",
    "watch": "Worth watching",
    "clear": "Not showing",
    "unmeasured": "Not measured",
}


def _judged_by_hand(key: str, value: float | None) -> str:
    if value is None:
        return "unknown"
    poor, healthy, higher = SIGN_BOUNDS[key]
    sign = 1 if higher else -1
    if sign * value >= sign * healthy:
        return "healthy"
    return "poor" if sign * value <= sign * poor else "fair"


def _check_the_signs(assessment, data: dict, page: str, where: str) -> None:
    """The signs of a dropped baton: each figure follows from the quarter's figures, each
    sign's status from its figures' (one poor shows it); the page and the report say it."""
    funnel = data["funnel"]
    if funnel is None:
        return
    figures = funnel["figures"]

    def ratio(numerator, denominator):
        return None if numerator is None or not denominator else numerator / denominator

    def share(name):
        return None if figures[name] is None else figures[name] / 100

    values = {
        "inquiry_growth": funnel["kpis"]["inquiry_growth"],  # needs the quarter before
        "icp_fit_share": share("icp_fit_share"),
        "opt_out_rate": share("opt_out_share"),
        "click_rate": ratio(figures["emails_clicked"], figures["emails_sent"]),
        "stalled_mql_share": ratio(figures["stalled_mqls"], figures["mqls"]),
        "mql_to_sal": ratio(figures["sals"], figures["mqls"]),
    }
    report = report_html(assessment=assessment).split("<h2>Signs of a dropped baton</h2>")[1]
    assert [sign["key"] for sign in funnel["signs"]] == [
        "few_contacts",
        "off_target",
        "tuning_out",
        "no_movement",
    ], where
    for sign in funnel["signs"]:
        statuses = []
        for metric in sign["metrics"]:
            value = values[metric["key"]]
            assert metric["value"] == pytest.approx(value, abs=0.00005), (where, metric)
            statuses.append(_judged_by_hand(metric["key"], value))
            assert metric["status"] == statuses[-1], (where, metric)
        expected = (
            "showing"
            if "poor" in statuses
            else "watch"
            if "fair" in statuses
            else "clear"
            if "healthy" in statuses
            else "unmeasured"
        )
        assert sign["status"] == expected, (where, sign["key"])
        words = SIGN_WORDS[expected]
        name = re.escape(sign["name"])
        assert re.search(rf"{name}</h4>\s*<p[^>]*><span[^>]*>{words}</span>", page), (where, name)
        assert re.search(rf"<td>{name}</td>\s*<td>[^<]*</td>\s*<td>{words}</td>", report), (
            where,
            name,
        )
