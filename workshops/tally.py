"""A round's votes counted for the projector: by level, by role, the spread, and how the room
moved between rounds. Pure code over plain values (the views read the rows)."""

from collections import Counter
from dataclasses import dataclass

from assessments.anonymity import FOLDED_ROLE, FOLDED_ROLE_LABEL, MIN_ROLE_SIZE
from assessments.models import Choice, RespondentRole
from lib.maturity import LEVEL_NAMES

ROLE_LABELS = {**dict(RespondentRole.choices), FOLDED_ROLE: FOLDED_ROLE_LABEL}
NOT_LEVELS = {"NA": "Not applicable", "DK": "Don’t know"}


@dataclass(frozen=True)
class CastVote:
    name: str
    role: str
    choice: str

    @property
    def level(self) -> int | None:
        return int(self.choice) if self.choice.isdigit() else None


@dataclass(frozen=True)
class Bar:
    choice: str  # "1"-"5", "NA", "DK"
    label: str
    count: int
    share: float  # of the votes cast, 0 to 1
    descriptor: str  # the question's words for the level ("" for NA and DK)
    names: tuple[str, ...]  # who chose it, only where the assessment names people


@dataclass(frozen=True)
class RoleRow:
    role: str
    label: str
    levels: tuple[int, ...]  # sorted
    mean: float | None

    @property
    def range_words(self) -> str:
        """The levels the role gave, by name: "Managed", or "Emerging to Managed"."""
        low, high = LEVEL_NAMES[self.levels[0]], LEVEL_NAMES[self.levels[-1]]
        return low if low == high else f"{low} to {high}"


@dataclass(frozen=True)
class Tally:
    votes: int
    bars: tuple[Bar, ...]
    roles: tuple[RoleRow, ...]
    spread: int | None  # highest level chosen - lowest
    mean: float | None

    @property
    def chosen(self) -> tuple[Bar, ...]:
        """The levels somebody chose, with their descriptors: what the room talks about."""
        return tuple(bar for bar in self.bars if bar.count and bar.descriptor)

    @property
    def mean_name(self) -> str:
        """The level nearest the room's mean, by name."""
        return "" if self.mean is None else LEVEL_NAMES[min(5, max(1, int(self.mean + 0.5)))]

    @property
    def disagrees(self) -> bool:
        return (self.spread or 0) >= 2


def tally(votes: list[CastVote], descriptors: dict[int, str], *, named: bool) -> Tally:
    """Count the votes. Unless `named`, nobody is named and a role with fewer than three
    voters folds into "Other roles", as the assessment's anonymous results do."""
    counts = Counter(vote.choice for vote in votes)
    total = len(votes)
    bars = []
    for choice in Choice.values:
        level = int(choice) if choice.isdigit() else None
        names = tuple(sorted(v.name for v in votes if v.choice == choice)) if named else ()
        bars.append(
            Bar(
                choice=choice,
                label=LEVEL_NAMES[level] if level else NOT_LEVELS[choice],
                count=counts[choice],
                share=counts[choice] / total if total else 0.0,
                descriptor=descriptors.get(level, "") if level else "",
                names=names,
            )
        )
    role_counts = Counter(v.role for v in votes)
    shown = {
        role: role if named or count >= MIN_ROLE_SIZE else FOLDED_ROLE
        for role, count in role_counts.items()
    }
    by_role: dict[str, list[int]] = {}
    for vote in votes:
        if vote.level is not None:
            by_role.setdefault(shown[vote.role], []).append(vote.level)
    order = [*RespondentRole.values, FOLDED_ROLE]
    roles = tuple(
        RoleRow(role, ROLE_LABELS.get(role, role), tuple(sorted(levels)), _mean(levels))
        for role, levels in sorted(by_role.items(), key=lambda item: order.index(item[0]))
    )
    levels = [v.level for v in votes if v.level is not None]
    spread = max(levels) - min(levels) if levels else None
    return Tally(total, tuple(bars), roles, spread, _mean(levels))


def _mean(levels: list[int]) -> float | None:
    return sum(levels) / len(levels) if levels else None
