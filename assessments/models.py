import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from accounts.models import Workspace, hash_token
from bank.models import BankVersion, Question
from clients.models import Client, ClientQuerySet
from funnel.kpis import NumberFormat
from lib.maturity import DIMENSION_NAMES, LEVEL_NAMES
from lib.quarters import Quarter

# ---- Assessments -------------------------------------------------------------------------


DEFAULT_TARGET_LEVEL = 4
TARGET_FIELDS = {
    "people": "target_people",
    "process": "target_process",
    "content": "target_content",
    "technology": "target_technology",
}


def _target_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        f"target for {label}",
        default=DEFAULT_TARGET_LEVEL,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )


class Visibility(models.TextChoices):
    """Who sees whose answers, decided before the first answer (it can only tighten after)."""

    NAMED = "named", "Named"
    CONFIDENTIAL = "confidential", "Confidential to the consultants"
    ANONYMOUS = "anonymous", "Anonymous"


# From the most open to the most private: a change after the first answer may only go right.
VISIBILITY_ORDER = (Visibility.NAMED, Visibility.CONFIDENTIAL, Visibility.ANONYMOUS)
VISIBILITY_HELP = {
    Visibility.NAMED: "Results, exports and the report show who answered what.",
    Visibility.CONFIDENTIAL: "Your workspace sees who answered what; the report and anything "
    "shared outside it show only combined figures and unnamed comments.",
    Visibility.ANONYMOUS: "Everyone, your workspace included, sees only combined figures and "
    "unnamed comments; a role's figures show only with at least 3 respondents in it.",
}


class AssessmentQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> "AssessmentQuerySet":
        return self.filter(client__workspace=workspace)

    def with_results(self) -> "AssessmentQuerySet":
        """Assessments with results: someone has submitted (as `Assessment.has_results`)."""
        return self.filter(submitted_count__gt=0)

    def before(self, period: Quarter) -> "AssessmentQuerySet":
        """Assessments of quarters earlier than `period`."""
        return self.filter(Q(year__lt=period.year) | Q(year=period.year, quarter__lt=period.number))


