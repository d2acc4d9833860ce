"""Demo funnel figures: the last four closed quarters of each demo client's real numbers.

Each client's figures follow its story in `devtools.demo_story` (and its notes in
`devtools.demo_world`): the rates below are the truth of each quarter, the counts follow from them.
They are typed in from the story, and then Acme Analytics' lead and deal figures are imported
from its CRM export over them, as a consultant's would be: `devtools.demo_crm` generates the
HubSpot contacts and deals from this story and runs them through the real import. What a CRM
does not know (impressions, emails, spend, a customer's margin and years) stays typed in.

- Brightline Logistics pushes volume: many inquiries, generously qualified. Sales rejected most
  MQLs and called back after a week until the SLA of the third quarter. In the last quarter its
  respondents rate the lead-to-sales handoff higher than ever, but the funnel disagrees: a new
  SDR team let acceptance fall back to under a third of the MQLs and follow-up to eight days.
  That is the demo's contradiction between what people say and what the funnel shows.
- Cobalt Health Systems sells to hospital committees: few, large, slow deals. Its content barely
  engages at first and improves fast once the new VP Marketing maps the committee.
- Meridian Industrial Controls lives on events and field sales: a small, narrow audience, and a
  sales team that qualifies its own deals (it even logs opportunities that marketing never saw).
- Acme Analytics routes a lead in seconds, then it waits for someone to own it: high volume,
  clean data, middling acceptance and follow-up.

Each also has who its new leads are (the share fitting the ideal customer profile, the share
opting out) and the MQLs that stalled, which the signs of a dropped baton are measured by.

Each also has its marketing spend (with its engage-stage and content parts) and the margin and
years of a typical customer, so the cost and return KPIs show.

Deterministic and idempotent: no randomness here (Acme's export has a fixed seed), and a quarter
already entered is left alone.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from devtools.demo_story import demo_clients
from funnel.models import FunnelFigures
from lib.quarters import Quarter

QUARTERS = 4  # the closed quarters before the current one, oldest first


@dataclass(frozen=True)
class FunnelStory:
    """One value per quarter, oldest first, for each rate and volume."""

    impressions: tuple[int, ...]
    engaged_rate: tuple[float, ...]  # engaged leads per impression
    submit_rate: tuple[float, ...]  # content downloads per impression
    emails_sent: tuple[int, ...]
    open_rate: tuple[float, ...]
    click_rate: tuple[float, ...]
    hard_bounce_rate: tuple[float, ...]
    soft_bounce_rate: tuple[float, ...]
    inquiries: tuple[int, ...]
    inquiry_to_mql: tuple[float, ...]
    mql_to_sal: tuple[float, ...]
    sal_to_sql: tuple[float, ...]
    win_rate: tuple[float, ...]
    deal_size: tuple[int, ...]
    pipeline_per_sql: float  # pipeline value per SQL, as a multiple of the deal size
    days: tuple[tuple[float, float, float, float], ...]  # inquiry→MQL, MQL→SAL, SAL→SQL, →won
    marketing_spend: tuple[int, ...]
    engage_share: float  # of the marketing spend, spent reaching and engaging prospects
    content_share: float  # of the marketing spend, spent producing content
    # A deal is a year's contract: the customer's gross margin per year is this share of it.
    margin_share: float
    lifetime_years: float
    # Who the new leads are and whether they move on (the signs of a dropped baton): the share
    # fitting the ICP and the share opting out, in percent; the MQLs stalled, as a share of them.
    icp_fit_share: tuple[float, ...]
    opt_out_share: tuple[float, ...]
    stalled_mql_share: tuple[float, ...]
    # Accepted leads sales first contacted within 48 hours, in percent.
    follow_up_48h_share: tuple[float, ...]
    # Figures that break the pattern on purpose: {(quarter position, field): value}.
    exceptions: dict[tuple[int, str], int] = field(default_factory=dict)


STORIES = {
    "Brightline Logistics": FunnelStory(
        impressions=(182_000, 196_000, 211_000, 228_000),
        engaged_rate=(0.071, 0.070, 0.068, 0.069),
        submit_rate=(0.014, 0.013, 0.012, 0.012),
        emails_sent=(42_000, 45_500, 48_000, 51_000),
        open_rate=(0.21, 0.22, 0.23, 0.22),
        click_rate=(0.022, 0.024, 0.027, 0.028),
        hard_bounce_rate=(0.012, 0.011, 0.009, 0.008),
        soft_bounce_rate=(0.021, 0.020, 0.019, 0.018),
        inquiries=(1_420, 1_510, 1_560, 1_640),
        # Marketing qualifies generously, then (with the shared definition) more strictly.
        inquiry_to_mql=(0.24, 0.24, 0.20, 0.19),
        # Sales rejects most MQLs until the SLA; in the last quarter, a new SDR team lets
        # acceptance fall back.
        mql_to_sal=(0.29, 0.36, 0.61, 0.31),
        sal_to_sql=(0.30, 0.31, 0.42, 0.33),
        win_rate=(0.18, 0.19, 0.21, 0.20),
        deal_size=(38_000, 39_000, 41_000, 42_000),
        pipeline_per_sql=1.1,
        days=(
            (1.5, 9.0, 14.0, 68.0),
            (1.5, 7.5, 13.0, 66.0),
            (1.0, 2.5, 11.0, 63.0),
            (1.0, 8.0, 12.0, 64.0),
        ),
        # Volume is bought: paid media takes almost half of a large budget.
        marketing_spend=(195_000, 205_000, 215_000, 230_000),
        engage_share=0.46,
        content_share=0.10,
        margin_share=0.72,
        lifetime_years=4.0,
        # Volume over fit: half the new leads are outside the ICP, and they opt out; the MQLs
        # nobody accepted pile up, except in the quarter of the SLA.
        icp_fit_share=(46.0, 47.5, 55.0, 52.5),
        opt_out_share=(5.4, 5.1, 3.9, 4.4),
        stalled_mql_share=(0.46, 0.41, 0.24, 0.44),
        follow_up_48h_share=(22.0, 31.0, 86.0, 27.0),
    ),
    "Cobalt Health Systems": FunnelStory(
        impressions=(58_000, 63_000, 70_000, 76_000),
        engaged_rate=(0.008, 0.012, 0.019, 0.024),
        submit_rate=(0.004, 0.007, 0.012, 0.017),
        emails_sent=(9_800, 10_400, 11_600, 12_500),
        open_rate=(0.24, 0.25, 0.27, 0.29),
        click_rate=(0.011, 0.017, 0.024, 0.031),
        hard_bounce_rate=(0.006, 0.006, 0.005, 0.005),
        soft_bounce_rate=(0.012, 0.011, 0.011, 0.010),
        inquiries=(61, 88, 151, 214),
        inquiry_to_mql=(0.20, 0.22, 0.24, 0.26),
        mql_to_sal=(0.62, 0.64, 0.66, 0.68),
        sal_to_sql=(0.36, 0.38, 0.40, 0.41),
        win_rate=(0.22, 0.21, 0.23, 0.24),
        deal_size=(185_000, 190_000, 188_000, 196_000),
        pipeline_per_sql=1.2,
        days=(
            (6.0, 3.0, 21.0, 170.0),
            (5.5, 3.0, 20.0, 165.0),
            (5.0, 2.5, 19.0, 172.0),
            (4.5, 2.5, 18.0, 160.0),
        ),
        # The new VP Marketing spends on content for the buying committee.
        marketing_spend=(120_000, 125_000, 135_000, 140_000),
        engage_share=0.34,
        content_share=0.24,
        margin_share=0.45,
        lifetime_years=5.5,
        # Mapping the buying committee brings the right people, who stay listening.
        icp_fit_share=(54.0, 61.5, 69.0, 76.5),
        opt_out_share=(2.6, 2.2, 1.9, 1.6),
        stalled_mql_share=(0.24, 0.21, 0.19, 0.16),
        follow_up_48h_share=(71.0, 74.0, 79.0, 83.0),
    ),
    "Meridian Industrial Controls": FunnelStory(
        impressions=(60_000, 63_000, 62_000, 66_000),
        engaged_rate=(0.021, 0.022, 0.022, 0.024),
        submit_rate=(0.004, 0.004, 0.005, 0.006),
        emails_sent=(6_200, 6_400, 6_100, 7_000),
        open_rate=(0.27, 0.26, 0.27, 0.28),
        click_rate=(0.012, 0.013, 0.015, 0.017),
        hard_bounce_rate=(0.015, 0.016, 0.014, 0.013),
        soft_bounce_rate=(0.022, 0.021, 0.021, 0.020),
        inquiries=(140, 150, 145, 170),
        inquiry_to_mql=(0.20, 0.21, 0.22, 0.22),
        mql_to_sal=(0.58, 0.60, 0.57, 0.62),
        sal_to_sql=(0.46, 0.48, 0.47, 0.50),
        win_rate=(0.31, 0.30, 0.33, 0.32),
        deal_size=(240_000, 255_000, 248_000, 262_000),
        pipeline_per_sql=1.0,
        days=(
            (4.0, 3.5, 9.0, 120.0),
            (4.0, 3.0, 9.0, 118.0),
            (3.5, 3.5, 8.0, 125.0),
            (3.5, 3.0, 8.0, 116.0),
        ),
        # Trade shows are most of the budget; customers stay through years of retrofits.
        marketing_spend=(150_000, 155_000, 160_000, 165_000),
        engage_share=0.55,
        content_share=0.08,
        margin_share=0.35,
        lifetime_years=6.0,
        # A narrow audience that knows the brand.
        icp_fit_share=(81.0, 83.5, 82.0, 84.5),
        opt_out_share=(1.4, 1.3, 1.5, 1.2),
        stalled_mql_share=(0.22, 0.20, 0.23, 0.19),
        follow_up_48h_share=(68.0, 72.0, 66.0, 75.0),
        # The field reps log opportunities they found themselves, which marketing never saw
        # as leads: more SQLs than SALs that quarter.
        exceptions={(2, "sqls"): 21},
    ),
    "Acme Analytics": FunnelStory(
        impressions=(390_000, 410_000, 432_000, 455_000),
        engaged_rate=(0.045, 0.042, 0.030, 0.031),
        submit_rate=(0.016, 0.018, 0.020, 0.021),
        emails_sent=(64_000, 66_000, 69_000, 72_000),
        open_rate=(0.23, 0.24, 0.25, 0.25),
        click_rate=(0.029, 0.031, 0.033, 0.034),
        hard_bounce_rate=(0.006, 0.004, 0.003, 0.002),  # the warehouse cleans the lists
        soft_bounce_rate=(0.012, 0.010, 0.009, 0.008),
        inquiries=(2_380, 2_520, 2_700, 2_860),
        inquiry_to_mql=(0.19, 0.20, 0.21, 0.22),
        mql_to_sal=(0.52, 0.53, 0.55, 0.57),
        sal_to_sql=(0.31, 0.32, 0.33, 0.34),
        win_rate=(0.25, 0.26, 0.26, 0.27),
        deal_size=(23_000, 23_500, 24_500, 25_000),
        pipeline_per_sql=1.15,
        days=(
            (0.5, 4.5, 7.0, 46.0),
            (0.2, 4.0, 7.0, 45.0),
            (0.1, 4.0, 6.5, 44.0),
            (0.1, 3.5, 6.0, 43.0),
        ),
        # Self-serve analytics: cheap to win, quicker to leave.
        marketing_spend=(260_000, 270_000, 285_000, 300_000),
        engage_share=0.40,
        content_share=0.15,
        margin_share=0.80,
        lifetime_years=3.5,
        # Typed in before the CRM import, which measures them from the contacts.
        icp_fit_share=(58.0, 60.0, 61.0, 63.0),
        opt_out_share=(2.8, 2.7, 2.5, 2.4),
        stalled_mql_share=(0.30, 0.28, 0.27, 0.25),
        follow_up_48h_share=(40.0, 45.0, 48.0, 52.0),
    ),
}


def closed_quarters(today: date) -> list[Quarter]:
    """The demo's quarters of figures: the QUARTERS closed quarters before `today`'s."""
    current = Quarter.of(today)
    return [current.shifted(position - QUARTERS) for position in range(QUARTERS)]


def seed_demo_funnel(*, today: date) -> None:
    """Give every demo client its funnel figures for the four closed quarters before `today`'s,
    typed in from its story.

    A quarter that already has figures is left alone, so running it again changes nothing.
    """
    periods = closed_quarters(today)
    for _owner, clients in demo_clients():
        for client in clients:
            existing = set(client.funnel_figures.values_list("year", "quarter"))
            FunnelFigures.objects.bulk_create(
                FunnelFigures(
                    client=client,
                    year=period.year,
                    quarter=period.number,
                    **demo_figures(STORIES[client.name], position),
                )
                for position, period in enumerate(periods)
                if (period.year, period.number) not in existing
            )


def demo_figures(story: FunnelStory, position: int) -> dict:
    """The figures of one quarter, counts worked down the funnel from the story's rates."""
    at = position
    impressions, emails = story.impressions[at], story.emails_sent[at]
    inquiries = story.inquiries[at]
    mqls = round(inquiries * story.inquiry_to_mql[at])
    sals = round(mqls * story.mql_to_sal[at])
    sqls = story.exceptions.get((at, "sqls"), round(sals * story.sal_to_sql[at]))
    won = round(sqls * story.win_rate[at])
    deal = story.deal_size[at]
    days = story.days[at]
    spend = story.marketing_spend[at]
    return {
        "impressions": impressions,
        "engaged_leads": round(impressions * story.engaged_rate[at]),
        "content_downloads": round(impressions * story.submit_rate[at]),
        "emails_sent": emails,
        "emails_opened": round(emails * story.open_rate[at]),
        "emails_clicked": round(emails * story.click_rate[at]),
        "hard_bounces": round(emails * story.hard_bounce_rate[at]),
        "soft_bounces": round(emails * story.soft_bounce_rate[at]),
        "inquiries": inquiries,
        "mqls": mqls,
        "sals": sals,
        "sqls": sqls,
        "won_deals": won,
        "pipeline_value": Decimal(round(sqls * deal * story.pipeline_per_sql)),
        "closed_revenue": Decimal(won * deal),
        "average_deal_size": Decimal(deal),
        "days_inquiry_to_mql": Decimal(str(days[0])),
        "days_mql_to_sal": Decimal(str(days[1])),
        "days_sal_to_sql": Decimal(str(days[2])),
        "days_sql_to_won": Decimal(str(days[3])),
        "marketing_spend": Decimal(spend),
        "engage_spend": Decimal(round(spend * story.engage_share)),
        "content_cost": Decimal(round(spend * story.content_share)),
        "customer_margin_per_year": Decimal(round(deal * story.margin_share)),
        "customer_lifetime_years": Decimal(str(story.lifetime_years)),
        "icp_fit_share": Decimal(str(story.icp_fit_share[at])),
        "opt_out_share": Decimal(str(story.opt_out_share[at])),
        "stalled_mqls": round(mqls * story.stalled_mql_share[at]),
        "follow_up_48h_share": Decimal(str(story.follow_up_48h_share[at])),
    }
