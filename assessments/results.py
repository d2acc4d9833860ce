"""An assessment's results: its rows read from the database, scored by `scoring.score`.

Reading costs a constant number of queries: the bank version's dimensions and questions (read
once per version, and shared with the previous quarter when it used the same version) and the
assessment's answers, with their respondents, in one query.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q

from assessments.anonymity import anonymised
from assessments.models import Answer, Assessment
from assessments.scoring import (
    DimensionSpec,
    QuestionSpec,
    RespondentSpec,
    ResponseSpec,
    Results,
    RungSpec,
    ScoringInput,
    score,
)
from bank.structure import structure_of


@dataclass
class BankCache:
    """Dimensions and questions per bank version: published versions never change."""

    versions: dict[int, tuple[tuple[DimensionSpec, ...], tuple[QuestionSpec, ...]]] = field(
        default_factory=dict
    )
    question_keys: dict[int, str] = field(default_factory=dict)  # question id -> key

    def specs(self, assessment: Assessment):
        version_id = assessment.bank_version_id
        if version_id not in self.versions:
            self.versions[version_id] = self._load(assessment)
        return self.versions[version_id]

    def _load(self, assessment: Assessment):
        structure = structure_of(assessment.bank_version)
        dimensions = tuple(
            DimensionSpec(d.key, d.name, d.order, d.weight) for d in structure.dimensions
        )
        questions = []
        for q in structure.questions:
            self.question_keys[q.pk] = q.key
            questions.append(
                QuestionSpec(
                    key=q.key,
                    dimension=q.dimension,
                    order=q.order,
                    weight=q.weight,  # a Decimal: the scoring works with it exactly
                    handoffs=tuple(q.handoffs),
                    text=q.text,
                    rungs=tuple(
                        RungSpec(r.from_level, r.title, r.next_steps, r.impact, r.effort)
                        for r in sorted(q.rungs.all(), key=lambda rung: rung.from_level)
                    ),
                    replaces=tuple(q.replaces),
                )
            )
        return dimensions, tuple(questions)


@dataclass(frozen=True)
class AssessmentResults:
    assessment: Assessment
    results: Results
    in_progress: int  # respondents who started but have not submitted


_ANSWER_FIELDS = (
    "respondent_id",
    "respondent__name",
    "respondent__role",
    "submitted",
    "question_id",
    "choice",
    "comment",
)


def _answer_rows(answers):
    # Whether the respondent submitted, as a boolean computed by the database: converting a
    # submission datetime per answer row costs more than all the rest of reading them.
    return answers.annotate(
        submitted=ExpressionWrapper(
            Q(respondent__submitted_at__isnull=False), output_field=BooleanField()
        )
    )


def _scoring_input(
    assessment: Assessment,
    cache: BankCache,
    rows,
    boosts: dict[str, float] | None = None,
    *,
    anonymous: bool = False,
) -> tuple[ScoringInput, int]:
    dimensions, questions = cache.specs(assessment)
    respondents, responses = {}, []
    for respondent_id, name, role, submitted, question_id, choice, comment in rows:
        if respondent_id not in respondents:
            respondents[respondent_id] = RespondentSpec(respondent_id, name, role, submitted)
        key = cache.question_keys.get(question_id)
        if key is not None:
            responses.append(ResponseSpec(respondent_id, key, choice, comment))
    people = tuple(respondents.values())
    data = ScoringInput(
        dimensions=dimensions,
        questions=questions,
        respondents=anonymised(people) if anonymous else people,
        responses=tuple(responses),
        targets=assessment.targets,
        handoff_boosts=boosts or {},
        validated_levels=assessment.validated_level_values,
        consensus_levels=assessment.consensus_level_values,
    )
    return data, sum(not r.submitted for r in respondents.values())


def scoring_input(
    assessment: Assessment,
    cache: BankCache,
    boosts: dict[str, float] | None = None,
    *,
    anonymous: bool = False,
) -> tuple[ScoringInput, int]:
    """The assessment as plain values, and how many respondents are still answering;
    `anonymous` puts the respondents under pseudonyms and folds small roles (anonymity)."""
    cache.specs(assessment)
    answers = Answer.objects.filter(respondent__assessment=assessment)
    rows = _answer_rows(answers).values_list(*_ANSWER_FIELDS)
    return _scoring_input(assessment, cache, rows, boosts, anonymous=anonymous)


def compute_results(
    assessment: Assessment,
    cache: BankCache | None = None,
    *,
    boosts: dict[str, float] | None = None,
    anonymous: bool = False,
) -> AssessmentResults:
    """Score one assessment; `boosts` are the funnel's priority multipliers per handoff;
    `anonymous` as in `scoring_input` (the figures are the same; the alignment by role
    shows folded roles)."""
    data, in_progress = scoring_input(assessment, cache or BankCache(), boosts, anonymous=anonymous)
    return AssessmentResults(assessment, score(data), in_progress)


def compute_many(
    assessments: list[Assessment],
    cache: BankCache | None = None,
    *,
    headline_only: bool = False,
) -> dict[int, AssessmentResults]:
    """The results of several assessments from one query for all their answers (plus the
    bank versions, once each): constant whatever their number. `headline_only` as in
    `scoring.score`."""
    cache = cache or BankCache()
    for assessment in assessments:
        cache.specs(assessment)
    rows_by_assessment: dict[int, list] = {a.pk: [] for a in assessments}
    answers = Answer.objects.filter(respondent__assessment__in=list(rows_by_assessment))
    rows = _answer_rows(answers).values_list("respondent__assessment_id", *_ANSWER_FIELDS)
    for assessment_id, *row in rows:
        rows_by_assessment[assessment_id].append(row)
    computed = {}
    for assessment in assessments:
        data, in_progress = _scoring_input(assessment, cache, rows_by_assessment[assessment.pk])
        results = score(data, headline_only=headline_only)
        computed[assessment.pk] = AssessmentResults(assessment, results, in_progress)
    return computed


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The previous quarter, as every page, report and export compares with: the client's
    latest earlier assessment with results. Quarters may have been skipped, and a quarter
    nobody answered is no baseline."""
    return (
        assessment.client.assessments.with_results()
        .before(assessment.period)
        .select_related("bank_version")
        .order_by("-year", "-quarter")
        .first()
    )


def previous_results(assessment: Assessment, cache: BankCache) -> AssessmentResults | None:
    """The results of the previous quarter (`previous_assessment`), or None without one."""
    earlier = previous_assessment(assessment)
    return compute_results(earlier, cache) if earlier else None


def role_table(results: Results) -> list[tuple]:
    """Rows of the role-by-dimension table: (dimension, [(role, index)], has_gap)."""
    alignment = results.alignment
    if alignment is None:
        return []
    gaps = {gap.dimension for gap in alignment.gaps}
    roles = sorted(alignment.role_indexes)
    return [
        (d, [(role, alignment.role_indexes[role][d.key]) for role in roles], d.key in gaps)
        for d in results.dimensions
    ]
