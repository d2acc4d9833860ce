"""Results as files: results.json, results.csv and answers.csv (docs/results-format.md).

Indexes and priorities carry one decimal, rounded half up; levels two. Text cells that a
spreadsheet would run as a formula are prefixed with an apostrophe (lib.csv.safe_cell), text cells
are quoted and numbers are not.
"""

from decimal import ROUND_HALF_UP, Decimal

from assessments.anonymity import FOLDED_ROLE, folded_roles, pseudonyms
from assessments.funnel_results import FunnelResults
from assessments.models import Answer, Assessment
from assessments.results import AssessmentResults
from assessments.scoring import QuestionResult
from funnel.kpis import FIGURE_FIELDS
from lib.csv import csv_text, safe_cell

SCHEMA = "relay.results/1"


def rounded(value: float | None, places: int = 1) -> float | None:
    """Half-up rounding of the number as written (0.05 -> 0.1), not of its binary value."""
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))


def _answer_counts(question: QuestionResult) -> dict:
    choices = [answer.choice for answer in question.answers]
    return {
        "total": len(choices),
        "levels": sum(choice.isdigit() for choice in choices),
        "not_applicable": choices.count("NA"),
        "dont_know": choices.count("DK"),
    }


def _previous_data(current: AssessmentResults, previous: AssessmentResults | None) -> dict | None:
    """The quarter compared with (results.previous_assessment) and the changes since."""
    if previous is None:
        return None
    now, before = current.results.overall_index, previous.results.overall_index
    indexes = {d.key: d.index for d in previous.results.dimensions}
    return {
        "quarter": str(previous.assessment.period),
        "overall_index": rounded(before),
        "overall_change": rounded(now - before) if None not in (now, before) else None,
        "dimensions": {key: rounded(index) for key, index in indexes.items()},
    }


def _consensus(assessment, key: str) -> dict | None:
    entry = (assessment.consensus_levels or {}).get(key)
    if not isinstance(entry, dict):
        return None
    return {"level": entry["level"], "note": entry["note"], "recorded_at": entry["recorded_at"]}


def _validation(assessment, key: str) -> dict:
    entry = assessment.validated_levels[key]
    return {
        "level": entry["level"],
        "reason": entry["reason"],
        "by": entry["by"],
        "on": entry["on"],
    }


def results_data(checked: FunnelResults, *, previous: AssessmentResults | None = None) -> dict:
    computed = checked.computed
    assessment, results = computed.assessment, computed.results
    act = checked.act_first
    return {
        "schema": SCHEMA,
        "assessment": {
            "client": assessment.client.name,
            "quarter": str(assessment.period),
            "bank_version": assessment.bank_version.label,
            "status": assessment.status,
            "submitted_respondents": results.respondent_count,
        },
        "act_first": {
            "handoff": act.key,
            "rule": act.rule,
            "headline": act.headline,
            "reason": act.reason,
        },
        "targets": assessment.targets,
        "overall": {
            "index": rounded(results.overall_index),
            "stage": results.overall_stage.number if results.overall_stage else None,
            "stage_name": results.overall_stage.name if results.overall_stage else None,
            "partial": results.overall_partial,
            "preliminary": assessment.status != assessment.Status.CLOSED,
        },
        "dimensions": [
            {
                "key": d.key,
                "name": d.name,
                "weight": d.weight,
                "index": rounded(d.index),
                "stage": d.stage.number if d.stage else None,
                "stage_name": d.stage.name if d.stage else None,
                "confidence": (
                    {
                        "value": rounded(d.confidence.value, 2),
                        "label": d.confidence.label,
                        "levels": d.confidence.levels,
                        "expected": d.confidence.expected,
                        "agreement": rounded(d.confidence.agreement, 2),
                    }
                    if d.confidence
                    else None
                ),
                "target": d.target,
                "target_index": rounded(d.target_index),
                "gap": rounded(d.gap),
            }
            for d in results.dimensions
        ],
        "handoffs": [
            {
                "key": h.key,
                "name": h.name,
                "index": rounded(h.index),
                "at_risk": h.at_risk,
                "baton_drop": h.baton_drop,
            }
            for h in results.handoffs
        ],
        "questions": [
            {
                "key": q.key,
                "dimension": q.spec.dimension,
                "text": q.spec.text,
                "weight": float(q.spec.weight),
                "handoffs": list(q.spec.handoffs),
                "level": rounded(q.level, 2),
                "index": rounded(q.index),
                "spread": q.spread,
                "answers": _answer_counts(q),
                # A consultant's level from evidence replaces the respondents' in `level`.
                "answered_level": rounded(q.answered_level, 2),
                "validation": _validation(assessment, q.key) if q.validated else None,
                # A workshop's consensus: `level` unless a validated level comes first.
                "consensus": _consensus(assessment, q.key),
            }
            for q in results.questions
        ],
        "recommendations": [
            {
                "rank": rank,
                "question": r.question.key,
                "title": r.title,
                "next_steps": r.next_steps,
                "from_level": r.rung.from_level,
                "priority": rounded(r.priority),
                "impact": r.impact,
                "effort": r.effort,
                "handoffs": list(r.question.handoffs),
                "level": rounded(r.level, 2),
                "target": r.target,
                "on_baton_drop": r.on_baton_drop,
                "funnel_boost": r.funnel_boost,
            }
            for rank, r in enumerate(results.recommendations, start=1)
        ],
        "alignment": _alignment_data(computed),
        "funnel": _funnel_data(checked),
        "previous_quarter": _previous_data(computed, previous),
    }


