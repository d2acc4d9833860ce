"""A client's real funnel figures and their KPIs: pure code, like the scoring.

Plain values in, frozen dataclasses out; no ORM, no request, no settings. A FunnelFigures row
becomes `row.figures` (a `Figures`); everything below is arithmetic on those.

- The figures' vocabulary is defined here once: their fields (which the model's columns
  follow), their labels (forms, tables, the admin) and the words for them in a sentence.
- KPIs follow the funnel KPI list of the strategic demand generation review (seed 003):
  engagement, content, nurture email, conversion and velocity per lead stage, growth quarter
  over quarter, deal size, and the cost and return of the spend. A ratio with a missing
  numerator, or a missing or zero denominator, has no value ("n/a"); a zero numerator over a
  real denominator is a true 0%.
- Spend and returns: the marketing spend is the quarter's total; the engage-stage spend
  (reaching and engaging prospects: ads, events, sponsored content) and the content production
  cost are parts of it, so neither can exceed it. A customer's lifetime value is its gross
  margin per year times the years it stays a customer. The return on the spend discounts that
  value at the workspace's discount rate (`lifetime_value_today`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from lib.quarters import Quarter

COUNT_FIELDS = (
    "impressions",
    "engaged_leads",
    "content_downloads",
    "emails_sent",
    "emails_opened",
    "emails_clicked",
    "hard_bounces",
    "soft_bounces",
    "inquiries",
    "mqls",
    "sals",
    "sqls",
    "won_deals",
)
REVENUE_FIELDS = ("pipeline_value", "closed_revenue", "average_deal_size")
DAYS_FIELDS = ("days_inquiry_to_mql", "days_mql_to_sal", "days_sal_to_sql", "days_sql_to_won")
SPEND_FIELDS = ("marketing_spend", "engage_spend", "content_cost")
# A customer's lifetime value, in two figures: its gross margin per year, and the years it stays.
LIFETIME_FIELDS = ("customer_margin_per_year", "customer_lifetime_years")
YEARS_FIELDS = ("customer_lifetime_years",)
MONEY_FIELDS = REVENUE_FIELDS + SPEND_FIELDS + ("customer_margin_per_year",)
# What the signs of a dropped baton (funnel.signs) and the evidence (funnel.evidence) are
# measured with beyond the stages: who the new leads are, whether they move on, how fast sales
# takes them up. The shares are typed and kept as percentages (62.5 for 62.5%): a CRM export
# measures them over the leads whose field is filled in, which a count over every inquiry
# would misstate. The stalled MQLs are a count of the quarter's MQLs.
SHARE_FIELDS = ("icp_fit_share", "opt_out_share", "follow_up_48h_share")
SIGN_FIELDS = ("icp_fit_share", "opt_out_share", "stalled_mqls", "follow_up_48h_share")
WHOLE_NUMBER_FIELDS = (*COUNT_FIELDS, "stalled_mqls")
# The figures added since the first ones come last, so that columns and exports keep their order.
FIGURE_FIELDS = (
    COUNT_FIELDS + REVENUE_FIELDS + DAYS_FIELDS + SPEND_FIELDS + LIFETIME_FIELDS + SIGN_FIELDS
)
# Pairs where the first can never exceed the second: refused, by the form and the database.
IMPOSSIBLE_ABOVE = (
    ("emails_opened", "emails_sent"),
    ("emails_clicked", "emails_sent"),
    ("hard_bounces", "emails_sent"),
    ("soft_bounces", "emails_sent"),
    # Parts of the marketing spend.
    ("engage_spend", "marketing_spend"),
    ("content_cost", "marketing_spend"),
    # A stalled MQL is one of the quarter's MQLs.
    ("stalled_mqls", "mqls"),
)
# Each figure's label, as forms, tables and the admin show it.
FIGURE_LABELS = {
    "impressions": "Prospect impressions",
    "engaged_leads": "Engaged leads",
    "content_downloads": "Content downloads",
    "emails_sent": "Emails sent",
    "emails_opened": "Emails opened",
    "emails_clicked": "Emails clicked",
    "hard_bounces": "Hard bounces",
    "soft_bounces": "Soft bounces",
    "inquiries": "Inquiries",
    "mqls": "MQLs (marketing-qualified leads)",
    "sals": "SALs (sales-accepted leads)",
    "sqls": "SQLs (opportunities)",
    "won_deals": "Won deals",
    "pipeline_value": "Pipeline value",
    "closed_revenue": "Closed revenue",
    "average_deal_size": "Average deal size",
    "days_inquiry_to_mql": "Days from inquiry to MQL",
    "days_mql_to_sal": "Days from MQL to SAL",
    "days_sal_to_sql": "Days from SAL to SQL",
    "days_sql_to_won": "Days from SQL to won",
    "marketing_spend": "Marketing spend",
    "engage_spend": "Engage-stage spend",
    "content_cost": "Content production cost",
    "customer_margin_per_year": "Gross margin per customer per year",
    "customer_lifetime_years": "Years a customer stays",
    "icp_fit_share": "Share of new leads that fit the ideal customer profile (%)",
    "opt_out_share": "Share of new leads that opted out of email (%)",
    "stalled_mqls": "MQLs that went no further",
    "follow_up_48h_share": "Share of accepted leads first contacted within 48 hours (%)",
}


def in_a_sentence(label: str) -> str:
    """A label inside a sentence: "Won deals" becomes "won deals"; "MQLs" stays, and an
    explanation in brackets is left out ("MQLs (marketing-qualified leads)" is "MQLs")."""
    label = label.split(" (", 1)[0]
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


# Plain words for each figure, for messages.
FIGURE_WORDS = {name: in_a_sentence(label) for name, label in FIGURE_LABELS.items()}


# ---- Figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One quarter's funnel figures; None means "not entered". Mirrors FunnelFigures."""

    year: int
    quarter: int
    impressions: int | None = None
    engaged_leads: int | None = None
    content_downloads: int | None = None
    emails_sent: int | None = None
    emails_opened: int | None = None
    emails_clicked: int | None = None
    hard_bounces: int | None = None
    soft_bounces: int | None = None
    inquiries: int | None = None
    mqls: int | None = None
    sals: int | None = None
    sqls: int | None = None
    won_deals: int | None = None
    pipeline_value: float | None = None
    closed_revenue: float | None = None
    average_deal_size: float | None = None
    days_inquiry_to_mql: float | None = None
    days_mql_to_sal: float | None = None
    days_sal_to_sql: float | None = None
    days_sql_to_won: float | None = None
    marketing_spend: float | None = None
    engage_spend: float | None = None
    content_cost: float | None = None
    customer_margin_per_year: float | None = None
    customer_lifetime_years: float | None = None
    icp_fit_share: float | None = None  # a percentage: 62.5 is 62.5%
    opt_out_share: float | None = None  # a percentage
    stalled_mqls: int | None = None
    follow_up_48h_share: float | None = None  # a percentage

    @classmethod
    def from_mapping(cls, year: int, quarter: int, values: Mapping[str, object]) -> "Figures":
        """Read the figure fields from `values` (a model's fields, a form's cleaned data);
        other keys are ignored, missing or empty ones are None, Decimals become floats."""
        read = {}
        for name in FIGURE_FIELDS:
            value = values.get(name)
            if value is None or value == "":
                read[name] = None
            elif name in WHOLE_NUMBER_FIELDS:
                read[name] = int(value)
            else:
                read[name] = float(value)
        return cls(year, quarter, **read)

    @property
    def label(self) -> str:
        return str(Quarter(self.year, self.quarter))


