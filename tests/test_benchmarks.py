"""`make bench` itself: its measuring and its table (no timing is asserted here)."""

from assessments.benchmarks import Figure, median_seconds, table


def test_the_median_of_several_runs_is_taken_after_a_warm_up():
    calls = []
    seconds = median_seconds(lambda: calls.append(1), runs=3)
    assert len(calls) == 4 and seconds >= 0


def test_the_table_shows_each_figure_its_ratio_and_whether_the_target_was_met():
    text = table(
        [
            Figure("WeasyPrint alone", 1.5),
            Figure("PDF report", 1.65, "WeasyPrint alone", 1.1, "overhead < 30%", True),
            Figure("Cached download", 0.2, "bare view", 900.0, "< 50 ms", False),
        ]
    )
    assert "1.500 s" in text and "1.10x WeasyPrint alone" in text
    assert "overhead < 30%  ok" in text
    assert "200.0 ms" in text and "< 50 ms  MISSED" in text
