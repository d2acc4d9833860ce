"""The fields Relay needs from a CRM's lead and deal exports, and each CRM's name for them.

One definition per field: the mapping proposes columns from these names, the reader's
messages use the labels, and the sample exports (devtools.crm_samples) are written with the
same headers, so a layout change is made here once. The names are those of the CRMs' standard
exports; where a CRM has no standard property (a SAL date in HubSpot, stage dates in
Pipedrive), the name is the custom field most teams add, and the fuzzy match covers variants.
"""

import re
from dataclasses import dataclass

HUBSPOT, SALESFORCE, PIPEDRIVE = "hubspot", "salesforce", "pipedrive"
CRMS = (HUBSPOT, SALESFORCE, PIPEDRIVE)
CRM_NAMES = {HUBSPOT: "HubSpot", SALESFORCE: "Salesforce", PIPEDRIVE: "Pipedrive"}

LEADS, DEALS = "leads", "deals"
KINDS = (LEADS, DEALS)
KIND_NAMES = {LEADS: "lead or contact export", DEALS: "deal or opportunity export"}

# What a cell holds, which says how records.py reads it.
TEXT, DATE, MONEY, FLAG = "text", "date", "money", "flag"


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # as the mapping screen and the messages show it
    kind: str  # TEXT, DATE, MONEY or FLAG
    required: bool
    names: dict[str, tuple[str, ...]]  # crm -> its export's header names, most usual first
    aliases: tuple[str, ...] = ()  # names a hand-made file might use

    def known_names(self) -> tuple[str, ...]:
        return tuple(name for crm in CRMS for name in self.names.get(crm, ())) + self.aliases


def _field(key, label, kind, required, hubspot=(), salesforce=(), pipedrive=(), aliases=()):
    names = {HUBSPOT: tuple(hubspot), SALESFORCE: tuple(salesforce), PIPEDRIVE: tuple(pipedrive)}
    return Field(key, label, kind, required, names, tuple(aliases))


LEAD_FIELDS = (
    _field(
        "record_id",
        "Record ID",
        TEXT,
        True,
        hubspot=["Record ID", "Contact ID"],
        salesforce=["Lead ID", "Contact ID"],
        pipedrive=["Person - ID", "Lead - ID"],
        aliases=["ID", "Lead ID", "Contact ID"],
    ),
    _field(
        "lifecycle_stage",
        "Lifecycle stage",
        TEXT,
        False,
        hubspot=["Lifecycle Stage"],
        salesforce=["Lead Status", "Status"],
        pipedrive=["Person - Label", "Lead - Labels"],
        aliases=["Stage", "Lead stage"],
    ),
    _field(
        "source",
        "Source",
        TEXT,
        False,
        hubspot=["Original Source", "Original Traffic Source", "Latest Source"],
        salesforce=["Lead Source"],
        pipedrive=["Person - Source", "Person - Lead source", "Lead - Source"],
        aliases=["Source", "Channel"],
    ),
    _field(
        "created",
        "Create date",
        DATE,
        True,
        hubspot=["Create Date"],
        salesforce=["Created Date"],
        pipedrive=["Person - Person created", "Lead - Lead created"],
        aliases=["Created", "Created at", "Inquiry date"],
    ),
    _field(
        "became_mql",
        "Date it became an MQL",
        DATE,
        False,
        hubspot=["Became a Marketing Qualified Lead Date"],
        salesforce=["MQL Date", "Marketing Qualified Date"],
        pipedrive=["Person - MQL date"],
        aliases=["MQL date", "Became MQL"],
    ),
    _field(
        "became_sal",
        "Date it became a SAL",
        DATE,
        False,
        hubspot=["Became a Sales Accepted Lead Date"],
        salesforce=["SAL Date", "Sales Accepted Date"],
        pipedrive=["Person - SAL date"],
        aliases=["SAL date", "Accepted date", "Became SAL"],
    ),
    _field(
        "became_sql",
        "Date it became an SQL",
        DATE,
        False,
        hubspot=["Became a Sales Qualified Lead Date"],
        salesforce=["SQL Date", "Sales Qualified Date"],
        pipedrive=["Person - SQL date"],
        aliases=["SQL date", "Became SQL"],
    ),
    _field(
        "became_opportunity",
        "Date it became an opportunity",
        DATE,
        False,
        hubspot=["Became an Opportunity Date"],
        # Converting a Salesforce lead is what creates its opportunity.
        salesforce=["Converted Date", "Opportunity Date"],
        pipedrive=["Person - Opportunity date"],
        aliases=["Opportunity date", "Converted date"],
    ),
    _field(
        "became_customer",
        "Date it became a customer",
        DATE,
        False,
        hubspot=["Became a Customer Date"],
        salesforce=["Customer Date", "Became a Customer Date"],
        pipedrive=["Person - Won deals date", "Person - Customer date"],
        aliases=["Customer date", "Won date"],
    ),
    _field(
        "owner",
        "Owner",
        TEXT,
        False,
        hubspot=["Contact owner", "HubSpot Owner"],
        salesforce=["Lead Owner", "Owner"],
        pipedrive=["Person - Owner", "Lead - Owner"],
        aliases=["Owner", "Sales rep"],
    ),
    _field(
        "first_touch",
        "First sales touch",
        DATE,
        False,
        hubspot=["First Engagement Date", "Date of first engagement"],
        salesforce=["First Response Date", "First Activity Date"],
        pipedrive=["Person - First activity date", "Person - First touch"],
        aliases=["First touch", "First contacted", "First sales touch"],
    ),
    _field(
        "opted_out",
        "Opted out of email",
        FLAG,
        False,
        hubspot=["Unsubscribed from all email", "Opted out of all email"],
        salesforce=["Email Opt Out"],
        pipedrive=["Person - Marketing status"],
        aliases=["Opt out", "Unsubscribed"],
    ),
    _field(
        "icp_fit",
        "Fits the ideal customer profile",
        FLAG,
        False,
        hubspot=["Ideal Customer Profile Tier", "ICP Tier"],
        salesforce=["ICP Fit", "ICP Tier"],
        pipedrive=["Person - ICP fit"],
        aliases=["ICP", "ICP fit", "Fit"],
    ),
)

