"""Demo assessments that tell a story: a year of closed quarters and an open one per demo client.

Each demo client has a profile (a `Story`): a base maturity level per dimension for each of the
five quarters, a shift per handoff, the people who answer, and how far marketing and sales are
apart on lead quality. A respondent's answer to a question is the question's level in that
quarter, nudged by the respondent's role and a little noise, rounded and clamped to 1–5. The
scores that come out of it (PRODUCT.md §3) are what a consultant would expect from the client's
notes in `devtools.demo_world`: where the baton drops, and how that moves as the work pays off.

Deterministic: every assessment draws from a `random.Random` seeded with the client's name and
the quarter, so runs give the same data and skipping a quarter that exists changes no other.
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import fmean

from django.utils import timezone

from accounts.models import Role, User
from assessments.models import TARGET_FIELDS, Answer, Assessment, Choice, Respondent, RespondentRole
from bank.models import BankVersion, DimensionKey, Question
from clients.models import Client
from devtools.demo_outreach import seed_outreach
from devtools.demo_world import DEMO_WORKSPACES
from lib.quarters import Quarter

HISTORY = 4  # closed quarters before the current one
EARLIER_BANK = "2026.1"  # the closed quarters' bank version; the open one uses the current
QUARTERS = HISTORY + 1  # every per-quarter tuple below: oldest first, the current quarter last
NO_SHIFT = (0.0,) * QUARTERS

MARKETING = RespondentRole.MARKETING
SALES = RespondentRole.SALES
LEADERSHIP = RespondentRole.LEADERSHIP
CUSTOMER_SUCCESS = RespondentRole.CUSTOMER_SUCCESS
OTHER = RespondentRole.OTHER

# The questions on which marketing and sales judge the same leads differently: marketing
# sees its definition and scoring working, sales sees leads that are not ready.
LEAD_QUALITY = frozenset(
    {
        "people.sales_marketing_sla",
        "people.handoff_practice",  # 2026.1; split into one question per handoff in 2026.2
        "people.lead_to_sales_handoff",
        "people.demand_to_lead_handoff",
        "process.lead_definition",
        "process.lead_definition_icp_fit",
        "process.lead_scoring_model",
        "process.active_interest_threshold",
        "process.lead_turn_back",
    }
)
# ...and the sales side of the handoff, where it is the other way round: sales thinks it calls
# back fast and reads the history, marketing sees its leads left waiting.
SALES_SIDE = frozenset({"people.lead_follow_up_speed", "people.sales_uses_interaction_history"})

# Which pool of comments fits a question; questions not named fall back to their dimension.
THEMES = {
    "lead_quality": LEAD_QUALITY,
    "follow_up": SALES_SIDE
    | {
        "process.hot_lead_fast_track",
        "process.lead_routing_rules",
        "process.lead_to_revenue_process",
        "technology.scoring_routing_automation",
    },
    "measurement": {
        "people.shared_kpis",
        "people.marketing_sales_review",
        "people.marketing_analytics_capacity",
        "process.funnel_metrics",
        "process.revenue_contribution_target",
        "process.sales_model_metrics",
        "process.handoff_failure_signals",
        "technology.closed_loop_tracking",
        "technology.attribution",
        "technology.marketing_dashboards",
        "technology.sales_dashboards",
        "technology.executive_dashboards",
    },
    "strategy": {
        "people.marketing_gtm_seat",
        "people.relay_ownership",
        "process.gtm_brief",
        "process.icp_definition",
    },
}
THEME_OF_DIMENSION = {"people": "general", "process": "general", "content": "buyers"}


@dataclass(frozen=True)
class Person:
    name: str
    role: RespondentRole
    joins: int = 0  # first quarter they answer: 0 is a year before the current one
    leaves: int = HISTORY  # last quarter they answer


@dataclass(frozen=True)
class Story:
    domain: str
    targets: dict[str, int]  # by dimension key; those left out stay at the default 4
    people: tuple[Person, ...]  # one person per role in any quarter
    levels: dict[str, tuple[float, ...]]  # base level per dimension, per quarter
    handoffs: dict[str, tuple[float, ...]]  # shift of the questions tagged with a handoff
    friction: tuple[float, ...]  # 1: marketing and sales far apart on lead quality; 0: agreed
    comments: dict[tuple[str, str], tuple[str, ...]]  # (theme, tone) -> this client's remarks
    # Who sees the answers (assessments.models.Visibility): the demo shows each setting.
    visibility: str = "named"

    def people_in(self, position: int) -> list[Person]:
        return [p for p in self.people if p.joins <= position <= p.leaves]


@dataclass(frozen=True)
class Seeding:
    """What every assessment of one run shares."""

    version: BankVersion  # the current one: the open quarter's
    questions: list[Question]  # in questionnaire order
    today: date
    owner: User | None  # the demo workspace's owner, who "created" the assessments
    # The version the closed quarters were answered on, when the bank has moved on since: the
    # demo then shows a client across a bank change (compared by key, and by `replaces`).
    earlier_version: BankVersion | None = None
    earlier_questions: tuple[Question, ...] = ()

    def bank_for(self, *, is_open: bool) -> tuple[BankVersion, list[Question]]:
        if is_open or self.earlier_version is None:
            return self.version, self.questions
        return self.earlier_version, list(self.earlier_questions)


STORIES = {
    # Marketing reports lead volume, sales will not touch the leads: the baton drops at
    # lead -> sales. An SLA, a shared lead definition and a Monday review fix that within a
    # year, and the drop moves upstream: there are too few good leads to hand over.
    "Brightline Logistics": Story(
        domain="brightline.example",
        targets={"content": 3},
        people=(
            Person("Dana Whitfield", MARKETING),
            Person("Marcus Bell", SALES, leaves=1),
            Person("Tom Adeyemi", SALES, joins=2),
            Person("Grace Lindqvist", LEADERSHIP),
            Person("Aisha Rahman", CUSTOMER_SUCCESS, joins=2),
            Person("Felix Brandt", OTHER, joins=3),
        ),
        levels={
            "people": (2.3, 2.6, 3.0, 3.3, 3.4),
            "process": (2.1, 2.4, 2.9, 3.3, 3.4),
            "content": (2.6, 2.7, 2.5, 2.8, 2.9),  # nobody's priority this year: it dips
            "technology": (2.5, 2.7, 2.9, 3.1, 3.2),
        },
        handoffs={
            "demand_to_lead": (0.0, 0.0, -0.2, -0.4, -0.4),
            "lead_to_sales": (-0.8, -0.6, -0.1, 0.3, 0.4),
        },
        friction=(1.0, 0.9, 0.6, 0.4, 0.3),
        comments={
            ("lead_quality", "gap"): (
                "Marketing reports MQLs by the hundred; half of them are not even shippers.",
                "Sales reps go back to their own lists because the inbound leads are too early.",
            ),
            ("follow_up", "progress"): (
                "Since the SLA, every lead gets a call within two working days.",
            ),
            ("buyers", "gap"): ("We write for the logistics manager and forget the CFO.",),
        },
    ),
    # A new VP Marketing wants a baseline. Buyer insight and content start very weak (committee
    # buying nobody has mapped) and improve fast; the rest moves unevenly through a reorg.
    # The new VP Marketing promised the team their answers would not be quoted to the board.
    "Cobalt Health Systems": Story(
        visibility="confidential",
        domain="cobalthealth.example",
        targets={"technology": 3},
        people=(
            Person("Rachel Kim", MARKETING),
            Person("Daniel Moreau", SALES),
            Person("Helen Osei", LEADERSHIP, leaves=3),
            Person("Mark Feldman", LEADERSHIP, joins=4),
            Person("Jonas Weber", CUSTOMER_SUCCESS, joins=1),
        ),
        levels={
            "people": (2.4, 2.6, 2.4, 2.9, 3.0),  # the reorg in the third quarter shows here
            "process": (2.3, 2.5, 2.8, 2.7, 2.9),
            "content": (1.6, 2.0, 2.5, 2.8, 3.0),
            "technology": (2.6, 2.6, 2.8, 3.0, 3.1),
        },
        handoffs={
            "gtm_to_demand": (-0.3, -0.3, -0.2, -0.1, -0.1),
            "demand_to_lead": (-0.3, -0.3, -0.2, 0.0, 0.0),
        },
        friction=(0.8, 0.8, 0.7, 0.6, 0.6),
        comments={
            ("buyers", "gap"): (
                "A hospital buys with a committee of eight and our content speaks to one of them.",
                "We have never mapped how a scheduling decision is made in a hospital group.",
            ),
            ("buyers", "progress"): (
                "The interviews with nurse managers changed how we talk about scheduling.",
            ),
            ("general", "gap"): ("Hard to judge while the teams are being reorganised.",),
        },
    ),
    # Field sales runs the company; marketing does events and brochures and learns about
    # segments and launches afterwards. The baton drops at the very first handoff and stays
    # there, slowly getting better once marketing joins the quarterly planning.
    # A field-sales culture: the reps answer only if nobody, consultants included, sees names.
    "Meridian Industrial Controls": Story(
        visibility="anonymous",
        domain="meridiancontrols.example",
        targets={"content": 3, "technology": 3},
        people=(
            Person("Ingrid Sorensen", MARKETING, leaves=2),
            Person("Hannah Price", MARKETING, joins=3),
            Person("Carlos Mendes", SALES),
            Person("Robert Hale", LEADERSHIP),
            Person("Wen Li", OTHER, joins=1),
        ),
        levels={
            "people": (2.0, 2.1, 2.3, 2.3, 2.5),
            "process": (2.4, 2.5, 2.6, 2.8, 2.9),
            "content": (2.2, 2.3, 2.5, 2.6, 2.7),
            "technology": (2.4, 2.6, 2.3, 2.7, 2.8),  # the CRM migration sets it back a quarter
        },
        handoffs={
            "gtm_to_demand": (-1.0, -1.0, -0.9, -0.7, -0.6),
            "lead_to_sales": (0.3, 0.3, 0.3, 0.3, 0.3),  # field sales qualifies its own deals
        },
        friction=(0.7, 0.7, 0.7, 0.6, 0.6),
        comments={
            ("strategy", "gap"): (
                "Launches are planned by the regional sales directors; marketing prints the "
                "brochure.",
                "Distributors own most accounts, so we rarely hear from the plant engineers "
                "ourselves.",
            ),
            ("strategy", "progress"): ("Marketing presented at the sales kickoff this year.",),
        },
    ),
    # The self-assessment: the leadership team buys and wires up the tools quickly, while the
    # way people work together and the agreed process lag behind and stall for a quarter.
    "Acme Analytics": Story(
        domain="acmeanalytics.example",
        targets={"technology": 5},
        people=(
            Person("Leo Martins", LEADERSHIP),
            Person("Sofia Lindgren", MARKETING),
            Person("James Carter", SALES, leaves=1),
            Person("Elena Rossi", SALES, joins=2),
            Person("Maya Patel", CUSTOMER_SUCCESS),
            Person("Noah Fischer", OTHER, joins=3),
        ),
        levels={
            "people": (2.4, 2.5, 2.5, 2.6, 2.7),
            "process": (2.3, 2.5, 2.3, 2.6, 2.7),
            "content": (2.6, 2.8, 3.0, 3.1, 3.2),
            "technology": (2.2, 2.9, 3.5, 3.9, 4.0),
        },
        handoffs={"lead_to_sales": (-0.2, -0.2, -0.2, -0.1, -0.1)},
        friction=(0.8, 0.8, 0.7, 0.7, 0.6),
        comments={
            ("measurement", "progress"): (
                "The warehouse feeds every dashboard now; the numbers finally match.",
            ),
            ("follow_up", "gap"): (
                "The tools route the lead in seconds, then it waits for someone to own it.",
            ),
        },
    ),
}

# Remarks any client might make, by theme and by tone: "gap" for levels 1–2, "progress" for
# 4–5. A level 3 draws from MIXED, since "defined but not yet routine" fits every theme.
COMMENTS = {
    ("lead_quality", "gap"): (
        "Sales and marketing still use different words for a qualified lead.",
        "Marketing counts form fills, sales counts meetings; nobody counts the same thing.",
        "The scoring model exists, but nobody trusts the number it gives.",
        "Many leads are students and competitors who downloaded a guide.",
        "Rejected leads disappear; nobody tells marketing why.",
    ),
    ("lead_quality", "progress"): (
        "We agreed the definition in a joint workshop and review it every quarter.",
        "Rejected leads come back with a reason, and the scoring has improved because of it.",
        "Fit and interest are scored separately; sales says the top band is worth calling.",
    ),
    ("follow_up", "gap"): (
        "Some hot leads wait a week before anyone calls.",
        "Demo requests land in a shared inbox and wait there.",
        "Reps call without looking at what the lead has read or downloaded.",
    ),
    ("follow_up", "progress"): (
        "Demo and pricing requests reach a rep within the hour.",
        "Routing is automatic by territory, so nothing sits in a shared inbox.",
        "Reps open the activity history before the first call; it shows in their notes.",
    ),
    ("measurement", "gap"): (
        "Marketing is measured on leads, sales on bookings; the two never meet.",
        "We cannot tell which campaign a closed deal came from.",
        "Each team brings its own spreadsheet to the pipeline meeting.",
    ),
    ("measurement", "progress"): (
        "The campaign source follows the deal all the way to closed-won.",
        "Sales and marketing meetings look at the same dashboard.",
        "Marketing has a pipeline target and reports against it every month.",
    ),
    ("strategy", "gap"): (
        "Positioning was decided at the board offsite; marketing got the slides afterwards.",
        "There is no written go-to-market plan, only the sales number.",
        "Marketing is asked for collateral, not for a view on which segments to pursue.",
    ),
    ("strategy", "progress"): (
        "Marketing and sales write the annual plan together now.",
        "The quarterly business review has a marketing section on segments and pipeline.",
    ),
    ("buyers", "gap"): (
        "Our personas describe job titles, not why people start looking.",
        "Most content is product sheets; there is little for early research.",
        "We have not spoken to a lost prospect in over a year.",
    ),
    ("buyers", "progress"): (
        "We interviewed a dozen recent buyers and rebuilt the personas around their triggers.",
        "Every stage of the journey has at least two pieces of content now.",
        "Nurture tracks run per persona and get reviewed every month.",
    ),
    ("data", "gap"): (
        "Half the contacts in the CRM have no industry or company size.",
        "Marketing automation and the CRM sync overnight, when the sync works.",
        "Nobody owns the database, so duplicates pile up.",
    ),
    ("data", "progress"): (
        "Bounces and duplicates are cleaned every month.",
        "New leads are enriched automatically before anyone looks at them.",
    ),
    ("general", "gap"): (
        "Depends on who you ask.",
        "Happens when someone remembers, not as a rule.",
    ),
    ("general", "progress"): (
        "Much better than a year ago.",
        "Written down and followed by both teams.",
    ),
}
MIXED = (
    "Defined on paper; practice varies by team.",
    "Better than last quarter, not yet routine.",
    "Works for inbound leads, less so for event leads.",
    "Agreed in principle, still being rolled out.",
)
NOT_ANSWERED = (
    "Not my area; operations would know.",
    "I have not seen this in my team.",
    "Does not apply to how we sell.",
)

COMMENT_RATE = 0.12
DONT_KNOW_RATE = 0.02
DONT_KNOW_RATE_AWAY_FROM_HOME = 0.08
NOT_APPLICABLE_RATE = 0.01
NOISE = 0.45  # standard deviation, in levels, of one person's answer around the truth


def seed_demo_assessments(*, today: date) -> None:
    """Give every demo client four closed quarters before `today`'s and an open current one.

    A client's assessment for a quarter that already exists is left alone, so running it again
    changes nothing. Does nothing until a question bank is published.
    """
    version = BankVersion.objects.current()
    if version is None:
        return
    questions = _questionnaire_order(version.questions.all())
    earlier = (
        BankVersion.objects.published().filter(label=EARLIER_BANK).exclude(pk=version.pk).first()
    )
    earlier_questions = tuple(_questionnaire_order(earlier.questions.all())) if earlier else ()
    current = Quarter.of(today)
    for owner, clients in demo_clients():
        seeding = Seeding(
            version=version,
            questions=questions,
            today=today,
            owner=owner,
            earlier_version=earlier,
            earlier_questions=earlier_questions,
        )
        for client in clients:
            _seed_client(client, seeding, current=current)


def demo_clients():
    """(owner, clients) for each demo workspace: the demo clients of the workspace its demo
    owner owns, so a workspace someone else happens to give the same name is left alone."""
    for spec in DEMO_WORKSPACES:
        owner = User.objects.filter(email=spec.people[0].email).first()
        clients = Client.objects.filter(
            workspace__name=spec.name,
            workspace__memberships__user=owner,
            workspace__memberships__role=Role.OWNER,
            name__in=[client.name for client in spec.clients],
        )
        yield owner, clients


def _questionnaire_order(questions) -> list[Question]:
    """Questions as a respondent meets them, so partial answers stop somewhere plausible."""
    dimension_order = {key: order for order, key in enumerate(DimensionKey.values)}
    return sorted(questions, key=lambda q: (dimension_order[q.dimension], q.order, q.key))


def _seed_client(client: Client, seeding: Seeding, *, current: Quarter) -> None:
    existing = set(client.assessments.values_list("year", "quarter"))
    for position in range(QUARTERS):
        period = current.shifted(position - HISTORY)
        if (period.year, period.number) not in existing:
            _seed_assessment(client, seeding, position=position, period=period)


def _seed_assessment(client: Client, seeding: Seeding, *, position: int, period: Quarter) -> None:
    story = STORIES[client.name]
    # Seeded per quarter, not per client, so one quarter's data never depends on which
    # other quarters already existed.
    rng = _random(f"{client.name} {period}")
    is_open = position == HISTORY
    version, questions = seeding.bank_for(is_open=is_open)
    opened_at, until = _window(period, seeding.today, rng, is_open=is_open)
    assessment = Assessment.objects.create(
        client=client,
        year=period.year,
        quarter=period.number,
        bank_version=version,
        status=Assessment.Status.OPEN if is_open else Assessment.Status.CLOSED,
        opened_at=opened_at,
        closed_at=None if is_open else until,
        created_by=seeding.owner,
        answer_visibility=story.visibility,
        **{TARGET_FIELDS[key]: level for key, level in story.targets.items()},
    )
    people = story.people_in(position)
    shares = _shares_answered(len(people), rng, is_open=is_open)
    respondents = Respondent.objects.bulk_create(
        _respondent(assessment, story, person, share, rng, opened_at, until)
        for person, share in zip(people, shares, strict=True)
    )
    answers = []
    for person, share, respondent in zip(people, shares, respondents, strict=True):
        answered = questions[: round(share * len(questions))]
        answers += [
            _answer(respondent, story, person, question, position, rng) for question in answered
        ]
    Answer.objects.bulk_create(answers)
    _backdate(assessment, respondents)
    if is_open:
        # A deadline, the emails sent so far and working links for those still answering, as
        # mid-way through an assessment. The tokens are not kept anywhere: a consultant shows
        # one with "New link".
        seed_outreach(assessment, respondents, seeding.owner)


def _backdate(assessment: Assessment, respondents: list[Respondent]) -> None:
    """Move the automatic timestamps (auto_now_add, auto_now: the time of seeding) into the
    quarter, so that the history reads as a history."""
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=assessment.opened_at - timedelta(days=3)
    )
    assessment.respondents.update(created_at=assessment.opened_at - timedelta(days=1))
    for respondent in respondents:
        if respondent.started_at:
            last_saved = respondent.submitted_at or respondent.started_at
            respondent.answers.update(updated_at=last_saved)


def _window(
    period: Quarter, today: date, rng: random.Random, *, is_open: bool
) -> tuple[datetime, datetime]:
    """When the questionnaire opened, and when it closed (or, while open, the end of today).

    A closed assessment runs four to six weeks from the second or third week of its quarter.
    """
    opens = period.first_day + timedelta(days=rng.randint(5, 20))
    if is_open:
        opens = min(opens, today)
        # Never in the future: a later real edit must be the newest thing there is.
        return _at(opens, 9), min(_at(today, 18), timezone.now())
    return _at(opens, 9), _at(opens + timedelta(days=rng.randint(28, 45)), 17)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _shares_answered(count: int, rng: random.Random, *, is_open: bool) -> list[float]:
    """The share of the questionnaire each person has answered.

    In a closed quarter everyone submitted. In the open one the first person has already
    submitted, the last has not opened the link, and those between are partway.
    """
    if not is_open:
        return [1.0] * count
    return [1.0] + [round(rng.uniform(0.25, 0.8), 2) for _ in range(count - 2)] + [0.0]


def _respondent(
    assessment: Assessment,
    story: Story,
    person: Person,
    share: float,
    rng: random.Random,
    opened_at: datetime,
    until: datetime,
) -> Respondent:
    started_at = submitted_at = None
    if share > 0:
        started_at = opened_at + rng.uniform(0.05, 0.6) * (until - opened_at)
    if share == 1:
        submitted_at = started_at + rng.uniform(0.1, 0.9) * (until - started_at)
    return Respondent(
        assessment=assessment,
        name=person.name,
        email=f"{person.name.lower().replace(' ', '.')}@{story.domain}",
        role=person.role,
        invited_at=opened_at,
        started_at=started_at,
        submitted_at=submitted_at,
    )


def _answer(
    respondent: Respondent,
    story: Story,
    person: Person,
    question: Question,
    position: int,
    rng: random.Random,
) -> Answer:
    choice = _choice(story, person, question, position, rng)
    return Answer(
        respondent=respondent,
        question=question,
        choice=choice,
        comment=_comment(story, question, choice, rng),
    )


def _choice(
    story: Story, person: Person, question: Question, position: int, rng: random.Random
) -> str:
    # Customer success and ops often cannot judge how leads are processed or systems run.
    away_from_home = person.role in (CUSTOMER_SUCCESS, OTHER) and question.dimension in {
        "process",
        "technology",
    }
    dont_know_rate = DONT_KNOW_RATE_AWAY_FROM_HOME if away_from_home else DONT_KNOW_RATE
    roll = rng.random()
    if roll < NOT_APPLICABLE_RATE:
        return Choice.NOT_APPLICABLE
    if roll < NOT_APPLICABLE_RATE + dont_know_rate:
        return Choice.DONT_KNOW
    level = (
        _question_level(story, question, position)
        + _role_bias(person.role, question, story.friction[position])
        + _personal_bias(person)
        + rng.gauss(0, NOISE)
    )
    return str(min(5, max(1, math.floor(level + 0.5))))


def _question_level(story: Story, question: Question, position: int) -> float:
    """The client's true level on a question: its dimension's level, shifted by the mean of
    the shifts of the handoffs it bears on (a question on all three gets a blend)."""
    level = story.levels[question.dimension][position]
    shifts = [story.handoffs.get(tag, NO_SHIFT)[position] for tag in question.handoffs]
    return level + fmean(shifts) if shifts else level


def _role_bias(role: RespondentRole, question: Question, friction: float) -> float:
    """How a role tends to see a question, in levels, compared with the truth."""
    bias = 0.0
    marketing_owned = question.dimension == "content" or question.demand_to_lead
    if role == MARKETING:
        bias += 0.4 if marketing_owned else 0.0
        bias += 1.1 * friction if question.key in LEAD_QUALITY else 0.0
        bias -= 0.7 * friction if question.key in SALES_SIDE else 0.0
    elif role == SALES:
        bias -= 0.2 if question.dimension == "content" else 0.0
        bias -= 0.9 * friction if question.key in LEAD_QUALITY else 0.0
        bias += 0.6 * friction if question.key in SALES_SIDE else 0.0
    elif role == LEADERSHIP:
        bias += 0.3  # the view from the top is a little rosier everywhere
    elif role == OTHER:
        bias -= 0.3 if question.dimension == "technology" else 0.0  # ops sees the data mess
    return bias


def _random(seed: str) -> random.Random:
    """A generator that gives the same numbers for the same seed, run after run."""
    return random.Random(seed)  # noqa: S311 - made-up demo answers, not secrets


def _personal_bias(person: Person) -> float:
    """Some people mark generously and some strictly, the same way every quarter."""
    return _random(person.name).uniform(-0.25, 0.25)


def _comment(story: Story, question: Question, choice: str, rng: random.Random) -> str:
    if rng.random() >= COMMENT_RATE:
        return ""
    if not choice.isdigit():
        return rng.choice(NOT_ANSWERED)
    level = int(choice)
    if level == 3:
        return rng.choice(MIXED)
    key = (_theme(question), "gap" if level <= 2 else "progress")
    return rng.choice(story.comments.get(key, ()) + COMMENTS[key])


def _theme(question: Question) -> str:
    for theme, keys in THEMES.items():
        if question.key in keys:
            return theme
    return THEME_OF_DIMENSION.get(question.dimension, "data")