class Assessment(models.Model):
    """One client's maturity assessment for one quarter, pinned to one bank version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    # PROTECT: a bank version with assessments on it can never be deleted.
    bank_version = models.ForeignKey(
        BankVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    answer_visibility = models.CharField(
        "who sees the answers",
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.NAMED,
    )
    target_people = _target_field(DIMENSION_NAMES["people"])
    target_process = _target_field(DIMENSION_NAMES["process"])
    target_content = _target_field(DIMENSION_NAMES["content"])
    target_technology = _target_field(DIMENSION_NAMES["technology"])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The date respondents are asked to answer by (shown to them; reminders are timed by it).
    deadline = models.DateField("answer by", null=True, blank=True)
    # When a consultant last looked at the assessment, so the dashboard can mark submissions
    # that came in since.
    submissions_seen_at = models.DateTimeField(null=True, blank=True)
    # A snapshot of the results (assessments.summaries), so that pages listing many clients
    # and quarters read their figures in one query. Recomputed where they change: every change
    # to what the results rest on (a submission, a reopening, an import, a removal) goes
    # through summaries.results_changed. `results_stale` marks a snapshot still to compute
    # (rows bulk-loaded, or left by an older release): `manage.py refresh_results` does it.
    results_stale = models.BooleanField(default=False)
    submitted_count = models.PositiveIntegerField(default=0)
    overall_index = models.FloatField(null=True, blank=True)
    baton_drop = models.CharField(max_length=20, blank=True)
    index_summary = models.JSONField(default=dict, blank=True)  # dimension and handoff indexes
    # The levels a consultant validated from evidence, by question key: {"level": 1-5,
    # "reason": ..., "by": a name, "on": an ISO date}. The scoring uses them in place of the
    # respondents' mean (assessments.scoring); kept on the row, so scoring reads no more.
    validated_levels = models.JSONField(default=dict, blank=True)
    # The levels a team agreed on in a live workshop, by question key: {"level": 1-5, "note":
    # the outcome, decision and owner, "recorded_at": an ISO datetime}. Written by the
    # workshops app; the scoring uses them where no validated level is recorded.
    consensus_levels = models.JSONField(default=dict, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "year", "quarter"], name="one_assessment_per_client_quarter"
            ),
            models.CheckConstraint(condition=Q(quarter__range=(1, 4)), name="quarter_1_to_4"),
            models.CheckConstraint(condition=Q(year__range=(2000, 2100)), name="plausible_year"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="assessment_status_known"
            ),
            models.CheckConstraint(
                condition=Q(answer_visibility__in=Visibility.values),
                name="assessment_visibility_known",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__range": (1, 5)}), name=f"{field}_1_to_5"
                )
                for field in TARGET_FIELDS.values()
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse(
            "assessments:assessment_detail",
            kwargs={"workspace_slug": self.client.workspace.slug, "assessment_id": self.pk},
        )

    def delete(self, *args, **kwargs):
        """Remove the assessment, and refresh its client's standing (a removal through a
        queryset or a cascade does not come here: refresh the standings after it)."""
        deleted = super().delete(*args, **kwargs)
        refresh_standings([self.client_id])
        return deleted

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def validated_level_values(self) -> dict[str, int]:
        """Question key -> validated level, as the scoring takes them."""
        return {
            key: entry["level"]
            for key, entry in (self.validated_levels or {}).items()
            if isinstance(entry, dict) and isinstance(entry.get("level"), int)
        }

    @property
    def consensus_level_values(self) -> dict[str, int]:
        """Question key -> the workshop's consensus level, as the scoring takes them."""
        return {
            key: entry["level"]
            for key, entry in (self.consensus_levels or {}).items()
            if isinstance(entry, dict) and isinstance(entry.get("level"), int)
        }

    @property
    def targets(self) -> dict[str, int]:
        """Target level per dimension key."""
        return {key: getattr(self, field) for key, field in TARGET_FIELDS.items()}

    @property
    def accepts_answers(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def names_in_results(self) -> bool:
        """Whether the workspace's own results page shows who answered what."""
        return self.answer_visibility != Visibility.ANONYMOUS

    @property
    def names_in_reports(self) -> bool:
        """Whether what goes to the client (the report) shows who answered what."""
        return self.answer_visibility == Visibility.NAMED

    def visibility_sentence(self) -> str:
        """Who will see a respondent's answers, in one plain sentence for the respondent."""
        team = self.client.workspace.name
        if self.answer_visibility == Visibility.ANONYMOUS:
            return (
                "Your answers are anonymous: everyone, the team running this assessment "
                "included, sees only combined figures, and your comments without your name."
            )
        if self.answer_visibility == Visibility.CONFIDENTIAL:
            return (
                f"Only the {team} team running this assessment sees your name beside your "
                "answers; the report shows combined figures, and your comments without your name."
            )
        return (
            f"The {team} team running this assessment sees your name beside your answers, and "
            "the report may quote your comments with your name."
        )

    def visibility_tightens(self, visibility: str) -> bool:
        return VISIBILITY_ORDER.index(visibility) >= VISIBILITY_ORDER.index(self.answer_visibility)

    @property
    def is_preliminary(self) -> bool:
        """Results that may still change: the assessment is not closed."""
        return self.status != self.Status.CLOSED

    @property
    def overall_is_partial(self) -> bool:
        """The snapshot's overall index leaves out a dimension with no index."""
        return bool(self.index_summary.get("partial"))

    @property
    def has_results(self) -> bool:
        """Someone has submitted, so there are results to show, report and compare with. Read
        from the snapshot, which every change of submissions refreshes (summaries)."""
        return self.submitted_count > 0

    def open(self) -> None:
        if self.status == self.Status.OPEN:
            return
        self.status = self.Status.OPEN
        self.opened_at = self.opened_at or timezone.now()
        self.closed_at = None
        self.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])
        refresh_standings([self.client_id])

    def close(self) -> None:
        if self.status != self.Status.OPEN:
            raise ValueError("Only an open assessment can be closed.")
        self.status = self.Status.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["status", "closed_at", "updated_at"])
        refresh_standings([self.client_id])


