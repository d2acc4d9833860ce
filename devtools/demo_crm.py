"""Acme Analytics' CRM export: the HubSpot contacts and deals its demo quarters are derived from.

A consultant imports what the client's CRM knows (leads, the stages they reached, deals) and
types in what it does not (impressions, emails, spend). So once devtools.demo_funnel has typed in
the client's quarters from its FunnelStory, the demo generates Acme's export and runs it through
the real import (upload, proposed mapping, confirmation, derivation): the import replaces the
figures it derives and leaves the rest as typed.

The export follows the story quarter by quarter: as many contacts created as the quarter's
inquiries, each stage reached with the story's chance after about its days, deals of about its
size. A CRM is noisy, so the derived figures are near the story's, not equal to them. Random but
seeded: the same `today` gives the same files. Every person and company is made up, as in
devtools.crm_samples, whose people, layouts and writers it reuses.
"""

import math
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from clients.models import Client
from devtools.crm_samples import (
    FILE_NAMES,
    HUBSPOT_CONTACTS,
    HUBSPOT_DEALS,
    Lead,
    Shape,
    export_text,
    hubspot_contact,
    hubspot_deal,
    make_deals,
    make_lead,
)
from devtools.demo_funnel import STORIES, FunnelStory, closed_quarters
from devtools.demo_story import demo_clients
from funnel.crm.fields import DEALS, HUBSPOT, LEADS
from funnel.crm_imports import (
    confirm_mapping,
    derive_crm_import,
    propose,
    saved_stall_days,
    start_crm_import,
)
from funnel.models import CrmImport
from lib.quarters import Quarter

IMPORTED_CLIENT = "Acme Analytics"
# A CRM's few dozen deals a quarter are noisy; of a few seeds tried, this one keeps every count
# of the closed quarters within a fifth of the story (tests/test_demo_crm.py holds it there).
SEED = "Acme Analytics 1"


class DemoImportError(Exception):
    """The demo's own export did not import cleanly: a bug in the demo, not bad data."""


def taken_on(periods: list[Quarter]) -> date:
    """The day the export is taken: the first day of the quarter after the closed ones.

    Taken then, it holds the closed quarters whole and nothing of the current one, which the
    demo keeps open (an open assessment, no figures). Taken on the demo's `today`, the weeks
    since the quarter began would derive a partial current quarter; and a file dated `today`
    without those weeks is one no CRM writes. It is the import's `as_of` too: the import flags
    any date after it, and counts a lead as stalled up to it.
    """
    return periods[-1].next().first_day


def _spread(days: float) -> tuple[int, int]:
    # Whole days around the story's, which the median of whole days lands next to.
    return math.floor(days * 0.7), math.floor(days * 1.3)


def _shape(story: FunnelStory, at: int) -> Shape:
    to_mql, to_sal, to_sql, to_won = story.days[at]
    return Shape(
        mql=story.inquiry_to_mql[at],
        mql_days=_spread(to_mql),
        sal=story.mql_to_sal[at],
        sal_days=_spread(to_sal),
        sql=story.sal_to_sql[at],
        sql_days=_spread(to_sql),
        won=story.win_rate[at],
        # The deal is created up to two days after the SQL; its days to close count from then.
        won_days=_spread(to_won + 1),
        touch_hours=(2, 96),  # routed in seconds, then it waits for someone to own it
    )


def demo_export(story: FunnelStory, periods: list[Quarter]) -> tuple[str, str]:
    """The contacts and deals exports (text) of the closed quarters `periods`, oldest first.

    The contacts are those created in the closed quarters. A quarter before them is played
    too, so that the first quarter has the deals of earlier contacts that close in it, as a
    real CRM's would: those deals are in the deals export, their contacts are not (created
    before the export's first day, they would add a quarter of their own).
    """
    rng = random.Random(SEED)  # noqa: S311 - demo data, seeded on purpose
    starts = [
        datetime.combine(quarter.first_day, time())
        for quarter in (periods[0].previous(), *periods, periods[-1].next())
    ]
    first_day, last_moment = starts[1], starts[-1] - timedelta(minutes=1)
    leads: list[Lead] = []
    for played, (start, end) in enumerate(pairwise(starts)):
        at = max(played - 1, 0)  # the quarter before the first plays the first one's story
        seconds = (end - start).total_seconds()
        created = sorted(
            start + timedelta(minutes=int(seconds * rng.random()) // 60)
            for _ in range(story.inquiries[at])
        )
        shape = _shape(story, at)
        leads += [
            make_lead(rng, len(leads) + number, moment, shape, last_moment)
            for number, moment in enumerate(created, start=1)
        ]

    def amount(deal_rng: random.Random, lead: Lead) -> Decimal:
        at = Quarter.of(lead.sql.date()).index - periods[0].index
        size = story.deal_size[min(max(at, 0), len(periods) - 1)]
        return Decimal(round(size * deal_rng.uniform(0.6, 1.4), -2))

    deals = [
        deal
        # A deal counts in the quarter it closed, or was created while open: in the export
        # only those that count in the closed quarters.
        for deal in make_deals(SEED, leads, as_of=last_moment, amount=amount)
        if (deal.closed or deal.created) >= first_day
    ]
    contacts = [hubspot_contact(lead) for lead in leads if lead.created >= first_day]
    return (
        export_text(HUBSPOT_CONTACTS, contacts),
        export_text(HUBSPOT_DEALS, [hubspot_deal(deal) for deal in deals]),
    )


def seed_demo_crm_import(*, today: date) -> None:
    """Import Acme's export of the closed quarters before `today`'s over its typed-in figures.

    Once: a client with a done import is not imported again (its files are gone by then, and a
    second import would only repeat the first), so running it again changes nothing. A quarter
    that closes later is typed in, like the other clients'.
    """
    periods = closed_quarters(today)
    for owner, clients in demo_clients():
        for client in clients.filter(name=IMPORTED_CLIENT):
            if not client.crm_imports.filter(status=CrmImport.Status.DONE).exists():
                import_demo_export(
                    client=client, user=owner, story=STORIES[client.name], periods=periods
                )


def import_demo_export(
    *, client: Client, user: User | None, story: FunnelStory, periods: list[Quarter]
) -> CrmImport:
    """Import the client's generated export as a consultant would: upload, the proposed
    mapping, confirm, derive. The raw files are not kept."""
    contacts, deals = demo_export(story, periods)
    contacts_name, deals_name = FILE_NAMES[HUBSPOT]
    crm_import = start_crm_import(
        client=client,
        user=user,
        lead_upload=SimpleUploadedFile(contacts_name, contacts.encode(), "text/csv"),
        deal_upload=SimpleUploadedFile(deals_name, deals.encode(), "text/csv"),
        keep_raw=False,
    )
    lead_proposal, deal_proposal = propose(crm_import, LEADS), propose(crm_import, DEALS)
    confirm_mapping(
        crm_import=crm_import,
        lead_mapping=lead_proposal.mapping,
        deal_mapping=deal_proposal.mapping,
        date_format="",  # detected, as the mapping page's default
        stall_days=saved_stall_days(client),
        layout=lead_proposal.layout.crm if lead_proposal.layout else "",
    )
    derive_crm_import(crm_import=crm_import, as_of=taken_on(periods))
    derived = sorted(crm_import.figures.values_list("year", "quarter"))
    if crm_import.status != CrmImport.Status.DONE or derived != [
        (quarter.year, quarter.number) for quarter in periods
    ]:
        raise DemoImportError(f"{crm_import}: {derived} {crm_import.problems[:5]}")
    return crm_import