def _number_text(value: float) -> str:
    """1200 -> "1,200"; 2.5 -> "2.5"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


# ---- KPIs ----------------------------------------------------------------------------------

PERCENT, DAYS, GROWTH, MONEY = "percent", "days", "growth", "money"
# An amount to the cent (a cost per impression is a fraction of a unit of money), and a multiple
# of the spend (4.2 of pipeline per unit of marketing spend).
MONEY_CENTS, MULTIPLE = "money_cents", "multiple"
MONEY_UNITS = frozenset({MONEY, MONEY_CENTS})


@dataclass(frozen=True)
class NumberFormat:
    """How a reader writes numbers: the thousands separator and the decimal mark. The app's
    pages write 1,234.5; a report can be written for readers who write 1.234,5."""

    thousands: str = ","
    decimal: str = "."

    def apply(self, text: str) -> str:
        """Rewrites a number written 1,234.5 in this format."""
        return text.translate({ord(","): self.thousands, ord("."): self.decimal})


DEFAULT_NUMBER_FORMAT = NumberFormat()


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: float | None  # percent and growth: a fraction (0.125 is 12.5%)
    unit: str  # "percent", "days", "growth", "money", "money_cents" or "multiple"

    @property
    def display(self) -> str:
        if self.value is None:
            return "n/a"
        if self.unit == PERCENT:
            return f"{self.value * 100:,.1f}%"
        if self.unit == DAYS:
            return f"{self.value:.1f} days"
        if self.unit == GROWTH:
            # Adding 0.0 turns a rounded -0.0 into 0.0, so no change never shows as "-0.0%".
            return f"{round(self.value * 100, 1) + 0.0:+.1f}%"
        if self.unit == MULTIPLE:
            # The amount each unit spent brought: its label says "per unit of spend".
            return f"{self.value:,.2f}"
        if self.unit == MONEY_CENTS:
            # A cost per impression can be a fraction of a cent: two significant digits then.
            if 0 < self.value < 0.1:
                return f"{self.value:.2g}"
            return f"{self.value:,.2f}"
        return f"{self.value:,.0f}"

    def shown(self, number_format: NumberFormat = DEFAULT_NUMBER_FORMAT, sign: str = "") -> str:
        """The KPI in a reader's number format, with a currency sign before a money figure:
        "€42.000"."""
        text = number_format.apply(self.display)
        if sign and self.unit in MONEY_UNITS and self.value is not None:
            return f"{sign}{text}"
        return text


# key -> (label, unit), in display order.
_KPI_SPECS = {
    "prospect_to_engaged": ("Prospect → engaged", PERCENT),
    "submit_rate": ("Submit rate", PERCENT),
    "engaged_to_inquiry": ("Engaged → inquiry", PERCENT),
    "open_rate": ("Email open rate", PERCENT),
    "click_rate": ("Email click rate", PERCENT),
    "hard_bounce_rate": ("Hard bounce rate", PERCENT),
    "soft_bounce_rate": ("Soft bounce rate", PERCENT),
    "inquiry_to_mql": ("Inquiry → MQL", PERCENT),
    "mql_to_sal": ("MQL → SAL", PERCENT),
    "sal_to_sql": ("SAL → SQL", PERCENT),
    "win_rate": ("Win rate (SQL → won)", PERCENT),
    "inquiry_to_won": ("Inquiry → won", PERCENT),
    "days_inquiry_to_mql": ("Time inquiry → MQL", DAYS),
    "days_mql_to_sal": ("Time MQL → SAL", DAYS),
    "days_sal_to_sql": ("Time SAL → SQL", DAYS),
    "days_sql_to_won": ("Time SQL → won", DAYS),
    "cycle_days": ("Time inquiry → won", DAYS),
    "deal_size": ("Average deal size", MONEY),
    "inquiry_growth": ("Inquiry growth", GROWTH),
    "mql_growth": ("MQL growth", GROWTH),
    "sal_growth": ("SAL growth", GROWTH),
    "sql_growth": ("SQL growth", GROWTH),
    "pipeline_growth": ("Pipeline growth", GROWTH),
    "revenue_growth": ("Closed revenue growth", GROWTH),
    "icp_fit_share": ("New leads that fit the ICP", PERCENT),
    "opt_out_rate": ("New leads that opted out", PERCENT),
    "stalled_mql_share": ("MQLs that went no further", PERCENT),
    "follow_up_48h": ("Accepted leads contacted within 48 hours", PERCENT),
    "engage_cost": ("Engage-stage spend", MONEY),
    "engage_cost_per_impression": ("Engage spend per impression", MONEY_CENTS),
    "engage_cost_per_engaged": ("Engage spend per engaged lead", MONEY_CENTS),
    "engage_cost_share": ("Engage spend, share of revenue", PERCENT),
    "content_cost": ("Content production cost", MONEY),
    "cost_per_inquiry": ("Marketing spend per inquiry", MONEY),
    "cost_per_mql": ("Marketing spend per MQL", MONEY),
    "cost_per_sql": ("Marketing spend per SQL", MONEY),
    "cost_per_won": ("Marketing spend per won deal", MONEY),
    "marketing_cost_share": ("Marketing spend, share of revenue", PERCENT),
    "pipeline_per_spend": ("Pipeline per unit of spend", MULTIPLE),
    "revenue_per_spend": ("Revenue per unit of spend", MULTIPLE),
    "lifetime_value": ("Lifetime value of a customer", MONEY),
    "lifetime_value_today": ("Lifetime value today", MONEY),
    "roi": ("Return on spend", PERCENT),
}
# The costs and returns of the spend, as the funnel page, the results page and the report group
# them.
COST_KPI_KEYS = (
    "engage_cost",
    "engage_cost_per_impression",
    "engage_cost_per_engaged",
    "engage_cost_share",
    "content_cost",
    "cost_per_inquiry",
    "cost_per_mql",
    "cost_per_sql",
    "cost_per_won",
    "marketing_cost_share",
    "pipeline_per_spend",
    "revenue_per_spend",
    "lifetime_value",
    "lifetime_value_today",
    "roi",
)
# The KPIs that depend on the discount rate: their label says which rate.
DISCOUNTED_KPI_KEYS = ("lifetime_value_today", "roi")
KPI_KEYS = tuple(_KPI_SPECS)
KPI_LABELS = {key: label for key, (label, _) in _KPI_SPECS.items()}
KPI_UNITS = {key: unit for key, (_, unit) in _KPI_SPECS.items()}

# key -> (numerator, denominator) figure fields.
_RATIOS = {
    "prospect_to_engaged": ("engaged_leads", "impressions"),
    "submit_rate": ("content_downloads", "impressions"),  # seed 003's definition
    "engaged_to_inquiry": ("inquiries", "engaged_leads"),
    "open_rate": ("emails_opened", "emails_sent"),
    "click_rate": ("emails_clicked", "emails_sent"),
    "hard_bounce_rate": ("hard_bounces", "emails_sent"),
    "soft_bounce_rate": ("soft_bounces", "emails_sent"),
    "inquiry_to_mql": ("mqls", "inquiries"),
    "mql_to_sal": ("sals", "mqls"),
    "sal_to_sql": ("sqls", "sals"),
    "win_rate": ("won_deals", "sqls"),
    "inquiry_to_won": ("won_deals", "inquiries"),
    "engage_cost_per_impression": ("engage_spend", "impressions"),
    "engage_cost_per_engaged": ("engage_spend", "engaged_leads"),
    "engage_cost_share": ("engage_spend", "closed_revenue"),
    "cost_per_inquiry": ("marketing_spend", "inquiries"),
    "cost_per_mql": ("marketing_spend", "mqls"),
    "cost_per_sql": ("marketing_spend", "sqls"),
    "cost_per_won": ("marketing_spend", "won_deals"),
    "marketing_cost_share": ("marketing_spend", "closed_revenue"),
    "pipeline_per_spend": ("pipeline_value", "marketing_spend"),
    "revenue_per_spend": ("closed_revenue", "marketing_spend"),
    "stalled_mql_share": ("stalled_mqls", "mqls"),
}
# key -> the figure whose quarter-over-quarter change it measures.
_GROWTHS = {
    "inquiry_growth": "inquiries",
    "mql_growth": "mqls",
    "sal_growth": "sals",
    "sql_growth": "sqls",
    "pipeline_growth": "pipeline_value",
    "revenue_growth": "closed_revenue",
}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """A KPI's ratio: none without a numerator, or without a positive denominator."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def growth(now: float | None, before: float | None) -> float | None:
    """The change from the previous quarter, as a fraction (0.25 is 25% more)."""
    # Growth from nothing is not a percentage, so a previous 0 has no growth either.
    if now is None or before is None or before <= 0:
        return None
    return (now - before) / before