def _kpi_value(kpi) -> float | None:
    """Fractions with four decimals (0.2513 is 25.13 %), days and money with one or two."""
    places = {
        "percent": 4,
        "growth": 4,
        "days": 1,
        "money": 2,
        "money_cents": 4,
        "multiple": 4,
    }.get(kpi.unit, 4)
    return rounded(kpi.value, places)


def _funnel_data(checked: FunnelResults) -> dict | None:
    funnel = checked.funnel
    if funnel is None:
        return None
    found = {c.handoff: c for c in checked.contradictions}
    indexes = {h.key: h.index for h in checked.computed.results.handoffs}
    return {
        "quarter": funnel.figures.label,
        "figures": {name: getattr(funnel.figures, name) for name in FIGURE_FIELDS},
        "kpis": {key: _kpi_value(kpi) for key, kpi in funnel.kpis.items()},
        "discount_rate": rounded(funnel.discount_rate, 4),
        "flags": funnel.flags,
        "handoffs": [
            {
                "key": key,
                "name": health.name,
                "questionnaire_index": rounded(indexes.get(key)),
                "observed_score": rounded(health.score),
                "observed_health": health.label,
                "metrics": [
                    {"key": m.kpi.key, "value": _kpi_value(m.kpi), "status": m.status}
                    for m in health.metrics
                ],
                "contradiction": found[key].kind if key in found else None,
            }
            for key, health in funnel.health.items()
        ],
        "contradictions": [
            {"handoff": c.handoff, "kind": c.kind, "message": c.message}
            for c in checked.contradictions
        ],
        "priority_boosts": funnel.boosts,
        "evidence": [
            {
                "question": check.question.key,
                "index": rounded(check.question.index),
                "verdict": check.verdict or None,
                "metrics": [
                    {"key": m.kpi.key, "value": _kpi_value(m.kpi), "status": m.status}
                    for m in check.figures
                ],
            }
            for check in checked.evidence
        ],
        "signs": [
            {
                "key": sign.key,
                "name": sign.name,
                "handoff": sign.handoff,
                "status": sign.status,
                "metrics": [
                    {
                        "key": figure.kpi.key,
                        "value": _kpi_value(figure.kpi),
                        "status": figure.health.status,
                        "previous_value": _kpi_value(figure.previous) if figure.previous else None,
                    }
                    for figure in sign.figures
                ],
            }
            for sign in funnel.signs
        ],
    }


def _alignment_data(computed: AssessmentResults) -> dict | None:
    alignment = computed.results.alignment
    if alignment is None:
        return None
    return {
        "disagreements": [{"question": q.key, "spread": q.spread} for q in alignment.disagreements],
        "role_indexes": {
            role: {dimension: rounded(index) for dimension, index in indexes.items()}
            for role, indexes in alignment.role_indexes.items()
        },
        "gaps": [
            {
                "dimension": gap.dimension,
                "highest_role": gap.highest_role,
                "highest": rounded(gap.highest),
                "lowest_role": gap.lowest_role,
                "lowest": rounded(gap.lowest),
                "difference": rounded(gap.difference),
            }
            for gap in alignment.gaps
        ],
    }


