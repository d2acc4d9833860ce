"""Calendar quarters, written the way people read them: 2026-Q3."""

import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"A quarter is numbered 1 to 4, not {self.number}.")

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """Read "2026-Q3" (also "2026Q3", "2026 - q3"); raise ValueError otherwise."""
        match = _PATTERN.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not a quarter like 2026-Q3.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def index(self) -> int:
        """Quarters counted from year 0, so differences are numbers of quarters."""
        return self.year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> "Quarter":
        return cls(index // 4, index % 4 + 1)

    def next(self) -> "Quarter":
        return self.shifted(1)

    def previous(self) -> "Quarter":
        return self.shifted(-1)

    def shifted(self, quarters: int) -> "Quarter":
        return Quarter.from_index(self.index + quarters)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)


def quarter_choices(today: date) -> list[tuple[str, str]]:
    """Two years back (to record past quarters) to two quarters ahead, newest first."""
    current = Quarter.of(today)
    return [(str(q), str(q)) for q in (current.shifted(n) for n in range(2, -9, -1))]
