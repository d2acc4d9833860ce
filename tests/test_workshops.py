"""The live workshop's workflows: joining, votes as answers, rounds, reveal, consensus into
the scoring (after a validated level, before the respondents' mean), and the end."""

import csv
import io

import pytest

from assessments.models import Answer, Assessment
from assessments.results import compute_results
from assessments.services import validate_level
from tests.factories import (
    answer_all,
    join_workshop,
    make_assessment,
    make_client,
    make_respondent,
    make_workshop,
)
from workshops import services
from workshops.models import CODE_ALPHABET, Vote, Workshop
from workshops.services import WorkshopError
from workshops.tally import CastVote, tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(workspace):
    return make_assessment(make_client(workspace), status="open")


@pytest.fixture
def running(assessment):
    workshop = make_workshop(assessment)
    services.start(workshop=workshop)
    workshop.refresh_from_db()
    return workshop


def _vote(participant, choice):
    services.vote(participant=participant, choice=choice)


def test_a_workshop_gets_a_code_of_unambiguous_letters_and_walks_every_question(assessment):
    workshop = make_workshop(assessment)
    assert len(workshop.code) == 6 and set(workshop.code) <= set(CODE_ALPHABET)
    assert not set("ILOUSZB0125") & set(CODE_ALPHABET)
    assert workshop.question_keys[:2] == ["people.q1", "people.q2"]
    assert len(workshop.question_keys) == assessment.bank_version.questions.count()


def test_a_workshop_on_one_dimension_walks_only_its_questions(assessment):
    workshop = make_workshop(assessment, scope="dimension", dimension="process")
    assert workshop.question_keys and all(k.startswith("process.") for k in workshop.question_keys)


def test_a_workshop_on_the_disagreements_walks_the_questions_answers_disagree_on(assessment):
    answer_all(make_respondent(assessment), "1", submit=True)
    high = make_respondent(assessment)
    answer_all(high, "1", submit=True)
    Answer.objects.filter(respondent=high, question__key__in=["people.q2", "content.q3"]).update(
        choice="4"
    )
    workshop = make_workshop(assessment, scope="disagreements")
    assert workshop.question_keys == ["people.q2", "content.q3"]


def test_no_disagreement_yet_is_said_so(assessment):
    with pytest.raises(WorkshopError, match="disagrees"):
        make_workshop(assessment, scope="disagreements")


def test_a_draft_assessment_cannot_hold_a_workshop(workspace):
    draft = make_assessment(make_client(workspace), status="draft")
    with pytest.raises(WorkshopError, match="Open the assessment"):
        make_workshop(draft)


def test_joining_creates_a_respondent_and_bumps_the_version(running):
    version = running.version
    participant, token = join_workshop(running, "Sam Sales", "sales")
    assert participant.respondent.assessment == running.assessment
    assert participant.respondent.role == "sales" and participant.created_respondent
    assert len(token) > 30 and participant.token_hash != token
    assert Workshop.objects.get(pk=running.pk).version == version + 1


def test_an_existing_respondent_joins_as_themselves_and_keeps_their_answers(running):
    rita = make_respondent(
        running.assessment, name="Rita Respondent", role="leadership", email="rita@example.com"
    )
    answer_all(rita, "2", submit=True)
    participant, _ = join_workshop(running, "rita respondent", "sales", email="RITA@example.com")
    assert participant.respondent == rita and participant.role == "leadership"
    assert not participant.created_respondent
    rita.refresh_from_db()
    assert rita.answers.count() == running.assessment.bank_version.questions.count()
    assert not rita.is_submitted  # until the workshop ends: her votes change her answers


@pytest.mark.parametrize("email", ["", "someone.else@example.com"])
def test_a_respondents_name_alone_does_not_join_as_them(running, email):
    """The code is on the projector: without her invitation's email, nobody in the room can
    take over Rita's answers, nor reopen them."""
    rita = make_respondent(running.assessment, name="Rita Respondent", email="rita@example.com")
    answer_all(rita, "2", submit=True)
    with pytest.raises(WorkshopError, match="add the email your invitation came to"):
        join_workshop(running, "Rita Respondent", "sales", email=email)
    rita.refresh_from_db()
    assert rita.is_submitted and not rita.workshop_participations.exists()


def test_nobody_joins_twice_under_one_name(running):
    join_workshop(running, "Sam Sales", "sales")
    with pytest.raises(WorkshopError, match="already joined"):
        join_workshop(running, "SAM SALES", "sales")


