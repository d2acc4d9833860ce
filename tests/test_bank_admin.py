"""The question bank as a methodology admin uses it in the Django admin."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bank.exchange import export_bank
from bank.models import BankVersion, Question
from tests.factories import make_bank_version, make_user


@pytest.fixture
def methodologist(client, db):
    """A staff user with the bank's permissions only, as seed_demo creates."""
    group = Group.objects.create(name="Methodology admins")
    group.permissions.set(Permission.objects.filter(content_type__app_label="bank"))
    user = make_user(is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _action(client, action: str, *versions):
    return client.post(
        reverse("admin:bank_bankversion_changelist"),
        {"action": action, "_selected_action": [v.pk for v in versions]},
    )


def test_clone_to_new_draft(methodologist):
    published = make_bank_version(label="2026.1", publish=True)
    response = _action(methodologist, "clone_to_new_draft", published)
    draft = BankVersion.objects.get(label="2026.2")
    assert draft.questions.count() == published.questions.count()
    assert "Cloned 2026.1 to the draft 2026.2." in _messages(response)


def _publish(client, version, changelog="Sharper level descriptors."):
    return client.post(
        reverse("admin:bank_bankversion_publish", args=[version.pk]), {"changelog": changelog}
    )


def test_publish_a_complete_draft_with_a_changelog_note(methodologist):
    draft = make_bank_version(label="2026.2")
    response = _publish(methodologist, draft)
    assert response["Location"] == reverse("admin:bank_bankversion_change", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.is_published and draft.changelog == "Sharper level descriptors."
    assert "Published 2026.2: new assessments now use it." in _messages(response)
    page = methodologist.get(response["Location"]).content.decode()
    assert "Sharper level descriptors." in page


def test_publishing_asks_for_a_changelog_note(methodologist):
    draft = make_bank_version(label="2026.2")
    response = _publish(methodologist, draft, changelog="  ")
    assert response.status_code == 200
    assert response.context["form"].errors == {"changelog": ["This field is required."]}
    draft.refresh_from_db()
    assert not draft.is_published


def test_publishing_an_incomplete_draft_names_what_is_missing(methodologist):
    draft = make_bank_version(label="2026.2")
    draft.questions.get(key="people.q1").descriptors.filter(level=5).delete()
    page = methodologist.get(reverse("admin:bank_bankversion_publish", args=[draft.pk]))
    html = page.content.decode()
    assert "2026.2 cannot be published yet: 1 problem." in html
    assert "people.q1: has 4 of 5 level descriptors." in html
    assert 'value="Publish 2026.2"' not in html  # no button to press
    response = _publish(methodologist, draft)
    assert response.status_code == 200
    assert response.context["problems"] == ["people.q1: has 4 of 5 level descriptors."]
    draft.refresh_from_db()
    assert not draft.is_published


def test_the_confirmation_shows_the_changes_and_the_impact(
    methodologist, django_assert_max_num_queries
):
    from bank.services import clone_to_draft
    from tests.factories import make_assessment, make_client, make_workspace

    current = make_bank_version(label="2026.1", per_dimension=7, publish=True)
    make_assessment(make_client(make_workspace()), version=current, status="open")
    draft = clone_to_draft(version=current)
    draft.questions.filter(key="people.q1").delete()
    draft.questions.filter(key="people.q2").update(text="Reworded")
    with django_assert_max_num_queries(25):
        page = methodologist.get(reverse("admin:bank_bankversion_publish", args=[draft.pk]))
    html = page.content.decode()
    assert "Against 2026.1, the version new assessments use now:" in html
    assert "<li>1 removed</li>" in html and "<li>1 changed</li>" in html
    assert "people.q1 is removed and no question of 2026.2 replaces it" in html
    assert "Staying on 2026.1, whose questions they keep: 1 open assessment." in html
    diff = reverse("admin:bank_bankversion_diff", args=[draft.pk])
    assert f'href="{diff}?against={current.pk}"' in html
    assert 'name="changelog"' in html


def test_publishing_needs_its_own_permission(client, db):
    editor = make_user(is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(content_type__app_label="bank").exclude(
            codename="publish_bankversion"
        )
    )
    client.force_login(editor)
    draft = make_bank_version(label="2026.2")
    url = reverse("admin:bank_bankversion_publish", args=[draft.pk])
    assert client.get(url).status_code == 403
    assert _publish(client, draft).status_code == 403
    draft.refresh_from_db()
    assert not draft.is_published
    page = client.get(reverse("admin:bank_bankversion_change", args=[draft.pk])).content.decode()
    assert url not in page
    # Editing the draft stays possible.
    assert client.get(reverse("admin:bank_bankversion_change", args=[draft.pk])).context[
        "has_change_permission"
    ]


def test_the_publish_permission_is_listed_apart_from_change(db):
    assert Permission.objects.get(codename="publish_bankversion").name == (
        "Can publish a bank version"
    )


def test_publishing_is_no_longer_a_changelist_action(methodologist):
    draft = make_bank_version(label="2026.2")
    page = methodologist.get(reverse("admin:bank_bankversion_changelist"))
    assert "publish_versions" not in page.content.decode()
    _action(methodologist, "publish_versions", draft)
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_published_version_is_not_published_again(methodologist):
    published = make_bank_version(label="2026.1", publish=True)
    response = _publish(methodologist, published, changelog="Again")
    assert "2026.1 is already published." in _messages(response)
    published.refresh_from_db()
    assert published.changelog == ""


def test_the_publish_page_refuses_other_methods(methodologist):
    draft = make_bank_version(label="2026.2")
    url = reverse("admin:bank_bankversion_publish", args=[draft.pk])
    assert methodologist.put(url).status_code == 405
    assert (
        methodologist.post(reverse("admin:bank_bankversion_diff", args=[draft.pk])).status_code
        == 405
    )


def test_the_draft_page_links_to_its_questions_its_changes_and_publishing(methodologist):
    draft = make_bank_version(label="2026.2")
    html = methodologist.get(reverse("admin:bank_bankversion_change", args=[draft.pk])).content
    html = html.decode()
    questions = reverse("admin:bank_question_changelist") + f"?version__id__exact={draft.pk}"
    assert f'href="{questions}"' in html
    assert f'href="{reverse("admin:bank_bankversion_diff", args=[draft.pk])}"' in html
    assert f'href="{reverse("admin:bank_bankversion_publish", args=[draft.pk])}"' in html
    listed = methodologist.get(questions).context["cl"].result_list
    assert {q.version_id for q in listed} == {draft.pk}


def test_a_published_version_offers_no_publishing(methodologist):
    published = make_bank_version(label="2026.1", publish=True)
    html = methodologist.get(reverse("admin:bank_bankversion_change", args=[published.pk]))
    assert reverse("admin:bank_bankversion_publish", args=[published.pk]) not in (
        html.content.decode()
    )


def test_the_diff_compares_a_clone_with_its_origin_by_default(
    methodologist, django_assert_max_num_queries
):
    from bank.services import clone_to_draft

    origin = make_bank_version(label="2026.1", publish=True)
    make_bank_version(label="2026.2", publish=True)
    draft = clone_to_draft(version=origin, label="2026.1 rework")
    draft.questions.filter(key="people.q1").update(text="How mature is the people.q1 practice?")
    url = reverse("admin:bank_bankversion_diff", args=[draft.pk])
    # Constant: each version is read in four queries, whatever its number of questions.
    with django_assert_max_num_queries(20):
        page = methodologist.get(url)
    assert page.context["against"] == origin
    html = page.content.decode()
    assert "<h1>Changes in 2026.1 rework since 2026.1</h1>" in html
    assert "How mature is <ins>the </ins>people.q1<ins> practice</ins>?" in html


def test_the_diff_compares_with_the_version_chosen(methodologist):
    first = make_bank_version(label="2026.1", publish=True)
    second = make_bank_version(label="2026.2", publish=True)
    second_question = second.questions.get(key="people.q1")
    url = reverse("admin:bank_bankversion_diff", args=[first.pk])
    page = methodologist.get(url, {"against": second.pk})
    assert page.context["against"] == second
    assert page.context["diff"].is_empty and second_question.pk
    bad = methodologist.get(url, {"against": "nonsense"})
    assert bad.status_code == 200 and bad.context["diff"] is None
    assert "against" in bad.context["form"].errors


def test_the_version_list_links_to_each_versions_changes(methodologist):
    version = make_bank_version(label="2026.1")
    html = methodologist.get(reverse("admin:bank_bankversion_changelist")).content.decode()
    assert f'href="{reverse("admin:bank_bankversion_diff", args=[version.pk])}"' in html


def test_a_draft_edited_in_the_admin_then_published_refuses_edits(methodologist):
    draft = make_bank_version(label="2026.3")
    question = draft.questions.get(key="process.q1")
    url = reverse("admin:bank_question_change", args=[question.pk])
    form = methodologist.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "text": "Who signs off the definition of a qualified lead?",
            "descriptors-TOTAL_FORMS": "5",
            "descriptors-INITIAL_FORMS": "5",
        }
    )
    for index, descriptor in enumerate(question.descriptors.all()):
        data.update(
            {
                f"descriptors-{index}-id": descriptor.pk,
                f"descriptors-{index}-question": question.pk,
                f"descriptors-{index}-level": descriptor.level,
                f"descriptors-{index}-text": f"Observable behaviour at level {descriptor.level}",
            }
        )
    data.update({"rungs-TOTAL_FORMS": "4", "rungs-INITIAL_FORMS": "4"})
    for index, rung in enumerate(question.rungs.all()):
        data.update(
            {
                f"rungs-{index}-id": rung.pk,
                f"rungs-{index}-question": question.pk,
                f"rungs-{index}-from_level": rung.from_level,
                f"rungs-{index}-title": f"Reach level {rung.from_level + 1}",
                f"rungs-{index}-next_steps": rung.next_steps,
                f"rungs-{index}-impact": 3,
                f"rungs-{index}-effort": 1,
            }
        )
    assert methodologist.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.text == "Who signs off the definition of a qualified lead?"
    assert question.descriptors.get(level=3).text == "Observable behaviour at level 3"
    step = question.rungs.get(from_level=3)
    assert (step.title, step.impact, step.effort) == ("Reach level 4", 3, 1)

    _publish(methodologist, draft)

    page = methodologist.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    data["text"] = "Changed after publication"
    methodologist.post(url, data)
    question.refresh_from_db()
    assert question.text == "Who signs off the definition of a qualified lead?"
    delete = reverse("admin:bank_question_delete", args=[question.pk])
    assert methodologist.post(delete, {"post": "yes"}).status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_the_question_list_is_no_grid_of_order_inputs(methodologist):
    # The order is edited in the question's form, where it has a label.
    make_bank_version(label="2026.1")
    page = methodologist.get(reverse("admin:bank_question_changelist"))
    assert 'name="form-0-order"' not in page.content.decode()
    assert page.context["cl"].formset is None


