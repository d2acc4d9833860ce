"""The quarters derived from lead and deal exports, worked out by hand on a tiny pair of
files, plus the checks on records that are wrong but not fatal."""

import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel.crm.derive import FIGURE_VALUES, QuarterFigures, derive_quarters, median_of
from funnel.crm.fields import DEALS, LEADS
from funnel.crm.mapping import propose_mapping
from funnel.crm.pipeline import derive_from_csv
from funnel.crm.reader import Problems, open_crm_csv
from funnel.crm.records import outcome, parse_money, read_deals, read_leads
from funnel.kpis import FIGURE_FIELDS, Figures
from lib.quarters import Quarter

AS_OF = date(2026, 6, 30)

# Ten leads in HubSpot's layout. Q1 2026: leads 1-6 created; Q2: leads 7-10.
# Lead 9 became an MQL before it was created, lead 10 after AS_OF: both dates are left out.
LEADS_CSV = """\
Record ID,Create Date,Became a Marketing Qualified Lead Date,Became a Sales Accepted Lead Date,\
Became a Sales Qualified Lead Date,Became a Customer Date,First Engagement Date,\
Unsubscribed from all email,ICP Tier
1,2026-01-05,2026-01-10,2026-01-12 09:00,2026-02-01,2026-03-15,2026-01-13 09:00,false,Tier 1
2,2026-01-20,2026-02-04,2026-02-05 10:00,2026-02-20,,2026-02-08 10:00,false,Tier 1
3,2026-02-01,2026-02-11,,,,,true,Tier 3
4,2026-02-15,,,,,,false,
5,2026-03-01,2026-03-04,2026-04-02 08:00,2026-04-10,2026-05-20,2026-04-03 08:00,false,Tier 2
6,2026-03-20,2026-04-05,,,,,false,Tier 3
7,2026-04-02,2026-04-09,2026-04-10 12:00,,,,false,Tier 1
8,2026-04-15,,,,,,false,Tier 1
9,2026-05-01,2026-04-20,,,,,false,Tier 3
10,2026-05-10,2026-07-15,,,,,false,Tier 3
"""
# Six deals: 905 closed before it was created; 906 was created before its lead (8).
DEALS_CSV = """\
Record ID,Amount,Deal Stage,Create Date,Close Date,Associated Contact IDs
901,"10,000.00",Closed Won,2026-02-01,2026-03-15,1
902,5000,Contract Sent,2026-02-20,2026-07-01,2
903,8000,Closed Lost,2026-03-01,2026-03-31,
904,12000,Closed Won,2026-04-10,2026-05-20,5
905,3000,Closed Won,2026-04-01,2026-03-25,
906,2000,Appointment Scheduled,2026-04-01,2026-08-01,8
"""


@pytest.fixture(scope="module")
def derived():
    return derive_from_csv(
        io.BytesIO(LEADS_CSV.encode()), io.BytesIO(DEALS_CSV.encode()), as_of=AS_OF
    )


def test_the_first_quarter_is_the_one_worked_out_by_hand(derived):
    q1, _ = derived.derivation.quarters
    assert q1 == QuarterFigures(
        quarter=Quarter(2026, 1),
        inquiries=6,  # leads 1-6
        mqls=4,  # 1 (Jan 10), 2 (Feb 4), 3 (Feb 11), 5 (Mar 4); 6's is in April
        sals=2,  # 1, 2; 5 was accepted in April
        sqls=2,  # 1, 2
        customers=1,  # 1
        won_deals=2,  # 901 and 905 closed won in Q1 (905's odd dates are flagged)
        lost_deals=1,  # 903
        pipeline_value=Decimal("5000.00"),  # 902, still open, created in Q1
        closed_revenue=Decimal("13000.00"),  # 10,000 + 3,000
        average_deal_size=Decimal("6500.00"),
        days_inquiry_to_mql=Decimal("7.5"),  # 3, 5, 10, 15: (5 + 10) / 2
        days_mql_to_sal=Decimal("1.5"),  # 2 and 1
        days_sal_to_sql=Decimal("17.5"),  # 20 and 15
        days_sql_to_won=Decimal("42.0"),  # 901: Feb 1 to Mar 15; 905's negative days left out
        closed_win_rate=2 / 3,
        icp_share=3 / 5,  # tiers 1, 1, 3, 2, 3 known (lead 4's blank is not)
        opt_out_rate=1 / 6,  # lead 3
        gate_pass_share=3 / 4,  # MQLs 1, 2, 5 went on to SAL; 3 did not
        touched_within_48h_share=1 / 2,  # 1 touched after 24 h, 2 after 72 h
        stalled_mqls=1,  # 3, an MQL since February; 2 has a deal, so it is not stalled
    )


