"""The demo's finished workshop: on Brightline Logistics' latest closed quarter, three
questions discussed, one of them over two rounds, a consensus and decision for each, and the
quarter's scores as its answers give them."""

from datetime import date

import pytest

from assessments.models import Assessment
from assessments.results import compute_results
from devtools.demo import seed_demo
from devtools.demo_workshop import seed_demo_workshop
from workshops.models import Vote, Workshop
from workshops.screens import summary

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_finished_workshop_whose_consensus_leaves_the_scores_as_they_were():
    seed_demo(today=date(2026, 11, 22))
    workshop = Workshop.objects.get()
    assessment = workshop.assessment
    assert (assessment.client.name, str(assessment.period)) == ("Brightline Logistics", "2026-Q3")
    assert workshop.is_ended and assessment.status == Assessment.Status.CLOSED
    discussed = summary(workshop)
    assert [len(d.rounds) for d in discussed] == [2, 1, 1]
    assert all(d.consensus and "Owner" in d.consensus.note for d in discussed)
    assert "came closer together" in discussed[0].movement
    fresh = Assessment.objects.select_related("bank_version").get(pk=assessment.pk)
    agreed = [q for q in compute_results(fresh).results.questions if q.consensus]
    assert len(agreed) == 3 and all(q.level == q.answered_level for q in agreed)
    first = fresh.consensus_levels["process.gtm_brief"]
    assert first["rounds"] == 2 and first["spreads"][0] > first["spreads"][1]

    assert seed_demo_workshop() is None  # again: kept as it is
    assert Workshop.objects.count() == 1 and Vote.objects.filter(round=2).count() == 5
