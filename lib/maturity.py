"""Relay's maturity vocabulary and scale: the one definition of each, as plain values.

The bank's choices (bank.models), the scoring (assessments.scoring), the funnel check and the
charts all read these, so a dimension, a handoff or a level is named the same way everywhere
(tests/test_vocabulary.py pins it). Pure: no Django, no I/O.
"""

from dataclasses import dataclass

# The four dimensions, in the order every page and report shows them.
DIMENSION_NAMES = {
    "people": "People",
    "process": "Process",
    "content": "Buyer insights & content",
    "technology": "Technology systems & data",
}

# The three handoffs of the relay, upstream first: downstream depends on upstream.
HANDOFF_ORDER = ("gtm_to_demand", "demand_to_lead", "lead_to_sales")
HANDOFF_NAMES = {
    "gtm_to_demand": "GTM strategy → Demand gen",
    "demand_to_lead": "Demand gen → Lead gen",
    "lead_to_sales": "Lead gen → Sales-ready opportunities",
}
# For tight spaces: a phone's chart tables, where a long word would break mid-word.
DIMENSION_SHORT_NAMES = {
    "people": "People",
    "process": "Process",
    "content": "Buyer content",
    "technology": "Tech & data",
}
# For tight spaces: chart annotations, table cells.
HANDOFF_SHORT_NAMES = {
    "gtm_to_demand": "Strategy → Demand",
    "demand_to_lead": "Demand → Lead",
    "lead_to_sales": "Lead → Sales",
}

# The five maturity levels; an index's stage carries the same names.
LEVEL_NAMES = {1: "Ad hoc", 2: "Emerging", 3: "Defined", 4: "Managed", 5: "Optimized"}
LEVELS = tuple(LEVEL_NAMES)
STAGE_UPPER_BOUNDS = (20, 40, 60, 80)  # an index below the n-th bound is at stage n
AT_RISK_BELOW = 40  # a handoff index under this is at risk


@dataclass(frozen=True)
class Stage:
    number: int
    name: str

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


def level_index(level: float) -> float:
    """A level 1-5 on the 0-100 index scale."""
    return (level - 1) / 4 * 100


def stage_of(index: float) -> Stage:
    for number, bound in enumerate(STAGE_UPPER_BOUNDS, start=1):
        if index < bound:
            return Stage(number, LEVEL_NAMES[number])
    return Stage(5, LEVEL_NAMES[5])
