"""The welcome page's time estimate: worked out from the words a respondent reads."""

import pytest

from assessments.questionnaire import QuestionState
from assessments.reading_time import (
    TimeEstimate,
    estimate_time,
    seconds_for,
    word_count,
    words_to_read,
)
from bank.models import Question


def _question(words_in_text=10, words_in_help=20, words_per_descriptor=30, prompt=""):
    """A hand-made question, never saved: so many words in each part."""
    question = Question(
        text=" ".join(["word"] * words_in_text),
        help=" ".join(["word"] * words_in_help),
        comment_prompt=prompt,
    )
    descriptor = " ".join(["word"] * words_per_descriptor)
    levels = [(level, f"Level {level}", descriptor) for level in range(1, 6)]
    return QuestionState(question=question, levels=levels)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Is there a written ICP?", 5),
        ("A lead-to-revenue flow, fit-and-behaviour scoring.", 5),
        ("Don’t know; it isn't written (yet).", 6),
        ("Roughly 40% inbound / 60% outbound", 5),
    ],
)
def test_words_are_counted_as_a_reader_counts_them(text, words):
    assert word_count(text) == words


def test_a_question_is_read_whole_its_help_its_five_descriptors_and_its_prompt():
    assert words_to_read(_question(10, 20, 30)) == 10 + 20 + 5 * 30
    assert words_to_read(_question(10, 0, 30, prompt="What share is inbound?")) == 164


def test_a_question_takes_its_reading_at_200_words_a_minute_and_10_seconds_to_decide():
    # 200 words: a minute to read, and the decision.
    assert seconds_for(_question(20, 30, 30)) == pytest.approx(60 + 10)
    assert seconds_for(_question(0, 0, 0)) == pytest.approx(10)


@pytest.mark.parametrize(
    ("questions", "expected"),
    [
        # 20 questions of 200 words: 20 × 70 s = 23⅓ minutes, up to 25.
        (20, TimeEstimate(20, 25)),
        # 30 × 70 s = 35 minutes exactly: no rounding up past it.
        (30, TimeEstimate(30, 35)),
        # 31 × 70 s = 36.2 minutes.
        (31, TimeEstimate(35, 40)),
    ],
)
def test_the_estimate_rounds_up_to_5_minutes_as_a_range(questions, expected):
    assert estimate_time([_question(20, 30, 30)] * questions) == expected


def test_the_estimate_reads_in_words():
    assert str(TimeEstimate(20, 25)) == "about 20–25 minutes"
    assert str(estimate_time([_question(0, 0, 0)] * 3)) == "under 5 minutes"
    assert str(estimate_time([])) == "under 5 minutes"