def test_the_second_quarter_grows_or_shrinks_against_the_first(derived):
    _, q2 = derived.derivation.quarters
    assert q2 == QuarterFigures(
        quarter=Quarter(2026, 2),
        inquiries=4,  # leads 7-10
        mqls=2,  # 6, 7 (9's MQL date is before its creation, 10's after AS_OF)
        sals=2,  # 5, 7
        sqls=1,  # 5
        customers=1,  # 5
        won_deals=1,  # 904
        pipeline_value=Decimal("2000.00"),  # 906
        closed_revenue=Decimal("12000.00"),
        average_deal_size=Decimal("12000.00"),
        days_inquiry_to_mql=Decimal("11.5"),  # 16 and 7
        days_mql_to_sal=Decimal("15.0"),  # 29 and 1
        days_sal_to_sql=Decimal("8.0"),
        days_sql_to_won=Decimal("40.0"),  # 904: Apr 10 to May 20
        inquiry_growth=(4 - 6) / 6,
        mql_growth=-0.5,
        sal_growth=0.0,
        sql_growth=-0.5,
        won_growth=-0.5,
        closed_win_rate=1.0,
        icp_share=2 / 4,
        opt_out_rate=0.0,
        gate_pass_share=1 / 2,  # 7 went on, 6 did not
        touched_within_48h_share=1 / 2,  # 5 in 24 h; 7 never touched
        stalled_mqls=1,  # 6
        stalled_sals=1,  # 7
    )
    assert derived.derivation.stalled == {"mql": 2, "sal": 1, "sql": 0}


def test_records_that_are_wrong_but_not_fatal_are_flagged_on_their_lines(derived):
    assert derived.problems == [
        "Leads: Line 10: the MQL date (2026-04-20) is before the record was created "
        "(2026-05-01); it is left out.",
        "Leads: Line 11: the MQL date (2026-07-15) is after 2026-06-30, the date the figures "
        "are taken on; it is left out.",
        "Deals: Line 6: the deal closed (2026-03-25) before it was created (2026-04-01); its "
        "days to close are left out.",
        "Deals: Line 7: the deal was created (2026-04-01) before its lead 8 (2026-04-15, "
        "line 9 of the leads).",
    ]


def test_a_quarter_fills_a_funnel_figures_row_by_its_own_field_names(derived):
    q1 = derived.derivation.quarters[0]
    values = q1.as_figure_values()

    assert set(values) == set(FIGURE_VALUES) and set(FIGURE_VALUES) <= set(FIGURE_FIELDS)
    assert values["closed_revenue"] == Decimal("13000.00")
    figures = Figures.from_mapping(2026, 1, values)
    assert (figures.inquiries, figures.days_inquiry_to_mql) == (6, 7.5)
    assert q1.inquiry_to_mql == 4 / 6 and q1.sql_to_won == 1.0


def test_without_a_deal_export_won_deals_are_the_customers_and_there_is_no_money():
    result = derive_from_csv(io.BytesIO(LEADS_CSV.encode()), as_of=AS_OF)
    q1, q2 = result.derivation.quarters

    assert (q1.won_deals, q2.won_deals) == (1, 1)
    assert q1.pipeline_value is q1.closed_revenue is q1.closed_win_rate is None
    assert q1.days_sql_to_won == Decimal("42.0")  # lead 1: SQL Feb 1, customer Mar 15
    assert q2.days_sql_to_won == Decimal("40.0")  # lead 5: SQL Apr 10, customer May 20


def test_quarters_without_records_between_others_are_there_with_nothing_in_them():
    data = b"ID,Created\n1,2025-11-03\n2,2026-05-04\n"
    quarters = derive_from_csv(io.BytesIO(data), as_of=AS_OF).derivation.quarters
    assert [str(q.quarter) for q in quarters] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert [q.inquiries for q in quarters] == [1, 0, 1]
    assert quarters[1].inquiry_growth == -1.0 and quarters[2].inquiry_growth is None


def test_a_lead_with_an_opportunity_date_but_no_sql_date_reached_sql_then():
    data = b"Lead ID,Created Date,Converted Date\n00Q1,1/5/2026,1/25/2026\n"
    (q1,) = derive_from_csv(io.BytesIO(data), as_of=AS_OF).derivation.quarters
    assert (q1.sqls, q1.opportunities) == (1, 1)