def test_new_questions_can_only_go_into_drafts(methodologist):
    make_bank_version(label="2026.1", publish=True)
    draft = make_bank_version(label="2026.2")
    form = methodologist.get(reverse("admin:bank_question_add")).context["adminform"].form
    assert list(form.fields["version"].queryset) == [draft]


def test_questions_filter_by_version_dimension_and_handoff_and_search(methodologist):
    version = make_bank_version(label="2026.1")
    url = reverse("admin:bank_question_changelist")
    by_handoff = methodologist.get(url, {"handoff": "lead_to_sales", "dimension": "people"})
    keys = {q.key for q in by_handoff.context["cl"].result_list}
    assert keys == {q.key for q in version.questions.filter(lead_to_sales=True, dimension="people")}
    found = methodologist.get(url, {"q": "process.q4"}).context["cl"].result_list
    assert [q.key for q in found] == ["process.q4"]


def test_the_respondent_preview_shows_the_question_with_its_choices(methodologist):
    question = make_bank_version().questions.get(key="content.q2")
    response = methodologist.get(reverse("admin:bank_question_preview", args=[question.pk]))
    html = response.content.decode()
    assert f'<legend class="question-text">{question.text}</legend>' in html
    for level in range(1, 6):
        assert f"content.q2 at level {level}" in html
    assert "Not applicable" in html and "Don’t know" in html