def test_a_vote_is_an_upsert_and_the_respondents_answer(running):
    participant, _ = join_workshop(running, "Sam Sales", "sales")
    _vote(participant, "2")
    _vote(participant, "4")
    vote = Vote.objects.get(participant=participant)
    assert (vote.question_key, vote.round, vote.choice) == ("people.q1", 1, "4")
    answer = Answer.objects.get(respondent=participant.respondent)
    assert (answer.question.key, answer.choice) == ("people.q1", "4")


def test_a_vote_after_the_reveal_is_refused_and_changes_nothing(running):
    participant, _ = join_workshop(running, "Sam Sales", "sales")
    _vote(participant, "2")
    services.reveal(workshop=running)
    with pytest.raises(WorkshopError, match="revealed"):
        _vote(participant, "5")
    assert Vote.objects.get().choice == "2"
    assert Answer.objects.get(respondent=participant.respondent).choice == "2"


def test_a_removed_participant_cannot_vote_and_their_votes_stop_counting(running):
    participant, _ = join_workshop(running, "Sam Sales", "sales")
    _vote(participant, "2")
    services.remove_participant(participant=participant)
    with pytest.raises(WorkshopError, match="removed"):
        _vote(participant, "5")
    from workshops.screens import round_votes

    assert round_votes(running, "people.q1", 1) == []


def test_a_vote_in_the_lobby_or_after_the_end_is_refused(assessment):
    workshop = make_workshop(assessment)
    participant, _ = join_workshop(workshop, "Sam Sales", "sales")
    with pytest.raises(WorkshopError, match="not started"):
        _vote(participant, "3")
    services.end(workshop=workshop)
    with pytest.raises(WorkshopError, match="ended"):
        _vote(participant, "3")
    assert not Vote.objects.exists()


def test_a_second_round_keeps_the_first_and_the_answer_is_the_last_vote(running):
    participant, _ = join_workshop(running, "Sam Sales", "sales")
    _vote(participant, "2")
    services.reveal(workshop=running)
    services.reopen_votes(workshop=running)
    _vote(participant, "3")
    rounds = dict(Vote.objects.values_list("round", "choice"))
    assert rounds == {1: "2", 2: "3"}
    assert Answer.objects.get(respondent=participant.respondent).choice == "3"


def test_moving_back_returns_to_a_question_at_its_latest_round_revealed(running):
    participant, _ = join_workshop(running, "Sam Sales", "sales")
    _vote(participant, "2")
    services.reveal(workshop=running)
    services.reopen_votes(workshop=running)
    _vote(participant, "3")
    services.move(workshop=running, step=1)
    running.refresh_from_db()
    assert (running.current_key, running.round, running.phase) == ("people.q2", 1, "voting")
    services.move(workshop=running, step=-1)
    running.refresh_from_db()
    assert (running.current_key, running.round, running.phase) == ("people.q1", 2, "revealed")
    with pytest.raises(WorkshopError):
        services.move(workshop=running, step=-1)


def test_every_change_bumps_the_version(running):
    versions = [Workshop.objects.get(pk=running.pk).version]
    participant, _ = join_workshop(running, "Sam Sales", "sales")
    steps = [
        lambda: _vote(participant, "3"),
        lambda: services.reveal(workshop=running),
        lambda: services.reopen_votes(workshop=running),
        lambda: services.move(workshop=running, step=1),
        lambda: services.record_consensus(workshop=running, level=3, note="", by=None),
        lambda: services.remove_participant(participant=participant),
        lambda: services.end(workshop=running),
    ]
    versions.append(Workshop.objects.get(pk=running.pk).version)
    for step in steps:
        step()
        versions.append(Workshop.objects.get(pk=running.pk).version)
    assert versions == sorted(set(versions))


def _level(assessment: Assessment, key: str) -> float:
    fresh = Assessment.objects.select_related("bank_version").get(pk=assessment.pk)
    return next(q for q in compute_results(fresh).results.questions if q.key == key)


def test_the_consensus_replaces_the_mean_in_the_scoring_and_keeps_the_spread(running, owner):
    assessment = running.assessment
    low, high = make_respondent(assessment, role="sales"), make_respondent(assessment)
    answer_all(low, "1", submit=True)
    answer_all(high, "5", submit=True)
    services.record_consensus(
        workshop=running, level=2, note="Sales owns the lead definition.", by=owner
    )
    question = _level(assessment, "people.q1")
    assert question.level == 2 and question.consensus and not question.validated
    assert question.answered_level == 3 and question.spread == 4
    kept = Assessment.objects.get(pk=assessment.pk).consensus_levels["people.q1"]
    assert kept["level"] == 2 and kept["note"] == "Sales owns the lead definition."
    assert kept["rounds"] == 1 and kept["spreads"] == [None]  # nobody voted in the workshop


