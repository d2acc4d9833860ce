"""The workshop's pages: the facilitator's projector and buttons, and a participant's phone
(join by code, vote, wrong or ended code, removed, throttled, polls that cost nothing)."""

import pytest
import time_machine
from django.test import Client as Browser
from django.urls import reverse

from assessments.models import Answer, Assessment, PlanItem
from tests.factories import join_workshop, make_assessment, make_client, make_workshop
from workshops import services
from workshops.models import Participant, Vote, Workshop

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def assessment(workspace):
    return make_assessment(make_client(workspace, name="Brightline"), status="open")


@pytest.fixture
def workshop(assessment):
    return make_workshop(assessment)


def _url(name: str, workshop: Workshop, *args) -> str:
    slug = workshop.assessment.client.workspace.slug
    return reverse(f"workshops:{name}", args=[slug, workshop.pk, *args])


def _phone(workshop: Workshop, name: str = "Sam Sales", role: str = "sales") -> Browser:
    phone = Browser()
    response = phone.post(
        reverse("workshops:join", args=[workshop.code]), {"name": name, "role": role}
    )
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("workshops:phone", args=[workshop.code])
    return phone


def _start(workshop: Workshop) -> Workshop:
    services.start(workshop=workshop)
    workshop.refresh_from_db()
    return workshop


def test_a_consultant_starts_a_workshop_from_an_open_assessment(client, consultant, assessment):
    client.force_login(consultant)
    slug = assessment.client.workspace.slug
    url = reverse("workshops:workshop_create", args=[slug, assessment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"scope": "dimension", "dimension": "people"})
    workshop = Workshop.objects.get()
    assert response["Location"] == _url("workshop", workshop)
    assert all(key.startswith("people.") for key in workshop.question_keys)
    assert "Run a live workshop" in client.get(assessment.get_absolute_url()).content.decode()


def test_one_dimension_without_a_dimension_is_refused_with_a_message(
    client, consultant, assessment
):
    client.force_login(consultant)
    url = reverse(
        "workshops:workshop_create", args=[assessment.client.workspace.slug, assessment.pk]
    )
    response = client.post(url, {"scope": "dimension"})
    assert response.status_code == 200 and "Choose the dimension" in response.content.decode()
    assert not Workshop.objects.exists()


def test_the_join_screen_shows_the_code_the_link_and_a_qr_code(client, owner, workshop):
    client.force_login(owner)
    page = client.get(_url("workshop", workshop)).content.decode()
    assert workshop.code[0] in page and f"/j/{workshop.code}/" in page
    assert '<svg viewBox="' in page and 'class="segno"' in page
    assert "Nobody yet." in page


def test_a_participant_joins_by_code_and_sees_the_question_once_it_starts(workshop):
    phone = _phone(workshop)
    waiting = phone.get(reverse("workshops:phone", args=[workshop.code])).content.decode()
    assert "You’re in" in waiting
    _start(workshop)
    page = phone.get(reverse("workshops:phone", args=[workshop.code])).content.decode()
    assert "How mature is people.q1?" in page and "people.q1 at level 3" in page
    assert "<legend" in page and "Don’t know" in page
    # Coming back to the join link after a reload: straight to the question.
    again = phone.get(reverse("workshops:join", args=[workshop.code]))
    assert again["Location"] == reverse("workshops:phone", args=[workshop.code])


def test_a_code_is_read_whatever_its_case_and_spaces(workshop):
    typed = " ".join(workshop.code.lower())
    assert Browser().get(reverse("workshops:join", args=[typed])).status_code == 200


def test_a_wrong_code_is_a_clear_404_and_changes_nothing(db):
    response = Browser().post(
        reverse("workshops:join", args=["QQQQQQ"]), {"name": "X", "role": "sales"}
    )
    assert response.status_code == 404
    assert "No workshop has this code" in response.content.decode()
    assert not Participant.objects.exists()


