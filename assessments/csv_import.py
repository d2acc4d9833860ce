"""Answers collected offline (a workshop, a spreadsheet passed round), imported from CSV.

`import_answers_csv` checks the whole file before writing anything and reports every problem at
once, each starting "Line N: " with N as a text editor numbers lines, so a consultant can fix the
file in one pass. Then it saves everything in one transaction: all or nothing.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import (
    Answer,
    AnswerSource,
    Assessment,
    Choice,
    Respondent,
    RespondentRole,
)
from assessments.summaries import results_changed
from bank.models import Question
from lib.csv import CsvImportError, CsvRecord, field_count_problem, read_csv, shown
from lib.forms import CONTROL_CHARACTERS

EXPECTED_COLUMNS = ("respondent", "role", "question_key", "level", "comment")
OPTIONAL_COLUMNS = frozenset({"comment"})
# The last column of Relay's own answers.csv export: read and ignored, since everyone in an
# imported file is marked submitted. So an export can be imported into another assessment.
IGNORED_COLUMNS = frozenset({"submitted"})
EXPECTED_HEADER = ",".join(EXPECTED_COLUMNS)
MAX_NAME_LENGTH = Respondent._meta.get_field("name").max_length
MAX_COMMENT_LENGTH = Answer._meta.get_field("comment").max_length

CLOSED = "This assessment is closed; reopen it to import answers."
NO_ANSWERS = "The file has no answers."
NOT_CSV = (
    "This is not a CSV file of answers. Save it from your spreadsheet as “CSV UTF-8” "
    f"(comma-separated), with the header {EXPECTED_HEADER}."
)
RACED = (
    "Someone added a respondent to this assessment while the file was being imported; "
    "import the file again."
)


@dataclass(frozen=True)
class ImportSummary:
    answers: int
    respondents: int
    new_respondents: int
    # (name, answered, total questions) for each respondent of the file who, counting the
    # answers they already had, has not answered every question of the bank version.
    incomplete: tuple[tuple[str, int, int], ...]


def import_answers_csv(*, assessment: Assessment, data: bytes) -> ImportSummary:
    """Save the answers in `data`, creating respondents it names and marking them submitted.

    Raises CsvImportError, having saved nothing, if the file has any problem.
    """
    if assessment.status == Assessment.Status.CLOSED:
        raise CsvImportError([CLOSED])
    columns, records = read_csv(data, columns=_columns, not_csv=NOT_CSV, empty=NO_ANSWERS)
    with transaction.atomic():
        question_ids = dict(
            Question.objects.filter(version_id=assessment.bank_version_id).values_list("key", "pk")
        )
        answers, problems = _read_answers(records, columns, question_ids)
        existing = _respondents_by_name(assessment)
        problems += _problems_across_lines(answers, existing)
        if problems:
            raise CsvImportError(problems)
        return _save(assessment, answers, existing, total_questions=len(question_ids))


# ---- Reading the file ----------------------------------------------------------------------


def _columns(header: CsvRecord) -> dict[str, int]:
    """Each column's position, from a header in any order and any case."""
    names = [field.strip().lower() for field in header.fields]
    if not set(names) & set(EXPECTED_COLUMNS):
        raise CsvImportError([NOT_CSV])
    problems = _header_problems(names)
    if problems:
        raise CsvImportError(
            [
                f"Line {header.line}: the header must be {EXPECTED_HEADER} (in any order; "
                f"comment may be left out), but {'; '.join(problems)}."
            ]
        )
    return {name: position for position, name in enumerate(names)}


def _header_problems(names: list[str]) -> list[str]:
    missing = [c for c in EXPECTED_COLUMNS if c not in names and c not in OPTIONAL_COLUMNS]
    unknown = [n for n in names if n not in EXPECTED_COLUMNS and n not in IGNORED_COLUMNS]
    repeated = [c for c in EXPECTED_COLUMNS if names.count(c) > 1]
    return [
        *(f'column "{name}" is missing' for name in missing),
        *(f'"{name}" is not a column' if name else "a column has no name" for name in unknown),
        *(f'column "{name}" appears more than once' for name in repeated),
    ]