def _fraction(percentage: float | None) -> float | None:
    """A share kept as a percentage (62.5) as the fraction a KPI holds (0.625)."""
    return None if percentage is None else percentage / 100


def _deal_size(figures: Figures) -> float | None:
    if figures.average_deal_size is not None:
        return figures.average_deal_size
    return ratio(figures.closed_revenue, figures.won_deals)


# ---- Lifetime value and the return on the spend ----------------------------------------------

# The yearly rate a workspace discounts a customer's future margin at, unless it sets its own;
# what it may set is from 0 to MAX_DISCOUNT_RATE.
DEFAULT_DISCOUNT_RATE = 0.10
MAX_DISCOUNT_RATE = 0.50


def rate_text(rate: float) -> str:
    """0.1 -> "10%", 0.075 -> "7.5%"."""
    return f"{round(rate * 100, 2):g}%"


def lifetime_value(figures: Figures) -> float | None:
    """A customer's gross margin over the years it stays, not discounted."""
    margin, years = figures.customer_margin_per_year, figures.customer_lifetime_years
    if margin is None or years is None:
        return None
    return margin * years


def lifetime_value_today(figures: Figures, discount_rate: float) -> float | None:
    """A customer's lifetime value as money today (its net present value): each year's margin
    counts at the end of that year, divided by (1 + rate) once per year waited; a part year
    at the end brings its share of a year's margin, at the end of that year. With a margin of
    1,000 for 2.5 years at 10%: 1,000/1.1 + 1,000/1.1² + 500/1.1³ = 2,111.19."""
    margin, years = figures.customer_margin_per_year, figures.customer_lifetime_years
    if margin is None or years is None:
        return None
    whole_years = int(years)
    value = sum(margin / (1 + discount_rate) ** year for year in range(1, whole_years + 1))
    if part := years - whole_years:
        value += part * margin / (1 + discount_rate) ** (whole_years + 1)
    return value