DEAL_FIELDS = (
    _field(
        "deal_id",
        "Deal ID",
        TEXT,
        True,
        hubspot=["Record ID", "Deal ID"],
        salesforce=["Opportunity ID"],
        pipedrive=["Deal - ID"],
        aliases=["ID", "Deal ID"],
    ),
    _field(
        "amount",
        "Amount",
        MONEY,
        True,
        hubspot=["Amount", "Amount in company currency"],
        salesforce=["Amount"],
        pipedrive=["Deal - Value"],
        aliases=["Value", "Deal value"],
    ),
    _field(
        "stage",
        "Stage",
        TEXT,
        False,
        hubspot=["Deal Stage"],
        salesforce=["Stage"],
        pipedrive=["Deal - Stage"],
        aliases=["Stage", "Deal stage"],
    ),
    # Won, lost or open: Pipedrive's status says which; Salesforce's Won is a yes/no beside
    # Closed; HubSpot only has its stage ("Closed won") or the "Is Closed Won" yes/no.
    _field(
        "won",
        "Won (or the status: won, lost, open)",
        FLAG,
        False,
        hubspot=["Is Closed Won"],
        salesforce=["Won"],
        pipedrive=["Deal - Status"],
        aliases=["Status", "Won", "Outcome"],
    ),
    _field(
        "closed",
        "Closed",
        FLAG,
        False,
        hubspot=["Is Deal Closed?", "Is Closed"],
        salesforce=["Closed"],
        aliases=["Closed", "Is closed"],
    ),
    _field(
        "created",
        "Create date",
        DATE,
        True,
        hubspot=["Create Date"],
        salesforce=["Created Date"],
        pipedrive=["Deal - Deal created"],
        aliases=["Created", "Created at"],
    ),
    # Salesforce's Close Date on an open opportunity is the expected one; records.py reads
    # it as a closing date only once the deal is won or lost.
    _field(
        "closed_on",
        "Close date",
        DATE,
        False,
        hubspot=["Close Date"],
        salesforce=["Close Date"],
        pipedrive=["Deal - Deal closed on", "Deal - Won time", "Deal - Lost time"],
        aliases=["Closed date", "Closed on"],
    ),
    _field(
        "lead_id",
        "The lead or contact it came from",
        TEXT,
        False,
        hubspot=["Associated Contact IDs", "Associated Contact ID"],
        salesforce=["Lead ID", "Converted Lead ID", "Contact ID"],
        pipedrive=["Person - ID", "Deal - Person ID"],
        aliases=["Lead ID", "Contact ID", "Person ID"],
    ),
)

FIELDS = {LEADS: LEAD_FIELDS, DEALS: DEAL_FIELDS}
# A deal's outcome comes from its won/status column or, failing that, its stage's name.
ONE_OF_REQUIRED = {LEADS: (), DEALS: (("won", "stage"),)}

_NOT_LETTER_OR_DIGIT = re.compile(r"[^0-9a-z]+")


def normalised(name: str) -> str:
    """A header name as it is compared: "Became a MQL date" and "became_a_mql-DATE" are the
    same; case, spaces and punctuation never decide a match."""
    return _NOT_LETTER_OR_DIGIT.sub("", name.casefold())


def fields_of(kind: str) -> dict[str, Field]:
    return {field.key: field for field in FIELDS[kind]}
