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

import pytest
from django.urls import reverse

from assessments.models import Assessment
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
    question_index = {
        key: (Fraction(sum(values), len(values)) - 1) / 4 * 100 for key, values in levels.items()
    }
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
    return {"dimensions": dimensions, "overall": overall, "handoffs": handoffs}


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
        drop = min(data["handoffs"], key=lambda h: h["index"])  # min keeps the upstream of ties
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
