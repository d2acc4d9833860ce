"""Sample CRM exports: what a client's HubSpot, Salesforce or Pipedrive export looks like.

Deterministic (seeded), so `manage.py crm_samples` rewrites docs/samples/ byte for byte and a
test can tell when a change to the layouts forgot to regenerate them. Every person and company
is made up ("Lead 00042" of "Company 0042"). The funnel has a plausible shape over six quarters;
the Salesforce sample drops the baton at the MQL to SAL handoff (sales accepts few MQLs, late).

`lead_lines` yields a lead export of any size a line at a time, for the bench and the tests of
streaming: 200,000 rows never exist in memory at once.
"""

import csv
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from funnel.crm.fields import HUBSPOT, PIPEDRIVE, SALESFORCE

FIRST_DAY = datetime(2025, 7, 1)  # 2025-Q3 to 2026-Q4: six quarters
AS_OF = datetime(2026, 11, 30)
SAMPLE_LEADS = 400
SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples"
SOURCES = ("Organic Search", "Paid Search", "Email Marketing", "Referrals", "Social Media",
           "Direct Traffic", "Offline Sources")  # fmt: skip
OWNERS = tuple(f"Rep {n:02d}" for n in range(1, 7))


@dataclass(frozen=True)
class Shape:
    """The chance of each step and how many days it takes (low, high)."""

    mql: float = 0.4
    mql_days: tuple[int, int] = (2, 20)
    sal: float = 0.7
    sal_days: tuple[int, int] = (0, 4)
    sql: float = 0.55
    sql_days: tuple[int, int] = (3, 15)
    won: float = 0.35
    won_days: tuple[int, int] = (20, 75)
    touch_hours: tuple[int, int] = (1, 60)


HEALTHY = Shape()
BATON_DROP = Shape(sal=0.3, sal_days=(6, 40), touch_hours=(20, 200))


@dataclass(frozen=True)
class Lead:
    number: int
    created: datetime
    source: str
    owner: str
    mql: datetime | None
    sal: datetime | None
    sql: datetime | None
    customer: datetime | None
    first_touch: datetime | None
    opted_out: bool
    icp_fit: bool

    @property
    def stage(self) -> str:
        for name, moment in (("customer", self.customer), ("sql", self.sql),
                             ("sal", self.sal), ("mql", self.mql)):  # fmt: skip
            if moment is not None:
                return name
        return "lead"


@dataclass(frozen=True)
class Deal:
    number: int
    lead: Lead
    created: datetime
    amount: Decimal
    status: str  # won, lost, open
    closed: datetime | None
    expected_close: datetime


def _later(rng: random.Random, start, chance: float, days: tuple[int, int], end: datetime):
    if start is None or rng.random() >= chance:
        return None
    moment = start + timedelta(days=rng.randint(*days), hours=rng.randint(0, 8))
    return moment if moment <= end else None


def make_lead(rng: random.Random, number: int, created: datetime, shape: Shape, end: datetime):
    mql = _later(rng, created, shape.mql, shape.mql_days, end)
    sal = _later(rng, mql, shape.sal, shape.sal_days, end)
    sql = _later(rng, sal, shape.sql, shape.sql_days, end)
    customer = _later(rng, sql, shape.won, shape.won_days, end)
    touch = None
    if sal is not None and rng.random() < 0.9:
        touch = sal + timedelta(hours=rng.randint(*shape.touch_hours))
        touch = touch if touch <= end else None
    return Lead(
        number,
        created,
        rng.choice(SOURCES),
        rng.choice(OWNERS),
        mql,
        sal,
        sql,
        customer,
        touch,
        rng.random() < 0.04,
        rng.random() < 0.6,
    )