# ---- Checking each line --------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    """One line's answer: the values as written, and parsed (None where invalid)."""

    line: int
    name: str
    role_text: str
    level_text: str
    question_key: str
    comment: str
    role: RespondentRole | None
    question_id: int | None
    choice: Choice | None

    @property
    def person(self) -> str:
        """Who answers: names match ignoring case, as the respondent name constraint does."""
        return self.name.lower()


def _role_spelling(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().lower())


ROLES_BY_SPELLING = {
    _role_spelling(spelling): role
    for role in RespondentRole
    for spelling in (role.value, role.label)
}
ROLE_NAMES = ", ".join(str(role.label) for role in RespondentRole)


def _read_answers(
    records: list[CsvRecord], columns: dict[str, int], question_ids: dict[str, int]
) -> tuple[list[_Answer], list[str]]:
    answers, problems = [], []
    for record in records:
        if miscount := field_count_problem(record, columns, "a comment that contains commas"):
            problems.append(miscount)
            continue
        answer = _answer(record, columns, question_ids)
        answers.append(answer)
        problems += [f"Line {record.line}: {problem}" for problem in _answer_problems(answer)]
    return answers, problems


def _answer(record: CsvRecord, columns: dict[str, int], question_ids: dict[str, int]) -> _Answer:
    value = {column: record.fields[position].strip() for column, position in columns.items()}
    question_key = value["question_key"].lower()
    level = value["level"].upper()
    return _Answer(
        line=record.line,
        name=value["respondent"],
        role_text=value["role"],
        level_text=value["level"],
        question_key=question_key,
        comment=value.get("comment", ""),
        role=ROLES_BY_SPELLING.get(_role_spelling(value["role"])),
        question_id=question_ids.get(question_key),
        choice=Choice(level) if level in Choice.values else None,
    )


def _answer_problems(answer: _Answer) -> list[str]:
    problems = []
    if not answer.name:
        problems.append("the respondent's name is missing.")
    elif len(answer.name) > MAX_NAME_LENGTH:
        problems.append(
            f"the respondent's name is {len(answer.name)} characters; "
            f"the limit is {MAX_NAME_LENGTH}."
        )
    elif CONTROL_CHARACTERS.search(answer.name):
        problems.append(
            "the respondent's name holds a line break, a tab or an invisible control "
            "character; a name is one line of text, as in the form."
        )
    if answer.role is None:
        problems.append(f"role {shown(answer.role_text)} must be one of {ROLE_NAMES}.")
    if not answer.question_key:
        problems.append("the question key is missing.")
    elif answer.question_id is None:
        problems.append(f"unknown question key {shown(answer.question_key)}.")
    if answer.choice is None:
        problems.append(f"level {shown(answer.level_text)} must be 1 to 5, NA or DK.")
    if len(answer.comment) > MAX_COMMENT_LENGTH:
        problems.append(
            f"the comment is {len(answer.comment):,} characters; "
            f"the limit is {MAX_COMMENT_LENGTH:,}."
        )
    return problems


# ---- Checking lines against each other and the assessment ----------------------------------


def _respondents_by_name(assessment: Assessment) -> dict[str, Respondent]:
    # Locked until the import commits, so none of them can save or submit answers in between.
    respondents = assessment.respondents.select_for_update()
    return {respondent.name.strip().lower(): respondent for respondent in respondents}


def _problems_across_lines(answers: list[_Answer], existing: dict[str, Respondent]) -> list[str]:
    named = [answer for answer in answers if answer.name]
    return [
        *_repeated_answers(named),
        *_conflicting_roles(named),
        *_clashes_with_existing(_first_answer_per_person(named), existing),
    ]


def _repeated_answers(answers: Iterable[_Answer]) -> list[str]:
    first_lines: dict[tuple[str, str], int] = {}
    problems = []
    for answer in answers:
        if not answer.question_key:
            continue
        first_line = first_lines.setdefault((answer.person, answer.question_key), answer.line)
        if first_line != answer.line:
            problems.append(
                f"Lines {first_line} and {answer.line}: "
                f"{answer.name} answers {answer.question_key} twice."
            )
    return problems


