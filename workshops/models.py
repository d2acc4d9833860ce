"""A live workshop: a leadership team votes on their phones, question by question, the
facilitator reveals the votes and records the team's consensus.

Every vote is also its participant's answer (a respondent of the assessment), so the scoring,
results, report and exports take workshop answers like any other; the consensus goes to
`Assessment.consensus_levels`, which the scoring reads (assessments never import this app).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Workspace, hash_token
from assessments.models import Assessment, Choice, Respondent, RespondentRole

# Letters nobody mistakes for another on a projector or types wrongly on a phone: no I, L, O
# (one, zero), no U and V together, no S (five), no Z (two), no B (eight).
CODE_ALPHABET = "ACDEFGHJKMNPQRTWXY"
CODE_LENGTH = 6  # 18**6 = 34 million codes: with throttled joins, not guessable in a workshop


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(typed: str) -> str:
    """A code as typed on a phone: any case, spaces or dashes between the letters."""
    return "".join(typed.split()).replace("-", "").upper()


class Scope(models.TextChoices):
    ALL = "all", "Every question"
    DIMENSION = "dimension", "One dimension"
    DISAGREEMENTS = "disagreements", "Only the questions where earlier answers disagree"


class WorkshopQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> "WorkshopQuerySet":
        return self.filter(assessment__client__workspace=workspace)


class Workshop(models.Model):
    class Status(models.TextChoices):
        LOBBY = "lobby", "Waiting for people to join"
        RUNNING = "running", "Running"
        ENDED = "ended", "Ended"

    class Phase(models.TextChoices):
        VOTING = "voting", "Voting"
        REVEALED = "revealed", "Revealed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="workshops")
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LOBBY)
    scope = models.CharField(max_length=15, choices=Scope.choices, default=Scope.ALL)
    dimension = models.CharField(max_length=20, blank=True)  # with the one-dimension scope
    # The questions walked, in order, fixed when the workshop is created.
    question_keys = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField(default=0)  # index into question_keys
    round = models.PositiveSmallIntegerField(default=1)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.VOTING)
    # Bumped by every change anyone could see (a join, a vote, a reveal, a move): the screens
    # poll with the version they hold and get nothing back while it is the same.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["lobby", "running", "ended"]), name="workshop_status_known"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["voting", "revealed"]), name="workshop_phase_known"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=["all", "dimension", "disagreements"]),
                name="workshop_scope_known",
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="workshop_round_from_1"),
        ]

    def __str__(self) -> str:
        return f"Workshop {self.code} on {self.assessment}"

    @property
    def current_key(self) -> str | None:
        keys = self.question_keys or []
        return keys[self.position] if self.status == self.Status.RUNNING and keys else None

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED

    @property
    def accepts_votes(self) -> bool:
        return self.status == self.Status.RUNNING and self.phase == self.Phase.VOTING

    @property
    def stage(self) -> str:
        """What a participant's phone shows, as one string: it changes when the phone must."""
        return f"{self.status}.{self.position}.{self.round}.{self.phase}"

    def bump(self, *fields: str) -> None:
        """Save `fields` and a new version, in one UPDATE (the version counted by the database,
        so two changes at once never share a version)."""
        values = {field: getattr(self, field) for field in fields}
        Workshop.objects.filter(pk=self.pk).update(version=F("version") + 1, **values)
        self.version += 1  # near enough for this instance: pages read it afresh


class Participant(models.Model):
    """Someone in the room, on their phone: a respondent of the assessment (created when they
    join, or the one of the same name, who keeps their answers). The phone holds a secret
    token in its session; only the token's digest is stored."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="workshop_participations"
    )
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=20, choices=RespondentRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Whether joining created the respondent (so removing the participant removes it too).
    created_respondent = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "respondent"], name="one_participant_per_respondent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)


class Vote(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    question_key = models.CharField(max_length=80)
    round = models.PositiveSmallIntegerField()
    choice = models.CharField(max_length=2, choices=Choice.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Votes are upserts on this: one per participant, question and round.
            models.UniqueConstraint(
                fields=["participant", "question_key", "round"], name="one_vote_per_round"
            ),
            models.CheckConstraint(condition=Q(choice__in=Choice.values), name="vote_choice_known"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.question_key} round {self.round}: {self.choice}"

    @property
    def level(self) -> int | None:
        return int(self.choice) if self.choice.isdigit() else None


class Consensus(models.Model):
    """The level the team agreed on for one question, and what was decided."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="consensus")
    question_key = models.CharField(max_length=80)
    level = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True, max_length=1000)
    rounds = models.PositiveSmallIntegerField(default=1)  # rounds of votes held
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "consensus"
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "question_key"], name="one_consensus_per_question"
            ),
            models.CheckConstraint(condition=Q(level__range=(1, 5)), name="consensus_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.question_key}: {self.level}"
