"""`make bench` itself: its measuring, its load test's plumbing and its tables (no timing is
asserted here)."""

import random

import pytest

from devtools.benchmarks import Figure, median_seconds, table, time_against_anchors
from devtools.loadtest import Load, LoadTarget, _script, _script_per_request, parse_wrk
from devtools.loadtest import table as load_table

WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:8123/bench/bare/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.05ms    9.90ms 207.10ms   98.12%
    Req/Sec   657.10     90.50   830.00     80.00%
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.10ms
     99%    1.06s
  10478 requests in 8.01s, 2.41MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:   1308.14
Transfer/sec:    307.66KB
"""


def test_the_median_of_several_runs_is_taken_after_a_warm_up():
    calls = []
    seconds = median_seconds(lambda: calls.append(1), runs=3)
    assert len(calls) == 4 and seconds >= 0


def test_the_table_shows_each_figure_its_range_ratios_queries_and_verdict():
    text = table(
        [
            Figure("WeasyPrint alone", 1.5),
            Figure("PDF report", 1.65, "WeasyPrint alone", 1.1, "overhead < 30%", True),
            Figure(
                "Results page, cached",
                0.2,
                target="<= 1.3x minimal page",
                met=False,
                queries=8,
                low=0.15,
                high=0.45,
                vs_bare=90.0,
                vs_minimal=6.5,
            ),
        ]
    )
    assert "1.500 s" in text and "(1.10x WeasyPrint alone)" in text
    assert "overhead < 30%  ok" in text
    assert "200.0 ms  150.0 ms-450.0 ms" in text  # the median, then the range
    assert "90.00x     6.50x       8  <= 1.3x minimal page  MISSED" in text


class FakeClock:
    """Time that passes only as the works say: each call of a work adds its cost."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def work(self, cost: float, calls: list | None = None):
        def run():
            self.now += cost
            if calls is not None:
                calls.append(cost)

        return run


def test_a_target_is_timed_in_rounds_with_both_anchors_and_ratios_within_a_round():
    clock = FakeClock()
    calls = []
    anchors = {"bare": clock.work(0.0001, calls), "minimal": clock.work(0.001, calls)}
    timing = time_against_anchors(clock.work(0.003, calls), anchors, rounds=5, clock=clock)
    assert timing.median == pytest.approx(0.003)
    assert timing.vs_bare == pytest.approx(30.0) and timing.vs_minimal == pytest.approx(3.0)
    # Each quick call is repeated to a sample of about 10 ms: 100 bare views, 10 pages, 3 ...
    assert calls.count(0.0001) == 2 + 5 * 100  # (two warm-up calls each)
    assert calls.count(0.001) == 2 + 5 * 10


def test_load_that_comes_and_goes_hits_the_target_and_anchors_of_a_round_alike():
    """The machine slows tenfold in some rounds: the medians move, the ratios do not."""
    clock = FakeClock()
    slow_rounds = iter([1, 1, 1, 10, 10, 10, 1, 1, 1, 10, 10, 10] * 10)
    load = {"factor": 1}

    def loaded(cost):
        def run():
            clock.now += cost * load["factor"]

        return run

    real_shuffle = random.Random(0).shuffle  # noqa: S311 (an order, no secret)

    class EachRound(random.Random):
        def shuffle(self, order):  # a new round begins: the load changes
            load["factor"] = next(slow_rounds)
            real_shuffle(order)

    anchors = {"bare": loaded(0.0001), "minimal": loaded(0.001)}
    timing = time_against_anchors(loaded(0.002), anchors, rounds=12, rng=EachRound(), clock=clock)
    assert timing.low == pytest.approx(0.002) and timing.high == pytest.approx(0.02)
    assert timing.vs_minimal == pytest.approx(2.0) and timing.vs_bare == pytest.approx(20.0)


def test_the_rounds_are_shuffled():
    clock = FakeClock()
    order = []

    def named(name):
        def run():
            order.append(name)
            clock.now += 0.02  # one call per sample

        return run

    anchors = {"bare": named("bare"), "minimal": named("minimal")}
    time_against_anchors(named("target"), anchors, rounds=6, clock=clock)
    rounds = [tuple(order[6 + 3 * n : 9 + 3 * n]) for n in range(6)]  # after the warm-ups
    assert all(sorted(r) == ["bare", "minimal", "target"] for r in rounds)
    assert len(set(rounds)) > 1


def test_wrk_output_is_read_in_milliseconds_with_every_failure_counted():
    load = parse_wrk("Bare", WRK_OUTPUT)
    assert load.requests_per_second == 1308.14
    assert load.p50_ms == pytest.approx(0.812)
    assert load.p99_ms == pytest.approx(1060.0)
    assert load.errors == 2 + 3  # the timeouts and the non-2xx responses


