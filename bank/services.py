"""Workflows on bank versions: checking a draft is complete, what publishing it would change,
publishing it, cloning a version."""

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q

from bank.diff import BankDiff, diff_banks
from bank.exchange import bank_data, import_bank, parse_bank
from bank.models import (
    CHANGELOG_LENGTH,
    BankVersion,
    Dimension,
    DimensionKey,
    Handoff,
    LevelDescriptor,
    Question,
    RecommendationRung,
)
from lib.maturity import LEVELS

DATA = Path(__file__).resolve().parent / "data"
# The shipped default versions, oldest first: assessments pinned to an older one keep it, and a
# database that has the older one gets the newer one too (the newest published is current).
DEFAULT_BANKS = (DATA / "default_bank_2026_1.json", DATA / "default_bank.json")
# Their changelogs, as publishing asks for one (the files' notes are the long story).
DEFAULT_CHANGELOGS = {
    "2026.1": "The first edition of the default bank.",
    "2026.2": "Questions that asked two things are split; each handoff has a question of its "
    "own; every level names something you can check; recommendations are a ladder, one step "
    "from each level.",
}
MIN_QUESTIONS_PER_DIMENSION = 6
MIN_QUESTIONS_PER_HANDOFF = 6


class PublicationError(Exception):
    """A draft that is not complete enough to publish; `problems` says what is missing."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def publication_problems(version: BankVersion) -> list[str]:
    """Everything that stops `version` from being published, in words an editor can act on."""
    problems = []
    present = set(version.dimensions.values_list("key", flat=True))
    for key in DimensionKey:
        if key.value not in present:
            problems.append(f"Dimension “{key.label}” ({key.value}) is missing.")

    questions = (
        version.questions.annotate(
            written_levels=Count("descriptors", filter=~Q(descriptors__text=""))
        )
        .prefetch_related("rungs")
        .order_by("dimension", "order", "key")
    )
    per_dimension: Counter[str] = Counter()
    per_handoff: Counter[str] = Counter()
    for question in questions:
        per_dimension[question.dimension] += 1
        per_handoff.update(question.handoffs)
        if question.written_levels != len(LEVELS):
            problems.append(
                f"{question.key}: has {question.written_levels} of {len(LEVELS)} level descriptors."
            )
        if missing := question.missing_rungs(question.rungs.all()):
            levels = ", ".join(str(level) for level in missing)
            problems.append(
                f"{question.key}: needs a recommendation step from level {levels} (a title and "
                "next steps): every level below the highest target, 5, needs its next step."
            )

    for key in DimensionKey:
        if per_dimension[key] < MIN_QUESTIONS_PER_DIMENSION:
            problems.append(
                f"Dimension “{key.label}” has {per_dimension[key]} questions; "
                f"it needs at least {MIN_QUESTIONS_PER_DIMENSION}."
            )
    for handoff in Handoff:
        if per_handoff[handoff] < MIN_QUESTIONS_PER_HANDOFF:
            problems.append(
                f"Handoff “{handoff.label}” is tagged on {per_handoff[handoff]} questions; "
                f"it needs at least {MIN_QUESTIONS_PER_HANDOFF}."
            )
    return problems


@transaction.atomic
def publish(*, version: BankVersion, changelog: str = "") -> BankVersion:
    """Publish a complete draft; from then on it is immutable and new assessments use it.
    `changelog` is the short note consultants read on the methodology page."""
    version = BankVersion.objects.select_for_update().get(pk=version.pk)
    problems = publication_problems(version)
    if len(changelog) > CHANGELOG_LENGTH:
        problems.append(f"The changelog note is longer than {CHANGELOG_LENGTH} characters.")
    if problems:
        raise PublicationError(problems)
    version.mark_published(changelog=changelog.strip())
    return version


@dataclass(frozen=True)
class PinnedAssessments:
    """The assessments not closed yet on one version: they stay on it after a publication."""

    label: str
    open: int
    draft: int


@dataclass(frozen=True)
class PublicationImpact:
    """What publishing a draft changes: against the version new assessments use now
    (`current`, None before the first publication), which questions lose comparability across
    quarters, and which assessments stay where they are."""

    label: str
    current: str | None
    diff: BankDiff | None
    pinned: tuple[PinnedAssessments, ...]

    @property
    def uncomparable(self) -> list[str]:
        """Keys the current version has and the draft neither keeps nor maps (`replaces`)."""
        return [question.key for question in self.diff.removed] if self.diff else []

    @property
    def warnings(self) -> list[str]:
        warnings = [
            f"{key} is removed and no question of {self.label} replaces it: quarters answered "
            f"on {self.current} and on {self.label} will not be compared on it."
            for key in self.uncomparable
        ]
        for group in self.pinned:
            counts = " and ".join(
                f"{number} {status} assessment{'s' if number != 1 else ''}"
                for status, number in (("open", group.open), ("draft", group.draft))
                if number
            )
            warnings.append(
                f"Staying on {group.label}, whose questions they keep: {counts}. Their "
                f"results pages will say that {self.label} is newer."
            )
        return warnings


def _assessments():
    # The assessments app sits above the bank and pins a version through a foreign key whose
    # reverse is `assessments`; reaching its model through that relation, the bank imports
    # nothing of the app.
    return BankVersion._meta.get_field("assessments").related_model


def publication_impact(*, version: BankVersion) -> PublicationImpact:
    """What publishing `version` would change: a diff against the current version, and the
    assessments not closed yet (none changes: each stays pinned to its version; only
    assessments started afterwards, next quarters included, use the new one)."""
    current = BankVersion.objects.current()
    if current == version:
        current = None
    diff = diff_banks(bank_data(current), bank_data(version)) if current else None
    assessment = _assessments()
    rows = (
        assessment.objects.filter(status__in=[assessment.Status.OPEN, assessment.Status.DRAFT])
        .values_list("bank_version__label", "status")
        .annotate(number=Count("pk"))
        .order_by("bank_version__label", "status")
    )
    counts: dict[str, dict[str, int]] = {}
    for label, status, number in rows:
        counts.setdefault(label, {})[status] = number
    pinned = tuple(
        PinnedAssessments(label, by_status.get("open", 0), by_status.get("draft", 0))
        for label, by_status in counts.items()
    )
    return PublicationImpact(
        label=version.label, current=current.label if current else None, diff=diff, pinned=pinned
    )


def _free_label(base: str) -> str:
    """The draft's label: the next free number for labels like 2026.1, else "<base> draft"."""
    taken = set(BankVersion.objects.values_list("label", flat=True))
    if numbered := re.fullmatch(r"(\d{4})\.(\d+)", base):
        year, number = numbered.group(1), int(numbered.group(2)) + 1
        while f"{year}.{number}" in taken:
            number += 1
        return f"{year}.{number}"
    label, number = f"{base} draft", 2
    while label in taken:
        label, number = f"{base} draft {number}", number + 1
    return label


