"""The question bank: versioned, and immutable once published.

An assessment pins the version it started with, so a published version must never change:
its questions, descriptors and dimensions refuse to be saved or deleted (PublishedVersionError).
Editing happens in a draft, cloned from a published version and published as a new one.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from lib.maturity import DIMENSION_NAMES, HANDOFF_NAMES, LEVEL_NAMES


# The database's choices; their names are the vocabulary's (lib.maturity), in its order.
class DimensionKey(models.TextChoices):
    PEOPLE = "people", DIMENSION_NAMES["people"]
    PROCESS = "process", DIMENSION_NAMES["process"]
    CONTENT = "content", DIMENSION_NAMES["content"]
    TECHNOLOGY = "technology", DIMENSION_NAMES["technology"]


class Handoff(models.TextChoices):
    """The three handoffs of the relay, upstream first."""

    GTM_TO_DEMAND = "gtm_to_demand", HANDOFF_NAMES["gtm_to_demand"]
    DEMAND_TO_LEAD = "demand_to_lead", HANDOFF_NAMES["demand_to_lead"]
    LEAD_TO_SALES = "lead_to_sales", HANDOFF_NAMES["lead_to_sales"]


CHANGELOG_LENGTH = 500


class PublishedVersionError(Exception):
    """A change to a published bank version, which is immutable."""


class BankVersionQuerySet(models.QuerySet):
    def published(self) -> "BankVersionQuerySet":
        return self.filter(status=BankVersion.Status.PUBLISHED)

    def current(self) -> "BankVersion | None":
        """The newest published version: the one new assessments use."""
        return self.published().order_by("-published_at", "-pk").first()

    def published_after(self, version: "BankVersion") -> "BankVersionQuerySet":
        """The versions published since `version` (none for a draft), oldest first."""
        if version.published_at is None:
            return self.none()
        return (
            self.published()
            .filter(published_at__gt=version.published_at)
            .order_by("published_at", "pk")
        )


class BankVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    label = models.CharField(max_length=40, unique=True, help_text="For example 2026.1.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(blank=True, help_text="What changed in this version, and why.")
    # Written when publishing, for consultants: the methodology page shows it.
    changelog = models.CharField(
        max_length=CHANGELOG_LENGTH,
        blank=True,
        editable=False,
        help_text="What changed, in a sentence or two, as consultants read it.",
    )
    # What its diff compares it with by default. SET_NULL: deleting a draft that was cloned
    # leaves its clones as they are.
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
        help_text="The version this one was cloned from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BankVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "bank version"
        # Editing a draft is `change_bankversion`; publishing it is a permission of its own.
        permissions = [("publish_bankversion", "Can publish a bank version")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="bank_version_published_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs) -> None:
        # Checked against the stored row: the in-memory object may already say "published".
        if self.pk and BankVersion.objects.filter(pk=self.pk, status="published").exists():
            raise PublishedVersionError(f"Version {self.label} is published and cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if BankVersion.objects.filter(pk=self.pk, status="published").exists():
            raise PublishedVersionError(f"Version {self.label} is published and cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def baseline(self) -> "BankVersion | None":
        """The version its diff compares it with by default: the one it was cloned from, else
        the newest published before it (for a draft: the current one)."""
        if self.based_on_id:
            return self.based_on
        earlier = BankVersion.objects.published().exclude(pk=self.pk)
        if self.published_at:
            earlier = earlier.filter(published_at__lt=self.published_at)
        return earlier.order_by("-published_at", "-pk").first()

    def mark_published(self, *, changelog: str = "") -> None:
        """Flip a draft to published (callers check completeness first: bank.services.publish).

        A conditional UPDATE on the stored status, so a stale in-memory copy cannot publish
        a version twice or move its publication date.
        """
        now = timezone.now()
        flipped = BankVersion.objects.filter(pk=self.pk, status=self.Status.DRAFT).update(
            status=self.Status.PUBLISHED, published_at=now, changelog=changelog
        )
        if not flipped:
            raise PublishedVersionError(f"Version {self.label} is already published.")
        self.status, self.published_at, self.changelog = self.Status.PUBLISHED, now, changelog


class DraftOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes refuse rows of published versions, like single saves do."""

    version_path = "version"

    def _touches_published(self) -> bool:
        return self.filter(**{f"{self.version_path}__status": "published"}).exists()

    def update(self, **kwargs):
        if self._touches_published():
            raise PublishedVersionError("Published bank versions cannot change.")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise PublishedVersionError("Published bank versions cannot change.")
        return super().delete()


class DescriptorQuerySet(DraftOnlyQuerySet):
    version_path = "question__version"


