import pytest

from bank.models import BankVersion, RecommendationRung
from bank.services import (
    DEFAULT_CHANGELOGS,
    PinnedAssessments,
    PublicationError,
    clone_to_draft,
    load_default_bank,
    publication_impact,
    publication_problems,
    publish,
)
from tests.factories import (
    add_question,
    make_assessment,
    make_bank_version,
    make_client,
    make_workspace,
)

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


def test_publishing_keeps_the_changelog_note():
    published = publish(version=make_bank_version(), changelog="  Sharper level 3 texts. ")
    published.refresh_from_db()
    assert published.changelog == "Sharper level 3 texts."


def test_a_changelog_note_too_long_is_refused_with_the_other_problems():
    draft = make_bank_version()
    with pytest.raises(PublicationError) as refused:
        publish(version=draft, changelog="x" * 501)
    assert refused.value.problems == ["The changelog note is longer than 500 characters."]
    draft.refresh_from_db()
    assert not draft.is_published


def test_the_default_banks_are_published_with_their_changelogs():
    load_default_bank()
    for label, note in DEFAULT_CHANGELOGS.items():
        assert BankVersion.objects.get(label=label).changelog == note


def test_a_clone_remembers_what_it_was_cloned_from_and_compares_with_it():
    first = make_bank_version(label="2026.1", publish=True)
    second = make_bank_version(label="2026.2", publish=True)
    draft = clone_to_draft(version=first)
    assert draft.based_on == first and draft.baseline() == first
    assert second.baseline() == first  # not cloned: the published one before it
    assert first.baseline() is None
    imported = make_bank_version(label="imported")
    assert imported.baseline() == second  # a draft: the current one


def test_the_impact_compares_the_draft_with_the_current_version():
    current = make_bank_version(label="2026.1", publish=True)
    draft = clone_to_draft(version=current)
    draft.questions.filter(key__in=["people.q1", "people.q2"]).delete()
    add_question(draft, "people.renamed", replaces=["people.q2"])
    draft.questions.filter(key="process.q1").update(text="Reworded")
    impact = publication_impact(version=draft)
    assert (impact.label, impact.current) == (draft.label, "2026.1")
    assert impact.diff.summary["renamed"] == 1 and impact.diff.summary["changed"] == 2
    assert impact.uncomparable == ["people.q1"]
    assert impact.warnings == [
        f"people.q1 is removed and no question of {draft.label} replaces it: quarters "
        f"answered on 2026.1 and on {draft.label} will not be compared on it."
    ]


def test_the_impact_counts_the_open_and_draft_assessments_that_stay_pinned():
    first = make_bank_version(label="2026.1", publish=True)
    clients = [make_client(make_workspace()) for _ in range(4)]
    make_assessment(clients[0], version=first, status="open")
    make_assessment(clients[1], version=first, status="open")
    make_assessment(clients[2], version=first, status="draft")
    make_assessment(clients[3], version=first, status="closed")
    second = make_bank_version(label="2026.2", publish=True)
    make_assessment(clients[3], version=second, status="draft", quarter=4)
    draft = clone_to_draft(version=second)
    impact = publication_impact(version=draft)
    assert impact.pinned == (
        PinnedAssessments("2026.1", open=2, draft=1),
        PinnedAssessments("2026.2", open=0, draft=1),
    )
    assert impact.warnings == [
        "Staying on 2026.1, whose questions they keep: 2 open assessments and 1 draft "
        "assessment. Their results pages will say that 2026.3 is newer.",
        "Staying on 2026.2, whose questions they keep: 1 draft assessment. Their results "
        "pages will say that 2026.3 is newer.",
    ]


def test_before_the_first_publication_there_is_nothing_to_compare_with():
    impact = publication_impact(version=make_bank_version())
    assert impact.current is None and impact.diff is None and impact.uncomparable == []


def test_a_version_published_by_mistake_is_superseded_by_publishing_the_next():
    mistake = publish(version=make_bank_version(label="2026.2"), changelog="Oops.")
    fixed = clone_to_draft(version=mistake)
    fixed.questions.filter(key="people.q1").update(text="The corrected question")
    publish(version=fixed, changelog="Corrects 2026.2.")
    assert BankVersion.objects.current() == fixed
    mistake.refresh_from_db()
    assert mistake.is_published and mistake.changelog == "Oops."  # kept as it was
