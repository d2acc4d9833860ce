"""Which column holds which field: proposals for each CRM's layout, fuzzy names, checks."""

import csv
from pathlib import Path

import pytest

from funnel.crm.fields import (
    DEAL_FIELDS,
    DEALS,
    HUBSPOT,
    LEAD_FIELDS,
    LEADS,
    PIPEDRIVE,
    SALESFORCE,
    normalised,
)
from funnel.crm.mapping import Mapping, check_mapping, detect_layout, propose_mapping

SAMPLES = Path(__file__).resolve().parents[1] / "docs" / "samples"


def _header(name: str) -> list[str]:
    with open(SAMPLES / name, newline="", encoding="utf-8") as file:
        return next(csv.reader(file))


# What each sample's columns hold, as a person reading the export would map them.
EXPECTED = {
    "hubspot-contacts.csv": (HUBSPOT, LEADS, {
        "record_id": "Record ID", "created": "Create Date",
        "became_mql": "Became a Marketing Qualified Lead Date",
        "became_sal": "Became a Sales Accepted Lead Date",
        "became_sql": "Became a Sales Qualified Lead Date",
        "became_opportunity": "Became an Opportunity Date",
        "became_customer": "Became a Customer Date", "owner": "Contact owner",
        "source": "Original Source", "opted_out": "Unsubscribed from all email",
        "lifecycle_stage": "Lifecycle Stage", "first_touch": "First Engagement Date",
        "icp_fit": "ICP Tier",
    }),
    "hubspot-deals.csv": (HUBSPOT, DEALS, {
        "deal_id": "Record ID", "amount": "Amount", "stage": "Deal Stage",
        "created": "Create Date", "closed_on": "Close Date",
        "lead_id": "Associated Contact IDs",
    }),
    "salesforce-leads.csv": (SALESFORCE, LEADS, {
        "record_id": "Lead ID", "lifecycle_stage": "Lead Status", "source": "Lead Source",
        "created": "Created Date", "became_mql": "MQL Date", "became_sal": "SAL Date",
        "became_opportunity": "Converted Date", "owner": "Lead Owner",
        "first_touch": "First Response Date", "opted_out": "Email Opt Out",
        "icp_fit": "ICP Fit",
    }),
    "salesforce-opportunities.csv": (SALESFORCE, DEALS, {
        "deal_id": "Opportunity ID", "amount": "Amount", "stage": "Stage", "won": "Won",
        "closed": "Closed", "created": "Created Date", "closed_on": "Close Date",
        "lead_id": "Lead ID",
    }),
    "pipedrive-persons.csv": (PIPEDRIVE, LEADS, {
        "record_id": "Person - ID", "created": "Person - Person created",
        "became_mql": "Person - MQL date", "became_sal": "Person - SAL date",
        "became_sql": "Person - SQL date", "became_customer": "Person - Won deals date",
        "owner": "Person - Owner", "source": "Person - Source",
        "opted_out": "Person - Marketing status", "icp_fit": "Person - ICP fit",
        "first_touch": "Person - First activity date", "lifecycle_stage": "Person - Label",
    }),
    "pipedrive-deals.csv": (PIPEDRIVE, DEALS, {
        "deal_id": "Deal - ID", "amount": "Deal - Value", "stage": "Deal - Stage",
        "won": "Deal - Status", "created": "Deal - Deal created",
        "closed_on": "Deal - Deal closed on", "lead_id": "Person - ID",
    }),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_samples_columns_are_proposed_for_the_right_fields(name):
    crm, kind, expected = EXPECTED[name]
    header = _header(name)

    mapping = propose_mapping(header)

    assert (mapping.kind, mapping.crm) == (kind, crm)
    assert mapping.columns == expected
    assert check_mapping(mapping, header) == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_layout_of_each_sample_is_recognised_for_the_import_screen(name):
    crm, kind, _ = EXPECTED[name]
    layout = detect_layout(_header(name))
    assert (layout.crm, layout.kind) == (crm, kind)
    assert layout.description.startswith("looks like a ")


def test_a_hand_made_header_is_matched_whatever_its_case_spacing_and_punctuation():
    header = ["lead_id", "CREATED-AT", "mql  date", "Became SAL", "sql_date", "Owner!"]

    mapping = propose_mapping(header, LEADS)

    assert mapping.columns == {
        "record_id": "lead_id",
        "created": "CREATED-AT",
        "became_mql": "mql  date",
        "became_sal": "Became SAL",
        "became_sql": "sql_date",
        "owner": "Owner!",
    }
    assert detect_layout(header) is None


def test_a_name_close_to_a_known_one_is_proposed_by_the_fuzzy_match():
    mapping = propose_mapping(["Record ID", "Create Dates", "Became a Marketing Qualified Lead"])
    assert mapping.columns["created"] == "Create Dates"
    assert mapping.columns["became_mql"] == "Became a Marketing Qualified Lead"


def test_a_column_is_never_proposed_for_two_fields():
    mapping = propose_mapping(["Record ID", "Create Date", "Lead ID"], LEADS)
    assert sorted(mapping.columns.values()) == sorted(set(mapping.columns.values()))


def test_normalising_ignores_case_spaces_and_punctuation():
    assert normalised(" Became a  Marketing-Qualified_Lead DATE ") == normalised(
        "became a marketing qualified lead date"
    )


def test_every_field_has_a_name_in_each_crm_or_a_generic_alias():
    for spec in LEAD_FIELDS + DEAL_FIELDS:
        assert spec.known_names(), spec.key
        assert spec.required == (spec.key in {"record_id", "created", "deal_id", "amount"})


def test_a_mapping_survives_a_round_trip_through_json():
    mapping = propose_mapping(_header("salesforce-leads.csv"))
    assert Mapping.from_json(mapping.to_json()) == mapping


def test_a_saved_mapping_finds_its_columns_after_they_move_or_change_case():
    mapping = Mapping(LEADS, {"record_id": "Record ID", "created": "Create Date"})
    assert mapping.positions(["x", "create date", "RECORD ID"]) == {"record_id": 2, "created": 1}


def test_every_problem_of_a_mapping_is_reported_at_once():
    header = ["Record ID", "Amount", "Created"]
    mapping = Mapping(
        DEALS,
        {"deal_id": "Record ID", "amount": "Record ID", "closed_on": "Closed on", "colour": "x"},
    )

    problems = check_mapping(mapping, header)

    assert problems == [
        "'colour' is not a field of a deal or opportunity export.",
        "Close date: the file has no column “Closed on”.",
        "Create date: choose the column that holds it.",
        "Choose the column for Won or Stage, so won and lost deals are known.",
        "The column “Record ID” is chosen for Deal ID, Amount.",
    ]


def test_a_mapping_of_an_unknown_kind_is_refused():
    assert check_mapping(Mapping("invoices", {}), ["a"]) == [
        "'invoices' is not a kind of export (leads or deals)."
    ]
