import pytest
from django.urls import reverse

from clients.models import Client, CompanySize
from tests.factories import make_client, make_workspace

VALID = {"name": "Cobalt Health", "industry": "Healthcare technology", "company_size": "51-200"}


def _create_url(workspace):
    return reverse("clients:create", args=[workspace.slug])


def test_a_consultant_adds_a_client_to_the_current_workspace(client, consultant, workspace):
    client.force_login(consultant)
    response = client.post(_create_url(workspace), {**VALID, "notes": "Met the CRO."})
    created = Client.objects.get()
    assert response["Location"] == created.get_absolute_url()
    assert created.workspace == workspace
    assert (created.company_size, created.notes) == (CompanySize.MEDIUM, "Met the CRO.")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"company_size": "huge"}, "company_size"),
        ({"industry": "y" * 101}, "industry"),
        ({"notes": "z" * 5001}, "notes"),
    ],
)
def test_bad_client_details_are_refused_and_nothing_is_saved(
    client, consultant, workspace, change, field
):
    client.force_login(consultant)
    response = client.post(_create_url(workspace), {**VALID, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "nothing was saved" in response.content.decode()
    assert Client.objects.count() == 0


def test_the_form_keeps_what_was_typed_when_it_is_refused(client, consultant, workspace):
    client.force_login(consultant)
    response = client.post(_create_url(workspace), {**VALID, "name": "", "notes": "Keep me"})
    assert "Keep me" in response.content.decode()
    assert 'value="Healthcare technology"' in response.content.decode()


def test_a_duplicate_name_in_another_case_is_refused(client, consultant, workspace, gtm_client):
    client.force_login(consultant)
    response = client.post(_create_url(workspace), {**VALID, "name": "brightline  LOGISTICS"})
    assert "already has a client named Brightline Logistics" in response.content.decode()
    assert Client.objects.count() == 1


def test_the_same_name_is_fine_in_another_workspace(client, outsider, gtm_client):
    client.force_login(outsider)
    other = outsider.memberships.get().workspace
    client.post(_create_url(other), {**VALID, "name": gtm_client.name})
    assert Client.objects.filter(name=gtm_client.name).count() == 2


def test_a_duplicate_of_an_archived_client_says_so(client, consultant, workspace, gtm_client):
    gtm_client.archive()
    client.force_login(consultant)
    response = client.post(_create_url(workspace), {**VALID, "name": gtm_client.name})
    assert "Brightline Logistics (archived)" in response.content.decode()


def test_editing_a_client(client, consultant, workspace, gtm_client):
    client.force_login(consultant)
    url = reverse("clients:edit", args=[workspace.slug, gtm_client.pk])
    assert client.get(url).context["form"].initial["name"] == "Brightline Logistics"
    client.post(url, {**VALID, "name": "Brightline Freight"})
    gtm_client.refresh_from_db()
    assert gtm_client.name == "Brightline Freight"


def test_saving_a_client_under_its_own_name_is_not_a_duplicate(
    client, consultant, workspace, gtm_client
):
    client.force_login(consultant)
    url = reverse("clients:edit", args=[workspace.slug, gtm_client.pk])
    response = client.post(url, {**VALID, "name": "Brightline Logistics"})
    assert response.status_code == 302


def test_archiving_hides_a_client_from_the_active_list_until_restored(
    client, consultant, workspace, gtm_client
):
    client.force_login(consultant)
    list_url = reverse("clients:list", args=[workspace.slug])
    client.post(reverse("clients:archive", args=[workspace.slug, gtm_client.pk]))
    gtm_client.refresh_from_db()
    assert gtm_client.is_archived
    assert _names(client.get(list_url)) == []
    assert _names(client.get(list_url, {"status": "archived"})) == [gtm_client.name]
    assert "Archived on" in client.get(gtm_client.get_absolute_url()).content.decode()

    client.post(reverse("clients:restore", args=[workspace.slug, gtm_client.pk]))
    gtm_client.refresh_from_db()
    assert not gtm_client.is_archived
    assert _names(client.get(list_url)) == [gtm_client.name]


def _names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def test_searching_clients_by_name_or_industry(client, viewer, workspace):
    make_client(workspace, name="Acme Robotics", industry="Industrial manufacturing")
    make_client(workspace, name="Beta Bank", industry="Financial services")
    make_client(workspace, name="Gamma Grid", industry="Utilities")
    client.force_login(viewer)
    url = reverse("clients:list", args=[workspace.slug])
    assert _names(client.get(url, {"q": "bank"})) == ["Beta Bank"]
    assert _names(client.get(url, {"q": "MANUFACT"})) == ["Acme Robotics"]
    assert _names(client.get(url, {"q": ""})) == ["Acme Robotics", "Beta Bank", "Gamma Grid"]
    empty = client.get(url, {"q": "zzz"})
    assert "No clients match" in empty.content.decode()


def test_a_nonsense_filter_falls_back_to_active_clients(client, viewer, workspace, gtm_client):
    client.force_login(viewer)
    url = reverse("clients:list", args=[workspace.slug])
    response = client.get(url, {"status": "<script>", "page": "abc", "q": "x" * 500})
    assert response.status_code == 200
    assert _names(client.get(url, {"status": "bogus"})) == [gtm_client.name]


def test_an_htmx_search_gets_only_the_results(client, viewer, workspace, gtm_client):
    client.force_login(viewer)
    url = reverse("clients:list", args=[workspace.slug])
    response = client.get(
        url, {"q": "bright"}, headers={"HX-Request": "true", "HX-Target": "client-results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="client-results"')
    assert "Brightline Logistics" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_the_client_list_pages_and_takes_few_queries(
    client, viewer, workspace, django_assert_max_num_queries
):
    Client.objects.bulk_create(
        Client(workspace=workspace, name=f"Client {n:03}") for n in range(60)
    )
    make_client(make_workspace(), name="Not ours")
    client.force_login(viewer)
    url = reverse("clients:list", args=[workspace.slug])
    client.get(url)  # the first visit also remembers the workspace in the session
    with django_assert_max_num_queries(8):
        response = client.get(url, {"page": 3})
    assert _names(response) == [f"Client {n:03}" for n in range(50, 60)]
    assert "Page 3 of 3" in response.content.decode()


def test_the_empty_list_tells_a_consultant_what_to_do_next(client, consultant, workspace):
    client.force_login(consultant)
    html = client.get(reverse("clients:list", args=[workspace.slug])).content.decode()
    assert "No clients yet" in html and "Add your first client" in html


def test_the_empty_list_tells_a_viewer_who_can_add_clients(client, viewer, workspace):
    client.force_login(viewer)
    html = client.get(reverse("clients:list", args=[workspace.slug])).content.decode()
    assert "No clients yet" in html
    assert "Add your first client" not in html and "Add client" not in html


def test_a_viewer_sees_no_change_buttons_on_a_client(client, viewer, gtm_client):
    client.force_login(viewer)
    html = client.get(gtm_client.get_absolute_url()).content.decode()
    assert "Brightline Logistics" in html
    assert "Archive</button>" not in html and ">Edit<" not in html


def test_client_notes_are_escaped(client, viewer, workspace):
    evil = make_client(workspace, name="<b>Evil</b>", notes="<script>alert(1)</script>")
    client.force_login(viewer)
    html = client.get(evil.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