def test_the_stall_threshold_is_a_parameter_counted_back_from_as_of():
    data = b"ID,Created,MQL date\n1,2026-06-01,2026-06-10\n"
    for stall_days, stalled in ((30, 0), (20, 0), (19, 1), (5, 1)):
        result = derive_from_csv(io.BytesIO(data), as_of=date(2026, 6, 30), stall_days=stall_days)
        assert result.derivation.stalled["mql"] == stalled, stall_days


def test_a_file_with_no_first_touches_has_no_follow_up_share_not_zero():
    data = b"ID,Created,SAL date\n1,2026-01-05,2026-01-06\n"
    (q1,) = derive_from_csv(io.BytesIO(data), as_of=AS_OF).derivation.quarters
    assert q1.sals == 1 and q1.touched_within_48h_share is None


def test_an_ambiguous_date_format_is_flagged_and_the_choice_can_be_made():
    data = b"ID,Created,MQL date\n1,03/04/2026,05/06/2026\n"

    guessed = derive_from_csv(io.BytesIO(data), as_of=AS_OF)
    assert "No date shows a day above 12" in guessed.problems[0]
    assert guessed.lead_format.key == "dmy"  # the first candidate, flagged

    chosen = derive_from_csv(io.BytesIO(data), as_of=AS_OF, date_format="mdy")
    assert chosen.problems == []
    assert [str(q.quarter) for q in chosen.derivation.quarters] == ["2026-Q1", "2026-Q2"]


def test_unreadable_cells_are_problems_and_the_record_keeps_its_other_values():
    data = b"ID,Created,MQL date\n1,2026-01-05,soon\n,2026-01-06,\n3,,\n"
    result = derive_from_csv(io.BytesIO(data), as_of=AS_OF)
    assert result.problems == [
        "Leads: Line 2, column “MQL date”: “soon” is not a date written as year-month-day, "
        "e.g. 2026-01-31 or 2026-01-31 14:05.",
        "Leads: Line 3: the record has no ID; it is left out.",
        "Leads: Line 4, column “Created”: the create date is empty; the record is left out.",
    ]
    assert result.derivation.leads == 1


@pytest.mark.parametrize(
    ("text", "amount"),
    [("12,500.50", "12500.50"), ("12.500,50", "12500.50"), ("$ 1,200", "1200"),
     ("€1.234.567", "1234567"), ("700", "700"), ("99,5", "99.5"), ("-250.00", "-250.00")],
)  # fmt: skip
def test_money_is_read_with_either_decimal_mark(text, amount):
    assert parse_money(text) == Decimal(amount)


@pytest.mark.parametrize(
    ("won", "closed", "stage", "expected"),
    [("won", "", "", "won"), ("lost", "", "", "lost"), ("open", "", "Closed Won", "open"),
     ("1", "1", "Closed Won", "won"), ("0", "1", "Closed Lost", "lost"),
     ("0", "1", "Whatever", "lost"), ("0", "0", "Negotiation", "open"),
     ("", "", "Closed Won", "won"), ("", "", "Closed Lost", "lost"), ("", "", "Demo", "open")],
)  # fmt: skip
def test_a_deals_outcome_comes_from_its_status_flags_or_stage(won, closed, stage, expected):
    assert outcome(won, closed, stage) == expected


def test_a_median_is_read_off_a_histogram_of_whole_days():
    from collections import Counter

    assert median_of(Counter()) is None
    assert median_of(Counter({3: 1})) == Decimal("3.0")
    assert median_of(Counter({1: 2, 10: 1})) == Decimal("1.0")
    assert median_of(Counter({1: 1, 4: 1, 9: 2})) == Decimal("6.5")


# ---- One pass, any order ---------------------------------------------------------------------


def _records():
    problems = Problems()
    lead_file = open_crm_csv(io.BytesIO(LEADS_CSV.encode()))
    lead_mapping = propose_mapping(lead_file.header, LEADS)
    _, leads = read_leads(lead_file.rows(lead_mapping), lead_mapping, problems)
    deal_file = open_crm_csv(io.BytesIO(DEALS_CSV.encode()))
    deal_mapping = propose_mapping(deal_file.header, DEALS)
    _, deals = read_deals(deal_file.rows(deal_mapping), deal_mapping, problems)
    return list(leads), list(deals)


LEAD_RECORDS, DEAL_RECORDS = _records()
IN_FILE_ORDER = derive_quarters(LEAD_RECORDS, DEAL_RECORDS, as_of=AS_OF)


@settings(max_examples=60, deadline=None)
@given(st.permutations(LEAD_RECORDS), st.permutations(DEAL_RECORDS))
def test_the_quarters_do_not_depend_on_the_order_of_the_records(leads, deals):
    assert derive_quarters(leads, deals, as_of=AS_OF) == IN_FILE_ORDER
