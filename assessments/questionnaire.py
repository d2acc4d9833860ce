"""A respondent's questionnaire: the bank version's questions by section, with their answers.

Loaded in a fixed number of queries whatever the number of questions, so the page stays fast.
"""

import math
from dataclasses import dataclass, field

from django.urls import reverse

from assessments.models import Choice, Respondent
from bank.models import Question
from bank.structure import structure_of
from lib.csv import csv_text, safe_cell
from lib.maturity import LEVEL_NAMES

# A section is shown a few questions at a time, so that no page is longer than about three
# screens on a laptop (1366×900, 2700 px) or six on a phone (390×844, 5064 px). Measured on the
# default bank 2026.2: at 3 a page the longest pages are 2610 px and 4550 px; at 4 the laptop's
# would be 3326 px. tests/browser/test_questionnaire_pages.py keeps every page within both.
QUESTIONS_PER_PAGE = 3


def page_sizes(count: int, per_page: int = QUESTIONS_PER_PAGE) -> list[int]:
    """How many questions each page of a section holds, as even as can be: 15 questions at 4
    a page are 4, 4, 4, 3 and 13 are 4, 3, 3, 3, never a last page with a lone question."""
    pages = max(1, math.ceil(count / per_page))
    size, larger = divmod(count, pages)
    return [size + 1 if page < larger else size for page in range(pages)]


def page_of(position: int, count: int) -> int:
    """The page (from 1) holding the question at `position` (from 0) of a section of `count`."""
    end = 0
    for page, size in enumerate(page_sizes(count), 1):
        end += size
        if position < end:
            return page
    raise ValueError(f"no question {position} in a section of {count}")


def dom_id(key: str) -> str:
    """An HTML id for a question key: dots would read as CSS classes in "#q-people.q1"."""
    return key.replace(".", "-")


@dataclass
class QuestionState:
    question: Question
    levels: list[tuple[int, str, str]]  # (level, name, descriptor)
    choice: str = ""
    comment: str = ""
    number: int = 0  # its place in its section, from 1
    page: int = 1  # the page of its section that shows it

    @property
    def texts(self) -> list[str]:
        """Everything a respondent reads to answer it (for the time estimate)."""
        question = self.question
        descriptors = [text for _, _, text in self.levels]
        return [question.text, question.help, *descriptors, question.comment_prompt]

    @property
    def answered(self) -> bool:
        return bool(self.choice)

    @property
    def dom_id(self) -> str:
        return dom_id(self.question.key)

    @property
    def choice_label(self) -> str:
        return Choice(self.choice).label if self.choice else ""

    @property
    def chosen_descriptor(self) -> str:
        """The descriptor of the level chosen ("" for Not applicable and Don't know)."""
        return next((text for level, _, text in self.levels if str(level) == self.choice), "")


class _Counted:
    """`complete` from `answered` and `total`: a section, in full or as counts alone; and
    `resume_page`, where its first unanswered question is (page 1 once all are answered)."""

    answered: int
    total: int
    resume_page: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


class _Summed:
    """The questionnaire's `answered` and `total`: its sections' sums."""

    sections: list[_Counted]

    @property
    def answered(self) -> int:
        return sum(section.answered for section in self.sections)

    @property
    def total(self) -> int:
        return sum(section.total for section in self.sections)


@dataclass
class Section(_Counted):
    key: str
    name: str
    description: str
    questions: list[QuestionState] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(state.answered for state in self.questions)

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def page_count(self) -> int:
        return len(page_sizes(self.total))

    @property
    def page_numbers(self) -> range:
        return range(1, self.page_count + 1)

    def page(self, number: int) -> list[QuestionState]:
        """The questions of one page ([] for a page the section does not have)."""
        return [state for state in self.questions if state.page == number]

    @property
    def resume_page(self) -> int:
        return next((state.page for state in self.questions if not state.answered), 1)


@dataclass
class Questionnaire(_Summed):
    respondent: Respondent
    sections: list[Section]

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def following(self, section: Section) -> Section | None:
        index = self.sections.index(section)
        return self.sections[index + 1] if index + 1 < len(self.sections) else None

    def first_incomplete(self) -> Section | None:
        return next((s for s in self.sections if not s.complete), None)

    @property
    def states(self) -> list[QuestionState]:
        return [q for s in self.sections for q in s.questions]

    def unanswered(self) -> list[tuple[Section, QuestionState]]:
        return [(s, q) for s in self.sections for q in s.questions if not q.answered]

    def find(self, key: str) -> QuestionState | None:
        return next((q for s in self.sections for q in s.questions if q.question.key == key), None)


