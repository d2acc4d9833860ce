"""The bank's invariants: database constraints, and published versions that never change."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bank.models import (
    BankVersion,
    LevelDescriptor,
    PublishedVersionError,
    Question,
    RecommendationRung,
)
from tests.factories import add_question, make_bank_version

pytestmark = pytest.mark.django_db


def _refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


@pytest.fixture
def draft():
    return make_bank_version(label="draft")


@pytest.fixture
def question(draft):
    return draft.questions.get(key="process.q1")


def _update(question, **fields):
    return lambda: Question.objects.filter(pk=question.pk).update(**fields)


def test_a_key_is_unique_within_a_version_but_may_repeat_across_versions(draft, question):
    assert _refused(lambda: add_question(draft, "process.q1"))
    add_question(BankVersion.objects.create(label="other"), "process.q1")


@pytest.mark.parametrize(
    "fields",
    [
        {"key": "Process.Bad-Key"},
        {"key": "people.q1"},  # the key must start with the question's own dimension
        {"dimension": "finance"},
        {"weight": Decimal("-0.5")},
    ],
)
def test_the_database_refuses_values_out_of_range(question, fields):
    assert _refused(_update(question, **fields))


@pytest.mark.parametrize(
    "fields", [{"impact": 0}, {"impact": 4}, {"effort": 0}, {"effort": 4}, {"from_level": 5}]
)
def test_the_database_refuses_steps_out_of_range(question, fields):
    rung = question.rungs.get(from_level=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationRung.objects.filter(pk=rung.pk).update(**fields)


def test_one_step_per_level_is_a_database_constraint(question):
    with pytest.raises(IntegrityError), transaction.atomic():
        RecommendationRung.objects.create(
            question=question, from_level=2, title="Again", next_steps="Twice"
        )


def test_a_weight_of_zero_is_allowed(question):
    Question.objects.filter(pk=question.pk).update(weight=0)


def test_one_descriptor_per_level_and_levels_1_to_5(question):
    assert _refused(lambda: LevelDescriptor.objects.create(question=question, level=3, text="x"))
    question.descriptors.filter(level=5).delete()
    assert _refused(lambda: LevelDescriptor.objects.create(question=question, level=6, text="x"))
    assert _refused(lambda: LevelDescriptor.objects.create(question=question, level=0, text="x"))


def test_a_published_version_has_a_date_and_a_draft_has_none(draft):
    assert _refused(lambda: BankVersion.objects.filter(pk=draft.pk).update(status="published"))


@pytest.fixture
def published():
    return make_bank_version(label="published", publish=True)


def test_a_published_question_refuses_to_be_saved_or_deleted(published):
    question = published.questions.first()
    question.text = "Changed"
    with pytest.raises(PublishedVersionError):
        question.save()
    with pytest.raises(PublishedVersionError):
        question.delete()
    assert Question.objects.get(pk=question.pk).text != "Changed"


def test_bulk_changes_to_a_published_version_are_refused(published):
    with pytest.raises(PublishedVersionError):
        published.questions.update(text="Changed")
    with pytest.raises(PublishedVersionError):
        LevelDescriptor.objects.filter(question__version=published).update(text="Changed")
    with pytest.raises(PublishedVersionError):
        published.dimensions.all().delete()


def test_a_published_versions_recommendation_steps_cannot_change(published):
    rung = RecommendationRung.objects.filter(question__version=published).first()
    rung.title = "Changed"
    with pytest.raises(PublishedVersionError):
        rung.save()
    with pytest.raises(PublishedVersionError):
        rung.delete()
    with pytest.raises(PublishedVersionError):
        RecommendationRung.objects.filter(question__version=published).update(title="Changed")
    with pytest.raises(PublishedVersionError):
        RecommendationRung.objects.create(
            question=rung.question, from_level=4, title="A fifth", next_steps="No"
        )


def test_nothing_can_be_added_to_a_published_version(published):
    with pytest.raises(PublishedVersionError):
        add_question(published, "people.new_one")
    with pytest.raises(PublishedVersionError):
        LevelDescriptor.objects.filter(question__version=published, level=1).first().save()


def test_a_published_version_itself_cannot_change_or_be_deleted(published):
    published.notes = "Changed"
    with pytest.raises(PublishedVersionError):
        published.save()
    with pytest.raises(PublishedVersionError):
        published.delete()
    with pytest.raises(PublishedVersionError):
        published.mark_published()
    stale_copy = BankVersion.objects.get(pk=published.pk)
    stale_copy.status = BankVersion.Status.DRAFT  # as if read before publication
    with pytest.raises(PublishedVersionError):
        stale_copy.mark_published()
    assert BankVersion.objects.get(pk=published.pk).published_at == published.published_at


def test_drafts_stay_editable(draft, question):
    question.text = "Reworded"
    question.save()
    question.descriptors.filter(level=1).update(text="Nothing written down")
    draft.delete()
    assert not Question.objects.filter(pk=question.pk).exists()


def test_the_newest_published_version_is_current():
    assert BankVersion.objects.current() is None
    make_bank_version(label="draft only")
    assert BankVersion.objects.current() is None
    first = make_bank_version(label="2026.1", publish=True)
    assert BankVersion.objects.current() == first
    second = make_bank_version(label="2026.2", publish=True)
    make_bank_version(label="2026.3 draft")
    assert BankVersion.objects.current() == second


def test_a_question_lists_its_handoffs_upstream_first(draft):
    question = add_question(draft, "people.both", handoffs=["lead_to_sales", "gtm_to_demand"])
    assert question.handoffs == ["gtm_to_demand", "lead_to_sales"]