@transaction.atomic
def clone_to_draft(*, version: BankVersion, label: str | None = None) -> BankVersion:
    """Copy a version (dimensions, questions, descriptors) into a new draft for editing."""
    draft = BankVersion.objects.create(
        label=label or _free_label(version.label),
        notes=f"Cloned from {version.label}.",
        based_on=version,
    )
    Dimension.objects.bulk_create(
        Dimension(
            version=draft,
            key=dimension.key,
            name=dimension.name,
            description=dimension.description,
            order=dimension.order,
            weight=dimension.weight,
        )
        for dimension in version.dimensions.all()
    )
    originals = list(version.questions.prefetch_related("descriptors", "rungs"))
    copied_fields = [
        field.name
        for field in Question._meta.concrete_fields
        if field.name not in {"id", "version", "replaces"}
    ]
    Question.objects.bulk_create(
        # `replaces` points at the version before the original; the draft's own version
        # before is the original itself, whose keys it shares.
        Question(version=draft, **{name: getattr(q, name) for name in copied_fields}, replaces=[])
        for q in originals
    )
    new_ids = dict(draft.questions.values_list("key", "id"))
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(question_id=new_ids[q.key], level=d.level, text=d.text)
        for q in originals
        for d in q.descriptors.all()
    )
    RecommendationRung.objects.bulk_create(
        RecommendationRung(
            question_id=new_ids[q.key],
            from_level=rung.from_level,
            title=rung.title,
            next_steps=rung.next_steps,
            impact=rung.impact,
            effort=rung.effort,
        )
        for q in originals
        for rung in q.rungs.all()
    )
    return draft


@transaction.atomic
def load_default_bank() -> list[BankVersion]:
    """Import and publish each shipped default version whose label the database does not hold
    yet, oldest first; return the versions loaded (none when all are there)."""
    loaded = []
    for path in DEFAULT_BANKS:
        data = path.read_bytes()
        if BankVersion.objects.filter(label=parse_bank(data).label).exists():
            continue
        version = import_bank(data)
        loaded.append(publish(version=version, changelog=DEFAULT_CHANGELOGS[version.label]))
    return loaded