def test_export_a_version_from_the_admin(methodologist):
    version = make_bank_version(label="2026.1")
    response = _action(methodologist, "export_json", version)
    assert response["Content-Disposition"] == 'attachment; filename="relay-bank-2026.1.json"'
    assert response.content.decode() == export_bank(version)


def test_import_a_version_from_the_admin(methodologist):
    version = make_bank_version(label="2026.1")
    text = export_bank(version)
    upload = SimpleUploadedFile("bank.json", text.encode(), content_type="application/json")
    response = methodologist.post(
        reverse("admin:bank_bankversion_import"), {"file": upload, "label": "2026.1 imported"}
    )
    imported = BankVersion.objects.get(label="2026.1 imported")
    assert response["Location"] == reverse("admin:bank_bankversion_change", args=[imported.pk])
    assert imported.questions.count() == version.questions.count()


def test_a_bad_upload_lists_the_problems_and_saves_nothing(methodologist):
    data = json.loads(export_bank(make_bank_version(label="2026.1")))
    data["questions"][0]["recommendations"][0]["effort"] = 9
    upload = SimpleUploadedFile("bank.json", json.dumps(data).encode())
    response = methodologist.post(
        reverse("admin:bank_bankversion_import"), {"file": upload, "label": "new"}
    )
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "question people.q1: recommendations[1]: effort: must be from 1 to 3, not 9" in html
    assert not BankVersion.objects.filter(label="new").exists()