def _roi(figures: Figures, discount_rate: float) -> float | None:
    # What the quarter's won customers are worth today, less what was spent to win them, per
    # unit spent: (won deals × lifetime value today − spend) / spend.
    value = lifetime_value_today(figures, discount_rate)
    spend = figures.marketing_spend
    if value is None or figures.won_deals is None or spend is None:
        return None
    return ratio(figures.won_deals * value - spend, spend)


def kpis(
    figures: Figures,
    previous: Figures | None = None,
    *,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> dict[str, Kpi]:
    """Every KPI of one quarter, in KPI_KEYS order; growth needs the previous quarter, and the
    return on the spend discounts the customers' future margin at `discount_rate` a year."""
    values: dict[str, float | None] = {
        key: ratio(getattr(figures, numerator), getattr(figures, denominator))
        for key, (numerator, denominator) in _RATIOS.items()
    }
    days = [getattr(figures, name) for name in DAYS_FIELDS]
    values.update(zip(DAYS_FIELDS, days, strict=True))
    values["cycle_days"] = sum(days) if None not in days else None
    values["deal_size"] = _deal_size(figures)
    for key, name in _GROWTHS.items():
        before = getattr(previous, name) if previous is not None else None
        values[key] = growth(getattr(figures, name), before)
    values["engage_cost"] = figures.engage_spend
    values["content_cost"] = figures.content_cost
    values["lifetime_value"] = lifetime_value(figures)
    values["lifetime_value_today"] = lifetime_value_today(figures, discount_rate)
    values["roi"] = _roi(figures, discount_rate)
    values["icp_fit_share"] = _fraction(figures.icp_fit_share)
    values["opt_out_rate"] = _fraction(figures.opt_out_share)
    values["follow_up_48h"] = _fraction(figures.follow_up_48h_share)
    return {
        key: Kpi(key, kpi_label(key, discount_rate), values[key], unit)
        for key, (_, unit) in _KPI_SPECS.items()
    }


def kpi_label(key: str, discount_rate: float = DEFAULT_DISCOUNT_RATE) -> str:
    """A KPI's label; one that depends on the discount rate says which: "Return on spend, at a
    10% discount rate"."""
    if key in DISCOUNTED_KPI_KEYS:
        return f"{KPI_LABELS[key]}, at a {rate_text(discount_rate)} discount rate"
    return KPI_LABELS[key]


# ---- Checks on entered figures ---------------------------------------------------------------

# Pairs where the first above the second is allowed but suspicious, with the likely reason.
_LEADS_MOVED_ON = "possible when leads from an earlier quarter moved on this quarter"
_UNCOUNTED_CHANNEL = "possible when some channels' impressions are not counted"
SUSPICIOUS_ABOVE = (
    ("mqls", "inquiries", _LEADS_MOVED_ON),
    ("sals", "mqls", _LEADS_MOVED_ON),
    ("sqls", "sals", _LEADS_MOVED_ON),
    ("won_deals", "sqls", _LEADS_MOVED_ON),
    ("engaged_leads", "impressions", _UNCOUNTED_CHANNEL),
    ("content_downloads", "impressions", _UNCOUNTED_CHANNEL),
)
# The wording of an impossible pair; other pairs fall back to FIGURE_WORDS.
_IMPOSSIBLE_WORDS = {
    ("emails_opened", "emails_sent"): ("emails opened", "sent"),
    ("emails_clicked", "emails_sent"): ("emails clicked", "sent"),
}


def flags(figures: Figures) -> list[str]:
    """Figures that are allowed but worth a second look, in plain words."""
    found = []
    for part, whole, reason in SUSPICIOUS_ABOVE:
        above, below = getattr(figures, part), getattr(figures, whole)
        if above is not None and below is not None and above > below:
            found.append(
                f"More {FIGURE_WORDS[part]} ({_number_text(above)}) than "
                f"{FIGURE_WORDS[whole]} ({_number_text(below)}): {reason}, but worth checking."
            )
    return found


def problems(figures: Figures) -> dict[str, str]:
    """Figures that cannot be true, field -> message: negatives, and IMPOSSIBLE_ABOVE pairs."""
    found = {}
    for name in FIGURE_FIELDS:
        value = getattr(figures, name)
        if value is not None and value < 0:
            words = FIGURE_WORDS[name]
            found[name] = (
                f"{words[0].upper()}{words[1:]} cannot be negative ({_number_text(value)})."
            )
    for part, whole in IMPOSSIBLE_ABOVE:
        above, below = getattr(figures, part), getattr(figures, whole)
        if part in found or whole in found or above is None or below is None or above <= below:
            continue
        part_words, whole_words = _IMPOSSIBLE_WORDS.get(
            (part, whole), (FIGURE_WORDS[part], FIGURE_WORDS[whole])
        )
        found[part] = (
            f"More {part_words} ({_number_text(above)}) than {whole_words} ({_number_text(below)})."
        )
    return found