def test_a_validated_level_comes_before_the_consensus(running, owner):
    assessment = running.assessment
    answer_all(make_respondent(assessment), "5", submit=True)
    services.record_consensus(workshop=running, level=2, note="", by=owner)
    validate_level(
        assessment=Assessment.objects.get(pk=assessment.pk),
        question_key="people.q1",
        level=4,
        reason="The CRM shows it.",
        by=owner,
    )
    question = _level(assessment, "people.q1")
    assert question.level == 4 and question.validated and not question.consensus


def test_ending_submits_the_participants_and_their_votes_count(running):
    sam, _ = join_workshop(running, "Sam Sales", "sales")
    mia, _ = join_workshop(running, "Mia Marketing", "marketing")
    stranger, _ = join_workshop(running, "Not Invited", "other")
    _vote(sam, "2")
    _vote(mia, "4")
    _vote(stranger, "1")
    services.remove_participant(participant=stranger)
    services.end(workshop=running)
    running.refresh_from_db()
    assert running.is_ended
    sam.respondent.refresh_from_db()
    assert sam.respondent.is_submitted
    # The stranger who joined as a new respondent and was removed goes, with the answer.
    assert not running.assessment.respondents.filter(name="Not Invited").exists()
    question = _level(running.assessment, "people.q1")
    assert question.level == 3 and question.spread == 2


def test_the_tally_names_nobody_and_folds_small_roles_unless_the_assessment_names_people():
    votes = [
        CastVote("Ann", "sales", "2"),
        CastVote("Bob", "sales", "2"),
        CastVote("Cy", "sales", "4"),
        CastVote("Di", "marketing", "5"),
        CastVote("Ed", "leadership", "DK"),
    ]
    descriptors = {level: f"level {level} words" for level in range(1, 6)}
    anonymous = tally(votes, descriptors, named=False)
    assert anonymous.votes == 5 and anonymous.spread == 3 and anonymous.disagrees
    assert [(b.choice, b.count) for b in anonymous.bars if b.count] == [
        ("2", 2),
        ("4", 1),
        ("5", 1),
        ("DK", 1),
    ]
    assert all(b.names == () for b in anonymous.bars)
    assert [(r.label, r.levels) for r in anonymous.roles] == [
        ("Sales", (2, 2, 4)),
        ("Other roles", (5,)),
    ]
    assert [b.descriptor for b in anonymous.chosen] == [
        "level 2 words",
        "level 4 words",
        "level 5 words",
    ]
    named = tally(votes, descriptors, named=True)
    assert named.bars[1].names == ("Ann", "Bob")
    assert [r.label for r in named.roles] == ["Marketing", "Sales"]


def test_the_consensus_is_in_results_json_csv_the_report_and_the_methodology(
    client, running, owner
):
    from assessments.report import report_context

    assessment = running.assessment
    answer_all(make_respondent(assessment), "5", submit=True)
    services.record_consensus(
        workshop=running, level=2, note="=Marketing owns it, by June.", by=owner
    )
    client.force_login(owner)
    slug = assessment.client.workspace.slug
    data = client.get(f"/w/{slug}/assessments/{assessment.pk}/results.json").json()
    question = next(q for q in data["questions"] if q["key"] == "people.q1")
    assert question["level"] == 2 and question["answered_level"] == 5
    assert question["consensus"]["level"] == 2
    assert question["consensus"]["note"] == "=Marketing owns it, by June."
    csv_text = client.get(f"/w/{slug}/assessments/{assessment.pk}/results.csv").content.decode()
    first = next(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert (first["question_key"], first["level"], first["consensus_level"]) == (
        "people.q1",
        "2.0",
        "2",
    )
    assert first["consensus_note"] == "'=Marketing owns it, by June."  # not a live formula

    fresh = Assessment.objects.select_related("client__workspace", "bank_version").get(
        pk=assessment.pk
    )
    context = report_context(fresh)
    people = context["dimension_pages"][0]
    assert [(q.key, entry["level"]) for q, entry in people.consensus] == [("people.q1", 2)]
    assert [(q.key, entry["note"]) for q, entry in context["agreements"]] == [
        ("people.q1", "=Marketing owns it, by June.")
    ]
    methodology = client.get("/methodology/").content.decode()
    assert "Workshop consensus." in methodology and "else the workshop’s consensus" in methodology