class RespondentRole(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    SALES = "sales", "Sales"
    LEADERSHIP = "leadership", "Leadership"
    CUSTOMER_SUCCESS = "customer_success", "Customer success"
    OTHER = "other", "Other"


class RespondentQuerySet(models.QuerySet):
    def with_answer_counts(self) -> "RespondentQuerySet":
        return self.annotate(answer_count=models.Count("answers"))

    def with_tracking(self) -> "RespondentQuerySet":
        """Each respondent with their answer count, the expiry of their longest-working link,
        the links they were given and the last email sent to them: one query (subqueries,
        so the counts do not multiply each other)."""
        answers = (
            Answer.objects.filter(respondent=OuterRef("pk"))
            .values("respondent")
            .annotate(n=Count("pk"))
            .values("n")
        )
        links = RespondentLink.objects.filter(respondent=OuterRef("pk"))
        link_count = links.values("respondent").annotate(n=Count("pk")).values("n")
        live_until = links.live().order_by("-expires_at").values("expires_at")[:1]
        last_email = LinkEmail.objects.filter(respondent=OuterRef("pk")).order_by("-sent_at")
        return self.annotate(
            answer_count=Coalesce(Subquery(answers), Value(0), output_field=IntegerField()),
            links_given=Coalesce(Subquery(link_count), Value(0), output_field=IntegerField()),
            link_works_until=Subquery(live_until),
            last_emailed_at=Subquery(last_email.values("sent_at")[:1]),
        )


class Respondent(models.Model):
    """Someone who answers an assessment's questionnaire, by personal link or in a workshop."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="respondents")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=RespondentRole.choices)
    invited_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # first visit by their link
    started_at = models.DateTimeField(null=True, blank=True)  # first answer saved
    last_active_at = models.DateTimeField(null=True, blank=True)  # latest visit or answer
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RespondentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # CSV imports match respondents by name, so names are unique within an assessment.
            models.UniqueConstraint(
                "assessment", Lower("name"), name="unique_respondent_name_per_assessment"
            ),
            models.CheckConstraint(
                condition=Q(role__in=RespondentRole.values), name="respondent_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def link_is_active(self) -> bool:
        """Whether at least one of the respondent's links still works."""
        return self.links.live().exists()

    def issue_link(self, *, purpose: str = "invitation") -> str:
        """Give the respondent one more personal link, leaving the others working; return its
        token, which is shown or emailed once and never stored (only its digest is)."""
        return self.new_link(purpose=purpose)[1]

    def new_link(self, *, purpose: str) -> tuple["RespondentLink", str]:
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        link = RespondentLink.objects.create(
            respondent=self,
            token_hash=hash_token(token),
            purpose=purpose,
            created_at=now,
            expires_at=now + timedelta(days=settings.RESPONDENT_LINK_DAYS),
        )
        if self.invited_at is None:
            self.invited_at = now
            self.save(update_fields=["invited_at"])
        return link, token

    def replace_links(self) -> str:
        """A new link in place of every earlier one (say, one was forwarded by mistake)."""
        self.revoke_links()
        return self.issue_link(purpose=RespondentLink.Purpose.REPLACEMENT)

    def revoke_links(self) -> int:
        return self.links.live().update(revoked_at=timezone.now())

    def reopen(self) -> None:
        """Let a submitted respondent change their answers again (unsaved results: see
        services.reopen_respondent, which refreshes them)."""
        self.submitted_at = None
        self.save(update_fields=["submitted_at"])


class RespondentStatus(models.TextChoices):
    """Where a respondent stands, as the assessment page and the dashboard show it."""

    NOT_INVITED = "not_invited", "Not invited"
    INVITED = "invited", "Invited"
    OPENED = "opened", "Opened"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"


def respondent_status(respondent: "Respondent", answer_count: int) -> RespondentStatus:
    if respondent.is_submitted:
        return RespondentStatus.SUBMITTED
    if answer_count:
        return RespondentStatus.IN_PROGRESS
    if respondent.opened_at:
        return RespondentStatus.OPENED
    if respondent.invited_at:
        return RespondentStatus.INVITED
    return RespondentStatus.NOT_INVITED


class RespondentLinkQuerySet(models.QuerySet):
    def live(self) -> "RespondentLinkQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class RespondentLink(models.Model):
    """One personal link to a respondent's questionnaire, stored as the SHA-256 digest of its
    token. A respondent may hold several working links: a reminder carries a fresh one and
    leaves the earlier ones working, because the token of a link already sent is not kept
    (only its digest is), so it cannot be sent again, and breaking the link in someone's inbox
    would strand them halfway through. "New link" revokes the others on purpose."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"
        REPLACEMENT = "replacement", "New link"

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RespondentLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.respondent}: {self.get_purpose_display()} link"

    @property
    def works(self) -> bool:
        return self.revoked_at is None and timezone.now() < self.expires_at


class LinkEmail(models.Model):
    """An email that carried a questionnaire link to a respondent: the invitation or a
    reminder, sent by a consultant or on the schedule. Every send is kept and shown."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"

    class Schedule(models.TextChoices):
        MANUAL = "manual", "Sent by hand"
        THREE_DAYS_BEFORE = "three_days_before", "Three days before the deadline"
        DEADLINE_DAY = "deadline_day", "On the deadline"

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="emails")
    link = models.ForeignKey(
        RespondentLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    schedule = models.CharField(max_length=20, choices=Schedule.choices, default=Schedule.MANUAL)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["respondent", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.respondent} on {self.sent_at:%Y-%m-%d}"


class Choice(models.TextChoices):
    """An answer: a maturity level, or one of the two ways of not giving one."""

    LEVEL_1 = "1", f"1 {LEVEL_NAMES[1]}"
    LEVEL_2 = "2", f"2 {LEVEL_NAMES[2]}"
    LEVEL_3 = "3", f"3 {LEVEL_NAMES[3]}"
    LEVEL_4 = "4", f"4 {LEVEL_NAMES[4]}"
    LEVEL_5 = "5", f"5 {LEVEL_NAMES[5]}"
    NOT_APPLICABLE = "NA", "Not applicable"
    DONT_KNOW = "DK", "Don't know"


class AnswerSource(models.TextChoices):
    RESPONDENT = "respondent", "By the respondent"
    FACILITATED = "facilitated", "In a facilitated session"
    IMPORTED = "imported", "Imported from CSV"


class AnswerQuerySet(models.QuerySet):
    def upsert(self, answers: list["Answer"]) -> None:
        """Save answers as one INSERT ... ON CONFLICT (respondent, question) DO UPDATE.

        However many tabs, retries or concurrent requests save the same answer, there is one
        row per respondent and question, and whichever write commits last wins.
        """
        self.bulk_create(
            answers,
            update_conflicts=True,
            unique_fields=["respondent", "question"],
            update_fields=["choice", "comment", "source", "entered_by", "updated_at"],
        )


class Answer(models.Model):
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(max_length=2, choices=Choice.choices)
    comment = models.TextField(blank=True, max_length=2000)
    source = models.CharField(
        max_length=12, choices=AnswerSource.choices, default=AnswerSource.RESPONDENT
    )
    # The consultant who entered a facilitated answer; null when the respondent answered.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            # Saves are upserts on this pair: one answer per respondent and question, however
            # many tabs, retries or concurrent requests.
            models.UniqueConstraint(
                fields=["respondent", "question"], name="one_answer_per_respondent_and_question"
            ),
            models.CheckConstraint(
                condition=Q(choice__in=Choice.values), name="answer_choice_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=AnswerSource.values), name="answer_source_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} · {self.question.key}: {self.choice}"

    @property
    def level(self) -> int | None:
        """The maturity level chosen, or None for Not applicable and Don't know."""
        return int(self.choice) if self.choice.isdigit() else None


class ReportRender(models.Model):
    """A rendered PDF report, kept for the state of the data it was rendered from.

    `digest` is the report's cache key (assessments.cache_keys.report_key: the code and the data),
    so a repeat download of an unchanged assessment is served from here at once, and any change
    makes a new render. Rows live in the database so that every app server and the background
    worker share them.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="report_renders"
    )
    digest = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.BinaryField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    # The answers the report rested on (the client's, over its quarters), so that the time of
    # recent renders per answer can estimate a report not rendered yet (pdf.estimated_seconds).
    answer_count = models.PositiveIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "digest"], name="one_render_per_state"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "ready", "failed"]), name="render_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Report of {self.assessment} ({self.get_status_display().lower()})"


class ReportSections(models.TextChoices):
    SUMMARY = "summary", "Executive summary only"
    STANDARD = "standard", "Standard: the summary, a page per dimension, funnel, plan and trend"
    FULL = "full", "Full: the standard report with the methodology and every answer appended"


class ReportCurrency(models.TextChoices):
    NONE = "", "No currency sign"
    USD = "USD", "US dollars ($)"
    EUR = "EUR", "Euros (€)"
    GBP = "GBP", "Pounds sterling (£)"


CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


class ReportNumberFormat(models.TextChoices):
    COMMA_POINT = "", "1,234.5 (comma for thousands, point for decimals)"
    POINT_COMMA = "point_comma", "1.234,5 (point for thousands, comma for decimals)"
    SPACE_COMMA = "space_comma", "1 234,5 (space for thousands, comma for decimals)"
    APOSTROPHE_POINT = "apostrophe_point", "1’234.5 (apostrophe for thousands)"


# A no-break space, so a number never breaks across lines.
NUMBER_FORMATS = {
    ReportNumberFormat.COMMA_POINT: NumberFormat(",", "."),
    ReportNumberFormat.POINT_COMMA: NumberFormat(".", ","),
    ReportNumberFormat.SPACE_COMMA: NumberFormat("\u00a0", ","),
    ReportNumberFormat.APOSTROPHE_POINT: NumberFormat("’", "."),
}


# The consultant's note per dimension, as a field of ReportOptions (the dimensions are fixed).
NOTE_FIELDS = {key: f"note_{key}" for key in TARGET_FIELDS}
# The executive note has a page of its own; a dimension's note shares its page with the next
# steps, so it is shorter (tests/test_report_layout.py renders both at their longest).
EXECUTIVE_NOTE_MAX_LENGTH = 3000
NOTE_MAX_LENGTH = 600


class ReportOptions(models.Model):
    """How an assessment's PDF report is made, chosen by a consultant and remembered: which
    sections, and the consultant's own words. Every combination is a stored render of its own
    (cache_keys.report_key takes `render_key()`), so switching back reuses an earlier one.
    Without a row, the report is the standard one with no notes."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="report_options"
    )
    sections = models.CharField(
        max_length=10, choices=ReportSections.choices, default=ReportSections.STANDARD
    )
    # Plain text; blank lines start paragraphs.
    executive_note = models.TextField(blank=True, max_length=EXECUTIVE_NOTE_MAX_LENGTH)
    note_people = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    note_process = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    note_content = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    note_technology = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    # The funnel's money figures (deal size) are amounts without a currency; the report
    # says which one when the consultant chooses it.
    currency = models.CharField(
        max_length=3, choices=ReportCurrency.choices, blank=True, default=ReportCurrency.NONE
    )
    # How the report writes the funnel's figures, for readers who write 1.234,5.
    number_format = models.CharField(
        max_length=20,
        choices=ReportNumberFormat.choices,
        blank=True,
        default=ReportNumberFormat.COMMA_POINT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sections__in=ReportSections.values), name="report_sections_known"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=ReportCurrency.values), name="report_currency_known"
            ),
            models.CheckConstraint(
                condition=Q(number_format__in=ReportNumberFormat.values),
                name="report_number_format_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Report options of {self.assessment}"

    @classmethod
    def of(cls, assessment: Assessment) -> "ReportOptions":
        """The saved options, or the defaults (unsaved) when none were chosen."""
        return cls.objects.filter(assessment=assessment).first() or cls(assessment=assessment)

    def note_for(self, dimension_key: str) -> str:
        field = NOTE_FIELDS.get(dimension_key)
        return getattr(self, field) if field else ""

    def show_kpi(self, kpi) -> str:
        """A funnel KPI as the report writes it: in the chosen number format and currency."""
        return kpi.shown(NUMBER_FORMATS[self.number_format], CURRENCY_SIGNS.get(self.currency, ""))

    def render_key(self) -> str:
        """What of the options changes the PDF: the sections, the currency, the number format
        and the notes' text (not when they were saved, so choosing an earlier combination
        again finds its render)."""
        notes = [self.executive_note, *(getattr(self, f) for f in NOTE_FIELDS.values())]
        digest = hashlib.sha256("\0".join(notes).encode()).hexdigest()[:16]
        return f"{self.sections}:{self.currency}:{self.number_format}:{digest}"


# ---- The action plan -------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_PLAN_STATUSES = (PlanStatus.PLANNED, PlanStatus.IN_PROGRESS)


class PlanItemQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> "PlanItemQuerySet":
        return self.filter(client__workspace=workspace)

    def open(self) -> "PlanItemQuerySet":
        return self.filter(status__in=OPEN_PLAN_STATUSES)

    def overdue(self, today) -> "PlanItemQuerySet":
        """Open items whose target quarter has ended."""
        current = Quarter.of(today)
        return self.open().filter(
            Q(target_year__lt=current.year)
            | Q(target_year=current.year, target_quarter__lt=current.number)
        )


class PlanItem(models.Model):
    """One thing a client will do, usually a recommendation turned into work. Plans span
    quarters, so items belong to the client, not to one assessment."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plan_items")
    title = models.CharField(max_length=200)
    # Bank question keys are stable across versions, so later quarters can tell whether the
    # questions this item addresses moved.
    question_keys = models.JSONField(default=list, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField("owner (not a member)", max_length=120, blank=True)
    target_year = models.PositiveSmallIntegerField()
    target_quarter = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.PLANNED)
    notes = models.TextField(blank=True, max_length=5000)
    source_assessment = models.ForeignKey(
        Assessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["target_year", "target_quarter", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_known"
            ),
            models.CheckConstraint(
                condition=Q(target_quarter__range=(1, 4)), name="plan_target_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(target_year__range=(2000, 2100)), name="plan_target_year_plausible"
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def target_period(self) -> Quarter:
        return Quarter(self.target_year, self.target_quarter)

    @property
    def owner_display(self) -> str:
        return self.owner_user.name if self.owner_user_id else self.owner_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PLAN_STATUSES

    def set_status(self, status: str) -> None:
        """Set the status (unsaved), keeping `completed_at` the moment the item was last
        marked done."""
        if status == PlanStatus.DONE and self.status != PlanStatus.DONE:
            self.completed_at = timezone.now()
        elif status != PlanStatus.DONE:
            self.completed_at = None
        self.status = status

    def change_status(self, status: str) -> None:
        """Set and save the status; nothing is written when it is the same."""
        if status != self.status:
            self.set_status(status)
            self.save(update_fields=["status", "completed_at", "updated_at"])

    def delete(self, *args, **kwargs):
        """Remove the item, and refresh its client's standing (see Assessment.delete)."""
        deleted = super().delete(*args, **kwargs)
        refresh_standings([self.client_id])
        return deleted

    def is_overdue(self, today) -> bool:
        return self.is_open and self.target_period < Quarter.of(today)


# ---- The dashboard --------------------------------------------------------------------


def _latest_results(field: str) -> Subquery:
    """A field of the client's latest results: its latest closed assessment with submitted
    answers, or, before any has closed, its latest open one (shown as preliminary)."""
    scored = (
        Assessment.objects.filter(client=OuterRef("pk"))
        .with_results()
        .order_by(
            Case(When(status=Assessment.Status.CLOSED, then=0), default=1), "-year", "-quarter"
        )
    )
    return Subquery(scored.values(field)[:1])


def _previous_results(field: str) -> Subquery:
    """The same field of the previous quarter of the latest results: the latest earlier
    quarter with results, as results.previous_assessment defines it."""
    earlier = (
        Assessment.objects.filter(client=OuterRef("pk"))
        .with_results()
        .filter(
            Q(year__lt=OuterRef("latest_year"))
            | Q(year=OuterRef("latest_year"), quarter__lt=OuterRef("latest_quarter"))
        )
        .order_by("-year", "-quarter")
    )
    return Subquery(earlier.values(field)[:1])


class TrackedClientQuerySet(ClientQuerySet):
    def with_latest_results(self) -> "TrackedClientQuerySet":
        """Each client annotated with its latest results, the previous quarter's overall
        index, its newest quarter and its open plan items: one query for the dashboard,
        whatever the number of clients and quarters (the figures are results snapshots)."""
        newest = Assessment.objects.filter(client=OuterRef("pk")).order_by("-year", "-quarter")
        open_items = (
            PlanItem.objects.filter(client=OuterRef("pk"), status__in=OPEN_PLAN_STATUSES)
            .values("client")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            latest_id=_latest_results("pk"),
            latest_year=_latest_results("year"),
            latest_quarter=_latest_results("quarter"),
            latest_status=_latest_results("status"),
            latest_index=_latest_results("overall_index"),
            latest_drop=_latest_results("baton_drop"),
            latest_respondents=_latest_results("submitted_count"),
            latest_partial=_latest_results("index_summary__partial"),
        ).annotate(
            previous_index=_previous_results("overall_index"),
            previous_year=_previous_results("year"),
            previous_quarter=_previous_results("quarter"),
            newest_status=Subquery(newest.values("status")[:1]),
            newest_year=Subquery(newest.values("year")[:1]),
            newest_quarter=Subquery(newest.values("quarter")[:1]),
            open_items=Coalesce(Subquery(open_items), Value(0), output_field=IntegerField()),
        )

    def with_responses(self) -> "TrackedClientQuerySet":
        """Each client annotated with its newest open assessment's responses: how many
        respondents, how many submitted, the deadline, and whether submissions came in since
        a consultant last looked (one query, like with_latest_results)."""
        open_now = Assessment.objects.filter(
            client=OuterRef("pk"), status=Assessment.Status.OPEN
        ).order_by("-year", "-quarter")
        of_it = Respondent.objects.filter(assessment=OuterRef("open_id")).values("assessment")
        total = of_it.annotate(n=Count("pk")).values("n")
        submitted = of_it.filter(submitted_at__isnull=False).annotate(
            n=Count("pk"), latest=Max("submitted_at")
        )
        return self.annotate(
            open_id=Subquery(open_now.values("pk")[:1]),
            open_deadline=Subquery(open_now.values("deadline")[:1]),
            open_seen_at=Subquery(open_now.values("submissions_seen_at")[:1]),
        ).annotate(
            open_total=Coalesce(Subquery(total), Value(0), output_field=IntegerField()),
            open_submitted=Coalesce(
                Subquery(submitted.values("n")), Value(0), output_field=IntegerField()
            ),
            open_last_submitted=Subquery(submitted.values("latest")),
            open_share_submitted=Case(
                When(open_total__gt=0, then=F("open_submitted") * 1.0 / F("open_total")),
                When(open_id__isnull=False, then=Value(0.0)),
                default=None,
                output_field=models.FloatField(),
            ),
        )


class TrackedClient(Client):
    """A client as the assessments app sees it, with its results over the quarters. A proxy:
    the `clients` app knows nothing of assessments, so what reads them lives here."""

    objects = TrackedClientQuerySet.as_manager()

    class Meta:
        proxy = True


# ---- Each client's standing: what the dashboard shows and sorts by -------------------------

# The figures `with_latest_results` and `with_responses` annotate, stored on the standing.
STANDING_FIGURES = [
    "latest_id",
    "latest_year",
    "latest_quarter",
    "latest_status",
    "latest_index",
    "latest_drop",
    "latest_respondents",
    "latest_partial",
    "previous_index",
    "previous_year",
    "previous_quarter",
    "newest_status",
    "newest_year",
    "newest_quarter",
    "open_items",
    "open_id",
    "open_deadline",
    "open_seen_at",
    "open_total",
    "open_submitted",
    "open_last_submitted",
    "open_share_submitted",
]
# Copied from the client: its workspace leads every index, which holds the clients not
# archived; the name orders; the name and industry are shown and searched, so that the page
# reads one table. Then the sort keys that stand for "nulls last" (below).
STANDING_COPIED = ["workspace_id", "name", "industry", "active"]
STANDING_SORT_KEYS = ["has_results", "has_index", "has_open", "has_deadline"]
STANDING_BATCH = 500  # clients recomputed per query (SQLite's parameter limit)


def _sorts(order: str, *fields: str) -> models.Index:
    """The index of one dashboard order, within a workspace's active clients. Partial, on
    `active`: a filter on a boolean column is written `WHERE active`, which no index column
    serves as an equality, but which matches the index's own condition."""
    return models.Index(
        fields=["workspace", *fields], name=f"standing_by_{order}", condition=Q(active=True)
    )


# The dashboard's orders, by the standing's fields. A nullable figure sorts "nulls last" by a
# boolean in front of it (`-has_index`, `latest_index`), not by NULLS LAST: SQLite cannot
# index NULLS LAST at all, and PostgreSQL only in an index of its own for each direction, so
# this way one plain index per order serves it on both.
DASHBOARD_ORDERINGS = {
    "name": ["name"],
    "latest": ["-has_results", "-latest_year", "-latest_quarter", "name"],
    "index": ["-has_index", "-latest_index", "name"],
    "index_low": ["-has_index", "latest_index", "name"],
    "open_items": ["-open_items", "name"],
    # Who needs chasing first: open assessments by the share submitted, then the nearest
    # deadline; clients with nothing open last.
    "responses": ["-has_open", "open_share_submitted", "-has_deadline", "open_deadline", "name"],
}


class ClientStandingQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> "ClientStandingQuerySet":
        return self.filter(workspace=workspace)

    def active(self) -> "ClientStandingQuerySet":
        return self.filter(active=True)

    def search(self, text: str) -> "ClientStandingQuerySet":
        """As ClientQuerySet.search, on the client's name and industry."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(industry__icontains=text))

    def in_dashboard_order(self, sort: str) -> "ClientStandingQuerySet":
        """Ordered as the dashboard's `sort` asks (by name for an unknown one): each order
        is an index's, so a page of it reads 25 rows whatever the number of clients."""
        return self.order_by(*DASHBOARD_ORDERINGS.get(sort, DASHBOARD_ORDERINGS["name"]))


class ClientStanding(models.Model):
    """A client's latest figures, as the dashboard shows and sorts them, kept on one row so
    that the dashboard reads a page of them through an index instead of working them out for
    every client of the workspace on each request.

    Never edited: `refresh_standings` recomputes it from `with_latest_results` and
    `with_responses` (the one definition of what it holds), in the transaction of every write
    to what it rests on: results snapshots (summaries), an assessment's creation, status and
    deadline, its submissions seen, a respondent added, a plan item saved or removed, and the
    client itself (a signal: the clients app knows nothing of this one)."""

    client = models.OneToOneField(
        Client, on_delete=models.CASCADE, primary_key=True, related_name="standing"
    )
    # No index of its own: each of the indexes below starts with it.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=120)
    industry = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)  # not archived
    # The latest results (see _latest_results) and the quarter before them.
    latest_id = models.IntegerField(null=True)
    latest_year = models.PositiveSmallIntegerField(null=True)
    latest_quarter = models.PositiveSmallIntegerField(null=True)
    latest_status = models.CharField(max_length=10, blank=True)
    latest_index = models.FloatField(null=True)
    latest_drop = models.CharField(max_length=20, blank=True)
    latest_respondents = models.PositiveIntegerField(null=True)
    latest_partial = models.BooleanField(default=False)
    previous_index = models.FloatField(null=True)
    previous_year = models.PositiveSmallIntegerField(null=True)
    previous_quarter = models.PositiveSmallIntegerField(null=True)
    # The newest quarter, whatever its status, and the open plan items.
    newest_status = models.CharField(max_length=10, blank=True)
    newest_year = models.PositiveSmallIntegerField(null=True)
    newest_quarter = models.PositiveSmallIntegerField(null=True)
    open_items = models.PositiveIntegerField(default=0)
    # The newest open assessment and its responses.
    open_id = models.IntegerField(null=True)
    open_deadline = models.DateField(null=True)
    open_seen_at = models.DateTimeField(null=True)
    open_total = models.PositiveIntegerField(default=0)
    open_submitted = models.PositiveIntegerField(default=0)
    open_last_submitted = models.DateTimeField(null=True)
    open_share_submitted = models.FloatField(null=True)
    # Sort keys: whether the nullable figure after each is there (DASHBOARD_ORDERINGS).
    has_results = models.BooleanField(default=False)
    has_index = models.BooleanField(default=False)
    has_open = models.BooleanField(default=False)
    has_deadline = models.BooleanField(default=False)

    objects = ClientStandingQuerySet.as_manager()

    class Meta:
        indexes = [_sorts(order, *fields) for order, fields in DASHBOARD_ORDERINGS.items()]

    def __str__(self) -> str:
        return f"Standing of {self.name}"


