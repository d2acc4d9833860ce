"""From uploaded files to quarters in one call: open, map, read, derive.

The import screen will stop between the steps (to show "looks like a HubSpot export", let the
mapping be corrected, ask how an ambiguous date is read); the bench, the tests and a saved
mapping go straight through.
"""

from dataclasses import dataclass
from datetime import date

from funnel.crm.dates import DateFormat
from funnel.crm.derive import DEFAULT_STALL_DAYS, Derivation, derive_quarters
from funnel.crm.fields import DEALS, LEADS
from funnel.crm.mapping import Mapping, check_mapping, propose_mapping
from funnel.crm.reader import CrmFile, CrmFileError, open_crm_csv
from funnel.crm.records import read_deals, read_leads


@dataclass(frozen=True)
class Derived:
    derivation: Derivation
    lead_file: CrmFile
    lead_format: DateFormat
    deal_file: CrmFile | None = None
    deal_format: DateFormat | None = None

    @property
    def problems(self) -> list[str]:
        found = [f"Leads: {text}" for text in self.lead_file.problems.texts()]
        if self.deal_file is not None:
            found += [f"Deals: {text}" for text in self.deal_file.problems.texts()]
        return found

    @property
    def rows_can_be_left_out(self) -> bool:
        """Whether every problem is a row's (or a row's date's), which importing the rest
        mends by leaving it out, as its message says."""
        files = [self.lead_file, self.deal_file] if self.deal_file else [self.lead_file]
        return not any(crm_file.problems.blocking for crm_file in files)


def opened(source, kind: str, mapping: Mapping | None) -> tuple[CrmFile, Mapping]:
    """The file opened and its mapping (the one given, or the proposal); CrmFileError lists
    every problem with the mapping."""
    crm_file = open_crm_csv(source)
    mapping = mapping or propose_mapping(crm_file.header, kind)
    if problems := check_mapping(mapping, crm_file.header):
        raise CrmFileError(problems)
    return crm_file, mapping


def derive_from_csv(
    lead_source,
    deal_source=None,
    *,
    as_of: date,
    lead_mapping: Mapping | None = None,
    deal_mapping: Mapping | None = None,
    date_format: str | None = None,
    stall_days: int = DEFAULT_STALL_DAYS,
) -> Derived:
    """Quarters from a lead export and, optionally, a deal export (binary file-likes)."""
    lead_file, lead_mapping = opened(lead_source, LEADS, lead_mapping)
    lead_format, leads = read_leads(
        lead_file.rows(lead_mapping), lead_mapping, lead_file.problems, date_format=date_format
    )
    deal_file = deal_format = deals = None
    if deal_source is not None:
        deal_file, deal_mapping = opened(deal_source, DEALS, deal_mapping)
        deal_format, deals = read_deals(
            deal_file.rows(deal_mapping), deal_mapping, deal_file.problems, date_format=date_format
        )
    derivation = derive_quarters(
        leads,
        deals,
        as_of=as_of,
        stall_days=stall_days,
        lead_problems=lead_file.problems,
        deal_problems=deal_file.problems if deal_file else None,
    )
    return Derived(derivation, lead_file, lead_format, deal_file, deal_format)