RESULTS_CSV_COLUMNS = [
    "question_key",
    "dimension",
    "weight",
    "handoffs",
    "level",
    "index",
    "spread",
    "answers",
    "levels",
    "not_applicable",
    "dont_know",
    "recommendation_rank",
    "priority",
    "recommendation_from_level",
    # A level validated from evidence replaces the answers' mean in `level` (and the index).
    "answered_level",
    "validated_level",
    "validation_reason",
    # A live workshop's consensus, which `level` is unless a level was validated.
    "consensus_level",
    "consensus_note",
]


def results_rows(computed: AssessmentResults) -> list[list]:
    """results.csv's rows as typed values (numbers as numbers, None for a blank cell), for the
    CSV and the workbook alike."""
    results = computed.results
    ranks = {
        r.question.key: (rank, r.priority, r.rung.from_level)
        for rank, r in enumerate(results.recommendations, 1)
    }
    rows = []
    for q in results.questions:
        counts = _answer_counts(q)
        rank, priority, from_level = ranks.get(q.key, (None, None, None))
        validation = computed.assessment.validated_levels.get(q.key) if q.validated else None
        consensus = _consensus(computed.assessment, q.key)
        rows.append(
            [
                q.key,
                q.spec.dimension,
                float(q.spec.weight),
                ";".join(q.spec.handoffs),
                rounded(q.level, 2),
                rounded(q.index),
                q.spread,
                counts["total"],
                counts["levels"],
                counts["not_applicable"],
                counts["dont_know"],
                rank,
                rounded(priority),
                from_level,
                rounded(q.answered_level, 2),
                validation["level"] if validation else None,
                safe_cell(validation["reason"]) if validation else None,
                consensus["level"] if consensus else None,
                safe_cell(consensus["note"]) if consensus else None,
            ]
        )
    return rows


def results_csv(computed: AssessmentResults) -> str:
    return csv_text(RESULTS_CSV_COLUMNS, results_rows(computed))  # None is written blank


ANSWERS_CSV_COLUMNS = ["respondent", "role", "question_key", "level", "comment", "submitted"]


def answers_rows(assessment: Assessment, *, anonymous: bool = False) -> list[list]:
    """Every answer given, submitted or not (the last column says), in the import's format,
    text that a spreadsheet would run as a formula neutralised (lib.csv.safe_cell); a level is
    a number, NA and DK text. `anonymous`: pseudonyms instead of names, small roles folded
    (assessments.anonymity)."""
    rows = list(
        Answer.objects.filter(respondent__assessment=assessment)
        .order_by("respondent__name", "question__dimension", "question__order", "question__key")
        .values_list(
            "respondent_id",
            "respondent__name",
            "respondent__role",
            "question__key",
            "choice",
            "comment",
            "respondent__submitted_at",
        )
    )
    if anonymous:
        rows = _anonymised_rows(assessment, rows)
    return [
        [
            safe_cell(name),
            role,
            key,
            int(choice) if choice.isdigit() else choice,
            safe_cell(comment),
            "yes" if submitted else "no",
        ]
        for _, name, role, key, choice, comment, submitted in rows
    ]


def answers_csv(assessment: Assessment, *, anonymous: bool = False) -> str:
    """answers.csv: `answers_rows` as CSV."""
    return csv_text(ANSWERS_CSV_COLUMNS, answers_rows(assessment, anonymous=anonymous))


def _anonymised_rows(assessment: Assessment, rows: list[tuple]) -> list[tuple]:
    respondents = list(assessment.respondents.values_list("pk", "role", "submitted_at"))
    names = pseudonyms(pk for pk, _, _ in respondents)
    roles = folded_roles([role for _, role, submitted in respondents if submitted])
    shown = [
        (rid, names[rid], roles.get(role, FOLDED_ROLE), key, choice, comment, submitted)
        for rid, _, role, key, choice, comment, submitted in rows
    ]
    # In pseudonym order (the file must not list people in the order of their names), each
    # person's answers in question order as before.
    order = {rid: number for number, rid in enumerate(sorted(names), 1)}
    ranked = sorted(enumerate(shown), key=lambda pair: (order[pair[1][0]], pair[0]))
    return [row for _, row in ranked]