def test_an_ended_workshop_s_code_no_longer_works(workshop):
    phone = _phone(workshop)
    services.end(workshop=workshop)
    for response in (
        Browser().get(reverse("workshops:join", args=[workshop.code])),
        phone.get(reverse("workshops:phone", args=[workshop.code])),
        phone.post(reverse("workshops:vote", args=[workshop.code]), {"choice": "3"}),
    ):
        assert response.status_code == 410
        assert "This workshop has ended" in response.content.decode()
    assert not Vote.objects.exists()


def test_the_code_alone_does_not_let_anyone_vote(workshop):
    _start(workshop)
    _phone(workshop)
    response = Browser().post(reverse("workshops:vote", args=[workshop.code]), {"choice": "3"})
    assert response["Location"] == reverse("workshops:join", args=[workshop.code])
    assert not Vote.objects.exists()


def test_a_vote_by_htmx_returns_the_card_and_a_plain_post_redirects(workshop):
    _start(workshop)
    phone = _phone(workshop)
    url = reverse("workshops:vote", args=[workshop.code])
    card = phone.post(url, {"choice": "4"}, **HTMX)
    assert (
        card.status_code == 200 and "Your vote: <strong>4 Managed</strong>" in card.content.decode()
    )
    plain = phone.post(url, {"choice": "2"})
    assert plain["Location"] == reverse("workshops:phone", args=[workshop.code])
    assert Vote.objects.get().choice == "2"
    assert Answer.objects.get().choice == "2"


def test_a_vote_without_a_choice_is_refused_with_a_message(workshop):
    _start(workshop)
    phone = _phone(workshop)
    response = phone.post(reverse("workshops:vote", args=[workshop.code]), {"choice": "9"}, **HTMX)
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Vote.objects.exists()


def test_a_vote_after_the_reveal_is_refused_with_409(workshop):
    _start(workshop)
    phone = _phone(workshop)
    services.reveal(workshop=workshop)
    response = phone.post(reverse("workshops:vote", args=[workshop.code]), {"choice": "3"}, **HTMX)
    assert response.status_code == 409 and "revealed" in response.content.decode()
    plain = phone.post(
        reverse("workshops:vote", args=[workshop.code]), {"choice": "3"}, follow=True
    )
    assert "revealed" in plain.content.decode()
    assert not Vote.objects.exists()


def test_a_removed_participant_is_told_and_cannot_vote(client, owner, workshop):
    _start(workshop)
    phone = _phone(workshop)
    participant = Participant.objects.get()
    client.force_login(owner)
    client.post(_url("participant_remove", workshop, participant.pk))
    response = phone.post(reverse("workshops:vote", args=[workshop.code]), {"choice": "3"})
    assert response.status_code == 403
    assert "no longer in this workshop" in response.content.decode()
    assert not Vote.objects.exists()


@time_machine.travel("2026-12-04 10:20", tick=False)  # one window of the throttle
def test_joining_is_throttled_per_address(settings, workshop):
    settings.WORKSHOP_JOINS_PER_ADDRESS = 5
    browser = Browser()
    url = reverse("workshops:join", args=[workshop.code])
    statuses = [
        browser.post(url, {"name": f"Person {n}", "role": "sales"}).status_code for n in range(1000)
    ]
    assert statuses[:5] == [302] * 5 and set(statuses[5:]) == {429}
    assert Participant.objects.count() == 5
    # Guessing codes counts too: it is refused once the address is past the limit.
    assert browser.get(reverse("workshops:join", args=["QQQQQQ"])).status_code == 429


def test_the_projector_hides_the_votes_until_the_reveal(client, owner, assessment):
    workshop = make_workshop(assessment)
    _start(workshop)
    for name, choice in (("Ann", "2"), ("Bob", "4"), ("Cy", "4")):
        participant, _ = join_workshop(workshop, name, "sales")
        services.vote(participant=participant, choice=choice)
    client.force_login(owner)
    page = client.get(_url("workshop", workshop)).content.decode()
    assert "3 of 3</strong> voted" in page
    assert "Votes are hidden" in page and "spread" not in page
    client.post(_url("workshop_reveal", workshop))
    revealed = client.get(_url("workshop", workshop)).content.decode()
    assert "spread 2 levels" in revealed and "the room disagrees" in revealed
    assert "people.q1 at level 4" in revealed  # the descriptor of a level chosen
    assert "Ann" in revealed  # named: the demo's default visibility