def test_wrk_output_without_figures_is_an_error_not_a_zero():
    with pytest.raises(ValueError, match="Requests/sec"):
        parse_wrk("Bare", "unable to connect to 127.0.0.1:8123 Connection refused")


def test_the_wrk_script_cycles_through_the_bodies_with_the_headers():
    script = _script(
        method="POST",
        headers={"X-CSRFToken": 'to"ken'},
        bodies=["question=people.q1&choice-people.q1=1", "a=2"],
    )
    assert 'wrk.headers["X-CSRFToken"] = "to\\"ken"' in script
    assert '"question=people.q1&choice-people.q1=1",\n"a=2"' in script
    assert 'wrk.format("POST", nil, nil, bodies[(i % #bodies) + 1])' in script
    assert _script(method="GET", headers={}, bodies=[]).startswith('wrk.method = "GET"')


def test_the_workshop_s_wrk_script_sends_each_phone_s_own_cookie_and_body():
    script = _script_per_request(
        method="POST",
        requests=[({"Cookie": "sessionid=a"}, "choice=1"), ({"Cookie": 's"b'}, "choice=2")],
    )
    assert (
        '{{["Cookie"] = "sessionid=a"}, "choice=1"},\n{{["Cookie"] = "s\\"b"}, "choice=2"}'
        in script
    )
    assert 'return wrk.format("POST", nil, r[1], r[2])' in script


def test_the_load_table_compares_each_load_with_the_bare_view():
    text = load_table(
        [Load("Bare Django view", 1000.0, 2.0, 9.0, 0), Load("Results page", 250.0, 8.0, 30.0, 0)],
        [LoadTarget("results page p50 <= 4x bare view: 4.00x", True)],
    )
    assert " 25%,  4.00x" in text
    assert "target: results page p50 <= 4x bare view: 4.00x  ok" in text


@pytest.mark.parametrize("clients", ["0", "-3", "5001"])
def test_bench_refuses_a_scale_out_of_range_before_building_anything(clients):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="from 1 to 5000"):
        call_command("bench", "--scale", clients, "--no-load")


def test_the_crm_import_is_measured_in_rows_per_second_and_peak_memory():
    from devtools.benchmarks import crm_import_figures, measure_crm_import

    measure = measure_crm_import(50, runs=1)
    assert measure.rows == 50 and measure.seconds > 0 and measure.peak_bytes > 0
    assert measure.rows_per_second == 50 / measure.seconds

    small, large = crm_import_figures(sizes=((20, 1), (200, 1)))
    assert small.name == "CRM import, 20 lead rows" and small.met is None
    assert "rows/s, peak" in large.target and large.target.endswith("; < 60 s, peak flat")
    assert large.met is not None


@pytest.mark.urls("devtools.bench_urls")
def test_the_minimal_page_reads_the_session_the_user_and_the_memberships(
    client, owner, workspace, django_assert_num_queries
):
    client.force_login(owner)
    client.get(f"/bench/minimal/{workspace.slug}/")  # remembers the workspace in the session
    with django_assert_num_queries(3):
        response = client.get(f"/bench/minimal/{workspace.slug}/")
    assert response.status_code == 200
    assert f"<h1>{workspace.name}</h1>" in response.content.decode()
    assert client.get("/bench/minimal/another-workspace/").status_code == 404


def test_growth_is_linear_when_no_step_outgrows_its_size():
    from devtools.growth import grows_at_most_linearly

    assert grows_at_most_linearly([(1, 10.0), (5, 12.0), (20, 40.0), (50, 99.0)])
    assert not grows_at_most_linearly([(1, 10.0), (5, 12.0), (20, 60.0)])  # 5x for 4x
    assert grows_at_most_linearly([(52, 8.0), (208, 8.5)])


def test_on_postgresql_the_load_is_judged_by_its_p99s():
    from devtools.loadtest import _production_targets

    loads = [
        Load("Bare Django view", 2000.0, 1.0, 5.0, 0),
        Load("Results page", 300.0, 20.0, 120.0, 0),
        Load("Dashboard", 90.0, 60.0, 310.0, 0),
        Load("Answer save (htmx)", 150.0, 25.0, 240.0, 0),
    ]
    save, reads = _production_targets(loads)
    assert save.met and save.text == "answer save p99 < 250 ms: 240 ms"
    assert not reads.met and "the slowest, dashboard, 310 ms" in reads.text


def test_a_paced_wrk_script_waits_between_requests_to_keep_its_rate():
    from devtools.loadtest import _paced

    script = _paced(_script(method="GET", headers={}, bodies=[]), 20, connections=4)
    assert script.endswith("delay = function() return 200 end\n")
    assert _paced("x", None, connections=4) == "x"
