"""How long the questionnaire takes, estimated from what a respondent actually reads.

The welcome page promises a time; a promise that is too short costs the respondent's trust
and makes them stop halfway, so it is worked out from the bank's text, not guessed.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

# About 200 words a minute: a common figure for reading text on a screen, slower than on
# paper; the descriptors are dense text a respondent weighs against their own company.
WORDS_PER_MINUTE = 200
# The time to settle on one of the levels once the text is read.
DECISION_SECONDS = 10
ROUND_TO_MINUTES = 5

_WORD = re.compile(r"\w+(?:[’'-]\w+)*")


class ReadableQuestion(Protocol):
    """What a respondent reads of one question (a questionnaire's QuestionState will do)."""

    @property
    def texts(self) -> list[str]: ...


def word_count(text: str) -> int:
    """Words as a reader counts them: "lead-to-revenue" and "don’t" are one word each."""
    return len(_WORD.findall(text))


def words_to_read(question: ReadableQuestion) -> int:
    return sum(word_count(text) for text in question.texts)


def seconds_for(question: ReadableQuestion) -> float:
    """Reading the question, its help and every level's descriptor, then choosing."""
    return words_to_read(question) * 60 / WORDS_PER_MINUTE + DECISION_SECONDS


@dataclass(frozen=True)
class TimeEstimate:
    low: int  # minutes
    high: int

    def __str__(self) -> str:
        if self.low == 0:
            return f"under {self.high} minutes"
        return f"about {self.low}–{self.high} minutes"


def estimate_time(questions: Iterable[ReadableQuestion]) -> TimeEstimate:
    """The total, rounded up to the next 5 minutes, as a 5-minute range ending there: an
    honest "about 20–25 minutes" rather than a precise-looking "22 minutes"."""
    seconds = sum(seconds_for(question) for question in questions)
    high = max(ROUND_TO_MINUTES, ROUND_TO_MINUTES * math.ceil(seconds / 60 / ROUND_TO_MINUTES))
    return TimeEstimate(high - ROUND_TO_MINUTES, high)