def computed_standings(client_ids) -> dict[int, dict]:
    """Each client's standing as it should be now, by client id: the annotations of
    `with_latest_results` and `with_responses`, in one query. `refresh_standings` stores
    them; tests/test_standings.py checks the stored rows against them."""
    rows = (
        TrackedClient.objects.filter(pk__in=list(client_ids))
        .with_latest_results()
        .with_responses()
        .order_by()
        .values("pk", "workspace_id", "name", "industry", "archived_at", *STANDING_FIGURES)
    )
    standings = {}
    for row in rows:
        values = {field: row[field] for field in STANDING_FIGURES}
        values.update(
            workspace_id=row["workspace_id"],
            name=row["name"],
            industry=row["industry"],
            active=row["archived_at"] is None,
            # As each database gives a JSON boolean: True, 1 or "true".
            latest_partial=row["latest_partial"] in (True, 1, "true"),
            latest_status=row["latest_status"] or "",
            latest_drop=row["latest_drop"] or "",
            newest_status=row["newest_status"] or "",
            has_results=row["latest_id"] is not None,
            has_index=row["latest_index"] is not None,
            has_open=row["open_id"] is not None,
            has_deadline=row["open_deadline"] is not None,
        )
        standings[row["pk"]] = values
    return standings


def refresh_standings(client_ids) -> int:
    """Recompute and store the standings of these clients (a client without one gets one);
    three queries per STANDING_BATCH clients. Call it in the transaction of the write that
    changed what they rest on. Returns how many were stored."""
    ids = sorted(set(client_ids))
    stored = 0
    for start in range(0, len(ids), STANDING_BATCH):
        batch = ids[start : start + STANDING_BATCH]
        with transaction.atomic():
            if connection.features.has_select_for_update:
                # Two transactions refreshing one client take turns, and the second computes
                # after the first committed (PostgreSQL's read committed): the last write has
                # seen every change. SQLite runs one writer at a time anyway.
                list(ClientStanding.objects.select_for_update().filter(pk__in=batch).values("pk"))
            computed = computed_standings(batch)
            ClientStanding.objects.bulk_create(
                [ClientStanding(client_id=pk, **values) for pk, values in computed.items()],
                update_conflicts=True,
                unique_fields=["client"],
                update_fields=[
                    field.removesuffix("_id") if field == "workspace_id" else field
                    for field in [*STANDING_COPIED, *STANDING_FIGURES, *STANDING_SORT_KEYS]
                ],
            )
        stored += len(computed)
    return stored


