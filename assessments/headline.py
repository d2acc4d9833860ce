"""The one "act first" conclusion of an assessment: where to start, reconciling where the
questionnaire says the baton drops with what the client's funnel figures show. Pure code.

The rule (stated on the methodology page, in the same words):

1. Measured evidence first. When the quarter's funnel figures show one or more handoffs
   poor, act first on the most upstream of them: figures outweigh beliefs, and downstream
   depends on upstream. The reason says whether the team rates that handoff well (a blind
   spot), badly too (the answers and the figures agree), or in between.
2. Otherwise, upstream first. Act first on the most upstream handoff the questionnaire puts
   at risk (an index under 40); when none is at risk, on the baton drop (the lowest index).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from assessments.scoring import HandoffResult, Results
from funnel.health import RATED_HIGH_FROM, HandoffHealth

EVIDENCE, AGREEMENT, BLIND_SPOT, UPSTREAM, BATON_DROP, UNKNOWN = (
    "evidence",
    "agreement",
    "blind_spot",
    "upstream",
    "baton_drop",
    "unknown",
)


@dataclass(frozen=True)
class ActFirst:
    rule: str  # one of the constants above: which part of the rule decided
    handoff: HandoffResult | None
    headline: str  # "Act first on Demand gen → Lead gen."
    reason: str  # why, in a sentence or two a CEO reads

    @property
    def key(self) -> str | None:
        return self.handoff.key if self.handoff else None


def _rated(handoff: HandoffResult) -> str:
    return f"the team rates it {round(handoff.index)} of 100" if handoff.index is not None else ""


def _from_evidence(handoff: HandoffResult, drop: HandoffResult | None) -> ActFirst:
    headline = f"Act first on {handoff.name}."
    if handoff.index is not None and handoff.index >= RATED_HIGH_FROM:
        reason = (
            f"Its funnel figures are poor although {_rated(handoff)}: a blind spot. The "
            "measured figures outweigh the answers, so start here."
        )
        return ActFirst(BLIND_SPOT, handoff, headline, reason)
    if handoff.at_risk or (drop is not None and drop.key == handoff.key):
        reason = (
            f"The answers and the funnel figures agree: {_rated(handoff)}, the lowest or at "
            "risk, and its figures are poor."
        )
        return ActFirst(AGREEMENT, handoff, headline, reason)
    reason = (
        f"Its funnel figures are poor ({_rated(handoff)}). The measured figures outweigh the "
        "answers, and downstream depends on upstream, so start here."
    )
    return ActFirst(EVIDENCE, handoff, headline, reason)


def act_first(results: Results, health: Mapping[str, HandoffHealth] | None) -> ActFirst:
    """Where to act first; `health` is the funnel check's per handoff (None without figures)."""
    handoffs = results.handoffs  # upstream first
    drop = results.baton_drop
    poor = [h for h in handoffs if health and h.key in health and health[h.key].label == "poor"]
    if poor:
        return _from_evidence(poor[0], drop)
    if drop is None:
        return ActFirst(UNKNOWN, None, "", "Too few answers yet to say where to act first.")
    at_risk = [h for h in handoffs if h.at_risk]
    if at_risk and at_risk[0].key != drop.key:
        first = at_risk[0]
        reason = (
            f"The baton drops further down, at {drop.name} ({round(drop.index)}), but "
            f"{first.name} is at risk too ({round(first.index)}) and downstream depends on "
            "upstream: fix it first, or the work further down won't hold."
        )
        return ActFirst(UPSTREAM, first, f"Act first on {first.name}.", reason)
    if drop.key == handoffs[0].key:
        reason = (
            f"The baton drops here ({round(drop.index)} of 100), at the first handoff: demand "
            "programs built on an unclear strategy cannot bring the right leads."
        )
    else:
        reason = (
            f"The baton drops here ({round(drop.index)} of 100), and the handoffs upstream of "
            "it hold: the weak flow here is not a symptom of a problem further up."
        )
    return ActFirst(BATON_DROP, drop, f"Act first on {drop.name}.", reason)
