"""A respondent's questionnaire: the bank version's questions by section, with their answers.

Loaded in a fixed number of queries whatever the number of questions, so the page stays fast.
"""

from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse

from assessments.models import Choice, Respondent
from bank.models import Question
from lib.maturity import LEVEL_NAMES


def dom_id(key: str) -> str:
    """An HTML id for a question key: dots would read as CSS classes in "#q-people.q1"."""
    return key.replace(".", "-")


@dataclass
class QuestionState:
    question: Question
    levels: list[tuple[int, str, str]]  # (level, name, descriptor)
    choice: str = ""
    comment: str = ""

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
    """`complete` from `answered` and `total`: a section, in full or as counts alone."""

    answered: int
    total: int

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
    """Three queries: the dimensions, the questions with their descriptors, the answers."""
    version = respondent.assessment.bank_version
    sections = {
        dimension.key: Section(dimension.key, dimension.name, dimension.description)
        for dimension in version.dimensions.order_by("order")
    }
    answers = {
        question_id: (choice, comment)
        for question_id, choice, comment in respondent.answers.values_list(
            "question_id", "choice", "comment"
        )
    }
    questions = version.questions.prefetch_related("descriptors").order_by("order", "key")
    for question in questions:
        state = question_state(question)
        if question.pk in answers:
            state.choice, state.comment = answers[question.pk]
        sections[question.dimension].questions.append(state)
    return Questionnaire(respondent, [s for s in sections.values() if s.questions])


@dataclass(frozen=True)
class SectionProgress(_Counted):
    key: str
    name: str
    answered: int
    total: int


@dataclass(frozen=True)
class Progress(_Summed):
    """How far a respondent is, per section and overall: what the progress bar shows."""

    sections: list[SectionProgress]


def load_progress(respondent: Respondent) -> Progress:
    """The progress alone, for the reply to each autosave: counts, without the questions'
    texts and descriptors that `load_questionnaire` reads. Three small queries."""
    version = respondent.assessment.bank_version
    totals = dict(version.questions.order_by().values_list("dimension").annotate(n=Count("pk")))
    answered = dict(
        respondent.answers.filter(question__version=version)
        .order_by()
        .values_list("question__dimension")
        .annotate(n=Count("pk"))
    )
    return Progress(
        [
            SectionProgress(key, name, answered.get(key, 0), totals[key])
            for key, name in version.dimensions.order_by("order").values_list("key", "name")
            if totals.get(key)
        ]
    )


@dataclass(frozen=True)
class QuestionnaireLinks:
    """The questionnaire's URLs, for a respondent's own link or a facilitated session."""

    prefix: str  # "respondent_" or "facilitate_"
    kwargs: dict

    def _url(self, name: str, **extra) -> str:
        return reverse(f"assessments:{self.prefix}{name}", kwargs={**self.kwargs, **extra})

    def section(self, key: str) -> str:
        return self._url("section", section=key)

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
