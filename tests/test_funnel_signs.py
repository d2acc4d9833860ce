"""The four signs of a dropped baton (funnel.signs), their figures and thresholds, worked by
hand; and where a person sees them: the figures form, the funnel page, the methodology page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from funnel.crm.derive import QuarterFigures
from funnel.crm_imports import derived_values
from funnel.forms import FunnelThresholdsForm, FunnelValuesForm
from funnel.health import DEFAULT_THRESHOLDS, Threshold, handoff_health, thresholds_with
from funnel.kpis import Figures, kpis
from funnel.models import FunnelFigures, FunnelThresholds
from funnel.signs import CLEAR, SHOWING, UNMEASURED, WATCH, baton_signs, sign_status
from lib.quarters import Quarter
from tests.factories import make_client, make_user, make_workspace

# The quarter before: 200 inquiries, 4% opting out, 30% of 50 MQLs stalled.
BEFORE = Figures(
    2026,
    2,
    inquiries=200,
    mqls=50,
    sals=30,
    emails_sent=5_000,
    emails_clicked=100,
    icp_fit_share=45.0,
    opt_out_share=4.0,
    stalled_mqls=15,
)
# This quarter: 180 inquiries is -10% (poor, on the bound); 35% fit the ICP (poor); 3% opt out
# (fair) while 150 of 5,000 emails clicked is 3% (healthy); 10 of 50 MQLs stalled is 20%
# (healthy, on the bound) while 30 of 50 accepted is 60% (fair).
NOW = Figures(
    2026,
    3,
    inquiries=180,
    mqls=50,
    sals=30,
    emails_sent=5_000,
    emails_clicked=150,
    icp_fit_share=35.0,
    opt_out_share=3.0,
    stalled_mqls=10,
)


def _signs(now=NOW, before=BEFORE, thresholds=DEFAULT_THRESHOLDS):
    health = handoff_health(kpis(now, before), thresholds)
    return {sign.key: sign for sign in baton_signs(health, kpis(before), "2026-Q2")}


def test_the_four_signs_as_worked_by_hand():
    signs = _signs()
    assert list(signs) == ["few_contacts", "off_target", "tuning_out", "no_movement"]
    assert {key: sign.status for key, sign in signs.items()} == {
        "few_contacts": SHOWING,  # -10% reaches the poor bound
        "off_target": SHOWING,  # 35% fit, under 40%
        "tuning_out": WATCH,  # opt-outs fair, clicks healthy
        "no_movement": WATCH,  # stalls healthy, acceptance fair
    }
    assert [f.health.status for f in signs["tuning_out"].figures] == ["fair", "healthy"]
    assert [f.kpi.value for f in signs["no_movement"].figures] == [0.2, 0.6]


def test_each_sign_points_to_its_handoff():
    signs = _signs()
    assert {key: sign.handoff for key, sign in signs.items()} == {
        "few_contacts": "demand_to_lead",
        "off_target": "gtm_to_demand",
        "tuning_out": "gtm_to_demand",
        "no_movement": "lead_to_sales",
    }
    assert signs["no_movement"].handoff_name == "Lead gen → Sales-ready opportunities"


def test_each_figure_says_how_it_moved_and_whether_that_is_good_news():
    signs = _signs()
    opt_outs, clicks = signs["tuning_out"].figures
    assert opt_outs.trend == "down from 4.0% in 2026-Q2"
    assert opt_outs.direction == "better"  # fewer opt-outs is the good news
    assert clicks.trend == "up from 2.0% in 2026-Q2"
    assert clicks.direction == "better"
    (icp,) = signs["off_target"].figures
    assert icp.trend == "down from 45.0% in 2026-Q2" and icp.direction == "worse"
    (growth,) = signs["few_contacts"].figures
    assert growth.kpi.display == "-10.0%"
    assert growth.trend == ""  # the quarter before has no quarter before it here


def test_without_a_quarter_before_there_is_no_trend():
    health = handoff_health(kpis(NOW), DEFAULT_THRESHOLDS)
    signs = baton_signs(health)
    assert all(figure.trend == "" and figure.direction == "" for s in signs for figure in s.figures)
    assert signs[0].status == UNMEASURED  # no growth without the quarter before


def test_a_sign_is_the_worst_of_its_figures():
    assert sign_status(["healthy", "poor"]) == SHOWING
    assert sign_status(["fair", "healthy"]) == WATCH
    assert sign_status(["healthy", "unknown"]) == CLEAR
    assert sign_status(["unknown", "unknown"]) == UNMEASURED


def test_a_quarter_without_the_lead_figures_has_them_unmeasured():
    signs = _signs(now=Figures(2026, 3, inquiries=180), before=Figures(2026, 2, inquiries=150))
    assert signs["few_contacts"].status == CLEAR  # +20%
    assert signs["off_target"].status == UNMEASURED
    assert signs["off_target"].measured == ()


def test_the_workspace_thresholds_decide_the_signs():
    # An owner who calls a 5% fall already poor and wants half of the new leads in the ICP.
    thresholds = thresholds_with(
        {"inquiry_growth": {"poor": -0.05, "healthy": 0.05}, "icp_fit_share": {"poor": 0.3}}
    )
    assert thresholds["inquiry_growth"] == Threshold(-0.05, 0.05)
    signs = _signs(now=Figures(2026, 3, inquiries=190, icp_fit_share=35.0), thresholds=thresholds)
    assert signs["few_contacts"].status == SHOWING  # -5%
    assert signs["off_target"].status == WATCH  # 35% is above the owner's 30%


@pytest.mark.parametrize(
    "overrides",
    [
        {"inquiry_growth": {"poor": -1.5, "healthy": 0.0}},  # a fall of more than everything
        {"inquiry_growth": {"poor": 0.0, "healthy": 11.0}},  # an elevenfold rise
        {"inquiry_growth": {"poor": 0.1, "healthy": 0.0}},  # poor on the good side
        {"stalled_mql_share": {"poor": -0.1, "healthy": 0.0}},  # a negative share
    ],
)
def test_impossible_sign_thresholds_keep_the_default(overrides):
    assert thresholds_with(overrides) == DEFAULT_THRESHOLDS


def _thresholds_data(**changes) -> dict:
    data = dict(FunnelThresholdsForm(current=DEFAULT_THRESHOLDS).initial)
    return {**data, **changes}


def test_the_thresholds_form_takes_a_fall_as_a_negative_percentage():
    form = FunnelThresholdsForm(
        _thresholds_data(**{"inquiry_growth-poor": "-15", "inquiry_growth-healthy": "2.5"}),
        current=DEFAULT_THRESHOLDS,
    )
    assert form.is_valid(), form.errors
    assert form.overrides() == {"inquiry_growth": {"poor": -0.15, "healthy": 0.025}}


def test_the_thresholds_form_refuses_a_fall_beyond_everything():
    form = FunnelThresholdsForm(
        _thresholds_data(**{"inquiry_growth-poor": "-120"}), current=DEFAULT_THRESHOLDS
    )
    assert not form.is_valid()
    assert form.errors["inquiry_growth-poor"] == ["A fall is at most 100%: enter -100 or more."]


def _figures_form(**values) -> FunnelValuesForm:
    return FunnelValuesForm({"inquiries": "200", "mqls": "50", **values})


def test_the_figures_form_reads_the_shares_as_percentages():
    form = _figures_form(icp_fit_share="62.5%", opt_out_share="3", stalled_mqls="12")
    assert form.is_valid(), form.errors
    assert form.values["icp_fit_share"] == Decimal("62.5")
    assert form.values["stalled_mqls"] == 12
    assert kpis(form.figures_of(Quarter(2026, 3)))["icp_fit_share"].value == 0.625


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"icp_fit_share": "120"}, "icp_fit_share", "A share is at most 100%."),
        ({"opt_out_share": "a lot"}, "opt_out_share", "Enter a percentage, like 62.5"),
        ({"stalled_mqls": "51"}, "stalled_mqls", "More MQLs that went no further (51) than"),
    ],
)
def test_the_figures_form_refuses_impossible_lead_figures(values, field, message):
    form = _figures_form(**values)
    assert not form.is_valid()
    assert form.errors[field][0].startswith(message)


def test_a_crm_import_fills_the_lead_figures():
    quarter = QuarterFigures(
        Quarter(2026, 3),
        inquiries=40,
        mqls=10,
        icp_share=0.6234,
        opt_out_rate=0.05,
        stalled_mqls=3,
        touched_within_48h_share=0.875,
    )
    values = derived_values(quarter)
    assert values["follow_up_48h_share"] == Decimal("87.5")
    assert values["icp_fit_share"] == Decimal("62.3")
    assert values["opt_out_share"] == Decimal("5.0")
    assert values["stalled_mqls"] == 3
    # An export without an ICP field measures no share: the figure is left as it was.
    assert "icp_fit_share" not in derived_values(QuarterFigures(Quarter(2026, 3), inquiries=40))


@pytest.fixture
def owner():
    user = make_user()
    return user, make_workspace(owner=user)


@pytest.mark.django_db
def test_the_funnel_page_shows_the_signs_of_the_latest_quarter(client, owner):
    user, workspace = owner
    customer = make_client(workspace)
    for quarter, opt_outs in ((2, 4), (3, 6)):
        FunnelFigures.objects.create(
            client=customer, year=2026, quarter=quarter, inquiries=200, opt_out_share=opt_outs
        )
    client.force_login(user)

    page = client.get(reverse("funnel:funnel", args=[workspace.slug, customer.pk]))

    html = page.content.decode()
    assert "Signs of a dropped baton in 2026-Q3" in html
    opt_outs = html.split("Buyers opting out and not clicking</h3>")[1].split("</li>\n")[0]
    assert "Showing" in opt_outs
    assert "up from 4.0% in 2026-Q2" in opt_outs
    assert '<span class="visually-hidden">, worse</span>' in opt_outs
    off_target = html.split("Contacts outside the target buyers</h3>")[1].split("</li>\n")[0]
    assert "Not measured" in off_target


@pytest.mark.django_db
def test_an_owner_changes_a_sign_threshold_on_the_settings_page(client, owner):
    user, workspace = owner
    client.force_login(user)
    url = reverse("funnel:settings", args=[workspace.slug])

    response = client.post(
        url, _thresholds_data(**{"stalled_mql_share-poor": "30", "stalled_mql_share-healthy": "10"})
    )

    assert response.status_code == 302
    stored = FunnelThresholds.objects.thresholds_for(workspace.pk)
    assert stored["stalled_mql_share"] == Threshold(0.30, 0.10, higher_is_better=False)


@pytest.mark.django_db
def test_the_methodology_page_lists_the_signs_and_their_thresholds(client, owner):
    client.force_login(owner[0])
    html = client.get(reverse("assessments:methodology")).content.decode()
    assert "The signs of a dropped baton" in html
    for name in ("Few or no new contacts", "No forward movement"):
        assert f"<td>{name}</td>" in html
    assert "MQLs that went no further for a month (stalled)" in html
    assert "-10% or less" in html
