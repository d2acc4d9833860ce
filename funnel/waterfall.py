"""The revenue waterfall: a revenue target worked back up the funnel. Pure code.

Won deals = target / deal size, then each stage above = the stage below / the conversion rate
between them, rounded up. The spend it takes = the inquiries (or MQLs) needed x the marketing
spend per inquiry (or per MQL) of the quarter planned from.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from funnel.kpis import Figures, kpis

# ---- Revenue waterfall ---------------------------------------------------------------------

RATE_KEYS = ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "win_rate")
# Top of the funnel first: (stage key = Figures field, label, rate down to the next stage).
_WATERFALL_STAGES = (
    ("inquiries", "Inquiries", "inquiry_to_mql"),
    ("mqls", "MQLs", "mql_to_sal"),
    ("sals", "SALs", "sal_to_sql"),
    ("sqls", "SQLs", "win_rate"),
    ("won_deals", "Won deals", None),
)
INPUT_WORDS = {
    "inquiry_to_mql": "inquiry to MQL rate",
    "mql_to_sal": "MQL to SAL rate",
    "sal_to_sql": "SAL to SQL rate",
    "win_rate": "win rate (SQL to won)",
    "deal_size": "average deal size",
}
# Needed counts are rounded to this many decimals before rounding up, so that a division
# that is exact on paper (300 / 0.6) is not pushed to the next whole deal by float error.
_CEIL_DIGITS = 6


@dataclass(frozen=True)
class WaterfallStage:
    key: str
    label: str
    needed: int | None
    actual: int | None
    rate: float | None  # the rate used to get from this stage to the next one down

    @property
    def gap(self) -> int | None:
        """needed - actual: positive is a shortfall."""
        if self.needed is None or self.actual is None:
            return None
        return self.needed - self.actual


@dataclass(frozen=True)
class Waterfall:
    target_revenue: float
    deal_size: float | None  # None when the given one was missing or not above 0
    stages: tuple[WaterfallStage, ...]  # inquiries, mqls, sals, sqls, won_deals
    missing: tuple[str, ...]  # plain words for each unknown rate or deal size


def observed_rates(figures: Figures | None) -> dict[str, float | None]:
    """A quarter's conversion rates and deal size, to plan the waterfall with."""
    if figures is None:
        return dict.fromkeys((*RATE_KEYS, "deal_size"))
    observed = kpis(figures)
    return {key: observed[key].value for key in (*RATE_KEYS, "deal_size")}


def _usable(value: float | None) -> float | None:
    """A rate or deal size that can divide: a finite number above 0 (rates above 1 allowed)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def _round_up(value: float) -> int:
    return max(0, math.ceil(round(value, _CEIL_DIGITS)))


def waterfall(
    *,
    target_revenue: float,
    deal_size: float | None,
    rates: Mapping[str, float | None],
    actual: Figures | None,
) -> Waterfall:
    """What each stage must hold to reach `target_revenue`, worked up from won deals. A
    missing or zero rate (or deal size) leaves its stage and every stage above it unknown."""
    usable_deal_size = _usable(deal_size)
    usable_rates = {key: _usable(rates.get(key)) for key in RATE_KEYS}
    needed: int | None = (
        _round_up(target_revenue / usable_deal_size) if usable_deal_size is not None else None
    )
    stages = []
    for key, label, rate_key in reversed(_WATERFALL_STAGES):  # bottom up, from won deals
        rate = usable_rates[rate_key] if rate_key is not None else None
        if rate_key is not None:  # a stage must hold what the one below needs / the rate down
            needed = _round_up(needed / rate) if needed is not None and rate is not None else None
        stages.append(
            WaterfallStage(
                key, label, needed, getattr(actual, key) if actual is not None else None, rate
            )
        )
    missing = tuple(INPUT_WORDS[key] for key in RATE_KEYS if usable_rates[key] is None)
    if usable_deal_size is None:
        missing += (INPUT_WORDS["deal_size"],)
    return Waterfall(float(target_revenue), usable_deal_size, tuple(reversed(stages)), missing)


# ---- The spend it takes --------------------------------------------------------------------

# (the KPI of a stage's cost, the stage it is per): the spend is worked out from each.
SPEND_BASES = (("cost_per_inquiry", "inquiries"), ("cost_per_mql", "mqls"))


@dataclass(frozen=True)
class SpendEstimate:
    stage: str  # "inquiries" or "mqls"
    needed: int | None  # what the plan needs at that stage
    cost: float | None  # the marketing spend per lead of that stage, in the quarter planned from

    @property
    def spend(self) -> float | None:
        if self.needed is None or self.cost is None:
            return None
        return self.needed * self.cost


def spend_estimates(plan: Waterfall, actual: Figures | None) -> tuple[SpendEstimate, ...]:
    """The marketing spend the plan takes at today's cost per inquiry, and per MQL."""
    costs = kpis(actual) if actual is not None else {}
    needed = {stage.key: stage.needed for stage in plan.stages}
    return tuple(
        SpendEstimate(stage, needed[stage], costs[key].value if key in costs else None)
        for key, stage in SPEND_BASES
    )