class DraftOnlyModel(models.Model):
    """A row of a bank version: saved and deleted only while the version is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self._refuse_if_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)

    def owning_version_id(self) -> int:
        return self.version_id

    def _refuse_if_published(self) -> None:
        if BankVersion.objects.filter(pk=self.owning_version_id(), status="published").exists():
            raise PublishedVersionError(
                "This question bank version is published and cannot change; "
                "clone it to a new draft to edit."
            )


_weight_field = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal(1),
    "validators": [MinValueValidator(Decimal(0))],
}


class Dimension(DraftOnlyModel):
    version = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="dimensions")
    key = models.CharField(max_length=20, choices=DimensionKey.choices)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=1)
    weight = models.DecimalField(
        **_weight_field, help_text="Weight in the overall index; equal weights by default."
    )

    objects = DraftOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="one_dimension_per_key"),
            models.CheckConstraint(
                condition=Q(key__in=DimensionKey.values), name="dimension_key_is_known"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="dimension_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Question(DraftOnlyModel):
    version = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(
        max_length=80,
        help_text="Stable across versions so quarters stay comparable: process.lead_definition.",
    )
    dimension = models.CharField(max_length=20, choices=DimensionKey.choices)
    order = models.PositiveSmallIntegerField(default=1, help_text="Position within its dimension.")
    text = models.TextField()
    help = models.TextField(blank=True, help_text="What a respondent should consider.")
    weight = models.DecimalField(**_weight_field)
    gtm_to_demand = models.BooleanField("GTM strategy → Demand gen", default=False)
    demand_to_lead = models.BooleanField("Demand gen → Lead gen", default=False)
    lead_to_sales = models.BooleanField("Lead gen → Sales-ready", default=False)
    comment_prompt = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown above the comment box: a fact the level cannot hold, such as a share "
        "or a list.",
    )
    # Keys of the version before that this question takes over (a split or a rename), so that
    # comparisons across versions can follow it. Empty for a question that keeps its key.
    replaces = models.JSONField(default=list, blank=True)

    objects = DraftOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["version", "dimension", "order", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="question_key_unique_per_version"
            ),
            models.CheckConstraint(
                condition=Q(key__regex=r"^[a-z]+\.[a-z0-9_]+$"), name="question_key_format"
            ),
            models.CheckConstraint(
                condition=Q(key__startswith=Concat(F("dimension"), Value("."))),
                name="question_key_starts_with_its_dimension",
            ),
            models.CheckConstraint(
                condition=Q(dimension__in=DimensionKey.values), name="question_dimension_is_known"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="question_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def handoffs(self) -> list[str]:
        """The handoff keys this question is tagged with, upstream first."""
        return [handoff.value for handoff in Handoff if getattr(self, handoff.value)]

    def missing_rungs(self, rungs) -> list[int]:
        """The starting levels (1 to 4) among `rungs` (this question's) with no written step."""
        written = {rung.from_level for rung in rungs if rung.is_written}
        return [level for level in RUNG_LEVELS if level not in written]


class LevelDescriptor(DraftOnlyModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="descriptors")
    level = models.PositiveSmallIntegerField(
        choices=[(level, f"{level} {name}") for level, name in LEVEL_NAMES.items()]
    )
    text = models.CharField(max_length=300)

    objects = DescriptorQuerySet.as_manager()

    class Meta:
        ordering = ["question", "level"]
        constraints = [
            models.UniqueConstraint(fields=["question", "level"], name="one_descriptor_per_level"),
            models.CheckConstraint(
                condition=Q(level__range=(1, 5)), name="descriptor_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.key} level {self.level}"

    def owning_version_id(self) -> int:
        return self.question.version_id


# A question's recommendation is a ladder: one next step per level it can start from. Level 5
# is the top, so rungs start from 1 to 4; the rung shown is the one for the current level
# rounded down (a level-3 company is told how to reach 4).
RUNG_LEVELS = (1, 2, 3, 4)


class RungQuerySet(DraftOnlyQuerySet):
    version_path = "question__version"


class RecommendationRung(DraftOnlyModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rungs")
    from_level = models.PositiveSmallIntegerField(
        "from level",
        choices=[(level, f"From {level} {LEVEL_NAMES[level]}") for level in RUNG_LEVELS],
    )
    title = models.CharField(max_length=160)
    next_steps = models.TextField()
    impact = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(3)], help_text="1 to 3."
    )
    effort = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(3)], help_text="1 to 3."
    )

    objects = RungQuerySet.as_manager()

    class Meta:
        ordering = ["question", "from_level"]
        verbose_name = "recommendation step"
        constraints = [
            models.UniqueConstraint(fields=["question", "from_level"], name="one_rung_per_level"),
            models.CheckConstraint(
                condition=Q(from_level__range=(1, 4)), name="rung_from_level_1_to_4"
            ),
            models.CheckConstraint(condition=Q(impact__range=(1, 3)), name="rung_impact_1_to_3"),
            models.CheckConstraint(condition=Q(effort__range=(1, 3)), name="rung_effort_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.question.key} from level {self.from_level}"

    @property
    def is_written(self) -> bool:
        return bool(self.title.strip() and self.next_steps.strip())

    def owning_version_id(self) -> int:
        return self.question.version_id