def test_an_anonymous_assessment_names_nobody_on_the_projector(client, owner, workspace):
    anonymous = make_assessment(
        make_client(workspace), status="open", answer_visibility="anonymous"
    )
    workshop = _start(make_workshop(anonymous))
    participant, _ = join_workshop(workshop, "Zelda Quietly", "sales")
    services.vote(participant=participant, choice="3")
    services.reveal(workshop=workshop)
    client.force_login(owner)
    page = client.get(_url("workshop", workshop)).content.decode()
    tally = page[page.index('class="tally"') : page.index("</section>")]
    assert "Zelda" not in tally and "Other roles" in tally


def test_the_poll_answers_204_while_nothing_changed_in_one_query(
    client, owner, workshop, django_assert_num_queries
):
    _start(workshop)
    phone = _phone(workshop)
    url = reverse("workshops:phone_live", args=[workshop.code])
    with django_assert_num_queries(1):
        assert phone.get(url, {"s": workshop.stage}, **HTMX).status_code == 204
    services.reveal(workshop=workshop)
    changed = phone.get(url, {"s": workshop.stage}, **HTMX)
    assert changed.status_code == 200 and "The votes are revealed" in changed.content.decode()

    client.force_login(owner)
    workshop.refresh_from_db()
    live = _url("workshop_live", workshop)
    held = {"v": workshop.version, "s": workshop.stage}
    assert client.get(live, held, **HTMX).status_code == 204
    join_workshop(workshop, "Late Comer")
    region = client.get(live, held, **HTMX)
    assert region.status_code == 200 and "Late Comer" in region.content.decode()
    services.move(workshop=workshop, step=1)
    moved = client.get(live, held, **HTMX)
    assert moved.status_code == 204 and moved["HX-Refresh"] == "true"


def test_consensus_is_recorded_and_shown_on_the_results_page(client, owner, workshop):
    _start(workshop)
    phone = _phone(workshop)
    phone.post(reverse("workshops:vote", args=[workshop.code]), {"choice": "2"})
    client.force_login(owner)
    response = client.post(
        _url("workshop_consensus", workshop), {"level": "3", "note": "Ops owns it: Dana, by May."}
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(pk=workshop.assessment_id)
    assert assessment.consensus_levels["people.q1"]["level"] == 3
    client.post(_url("workshop_end", workshop))
    summary = client.get(_url("summary", workshop)).content.decode()
    assert "Ops owns it: Dana, by May." in summary and "Defined" in summary
    slug = assessment.client.workspace.slug
    detail = client.get(reverse("assessments:results_detail", args=[slug, assessment.pk, "people"]))
    text = detail.content.decode()
    assert "Workshop consensus: Defined" in text and "Ops owns it: Dana, by May." in text


def test_a_consensus_without_a_level_is_refused_with_a_message(client, owner, workshop):
    _start(workshop)
    client.force_login(owner)
    response = client.post(_url("workshop_consensus", workshop), {"level": "", "note": "x"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert Assessment.objects.get(pk=workshop.assessment_id).consensus_levels == {}


def test_a_decision_becomes_a_plan_item_in_one_click_and_only_once(client, owner, workshop):
    _start(workshop)
    services.record_consensus(
        workshop=workshop, level=2, note="Write the lead SLA. Owner: Dana, by June.", by=owner
    )
    services.end(workshop=workshop)
    client.force_login(owner)
    url = _url("decision_to_plan", workshop, "people.q1")
    assert "Add to the plan" in client.get(_url("summary", workshop)).content.decode()
    client.post(url)
    client.post(url)
    item = PlanItem.objects.get()
    assert item.title == "Write the lead SLA" and item.question_keys == ["people.q1"]
    assert "Owner: Dana, by June." in item.notes and "stands at Emerging" in item.notes
    assert item.target_period == workshop.assessment.period.next()
    assert "In the plan" in client.get(_url("summary", workshop)).content.decode()
    refused = client.post(_url("decision_to_plan", workshop, "people.q2"), follow=True)
    assert "No consensus was recorded" in refused.content.decode()
    assert PlanItem.objects.count() == 1