def question_state(question: Question) -> QuestionState:
    """A question as the questionnaire shows it, unanswered: each level with its name and
    descriptor (the descriptors prefetched, or read here)."""
    texts = {d.level: d.text for d in question.descriptors.all()}
    levels = [(level, name, texts.get(level, "")) for level, name in LEVEL_NAMES.items()]
    return QuestionState(question=question, levels=levels)


def load_questionnaire(respondent: Respondent) -> Questionnaire:
    """One query, the answers: the bank version's structure is kept (bank.structure)."""
    structure = structure_of(respondent.assessment.bank_version)
    sections = {
        dimension.key: Section(dimension.key, dimension.name, dimension.description)
        for dimension in structure.dimensions
    }
    answers = {
        question_id: (choice, comment)
        for question_id, choice, comment in respondent.answers.values_list(
            "question_id", "choice", "comment"
        )
    }
    for question in structure.questions:
        state = question_state(question)
        if question.pk in answers:
            state.choice, state.comment = answers[question.pk]
        sections[question.dimension].questions.append(state)
    for section in sections.values():
        _number_and_page(section.questions)
    return Questionnaire(respondent, [s for s in sections.values() if s.questions])


def _number_and_page(states: list[QuestionState]) -> None:
    for position, state in enumerate(states):
        state.number = position + 1
        state.page = page_of(position, len(states))


@dataclass(frozen=True)
class SectionProgress(_Counted):
    key: str
    name: str
    answered: int
    total: int
    resume_page: int


@dataclass(frozen=True)
class Progress(_Summed):
    """How far a respondent is, per section and overall: what the progress bar shows."""

    sections: list[SectionProgress]


def load_progress(respondent: Respondent) -> Progress:
    """The progress alone, for the reply to each autosave: which questions are answered.
    One query, the answered questions' ids."""
    structure = structure_of(respondent.assessment.bank_version)
    answered = set(respondent.answers.values_list("question_id", flat=True))
    by_section: dict[str, list[bool]] = {}
    for question in structure.questions:
        by_section.setdefault(question.dimension, []).append(question.pk in answered)
    return Progress(
        [
            _section_progress(dimension.key, dimension.name, by_section[dimension.key])
            for dimension in structure.dimensions
            if by_section.get(dimension.key)
        ]
    )


def _section_progress(key: str, name: str, answered: list[bool]) -> SectionProgress:
    first_unanswered = next((i for i, done in enumerate(answered) if not done), None)
    resume_page = 1 if first_unanswered is None else page_of(first_unanswered, len(answered))
    return SectionProgress(key, name, sum(answered), len(answered), resume_page)


def page_of_question(question: Question) -> int:
    """The page of its section that shows the question."""
    keys = [q.key for q in structure_of(question.version).in_dimension(question.dimension)]
    return page_of(keys.index(question.key), len(keys))


OWN_ANSWERS_COLUMNS = ["Section", "Question", "Answer", "What the answer says", "Comment"]


def own_answers_csv(questionnaire: Questionnaire) -> str:
    """A respondent's own answers, in the words they saw: no keys, no scores."""
    return csv_text(
        OWN_ANSWERS_COLUMNS,
        (
            [
                safe_cell(section.name),
                safe_cell(state.question.text),
                state.choice_label or "Not answered",
                safe_cell(state.chosen_descriptor),
                safe_cell(state.comment),
            ]
            for section in questionnaire.sections
            for state in section.questions
        ),
    )


@dataclass(frozen=True)
class QuestionnaireLinks:
    """The questionnaire's URLs, for a respondent's own link or a facilitated session."""

    prefix: str  # "respondent_" or "facilitate_"
    kwargs: dict

    def _url(self, name: str, **extra) -> str:
        return reverse(f"assessments:{self.prefix}{name}", kwargs={**self.kwargs, **extra})

    def section(self, key: str, page: int = 1) -> str:
        """A page of a section; its first page has the section's own URL."""
        if page == 1:
            return self._url("section", section=key)
        return self._url("section", section=key, page=page)

    @property
    def start(self) -> str:
        return self._url("start")

    @property
    def answer(self) -> str:
        return self._url("answer")

    @property
    def review(self) -> str:
        return self._url("review")

    @property
    def submit(self) -> str:
        return self._url("submit")

    @property
    def done(self) -> str:
        return self._url("done")

    @property
    def answers_csv(self) -> str:
        return self._url("answers_csv")
