import pytest

from bank.models import BankVersion, RecommendationRung
from bank.services import PublicationError, clone_to_draft, publication_problems, publish
from tests.factories import add_question, make_bank_version

pytestmark = pytest.mark.django_db


def test_a_complete_draft_has_no_problems_and_publishes():
    draft = make_bank_version()
    assert publication_problems(draft) == []
    published = publish(version=draft)
    assert published.is_published and published.published_at is not None


def test_publishing_names_every_missing_piece():
    draft = make_bank_version(per_dimension=6)
    draft.dimensions.filter(key="technology").delete()
    thin = draft.questions.get(key="people.q2")
    thin.descriptors.filter(level__in=[4, 5]).delete()
    blank = draft.questions.get(key="people.q3")
    blank.descriptors.filter(level=2).update(text="")
    RecommendationRung.objects.filter(
        question__key="people.q4", question__version=draft, from_level__in=[2, 4]
    ).update(next_steps=" ")
    draft.questions.filter(key__in=["process.q5", "process.q6"]).delete()

    problems = publication_problems(draft)

    assert "Dimension “Technology systems & data” (technology) is missing." in problems
    assert "people.q2: has 3 of 5 level descriptors." in problems
    assert "people.q3: has 4 of 5 level descriptors." in problems
    assert (
        "people.q4: needs a recommendation step from level 2, 4 (a title and next steps): "
        "every level below the highest target, 5, needs its next step."
    ) in problems
    assert "Dimension “Process” has 4 questions; it needs at least 6." in problems
    assert len(problems) == 5


def test_a_handoff_tagged_on_too_few_questions_is_named():
    draft = make_bank_version()
    draft.questions.filter(lead_to_sales=True).exclude(key__startswith="people.").update(
        lead_to_sales=False
    )
    assert publication_problems(draft) == [
        "Handoff “Lead gen → Sales-ready opportunities” is tagged on 2 questions; "
        "it needs at least 6."
    ]


def test_an_incomplete_draft_is_not_published():
    draft = make_bank_version()
    draft.questions.get(key="content.q1").descriptors.all().delete()
    with pytest.raises(PublicationError) as refused:
        publish(version=draft)
    assert refused.value.problems == ["content.q1: has 0 of 5 level descriptors."]
    draft.refresh_from_db()
    assert not draft.is_published


def test_cloning_copies_everything_into_an_editable_draft():
    original = make_bank_version(label="2026.1", publish=True)
    add_count = original.questions.count()

    draft = clone_to_draft(version=original)

    assert draft.label == "2026.2" and not draft.is_published
    assert draft.questions.count() == add_count
    assert sorted(draft.dimensions.values_list("key", "name", "weight")) == sorted(
        original.dimensions.values_list("key", "name", "weight")
    )
    copied = draft.questions.get(key="process.q3")
    source = original.questions.get(key="process.q3")
    assert (copied.text, copied.handoffs) == (source.text, source.handoffs)
    assert list(copied.rungs.values_list("from_level", "title", "impact", "effort")) == list(
        source.rungs.values_list("from_level", "title", "impact", "effort")
    )
    assert list(copied.descriptors.values_list("level", "text")) == list(
        source.descriptors.values_list("level", "text")
    )
    copied.text = "Reworded in the draft"
    copied.save()
    assert original.questions.get(key="process.q3").text == source.text
    assert clone_to_draft(version=original).label == "2026.3"
    unnumbered = make_bank_version(label="Pilot bank")
    assert clone_to_draft(version=unnumbered).label == "Pilot bank draft"
    assert clone_to_draft(version=unnumbered).label == "Pilot bank draft 2"


def test_a_clone_is_publishable_as_the_new_current_version():
    original = make_bank_version(label="2026.1", publish=True)
    draft = clone_to_draft(version=original, label="2026.2")
    add_question(draft, "people.new_question", order=9)
    publish(version=draft)
    assert BankVersion.objects.current().label == "2026.2"