def test_a_draft_page_says_whether_it_is_ready_to_publish(methodologist):
    draft = make_bank_version(label="2026.2")
    draft.questions.get(key="people.q1").descriptors.filter(level=1).delete()
    html = methodologist.get(reverse("admin:bank_bankversion_change", args=[draft.pk])).content
    assert "people.q1: has 4 of 5 level descriptors." in html.decode()


@pytest.mark.parametrize("name", ["diff", "publish"])
def test_the_bank_pages_send_anonymous_and_non_staff_visitors_to_the_admin_login(client, db, name):
    draft = make_bank_version(label="2026.2")
    url = reverse(f"admin:bank_bankversion_{name}", args=[draft.pk])
    login = reverse("admin:login")
    assert client.get(url)["Location"].startswith(login)
    client.force_login(make_user())
    assert client.get(url)["Location"].startswith(login)
    assert client.post(url, {"changelog": "Sneaky"})["Location"].startswith(login)
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_staff_member_without_the_banks_permissions_cannot_read_the_changes(client, db):
    client.force_login(make_user(is_staff=True))
    draft = make_bank_version(label="2026.2")
    assert client.get(reverse("admin:bank_bankversion_diff", args=[draft.pk])).status_code == 403


@pytest.mark.parametrize("name", ["diff", "publish"])
def test_an_unknown_version_is_not_found(methodologist, name):
    assert (
        methodologist.get(reverse(f"admin:bank_bankversion_{name}", args=[999])).status_code == 404
    )


def test_the_bank_pages_load_the_banks_stylesheet(methodologist):
    draft = make_bank_version(label="2026.2")
    question = draft.questions.get(key="people.q1")
    for url in (
        reverse("admin:bank_bankversion_change", args=[draft.pk]),
        reverse("admin:bank_question_change", args=[question.pk]),
        reverse("admin:bank_bankversion_diff", args=[draft.pk]),
        reverse("admin:bank_bankversion_publish", args=[draft.pk]),
    ):
        assert "css/bank_admin.css" in methodologist.get(url).content.decode(), url