def make_leads(seed: str, count: int, shape: Shape = HEALTHY) -> Iterator[Lead]:
    """`count` leads created over the six quarters, more each quarter (a growing funnel)."""
    rng = random.Random(seed)  # noqa: S311 - sample data, seeded on purpose
    span = (AS_OF - FIRST_DAY).total_seconds()
    for number in range(1, count + 1):
        # A uniform to a power below 1 leans towards the end: inquiries grow over the quarters.
        offset = span * rng.random() ** 0.8
        created = FIRST_DAY + timedelta(seconds=int(offset) // 60 * 60)
        yield make_lead(rng, number, created, shape, AS_OF)


def _sample_amount(rng: random.Random, lead: Lead) -> Decimal:
    return Decimal(rng.randrange(40, 600) * 100)


def make_deals(
    seed: str,
    leads: list[Lead],
    *,
    as_of: datetime = AS_OF,
    amount: Callable[[random.Random, Lead], Decimal] = _sample_amount,
) -> list[Deal]:
    """A deal for each lead that reached SQL before `as_of` (the moment the export is taken):
    won if the lead became a customer, else mostly lost once two months old, else open."""
    rng = random.Random(f"{seed} deals")  # noqa: S311 - sample data, seeded on purpose
    deals = []
    for lead in leads:
        if lead.sql is None:
            continue
        created = lead.sql + timedelta(hours=rng.randint(1, 48))
        if created > as_of:
            continue
        value = amount(rng, lead)
        expected = created + timedelta(days=rng.randint(30, 90))
        if lead.customer is not None:
            status, closed = "won", max(lead.customer, created)
        elif (as_of - created).days > 60 and rng.random() < 0.7:
            status = "lost"
            closed = min(created + timedelta(days=rng.randint(14, 60)), as_of)
        else:
            status, closed = "open", None
        deals.append(Deal(len(deals) + 1, lead, created, value, status, closed, expected))
    return deals


# ---- Layouts -------------------------------------------------------------------------------


def _hubspot_time(moment):
    # Not strftime: this runs for every date of the bench's 200,000 rows.
    if not moment:
        return ""
    return (
        f"{moment.year}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"
    )


def _salesforce_day(moment):
    return f"{moment.month}/{moment.day}/{moment.year}" if moment else ""


def _salesforce_time(moment):
    if not moment:
        return ""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{_salesforce_day(moment)}, {hour}:{moment.minute:02d} {half}"


def _pipedrive_time(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


_HUBSPOT_STAGES = {"lead": "Lead", "mql": "Marketing Qualified Lead",
                   "sal": "Sales Accepted Lead", "sql": "Sales Qualified Lead",
                   "customer": "Customer"}  # fmt: skip
_SALESFORCE_STATUS = {"lead": "Open - Not Contacted", "mql": "Marketing Qualified",
                      "sal": "Working - Contacted", "sql": "Closed - Converted",
                      "customer": "Closed - Converted"}  # fmt: skip
_OPEN_STAGES = ("Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review")


def _salesforce_id(prefix: str, number: int) -> str:
    return f"{prefix}5g00000{number:08d}"


HUBSPOT_CONTACTS = (
    "Record ID", "First Name", "Last Name", "Email", "Company Name", "Lifecycle Stage",
    "Original Source", "Create Date", "Became a Marketing Qualified Lead Date",
    "Became a Sales Accepted Lead Date", "Became a Sales Qualified Lead Date",
    "Became an Opportunity Date", "Became a Customer Date", "Contact owner",
    "First Engagement Date", "Unsubscribed from all email", "ICP Tier",
)  # fmt: skip


def hubspot_contact(lead: Lead) -> list[str]:
    return [
        str(100000 + lead.number), "Lead", f"{lead.number:05d}",
        f"lead{lead.number:05d}@example.com", f"Company {lead.number % 997:04d}",
        _HUBSPOT_STAGES[lead.stage], lead.source, _hubspot_time(lead.created),
        _hubspot_time(lead.mql), _hubspot_time(lead.sal), _hubspot_time(lead.sql),
        _hubspot_time(lead.sql), _hubspot_time(lead.customer), lead.owner,
        _hubspot_time(lead.first_touch), "true" if lead.opted_out else "false",
        "Tier 1" if lead.icp_fit else "Tier 3",
    ]  # fmt: skip


HUBSPOT_DEALS = (
    "Record ID", "Deal Name", "Pipeline", "Deal Stage", "Amount", "Create Date", "Close Date",
    "Deal owner", "Associated Contact IDs",
)  # fmt: skip


def hubspot_deal(deal: Deal) -> list[str]:
    stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(deal.status, "Contract Sent")
    return [
        str(900000 + deal.number), f"Company {deal.lead.number % 997:04d} deal", "Sales Pipeline",
        stage, f"{deal.amount}", _hubspot_time(deal.created),
        _hubspot_time(deal.closed or deal.expected_close), deal.lead.owner,
        str(100000 + deal.lead.number),
    ]  # fmt: skip


SALESFORCE_LEADS = (
    "Lead ID", "First Name", "Last Name", "Company / Account", "Lead Status", "Lead Source",
    "Created Date", "MQL Date", "SAL Date", "Converted Date", "Lead Owner",
    "First Response Date", "Email Opt Out", "ICP Fit",
)  # fmt: skip


def salesforce_lead(lead: Lead) -> list[str]:
    return [
        _salesforce_id("00Q", lead.number), "Lead", f"{lead.number:05d}",
        f"Company {lead.number % 997:04d}", _SALESFORCE_STATUS[lead.stage],
        lead.source, _salesforce_time(lead.created), _salesforce_time(lead.mql),
        _salesforce_time(lead.sal), _salesforce_time(lead.sql), lead.owner,
        _salesforce_time(lead.first_touch), "1" if lead.opted_out else "0",
        "Yes" if lead.icp_fit else "No",
    ]  # fmt: skip


SALESFORCE_OPPORTUNITIES = (
    "Opportunity ID", "Opportunity Name", "Account Name", "Stage", "Amount", "Created Date",
    "Close Date", "Won", "Closed", "Lead ID",
)  # fmt: skip


def salesforce_opportunity(deal: Deal) -> list[str]:
    stage = {"won": "Closed Won", "lost": "Closed Lost"}.get(
        deal.status, _OPEN_STAGES[deal.number % len(_OPEN_STAGES)]
    )
    return [
        _salesforce_id("006", deal.number), f"Company {deal.lead.number % 997:04d} - New",
        f"Company {deal.lead.number % 997:04d}", stage, f"{deal.amount:,}",
        _salesforce_day(deal.created), _salesforce_day(deal.closed or deal.expected_close),
        "1" if deal.status == "won" else "0", "0" if deal.status == "open" else "1",
        _salesforce_id("00Q", deal.lead.number),
    ]  # fmt: skip


PIPEDRIVE_PERSONS = (
    "Person - ID", "Person - Name", "Person - Organization", "Person - Label",
    "Person - Owner", "Person - Source", "Person - Person created", "Person - MQL date",
    "Person - SAL date", "Person - SQL date", "Person - Won deals date",
    "Person - First activity date", "Person - Marketing status", "Person - ICP fit",
)  # fmt: skip


def pipedrive_person(lead: Lead) -> list[str]:
    label = {"lead": "Cold lead", "mql": "Warm lead", "sal": "Hot lead", "sql": "Hot lead",
             "customer": "Customer"}[lead.stage]  # fmt: skip
    return [
        str(lead.number), f"Lead {lead.number:05d}", f"Company {lead.number % 997:04d}", label,
        lead.owner, lead.source, _pipedrive_time(lead.created), _pipedrive_time(lead.mql),
        _pipedrive_time(lead.sal), _pipedrive_time(lead.sql), _pipedrive_time(lead.customer),
        _pipedrive_time(lead.first_touch), "Unsubscribed" if lead.opted_out else "Subscribed",
        "Yes" if lead.icp_fit else "No",
    ]  # fmt: skip


PIPEDRIVE_DEALS = (
    "Deal - ID", "Deal - Title", "Deal - Organization", "Deal - Value", "Deal - Currency",
    "Deal - Stage", "Deal - Status", "Deal - Deal created", "Deal - Deal closed on",
    "Deal - Won time", "Deal - Lost time", "Deal - Owner", "Person - ID",
)  # fmt: skip


def pipedrive_deal(deal: Deal) -> list[str]:
    won = deal.closed if deal.status == "won" else None
    lost = deal.closed if deal.status == "lost" else None
    return [
        str(deal.number), f"Company {deal.lead.number % 997:04d} deal",
        f"Company {deal.lead.number % 997:04d}", f"{deal.amount}", "EUR",
        "Negotiations Started" if deal.status == "open" else "Proposal Made", deal.status,
        _pipedrive_time(deal.created), _pipedrive_time(deal.closed), _pipedrive_time(won),
        _pipedrive_time(lost), deal.lead.owner, str(deal.lead.number),
    ]  # fmt: skip


LAYOUTS = {
    HUBSPOT: (HUBSPOT_CONTACTS, hubspot_contact, HUBSPOT_DEALS, hubspot_deal, HEALTHY),
    SALESFORCE: (SALESFORCE_LEADS, salesforce_lead, SALESFORCE_OPPORTUNITIES,
                 salesforce_opportunity, BATON_DROP),
    PIPEDRIVE: (PIPEDRIVE_PERSONS, pipedrive_person, PIPEDRIVE_DEALS, pipedrive_deal, HEALTHY),
}  # fmt: skip
FILE_NAMES = {
    HUBSPOT: ("hubspot-contacts.csv", "hubspot-deals.csv"),
    SALESFORCE: ("salesforce-leads.csv", "salesforce-opportunities.csv"),
    PIPEDRIVE: ("pipedrive-persons.csv", "pipedrive-deals.csv"),
}


def _lines(header, rows) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in (header, *rows) if isinstance(rows, list) else _prefixed(header, rows):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _prefixed(header, rows):
    yield header
    yield from rows


def export_text(header, rows: list[list[str]]) -> str:
    """A whole export as the CRM writes it: the header, then a line per row."""
    return "".join(_lines(header, rows))


def lead_lines(count: int, crm: str = HUBSPOT, *, seed: str = "bench") -> Iterator[str]:
    """A lead export of `count` rows in `crm`'s layout, its header first, a line at a time."""
    header, write, *_ = LAYOUTS[crm]
    return _lines(header, (write(lead) for lead in make_leads(seed, count)))


def write_samples(folder: Path = SAMPLES, *, count: int = SAMPLE_LEADS) -> list[Path]:
    """Write the six sample exports into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for crm, (lead_header, write_lead, deal_header, write_deal, shape) in LAYOUTS.items():
        leads = list(make_leads(crm, count, shape))
        deals = make_deals(crm, leads)
        leads_name, deals_name = FILE_NAMES[crm]
        for name, header, rows in (
            (leads_name, lead_header, [write_lead(lead) for lead in leads]),
            (deals_name, deal_header, [write_deal(deal) for deal in deals]),
        ):
            path = folder / name
            path.write_text(export_text(header, rows), encoding="utf-8", newline="")
            written.append(path)
    return written
