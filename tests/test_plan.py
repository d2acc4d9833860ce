"""The action plan: adding recommendations, the plan page, inline status changes, the client
page's card, "Plan progress" on later results, and the plan in the PDF report.

Wrong methods, anonymous visitors, other workspaces and viewers are checked for every plan URL
by the access catalogue (tests/test_url_access.py).
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.cache_keys import report_key
from assessments.models import Answer, PlanItem, PlanStatus
from assessments.plan import add_recommendation_to_plan, plan_progress, plan_summary
from assessments.report import report_context
from assessments.results import BankCache, compute_results, previous_assessment
from lib.quarters import Quarter
from tests.factories import (
    add_member,
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
    make_workspace,
)


def _next_quarter() -> str:
    return str(Quarter.of(timezone.localdate()).next())


@pytest.fixture
def version(db):
    return make_bank_version(label="2026.1", publish=True)


@pytest.fixture
def assessment(gtm_client, version):
    """2026-Q3, every question at level 2 against a target of 4: all are recommendations."""
    assessment = make_assessment(gtm_client, version=version, quarter=3, status="closed")
    answer_all(make_respondent(assessment), "2", submit=True)
    return assessment


def make_item(client, *, title="Write the ICP", target=(2099, 1), **fields) -> PlanItem:
    year, quarter = target
    return PlanItem.objects.create(
        client=client, title=title, target_year=year, target_quarter=quarter, **fields
    )


def _url(name, client, *ids):
    return reverse(f"assessments:{name}", args=[client.workspace.slug, client.pk, *ids])


def _add_url(assessment):
    slug = assessment.client.workspace.slug
    return reverse("assessments:plan_add_recommendation", args=[slug, assessment.pk])


def _results_url(assessment):
    return reverse("assessments:results", args=[assessment.client.workspace.slug, assessment.pk])


HTMX = {"HX-Request": "true"}


# ---- Adding a recommendation to the plan ------------------------------------------------


def test_a_recommendation_becomes_a_planned_item_for_the_next_quarter(assessment, consultant):
    # people.q1 stands at level 2 here: the item takes the step from level 2.
    question = assessment.bank_version.questions.get(key="people.q1")
    item, created = add_recommendation_to_plan(
        assessment=assessment, question=question, user=consultant, today=date(2026, 11, 22)
    )
    assert created
    assert item.client == assessment.client and item.source_assessment == assessment
    assert (item.title, item.question_keys) == ("Improve people.q1 from 2", ["people.q1"])
    assert (item.status, str(item.target_period)) == (PlanStatus.PLANNED, "2027-Q1")
    assert item.notes == "Start on Monday, from level 2." and item.created_by == consultant
    assert item.owner_display == ""


def test_the_same_recommendation_is_not_planned_twice_until_it_is_dropped(assessment, consultant):
    question = assessment.bank_version.questions.get(key="people.q1")
    first, _ = add_recommendation_to_plan(assessment=assessment, question=question, user=consultant)
    again, created = add_recommendation_to_plan(
        assessment=assessment, question=question, user=consultant
    )
    assert (again, created) == (first, False)
    PlanItem.objects.filter(pk=first.pk).update(status=PlanStatus.DONE)
    assert (
        add_recommendation_to_plan(assessment=assessment, question=question, user=consultant)[1]
        is False
    )
    PlanItem.objects.filter(pk=first.pk).update(status=PlanStatus.DROPPED)
    replanned, created = add_recommendation_to_plan(
        assessment=assessment, question=question, user=consultant
    )
    assert created and replanned != first
    assert PlanItem.objects.count() == 2


def test_add_to_plan_with_htmx_swaps_the_button_for_in_the_plan(client, consultant, assessment):
    client.force_login(consultant)
    response = client.post(_add_url(assessment), {"question": "people.q1"}, headers=HTMX)
    item = PlanItem.objects.get()
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="plan-control"')
    assert (
        "In the plan" in html and f"{_url('client_plan', assessment.client)}#item-{item.pk}" in html
    )
    assert "<html" not in html and "HX-Request" in response["Vary"]

    again = client.post(_add_url(assessment), {"question": "people.q1"}, headers=HTMX)
    assert "Already in the plan" in again.content.decode()
    assert PlanItem.objects.count() == 1


def test_add_to_plan_works_without_javascript(client, consultant, assessment):
    client.force_login(consultant)
    response = client.post(_add_url(assessment), {"question": "people.q1"})
    assert response["Location"] == f"{_results_url(assessment)}#rec-people.q1"
    page = client.get(response["Location"]).content.decode()
    assert "“Improve people.q1 from 2” added to the plan, for" in page
    again = client.post(_add_url(assessment), {"question": "people.q1"}, follow=True)
    assert "“Improve people.q1 from 2” is already in the plan." in again.content.decode()
    assert PlanItem.objects.count() == 1


@pytest.mark.parametrize("key", ["nope.q1", "", "x" * 81])
@pytest.mark.parametrize("htmx", [True, False])
def test_add_to_plan_refuses_a_question_outside_the_bank(client, consultant, assessment, key, htmx):
    client.force_login(consultant)
    headers = HTMX if htmx else {}
    response = client.post(_add_url(assessment), {"question": key}, headers=headers, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "not part of this assessment’s question bank" in html
    assert PlanItem.objects.count() == 0


def test_the_results_page_offers_add_to_plan_only_to_those_who_change(
    client, consultant, viewer, assessment
):
    make_item(assessment.client, question_keys=["people.q2"])
    client.force_login(consultant)
    html = client.get(_results_url(assessment)).content.decode()
    assert html.count(">Add to plan</button>") == 23  # 24 recommendations, one planned already
    planned = html.split('id="rec-people.q2"')[1].split("</li>")[0]
    assert "In the plan" in planned and "Add to plan" not in planned

    client.force_login(viewer)
    html = client.get(_results_url(assessment)).content.decode()
    assert "Add to plan" not in html and "In the plan" in html


def test_a_dropped_item_does_not_count_as_in_the_plan(client, consultant, assessment):
    make_item(assessment.client, question_keys=["people.q2"], status=PlanStatus.DROPPED)
    client.force_login(consultant)
    html = client.get(_results_url(assessment)).content.decode()
    assert html.count(">Add to plan</button>") == 24


# ---- Creating and editing items ------------------------------------------------------


def _valid(**changes):
    return {
        "title": "Write the ICP",
        "questions": ["people.q1", "process.q2"],
        "owner_member": "",
        "owner_name": "Dana Lee (client CMO)",
        "target": _next_quarter(),
        "status": "planned",
        "notes": "One page.",
        **changes,
    }


def test_a_consultant_adds_an_item_by_hand(client, consultant, assessment):
    client.force_login(consultant)
    response = client.post(_url("plan_item_create", assessment.client), _valid())
    item = PlanItem.objects.get()
    assert response["Location"] == f"{_url('client_plan', assessment.client)}#item-{item.pk}"
    assert item.question_keys == ["people.q1", "process.q2"]
    assert (item.owner_user, item.owner_display) == (None, "Dana Lee (client CMO)")
    assert str(item.target_period) == _next_quarter() and item.created_by == consultant


def test_the_owner_can_be_a_member_of_the_workspace(client, consultant, workspace, assessment):
    client.force_login(consultant)
    client.post(
        _url("plan_item_create", assessment.client),
        _valid(owner_member=consultant.pk, owner_name=""),
    )
    item = PlanItem.objects.get()
    assert (item.owner_user, item.owner_name, item.owner_display) == (
        consultant,
        "",
        "Cara Consultant",
    )


def test_the_form_offers_the_latest_banks_questions_and_defaults_to_the_next_quarter(
    client, consultant, assessment
):
    client.force_login(consultant)
    form = client.get(_url("plan_item_create", assessment.client)).context["form"]
    assert form["target"].value() == _next_quarter()
    groups = dict(form.fields["questions"].choices)
    assert [key for key, _ in groups["People"]][:2] == ["people.q1", "people.q2"]
    assert sum(len(choices) for choices in groups.values()) == 24


def test_without_an_assessment_the_form_says_how_to_link_questions(client, consultant, gtm_client):
    client.force_login(consultant)
    html = client.get(_url("plan_item_create", gtm_client)).content.decode()
    assert "has no assessment yet" in html
    response = client.post(_url("plan_item_create", gtm_client), _valid(questions=[]))
    assert PlanItem.objects.get().question_keys == []
    assert response.status_code == 302


@pytest.fixture
def stranger(db):
    """A member of another workspace only."""
    return make_workspace(name="Elsewhere Co").memberships.get().user


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"questions": ["nope.q1"]}, "questions", "is not a question of the question bank"),
        ({"owner_member": "stranger"}, "owner_member", "Choose a member of this workspace."),
        ({"owner_member": "99999"}, "owner_member", "Choose a member of this workspace."),
        ({"owner_member": "me"}, "owner_name", "not both"),
        ({"status": "x"}, "status", "Choose planned, in progress, done or dropped."),
        ({"target": "2026-Q9"}, "target", "Choose a quarter from the list"),
        ({"target": "1990-Q1"}, "target", "Choose a quarter from the list"),
        ({"title": "t" * 1000}, "title", "at most 200 characters"),
        ({"title": "   "}, "title", "required"),
        ({"notes": "n" * 5001}, "notes", "at most 5000 characters"),
    ],
)
def test_bad_item_details_are_refused_and_nothing_is_saved(
    client, consultant, assessment, stranger, change, field, message
):
    if change.get("owner_member") == "stranger":
        change = {"owner_member": stranger.pk, "owner_name": ""}
    elif change.get("owner_member") == "me":
        change = {"owner_member": consultant.pk}  # and the free-text name of _valid()
    client.force_login(consultant)
    response = client.post(_url("plan_item_create", assessment.client), _valid(**change))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert "nothing was saved" in response.content.decode()
    assert PlanItem.objects.count() == 0


def test_editing_an_item_changes_it_and_keeps_keys_the_bank_has_dropped(
    client, consultant, assessment
):
    item = make_item(assessment.client, question_keys=["people.q1", "retired.question"])
    client.force_login(consultant)
    url = _url("plan_item_edit", assessment.client, item.pk)
    form = client.get(url).context["form"]
    assert form["questions"].value() == ["people.q1", "retired.question"]
    assert form["target"].value() == "2099-Q1"  # kept choosable although far away
    response = client.post(
        url,
        _valid(
            title="Write the ICP, v2",
            questions=["people.q1", "retired.question"],
            target="2099-Q1",
            status="done",
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Write the ICP, v2" and item.status == PlanStatus.DONE
    assert item.question_keys == ["people.q1", "retired.question"]
    assert item.completed_at is not None


def test_an_item_is_removed_from_the_plan(client, consultant, gtm_client):
    item = make_item(gtm_client)
    client.force_login(consultant)
    response = client.post(_url("plan_item_delete", gtm_client, item.pk), follow=True)
    assert "“Write the ICP” removed from the plan." in response.content.decode()
    assert not PlanItem.objects.exists()


def test_an_item_of_another_client_is_not_found(client, consultant, workspace, gtm_client):
    other = make_item(make_client(workspace, name="Other client"))
    client.force_login(consultant)
    for name in ("plan_item_edit", "plan_item_status", "plan_item_delete"):
        url = _url(name, gtm_client, other.pk)
        assert client.post(url, {"status": "done"}).status_code == 404, name
    assert PlanItem.objects.get().status == PlanStatus.PLANNED


# ---- Inline status changes ------------------------------------------------------------


def test_an_inline_status_change_with_htmx_swaps_the_row(client, consultant, gtm_client):
    item = make_item(gtm_client)
    client.force_login(consultant)
    url = _url("plan_item_status", gtm_client, item.pk)
    response = client.post(url, {"status": "done"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="item-{item.pk}"')
    assert "Saved" in html and '<option value="done" selected>' in html
    counts = html.split('id="plan-counts"')[1]  # the counts above the table, out of band
    assert 'hx-swap-oob="true"' in counts and "<strong>1</strong> done" in counts
    assert "HX-Request" in response["Vary"]
    item.refresh_from_db()
    assert item.status == PlanStatus.DONE and item.completed_at is not None

    client.post(url, {"status": "in_progress"}, headers=HTMX)
    item.refresh_from_db()
    assert item.status == PlanStatus.IN_PROGRESS and item.completed_at is None


def test_an_inline_status_change_works_without_javascript(client, consultant, gtm_client):
    item = make_item(gtm_client)
    client.force_login(consultant)
    response = client.post(_url("plan_item_status", gtm_client, item.pk), {"status": "dropped"})
    assert response["Location"] == f"{_url('client_plan', gtm_client)}#item-{item.pk}"
    assert "“Write the ICP”: dropped." in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("status", ["x", "", "DONE"])
def test_an_unknown_status_changes_nothing(client, consultant, gtm_client, status):
    item = make_item(gtm_client)
    client.force_login(consultant)
    url = _url("plan_item_status", gtm_client, item.pk)
    row = client.post(url, {"status": status}, headers=HTMX).content.decode()
    assert "Saved" not in row and 'role="alert"' in row
    page = client.post(url, {"status": status}, follow=True).content.decode()
    assert "The status of “Write the ICP” was not changed." in page
    item.refresh_from_db()
    assert item.status == PlanStatus.PLANNED


# ---- The plan page ------------------------------------------------------------------------


@pytest.fixture
def plan(gtm_client, workspace, consultant):
    """Overdue, open, done and dropped items with member, named and no owners."""
    return {
        "overdue": make_item(gtm_client, title="Overdue item", target=(2020, 1)),
        "open": make_item(gtm_client, title="Open item", target=(2099, 2), owner_user=consultant),
        "done": make_item(
            gtm_client,
            title="Done item",
            target=(2020, 2),
            status=PlanStatus.DONE,
            owner_name="Dana Lee",
            completed_at=timezone.now(),
        ),
        "dropped": make_item(
            gtm_client, title="Dropped item", target=(2099, 2), status=PlanStatus.DROPPED
        ),
    }


def _titles(response) -> list[str]:
    return [item.title for item in response.context["items"]]


def test_the_plan_lists_open_items_first_and_flags_the_overdue(client, viewer, gtm_client, plan):
    client.force_login(viewer)
    response = client.get(_url("client_plan", gtm_client))
    assert _titles(response) == ["Overdue item", "Open item", "Done item", "Dropped item"]
    html = response.content.decode()
    overdue_row = html.split(f'<tr id="item-{plan["overdue"].pk}"')[1].split(">")[0]
    assert "is-overdue" in overdue_row
    assert html.count(">Overdue</span>") == 1  # a done item from the past is not overdue
    assert "<strong>2</strong> open" in html and "<strong>1</strong> overdue" in html


def test_viewers_read_the_plan_without_forms(client, viewer, gtm_client, plan):
    client.force_login(viewer)
    html = client.get(_url("client_plan", gtm_client)).content.decode()
    assert "Open item" in html and "Cara Consultant" in html and "Dana Lee" in html
    assert "<select" not in html.split('id="plan-results"')[1]
    assert "/status/" not in html and "Add an item" not in html
    assert "You can read this plan" in html


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"status": "open"}, ["Overdue item", "Open item"]),
        ({"status": "overdue"}, ["Overdue item"]),
        ({"status": "done"}, ["Done item"]),
        ({"status": "dropped"}, ["Dropped item"]),
        ({"quarter": "2099-Q2"}, ["Open item", "Dropped item"]),
        ({"owner": "name-Dana Lee"}, ["Done item"]),
        ({"owner": "none"}, ["Overdue item", "Dropped item"]),
        ({"status": "open", "owner": "none"}, ["Overdue item"]),
    ],
)
def test_the_plan_filters_by_status_quarter_and_owner(
    client, viewer, gtm_client, plan, query, titles
):
    client.force_login(viewer)
    assert _titles(client.get(_url("client_plan", gtm_client), query)) == titles


def test_the_plan_filters_by_member(client, viewer, consultant, gtm_client, plan):
    client.force_login(viewer)
    response = client.get(_url("client_plan", gtm_client), {"owner": f"member-{consultant.pk}"})
    assert _titles(response) == ["Open item"]


@pytest.mark.parametrize(
    "query", [{"status": "x"}, {"quarter": "2026-Q9"}, {"owner": "member-abc"}, {"page": "9"}]
)
def test_filters_not_understood_are_ignored_and_said_so(client, viewer, gtm_client, plan, query):
    client.force_login(viewer)
    response = client.get(_url("client_plan", gtm_client), query)
    assert response.status_code == 200 and len(_titles(response)) == 4
    if "page" not in query:
        assert "Some filters were not understood and are ignored" in response.content.decode()


def test_the_htmx_filter_renders_only_the_results(client, viewer, gtm_client, plan):
    client.force_login(viewer)
    response = client.get(
        _url("client_plan", gtm_client),
        {"status": "done"},
        headers={**HTMX, "HX-Target": "plan-results"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="plan-results"')
    assert "Done item" in html and "Open item" not in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_a_filter_that_matches_nothing_offers_to_show_everything(client, viewer, gtm_client, plan):
    client.force_login(viewer)
    html = client.get(_url("client_plan", gtm_client), {"quarter": "2020-Q1", "status": "done"})
    assert "No items match" in html.content.decode()


def test_an_empty_plan_says_what_to_do_next(client, consultant, viewer, assessment):
    client.force_login(consultant)
    html = client.get(_url("client_plan", assessment.client)).content.decode()
    assert "No plan items yet" in html and "Add to plan" in html
    assert _results_url(assessment) in html  # straight to the results to plan from
    client.force_login(viewer)
    html = client.get(_url("client_plan", assessment.client)).content.decode()
    assert "No plan items yet" in html and "Add an item" not in html


def test_the_plan_page_names_linked_questions_by_their_text(client, viewer, assessment):
    make_item(assessment.client, question_keys=["people.q2"])
    client.force_login(viewer)
    html = client.get(_url("client_plan", assessment.client)).content.decode()
    assert "How mature is people.q2?" in html and ">people.q2<" not in html


def test_the_plan_page_takes_few_queries_with_40_items(
    client, consultant, workspace, gtm_client, django_assert_max_num_queries
):
    members = [add_member(workspace, role=Role.CONSULTANT).user for _ in range(5)]
    PlanItem.objects.bulk_create(
        PlanItem(
            client=gtm_client,
            title=f"Item {n:02}",
            question_keys=[f"people.q{n % 6 + 1}"],
            owner_user=members[n % 5] if n % 2 else None,
            owner_name="" if n % 2 else f"Person {n % 3}",
            target_year=2020 + n % 10,
            target_quarter=n % 4 + 1,
            status=PlanStatus.values[n % 4],
        )
        for n in range(40)
    )
    client.force_login(consultant)
    url = _url("client_plan", gtm_client)
    client.get(url)  # the first visit also remembers the workspace in the session
    # Nine queries (the ninth reads the linked questions' texts), and the savepoints of the
    # request's transaction.
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert len(response.context["items"]) == 40
    with django_assert_max_num_queries(11):
        assert len(client.get(url, {"status": "open"}).context["items"]) == 20


# ---- The client page's card -------------------------------------------------------------


def test_the_plan_summary_lists_open_items_and_the_recently_done(gtm_client, plan):
    summary = plan_summary(gtm_client, date(2026, 11, 22))
    assert [i.title for i in summary["open_items"]] == ["Overdue item", "Open item"]
    assert summary["overdue"] == [plan["overdue"]]
    assert summary["overdue_ids"] == {plan["overdue"].pk}
    assert [i.title for i in summary["done_items"]] == ["Done item"]
    assert (summary["total"], summary["done_count"], summary["more_open"]) == (4, 1, 0)


def test_the_client_page_shows_the_plan_card(client, viewer, gtm_client, plan):
    client.force_login(viewer)
    html = client.get(gtm_client.get_absolute_url()).content.decode()
    card = html.split('id="plan-heading"')[1].split("</section>")[0]
    assert "Overdue item" in card and "Open item" in card and ">Overdue</span>" in card
    assert "Recently done" in card and "Done item" in card and "Dropped item" not in card
    assert _url("client_plan", gtm_client) in card


# ---- Plan progress on a later quarter's results ----------------------------------------


@pytest.fixture
def two_quarters(gtm_client):
    """2026-Q2 on a bank with people.q7, 2026-Q3 on one without it; one respondent each."""
    old_bank = make_bank_version(label="2026.0", per_dimension=7, publish=True)
    new_bank = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    q2 = make_assessment(gtm_client, version=old_bank, quarter=2, status="closed")
    q3 = make_assessment(gtm_client, version=new_bank, quarter=3, status="closed")
    for assessment, levels in (
        (q2, {"people.q1": "2", "people.q2": "4", "people.q3": "3", "people.q7": "3"}),
        (q3, {"people.q1": "4", "people.q2": "3", "people.q3": "3"}),
    ):
        respondent = make_respondent(assessment)
        answer_all(respondent, "3", submit=True)
        for key, level in levels.items():
            Answer.objects.filter(respondent=respondent, question__key=key).update(choice=level)
    return q2, q3


def test_done_items_show_whether_their_questions_moved(client, viewer, gtm_client, two_quarters):
    q2, q3 = two_quarters
    make_item(
        gtm_client,
        title="Fix the handoffs",
        question_keys=["people.q1", "people.q2", "people.q3", "people.q7"],
        status=PlanStatus.DONE,
        source_assessment=q2,
    )
    make_item(gtm_client, title="Still open", question_keys=["people.q1"], source_assessment=q2)
    client.force_login(viewer)
    html = client.get(_results_url(q3)).content.decode()
    section = html.split('id="plan-progress-heading"')[1].split("</section>")[0]
    assert "Fix the handoffs" in section and "Still open" not in section
    assert "compared with" in section and "2026-Q2" in section
    moves = {
        key: section.split(f"How mature is {key}?</span>")[1].split("</li>")[0]
        for key in ("people.q1", "people.q2", "people.q3", "people.q7")
    }
    assert "Level 2.0 → 4.0" in moves["people.q1"] and "Up 2.0" in moves["people.q1"]
    assert "Level 4.0 → 3.0" in moves["people.q2"] and "Down 1.0" in moves["people.q2"]
    assert "No change" in moves["people.q3"]
    assert "Not asked in this quarter’s bank" in moves["people.q7"]


def test_plan_progress_compares_with_the_previous_quarter_when_an_item_has_no_source(
    gtm_client, two_quarters
):
    q2, q3 = two_quarters
    make_item(gtm_client, question_keys=["people.q1"], status=PlanStatus.DONE)
    make_item(gtm_client, title="From Q3", status=PlanStatus.DONE, source_assessment=q3)
    cache = BankCache()
    progress = plan_progress(compute_results(q3, cache), gtm_client, cache=cache)
    (only,) = progress.items
    assert only.baseline == q2
    (move,) = only.moves
    assert (move.before, move.now, move.direction) == (2.0, 4.0, "up")
    assert [item.title for item in progress.waiting] == ["From Q3"]


def test_the_results_page_shows_no_plan_progress_without_done_items(
    client, viewer, gtm_client, two_quarters
):
    make_item(gtm_client, question_keys=["people.q1"])
    client.force_login(viewer)
    assert "Plan progress" not in client.get(_results_url(two_quarters[1])).content.decode()


def test_plan_progress_takes_a_constant_number_of_queries(
    client, viewer, gtm_client, django_assert_max_num_queries
):
    """Done items planned from each of six earlier quarters, and more items than that."""
    version = make_bank_version(label="big", per_dimension=6, publish=True)
    quarters = []
    for index in range(7):
        period = Quarter(2025, 1).shifted(index)
        assessment = make_assessment(
            gtm_client, version=version, year=period.year, quarter=period.number, status="closed"
        )
        answer_all(make_respondent(assessment), str(index % 5 + 1), submit=True)
        quarters.append(assessment)
    for n in range(30):
        make_item(
            gtm_client,
            title=f"Item {n}",
            question_keys=["people.q1", "process.q2"],
            status=PlanStatus.DONE,
            source_assessment=quarters[n % 6],
        )
    client.force_login(viewer)
    url = _results_url(quarters[-1])
    client.get(url)
    with django_assert_max_num_queries(16):
        html = client.get(url).content.decode()
    assert html.count("Item ") >= 30

    # The bank once (dimensions, questions, their steps), each quarter's answers, the previous.
    with django_assert_max_num_queries(6):
        cache = BankCache()
        latest = compute_results(quarters[-1], cache)
        previous = compute_results(previous_assessment(quarters[-1]), cache)
    with django_assert_max_num_queries(2):  # the items, then every baseline at once
        progress = plan_progress(latest, gtm_client, previous=previous, cache=cache)
    assert len(progress.items) == 30


# ---- The plan in the PDF report --------------------------------------------------------


def test_the_report_lists_the_plan_open_items_first_without_the_dropped(
    gtm_client, assessment, plan, consultant
):
    context = report_context(assessment)
    assert [item.title for item in context["plan_items"]] == [
        "Overdue item",
        "Open item",
        "Done item",
    ]
    from assessments.pdf import report_html

    html = report_html(assessment=assessment)
    table = html.split("<h1>Action plan</h1>")[1].split("</section>")[0]
    assert "Cara Consultant" in table and "Dana Lee" in table and "2099-Q2" in table
    assert "In progress" not in table and "Done" in table and "Planned" in table


def test_a_plan_change_changes_the_report_key(assessment, consultant):
    before = report_key(assessment)
    item = make_item(assessment.client)
    added = report_key(assessment)
    assert added != before
    item.status = PlanStatus.DONE
    item.save()
    assert report_key(assessment) != added
    done = report_key(assessment)
    item.owner_user = consultant
    item.save()
    owned = report_key(assessment)
    assert owned != done
    consultant.name = "Cara Renamed"
    consultant.save()
    assert report_key(assessment) != owned
    assert report_key(assessment) == report_key(assessment)


def test_the_report_key_ignores_other_clients_plans(assessment, workspace):
    before = report_key(assessment)
    make_item(make_client(workspace, name="Someone else"))
    assert report_key(assessment) == before


def test_an_owner_may_change_the_plan_too(client, owner, gtm_client):
    item = make_item(gtm_client)
    client.force_login(owner)
    client.post(_url("plan_item_status", gtm_client, item.pk), {"status": "in_progress"})
    item.refresh_from_db()
    assert item.status == PlanStatus.IN_PROGRESS
