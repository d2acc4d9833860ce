"""What the PDF maturity report shows, gathered from the same scoring as the results page.

`report_context` builds the template's context. A rendered report is stored under
assessments.cache_keys.report_key, so it is reused exactly as long as nothing it shows (nor
the code that draws it) changed.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from assessments.funnel_results import compute_with_funnel, funnel_rows
from assessments.history import QuarterRow, client_quarters, trend_charts_of, trend_data
from assessments.models import (
    NOTE_FIELDS,
    Assessment,
    PlanItem,
    PlanStatus,
    ReportOptions,
    ReportSections,
)
from assessments.plan import ordered
from assessments.results import (
    AssessmentResults,
    BankCache,
    previous_results,
    role_table,
)
from assessments.scoring import DimensionResult, Recommendation
from lib.charts import RadarAxis, RelayHandoff, radar_chart, relay_chart
from lib.maturity import DIMENSION_NAMES, level_index

TOP_RECOMMENDATIONS = 10


@dataclass(frozen=True)
class DimensionChange:
    dimension: DimensionResult
    before: float
    since: str  # the quarter compared with

    @property
    def delta(self) -> float:
        return self.dimension.index - self.before


def _biggest_change(
    current: AssessmentResults, previous: AssessmentResults | None
) -> DimensionChange | None:
    if previous is None:
        return None
    before = {d.key: d.index for d in previous.results.dimensions}
    changes = [
        DimensionChange(d, before[d.key], str(previous.assessment.period))
        for d in current.results.dimensions
        if d.index is not None and before.get(d.key) is not None
    ]
    return max(changes, key=lambda change: abs(change.delta), default=None)


def _trend_table(rows: list[QuarterRow], current: AssessmentResults) -> list[tuple]:
    """Per quarter with results: its period, overall index, dimension indexes (in the order of
    this report's dimensions) and baton drop, from the results snapshots."""
    keys = [d.key for d in current.results.dimensions]
    table = []
    for row in rows:
        if row.has_results:
            dimensions = row.assessment.index_summary.get("dimensions", {})
            table.append(
                (
                    row.assessment.period,
                    row.assessment.overall_index,
                    [dimensions.get(key) for key in keys],
                    row.assessment.baton_drop,
                )
            )
    return table


def _charts(current: AssessmentResults, previous: AssessmentResults | None) -> dict:
    before = {d.key: d.index for d in previous.results.dimensions} if previous else {}
    radar = radar_chart(
        [
            RadarAxis(d.name, d.index, level_index(d.target), before.get(d.key))
            for d in current.results.dimensions
        ],
        title="Maturity by dimension",
        previous_label=str(previous.assessment.period) if previous else None,
        id_prefix="report-radar",
    )
    relay = relay_chart(
        [
            RelayHandoff(h.key, h.name, h.index, h.at_risk, h.baton_drop)
            for h in current.results.handoffs
        ],
        title="The relay: index of each handoff",
        id_prefix="report-relay",
    )
    return {"radar": radar, "relay": relay}


@dataclass(frozen=True)
class AppendixColumn:
    respondent_id: int
    label: str  # short: initials
    name: str
    role: str


def _initials(name: str, taken: set[str]) -> str:
    base = "".join(part[0] for part in name.split() if part).upper()[:3] or "?"
    label, number = base, 2
    while label in taken:
        label, number = f"{base}{number}", number + 1
    taken.add(label)
    return label


def _appendix(current: AssessmentResults) -> dict:
    """Every answer as a matrix per dimension (a column per respondent), comments beneath."""
    seen: dict[int, object] = {}
    for question in current.results.questions:
        for answer in question.answers:
            seen.setdefault(answer.respondent.id, answer.respondent)
    taken: set[str] = set()
    columns = [
        AppendixColumn(r.id, _initials(r.name, taken), r.name, r.role)
        for r in sorted(seen.values(), key=lambda r: (r.role, r.name))
    ]
    sections = []
    for dimension, questions in _by_dimension(current):
        rows, comments = [], []
        for question in questions:
            given = {a.respondent.id: a for a in question.answers}
            rows.append(
                (
                    question,
                    [
                        given[c.respondent_id].choice if c.respondent_id in given else ""
                        for c in columns
                    ],
                )
            )
            comments += [(question, a.respondent, a.comment) for a in question.answers if a.comment]
        sections.append((dimension, rows, comments))
    return {"columns": columns, "sections": sections}


APPENDIX_CHOICES = ("1", "2", "3", "4", "5", "NA", "DK")


def _anonymous_appendix(current: AssessmentResults) -> dict:
    """How many gave each answer, per question, and the comments without their authors:
    no column per respondent, so no one's answers can be read across the questions."""
    sections = []
    for dimension, questions in _by_dimension(current):
        rows, comments = [], []
        for question in questions:
            given = [answer.choice for answer in question.answers]
            rows.append((question, [given.count(choice) for choice in APPENDIX_CHOICES]))
            # Sorted, so their order says nothing of who wrote which.
            comments += sorted(
                ((question, None, a.comment) for a in question.answers if a.comment),
                key=lambda item: item[2],
            )
        sections.append((dimension, rows, comments))
    return {"choices": APPENDIX_CHOICES, "columns": [], "sections": sections}


def _by_dimension(current: AssessmentResults) -> list[tuple]:
    """Each dimension with its questions, for the dimension pages and the appendix."""
    results = current.results
    return [
        (d, [q for q in results.questions if q.spec.dimension == d.key]) for d in results.dimensions
    ]


@dataclass(frozen=True)
class DimensionPage:
    """One dimension's page of the report: where it stands, the next steps up (the
    recommendation rungs of its questions below target, most urgent first) and where the
    team disagrees."""

    dimension: DimensionResult
    moves: tuple[Recommendation, ...]
    later_moves: tuple[Recommendation, ...]  # the next ones, named by title only
    more_moves: int  # recommendations of this dimension beyond those named
    disagreements: tuple  # (QuestionResult, [(role, [levels, sorted])]), the widest splits
    more_disagreements: int
    roles: list  # (role, index) for this dimension
    alignment_gap: bool
    note: str  # the consultant's own words, if any
    # (QuestionResult, {"level", "reason", "by", "on"}): levels validated from evidence
    validated: tuple = ()
    # (QuestionResult, {"level", "note", "recorded_at"}): levels a live workshop agreed on
    consensus: tuple = ()
    more_consensus: int = 0


MOVES_PER_DIMENSION = 3  # in full: a page holds three with their next steps
LATER_MOVES = 5  # then this many by title, so the page stays one page
DISAGREEMENTS_PER_DIMENSION = 3  # the widest splits; the appendix has every answer
CONSENSUS_PER_DIMENSION = 3  # a workshop's agreed levels, with their notes


def _dimension_pages(
    results,
    options: ReportOptions,
    validated_levels: dict | None = None,
    consensus_levels: dict | None = None,
) -> list[DimensionPage]:
    validated_levels = validated_levels or {}
    consensus_levels = consensus_levels or {}
    disagreements = results.alignment.disagreements if results.alignment else ()
    rows = {d.key: (cells, gap) for d, cells, gap in role_table(results)}
    pages = []
    for d in results.dimensions:
        moves = [r for r in results.recommendations if r.question.dimension == d.key]
        split = [q for q in disagreements if q.spec.dimension == d.key]
        cells, gap = rows.get(d.key, ([], False))
        note = options.note_for(d.key)
        validated = tuple(
            (q, validated_levels[q.key])
            for q in results.questions
            if q.validated and q.spec.dimension == d.key and q.key in validated_levels
        )
        agreed = [
            (q, consensus_levels[q.key])
            for q in results.questions
            if q.consensus and q.spec.dimension == d.key and q.key in consensus_levels
        ]
        # The consultant's note, the levels validated from evidence and a workshop's
        # consensus each take the room of one step spelled out: those steps are named instead.
        shown = max(1, MOVES_PER_DIMENSION - bool(note) - bool(validated) - bool(agreed))
        pages.append(
            DimensionPage(
                dimension=d,
                moves=tuple(moves[:shown]),
                later_moves=tuple(moves[shown : shown + LATER_MOVES]),
                more_moves=max(0, len(moves) - shown - LATER_MOVES),
                disagreements=tuple(
                    (q, q.levels_by_role) for q in split[:DISAGREEMENTS_PER_DIMENSION]
                ),
                more_disagreements=max(0, len(split) - DISAGREEMENTS_PER_DIMENSION),
                roles=cells,
                alignment_gap=gap,
                note=note,
                validated=validated,
                consensus=tuple(agreed[:CONSENSUS_PER_DIMENSION]),
                more_consensus=max(0, len(agreed) - CONSENSUS_PER_DIMENSION),
            )
        )
    return pages


AGREEMENTS = 8  # a page's worth of a workshop's consensus, with their notes


def _agreements(results, consensus_levels: dict, limit: int | None = AGREEMENTS) -> list:
    """(QuestionResult, consensus) for each question a live workshop agreed on, in the order
    of the questions: the report's "Agreed in the workshop" page."""
    consensus_levels = consensus_levels or {}
    agreed = [
        (q, consensus_levels[q.key])
        for q in results.questions
        if isinstance(consensus_levels.get(q.key), dict)
    ]
    return agreed[:limit] if limit else agreed


def report_notes(options: ReportOptions) -> list[tuple[str, str]]:
    """The consultant's notes as (heading, text), for the results page: the same words the
    PDF shows on its summary and dimension pages."""
    notes = [("Executive summary", options.executive_note)]
    notes += [(DIMENSION_NAMES[key], options.note_for(key)) for key in NOTE_FIELDS]
    return [(heading, text) for heading, text in notes if text]


def report_context(
    assessment: Assessment, *, options: ReportOptions | None = None, today: date | None = None
) -> dict:
    """Everything the PDF (and the slide deck) shows. `options` chooses the sections and
    carries the consultant's notes; without them, the saved ones."""
    options = options or ReportOptions.of(assessment)
    rows = client_quarters(assessment.client, up_to=assessment.period)
    cache = BankCache()
    # The report goes to the client: names only when the assessment is named.
    anonymous = not assessment.names_in_reports
    checked = compute_with_funnel(assessment, cache, anonymous=anonymous)  # as the page
    current = checked.computed
    previous = previous_results(assessment, cache)
    results = current.results
    scored = [d for d in results.dimensions if d.index is not None]
    recommendations: tuple[Recommendation, ...] = results.recommendations
    quarters = trend_data(rows)
    return {
        "assessment": assessment,
        "anonymous": anonymous,
        "workspace": assessment.client.workspace,
        "client": assessment.client,
        "results": results,
        "previous": previous,
        "draft": assessment.status != Assessment.Status.CLOSED,
        "prepared_by": assessment.created_by.name if assessment.created_by else "",
        "today": today or timezone.localdate(),
        "act_first": checked.act_first,
        "strongest": max(scored, key=lambda d: d.index, default=None),
        "weakest": min(scored, key=lambda d: d.index, default=None),
        "biggest_change": _biggest_change(current, previous),
        "first_recommendations": recommendations[:3],
        "top_recommendations": recommendations[:TOP_RECOMMENDATIONS],
        "options": options,
        "body": options.sections != ReportSections.SUMMARY,
        "appendices": options.sections == ReportSections.FULL,
        "dimension_pages": _dimension_pages(
            results, options, assessment.validated_levels, assessment.consensus_levels
        ),
        "agreements": _agreements(results, assessment.consensus_levels),
        "more_agreements": max(
            0, len(_agreements(results, assessment.consensus_levels, limit=None)) - AGREEMENTS
        ),
        "by_dimension": _by_dimension(current),
        "appendix": _anonymous_appendix(current) if anonymous else _appendix(current),
        "role_table": role_table(results),
        "roles": sorted(results.alignment.role_indexes) if results.alignment else [],
        "trends": trend_charts_of(quarters, name=assessment.client.name),
        "trend_data": quarters,  # the same as plain values, for the slide deck
        "trend_table": _trend_table(rows, current),
        "plan_items": _plan_items(assessment),
        "funnel": checked.funnel,
        "contradictions": checked.contradictions,
        "funnel_rows": funnel_rows(results, checked),
        **_charts(current, previous),
    }


def _plan_items(assessment: Assessment) -> list[PlanItem]:
    """The client's plan, open items first: what it is doing about its recommendations.
    Dropped items are left out of a report meant for the client's leadership."""
    items = assessment.client.plan_items.exclude(status=PlanStatus.DROPPED)
    return list(ordered(items.select_related("owner_user")))
