"""Concurrent answer saves on PostgreSQL: one row per respondent and question, nothing lost.

SQLite serialises every write, so the race only exists on PostgreSQL; `.ci/run` runs the
suite a second time on a real PostgreSQL server, where this test runs.
"""

import contextlib
import threading

import pytest
from django.db import connection, connections

from assessments.models import Answer, Respondent
from assessments.services import AnswerInput, AnswersRefused, save_answers, submit
from tests.factories import (
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
    make_workspace,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the race needs PostgreSQL (CI's second run)"
    ),
]

THREADS = 16
ROUNDS = 3


def _run_in_threads(work) -> list[BaseException]:
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            start.wait()
            work(number)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_sixteen_threads_saving_keep_one_answer_each_and_the_last_write():
    version = make_bank_version(label="2026.1", publish=True)
    assessment = make_assessment(make_client(make_workspace()), version=version, status="open")
    shared = make_respondent(assessment, name="Shared")  # threads 0-7 race on this one
    own = {n: make_respondent(assessment, name=f"Own {n}") for n in range(8, THREADS)}
    questions = list(version.questions.all())

    def work(number: int) -> None:
        respondent = Respondent.objects.get(pk=(shared if number < 8 else own[number]).pk)
        for round_ in range(ROUNDS):
            save_answers(
                respondent=respondent,
                answers=[
                    AnswerInput(q, str((number + round_) % 5 + 1), f"t{number} r{round_}")
                    for q in questions
                ],
            )

    errors = _run_in_threads(work)

    assert errors == []
    assert Answer.objects.count() == len(questions) * (1 + len(own))  # no duplicates, none lost
    written_to_shared = {f"t{n} r{r}" for n in range(8) for r in range(ROUNDS)}
    shared_answers = list(Answer.objects.filter(respondent=shared))
    for answer in shared_answers:
        assert answer.comment in written_to_shared
    # Each save writes every question at once and saves take turns on the respondent's row:
    # what remains is one whole save, the last to commit, never a mix of two.
    assert len({answer.comment for answer in shared_answers}) == 1
    for number, respondent in own.items():
        # One writer per respondent: its last round is what remains.
        final = set(respondent.answers.values_list("choice", "comment"))
        last = ROUNDS - 1
        assert final == {(str((number + last) % 5 + 1), f"t{number} r{last}")}


def test_racing_submits_and_saves_never_change_answers_after_submission():
    version = make_bank_version(label="2026.1", publish=True)
    assessment = make_assessment(make_client(make_workspace()), version=version, status="open")
    respondent = make_respondent(assessment)
    questions = list(version.questions.all())
    save_answers(respondent=respondent, answers=[AnswerInput(q, "2") for q in questions])

    def work(number: int) -> None:
        mine = Respondent.objects.get(pk=respondent.pk)
        if number == 0:
            submit(respondent=mine)
            return
        # A save arriving after the submission is refused, as it should be.
        with contextlib.suppress(AnswersRefused):
            save_answers(respondent=mine, answers=[AnswerInput(questions[0], "5", f"t{number}")])

    assert _run_in_threads(work) == []
    respondent.refresh_from_db()
    assert respondent.is_submitted
    final = respondent.answers.get(question=questions[0])
    # Either the save came first (and the submission includes it) or it was refused; in both
    # cases what is stored was stored before submitted_at.
    assert final.updated_at <= respondent.submitted_at
    assert Answer.objects.filter(respondent=respondent).count() == len(questions)