def _conflicting_roles(answers: Iterable[_Answer]) -> list[str]:
    """One problem per extra role a name is given, naming the first line with each role."""
    first_with_role: dict[str, _Answer] = {}
    reported = set()
    problems = []
    for answer in answers:
        if answer.role is None:
            continue
        first = first_with_role.setdefault(answer.person, answer)
        if answer.role != first.role and (answer.person, answer.role) not in reported:
            reported.add((answer.person, answer.role))
            problems.append(
                f"Lines {first.line} and {answer.line}: {answer.name} is {first.role.label} on "
                f"line {first.line} but {answer.role.label} on line {answer.line}; "
                "a respondent has one role."
            )
    return problems


def _clashes_with_existing(
    first_answers: dict[str, _Answer], existing: dict[str, Respondent]
) -> list[str]:
    problems = []
    for person, answer in first_answers.items():
        respondent = existing.get(person)
        if respondent is None:
            continue
        if respondent.is_submitted:
            problems.append(
                f"Line {answer.line}: {respondent.name} has already submitted their answers; "
                "reopen them first."
            )
        if answer.role is not None and answer.role != respondent.role:
            problems.append(
                f"Line {answer.line}: {respondent.name} is already a respondent as "
                f"{respondent.get_role_display()}, not {answer.role.label}."
            )
    return problems


def _first_answer_per_person(answers: Iterable[_Answer]) -> dict[str, _Answer]:
    """Each person's first line, in the order people first appear in the file."""
    first: dict[str, _Answer] = {}
    for answer in answers:
        first.setdefault(answer.person, answer)
    return first


# ---- Saving --------------------------------------------------------------------------------


def _save(
    assessment: Assessment,
    answers: list[_Answer],
    existing: dict[str, Respondent],
    *,
    total_questions: int,
) -> ImportSummary:
    first_answers = _first_answer_per_person(answers)
    newcomers = [answer for person, answer in first_answers.items() if person not in existing]
    new = _create_respondents(assessment, newcomers)
    respondent_by_person = {
        **existing,
        **{respondent.name.lower(): respondent for respondent in new},
    }
    respondents = [respondent_by_person[person] for person in first_answers]
    now = timezone.now()
    _upsert_answers(answers, respondent_by_person, now)
    _mark_submitted(respondents, now)
    return ImportSummary(
        answers=len(answers),
        respondents=len(respondents),
        new_respondents=len(new),
        incomplete=_incomplete(respondents, total_questions),
    )


def _create_respondents(assessment: Assessment, first_answers: list[_Answer]) -> list[Respondent]:
    try:
        # A savepoint, so a clash leaves the surrounding transaction usable.
        with transaction.atomic():
            return Respondent.objects.bulk_create(
                Respondent(assessment=assessment, name=answer.name, role=answer.role)
                for answer in first_answers
            )
    except IntegrityError:
        # The respondents were read and locked above, but a new row cannot be locked before it
        # exists: someone added one of these names since. The name constraint refused it.
        raise CsvImportError([RACED]) from None


def _upsert_answers(
    answers: list[_Answer], respondent_by_person: dict[str, Respondent], now: datetime
) -> None:
    # An answer the respondent already gave online (or a file imported before) is replaced,
    # never duplicated.
    Answer.objects.upsert(
        [
            Answer(
                respondent=respondent_by_person[answer.person],
                question_id=answer.question_id,
                choice=answer.choice,
                comment=answer.comment,
                source=AnswerSource.IMPORTED,
                entered_by=None,
                updated_at=now,
            )
            for answer in answers
        ]
    )


def _mark_submitted(respondents: list[Respondent], now: datetime) -> None:
    ids = [respondent.pk for respondent in respondents]
    Respondent.objects.filter(pk__in=ids, started_at__isnull=True).update(started_at=now)
    Respondent.objects.filter(pk__in=ids).update(submitted_at=now)
    if ids:
        results_changed(respondents[0].assessment_id)


def _incomplete(respondents: list[Respondent], total: int) -> tuple[tuple[str, int, int], ...]:
    answered = dict(
        Respondent.objects.filter(pk__in=[respondent.pk for respondent in respondents])
        .with_answer_counts()
        .values_list("pk", "answer_count")
    )
    return tuple(
        (respondent.name, answered[respondent.pk], total)
        for respondent in respondents
        if answered[respondent.pk] < total
    )