class VisibilityChange(models.Model):
    """A change of who sees the answers, kept: respondents were told the setting in force."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="visibility_changes"
    )
    previous = models.CharField(max_length=12, choices=Visibility.choices)
    new = models.CharField(max_length=12, choices=Visibility.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answers_at_the_time = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.previous} → {self.new}"


# Signals, only where the writes are scattered. A client is written by the clients app (its
# forms, archive and restore, the admin), which knows nothing of standings; a plan item is
# saved by its form, the plan's add-a-recommendation, its status change, the demo data and the
# tests. Deletes are not signalled (a post_delete receiver would make every cascade fetch and
# signal each row): Assessment.delete and PlanItem.delete refresh the standing, and a
# client's removal takes its standing with it.

CLIENT_FIELDS_SHOWN = {"workspace", "name", "industry", "archived_at"}


@receiver(post_save, sender=Client)
@receiver(post_save, sender=TrackedClient)  # a proxy's saves are signalled as the proxy's
def _client_saved(sender, instance: Client, update_fields=None, **kwargs) -> None:
    if update_fields is None or CLIENT_FIELDS_SHOWN & set(update_fields):
        refresh_standings([instance.pk])


@receiver(post_save, sender=PlanItem)
def _plan_item_saved(sender, instance: PlanItem, update_fields=None, **kwargs) -> None:
    if update_fields is None or {"status", "client"} & set(update_fields):
        refresh_standings([instance.client_id])
