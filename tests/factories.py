"""Plain functions that build test data; each returns what it made."""

import itertools
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User, Workspace
from accounts.services import create_workspace, invite_member
from assessments.models import Answer, Assessment, Respondent, refresh_standings
from assessments.summaries import results_changed
from bank.models import (
    BankVersion,
    Dimension,
    DimensionKey,
    Handoff,
    LevelDescriptor,
    Question,
    RecommendationRung,
)
from clients.models import Client
from funnel.models import CrmImport

PASSWORD = "a-long-test-password"
_sequence = itertools.count(1)


def make_user(*, email: str | None = None, name: str | None = None, **fields) -> User:
    number = next(_sequence)
    return User.objects.create_user(
        email=email or f"person{number}@example.com",
        name=name or f"Person {number}",
        password=PASSWORD,
        **fields,
    )


def make_workspace(*, owner: User | None = None, name: str | None = None) -> Workspace:
    return create_workspace(name=name or f"Workspace {next(_sequence)}", owner=owner or make_user())


def add_member(workspace: Workspace, *, role: Role, user: User | None = None) -> Membership:
    return Membership.objects.create(workspace=workspace, user=user or make_user(), role=role)


def make_client(workspace: Workspace, *, name: str | None = None, **fields) -> Client:
    return Client.objects.create(
        workspace=workspace, name=name or f"Client {next(_sequence)}", **fields
    )


def make_invitation(
    workspace: Workspace, *, email: str | None = None, role: Role = Role.CONSULTANT
) -> tuple[Invitation, str]:
    owner = workspace.memberships.filter(role=Role.OWNER).first().user
    return invite_member(
        workspace=workspace,
        email=email or f"invitee{next(_sequence)}@example.com",
        role=role,
        invited_by=owner,
    )


def make_bank_version(
    *, label: str | None = None, per_dimension: int = 6, publish: bool = False
) -> BankVersion:
    """A complete draft bank: four dimensions, `per_dimension` questions each, every question
    with five descriptors and a recommendation, handoffs tagged in turn (8 each by default)."""
    version = BankVersion.objects.create(label=label or f"v{next(_sequence)}")
    for order, key in enumerate(DimensionKey, start=1):
        Dimension.objects.create(version=version, key=key, name=key.label, order=order)
    handoffs = list(Handoff)
    number = 0
    for key in DimensionKey:
        for order in range(1, per_dimension + 1):
            handoff = handoffs[number % len(handoffs)]
            number += 1
            add_question(version, f"{key}.q{order}", order=order, handoffs=[handoff])
    if publish:
        from bank.services import publish as publish_version

        return publish_version(version=version)
    return version


def add_question(
    version: BankVersion,
    key: str,
    *,
    order: int = 1,
    handoffs=(),
    levels: int = 5,
    rungs: int = 4,
    impact: int = 2,
    effort: int = 2,
    **fields,
) -> Question:
    """A question with `levels` descriptors and a ladder of `rungs` steps (from level 1 up),
    each titled after its level: "Improve people.q1 from 2"."""
    question = Question.objects.create(
        version=version,
        key=key,
        dimension=key.split(".")[0],
        order=order,
        text=f"How mature is {key}?",
        **{handoff: True for handoff in handoffs},
        **fields,
    )
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(question=question, level=level, text=f"{key} at level {level}")
        for level in range(1, levels + 1)
    )
    RecommendationRung.objects.bulk_create(
        RecommendationRung(
            question=question,
            from_level=level,
            title=f"Improve {key} from {level}",
            next_steps=f"Start on Monday, from level {level}.",
            impact=impact,
            effort=effort,
        )
        for level in range(1, rungs + 1)
    )
    return question


def make_assessment(
    client: Client,
    *,
    version: BankVersion | None = None,
    year: int = 2026,
    quarter: int = 3,
    status: str = "draft",
    **fields,
) -> Assessment:
    """An assessment on `version`, or on the current published version (made if missing)."""
    version = version or BankVersion.objects.current() or make_bank_version(publish=True)
    assessment = Assessment.objects.create(
        client=client, bank_version=version, year=year, quarter=quarter, status=status, **fields
    )
    refresh_standings([client.pk])  # as services.create_assessment does
    return assessment


def make_respondent(
    assessment: Assessment, *, name: str | None = None, role: str = "marketing", **fields
) -> Respondent:
    number = next(_sequence)
    respondent = Respondent.objects.create(
        assessment=assessment,
        name=name or f"Respondent {number}",
        email=fields.pop("email", f"respondent{number}@example.com"),
        role=role,
        **fields,
    )
    refresh_standings([assessment.client_id])  # as the view adding a respondent does
    return respondent


def answer_all(respondent: Respondent, choice: str = "3", *, submit: bool = False) -> None:
    """Give `respondent` the same answer to every question of their assessment."""
    questions = respondent.assessment.bank_version.questions.all()
    Answer.objects.bulk_create(
        Answer(respondent=respondent, question=question, choice=choice) for question in questions
    )
    if submit:
        Respondent.objects.filter(pk=respondent.pk).update(submitted_at=timezone.now())
        respondent.refresh_from_db()
        results_changed(respondent.assessment_id)  # as services.submit does


def make_crm_import(client: Client, *, lead_csv: bytes | None = None, **fields) -> CrmImport:
    """A finished CRM import (no file kept); with `lead_csv`, one waiting for its mapping with
    that lead export kept (MEDIA_ROOT must be a temporary directory)."""
    from django.core.files.base import ContentFile

    defaults = {"lead_file_name": "hubspot-contacts.csv", "lead_rows": 412}
    if lead_csv is None:
        defaults.update(status=CrmImport.Status.DONE, finished_at=timezone.now())
    crm_import = CrmImport(client=client, **{**defaults, **fields})
    if lead_csv is not None:
        crm_import.rows_total = lead_csv.count(b"\n")
        crm_import.lead_file.save("hubspot-contacts.csv", ContentFile(lead_csv), save=False)
    crm_import.save()
    return crm_import


def confirmation_link(message) -> str:
    """The path of the sign-up confirmation link in an email."""
    return re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\S+/)", message.body).group(1)


def sign_up_and_confirm(client, data: dict):
    """A whole sign-up through the pages: the form, the link in the email, the button behind
    it. Returns the last page, redirects followed."""
    client.post(reverse("accounts:signup"), data)
    return client.post(confirmation_link(mail.outbox[-1]), follow=True)


def fill_in_sign_up(page) -> None:
    """Fill the sign-up form in a browser (Playwright) with a valid newcomer, Dana Founder."""
    page.get_by_label("Your name").fill("Dana Founder")
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Workspace name").fill("Dana Consulting")
    page.get_by_label("Password", exact=True).fill("a-sturdy-passphrase")
    page.get_by_label("Password confirmation").fill("a-sturdy-passphrase")


def make_workshop(assessment: Assessment, *, scope: str = "all", **fields):
    """A workshop of an open assessment, waiting for people to join."""
    from workshops.services import create_workshop

    workshop = create_workshop(assessment=assessment, scope=scope, created_by=None, **fields)
    return workshop


def join_workshop(workshop, name: str, role: str = "marketing", email: str = ""):
    """Someone joining on their phone: (participant, token)."""
    from workshops.services import join

    return join(workshop=workshop, name=name, role=role, email=email)
