"""What the bad-input suites share (tests/test_bad_input*.py): the hostile values, the objects
forms work on, and the checks every response gets."""

import tempfile
from functools import cached_property

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Invitation, Membership, Role, User, Workspace
from accounts.services import request_sign_up
from assessments.models import Answer, Assessment, PlanItem, Respondent
from bank.models import BankVersion, Question
from clients.models import Client
from devtools.crm_samples import SAMPLES
from funnel.models import CrmImport, FunnelFigures
from lib.quarters import Quarter
from tests.factories import (
    add_member,
    join_workshop,
    make_assessment,
    make_bank_version,
    make_client,
    make_crm_import,
    make_invitation,
    make_respondent,
    make_user,
    make_workshop,
    make_workspace,
)
from tests.url_catalogue import snapshot as catalogue_snapshot
from workshops.models import Participant, Workshop
from workshops.services import start as start_workshop

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
UNICODE = "Zoë Ågren · 東京 · 🚀 · שלום مرحبا"
SQL = "' OR 1=1 --"
TEMPLATE = "{{ 7*7 }}"
FORMULA = '=HYPERLINK("https://evil.example/","Open")'
LONG = "x" * 100_000
# Valid syntax (64-character local part, three 63-character labels), but 260 characters: more
# than the 254 an email column holds.
LONG_EMAIL = "a" * 64 + "@" + ("b" * 63 + ".") * 3 + "com"
NEW_PASSWORD = "a-long-new-password-42"


class World:
    """What the forms work on, each object made the first time a test asks for it (most tests
    need few of them, and the suite stays fast)."""

    def __init__(self, client):
        self.client = client
        self.today = timezone.localdate()
        self.quarter = Quarter.of(self.today)

    @cached_property
    def owner(self) -> User:
        return make_user(name="Olivia Owner", email="owner@example.com")

    @cached_property
    def workspace(self) -> Workspace:
        return make_workspace(owner=self.owner, name="Northwind")

    @cached_property
    def gtm_client(self) -> Client:
        return make_client(self.workspace, name="Brightline Logistics")

    @cached_property
    def assessment(self) -> Assessment:
        # A small bank: one question per dimension (people.q1, process.q1, ...).
        version = make_bank_version(per_dimension=1)
        period = self.quarter
        return make_assessment(
            self.gtm_client,
            version=version,
            year=period.year,
            quarter=period.number,
            status="open",
        )

    @cached_property
    def published_bank(self) -> BankVersion:
        """New assessments start on the current published bank."""
        return make_bank_version(publish=True)

    @cached_property
    def respondent(self) -> Respondent:
        return make_respondent(self.assessment, name="Rita Respondent")

    @cached_property
    def token(self) -> str:
        return self.respondent.issue_link()

    @cached_property
    def plan_item(self) -> PlanItem:
        target = self.quarter.next()
        return PlanItem.objects.create(
            client=self.gtm_client,
            title="Write the ICP",
            target_year=target.year,
            target_quarter=target.number,
        )

    @cached_property
    def figures(self) -> FunnelFigures:
        period = self.quarter.previous()
        return FunnelFigures.objects.create(
            client=self.gtm_client,
            year=period.year,
            quarter=period.number,
            inquiries=400,
            mqls=100,
        )

    @cached_property
    def crm_import(self) -> CrmImport:
        """An import waiting for its mapping: the first records of the HubSpot sample."""
        return make_crm_import(self.gtm_client, lead_csv=crm_lead_export())

    @cached_property
    def member(self) -> Membership:
        return add_member(self.workspace, role=Role.CONSULTANT, user=make_user(name="Max Member"))

    @cached_property
    def _invitation(self) -> tuple[Invitation, str]:
        return make_invitation(self.workspace, email="invitee@example.com")

    @property
    def invitation(self) -> Invitation:
        return self._invitation[0]

    @property
    def invitation_token(self) -> str:
        return self._invitation[1]

    @cached_property
    def signup_token(self) -> str:
        """The link of a sign-up waiting for its email to be confirmed."""
        return request_sign_up(
            email="waiting@example.com",
            name="Wanda Waiting",
            password=NEW_PASSWORD,
            workspace_name="Wanda's workspace",
        )

    @cached_property
    def workshop(self) -> Workshop:
        """A workshop of the assessment, on its first question."""
        workshop = make_workshop(self.assessment)
        start_workshop(workshop=workshop)
        workshop.refresh_from_db()
        return workshop

    @cached_property
    def participant(self) -> Participant:
        return join_workshop(self.workshop, "Paula Participant")[0]

    def phone_url(self, name: str) -> str:
        """A URL of the workshop's phone pages, for this client once it has joined."""
        joined = self.client.post(
            reverse("workshops:join", args=[self.workshop.code]),
            {"name": "Pete Phone", "role": "sales"},
        )
        assert joined.status_code == 302, joined
        return reverse(f"workshops:{name}", args=[self.workshop.code])

    def objects(self) -> dict:
        """The objects tests/url_catalogue.py's routes name, for `route_url`."""
        return {
            "workshop": self.workshop,
            "participant": self.participant,
            "client": self.gtm_client,
            "assessment": self.assessment,
            "respondent": self.respondent,
            "plan_item": self.plan_item,
            "figures": self.figures,
            "crm_import": self.crm_import,
            "membership": self.member,
            "invitation": self.invitation,
        }

    def w(self, name: str, *args) -> str:
        """A URL of the workspace."""
        return reverse(name, args=[self.workspace.slug, *args])

    def respondent_url(self, name: str, *args) -> str:
        return reverse(f"assessments:respondent_{name}", args=[self.token, *args])

    def facilitate_url(self, name: str, *args) -> str:
        ids = (self.assessment.pk, self.respondent.pk)
        return self.w(f"assessments:facilitate_{name}", *ids, *args)

    def password_reset_form_url(self) -> str:
        """The set-password page of a valid reset link (Django moves the token into the
        session on the first visit, then shows the form at .../set-password/)."""
        uid = urlsafe_base64_encode(force_bytes(self.owner.pk))
        token = default_token_generator.make_token(self.owner)
        link = reverse("password_reset_confirm", args=[uid, token])
        return self.client.get(link)["Location"]

    def latest(self, model):
        return model.objects.order_by("pk").last()

    def answer(self) -> tuple | None:
        found = Answer.objects.filter(respondent=self.respondent, question__key="people.q1")
        return found.values_list("choice", "comment").first()


def make_world(client, settings) -> World:
    """The `world` fixture of the bad-input suites."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # No static file is asked for here, and WhiteNoise would otherwise walk every static
    # directory for each test's new client: a third of the suite's time.
    settings.WHITENOISE_USE_FINDERS = False
    # CRM imports keep their uploads under MEDIA_ROOT until they are derived.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="relay-media-")
    return World(client)


def crm_lead_export(rows: int = 30) -> bytes:
    """The HubSpot sample's header and first `rows` records."""
    lines = (SAMPLES / "hubspot-contacts.csv").read_bytes().splitlines(keepends=True)
    return b"".join(lines[: rows + 1])


# ---- Checking responses --------------------------------------------------------------------


def snapshot() -> list:
    """Every row a form could change: the catalogue's tables plus logins and the bank."""
    return [
        *catalogue_snapshot(),
        list(User.objects.order_by("pk").values("pk", "password", "last_login")),
        list(BankVersion.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
    ]


def text(response) -> str:
    """The body of a response as text ("" for a streamed download)."""
    return response.content.decode() if not response.streaming else ""


def shows_an_error(response) -> bool:
    """Whether the response tells the person what went wrong: form errors or an error
    message on a page, or the htmx autosave's line of text."""
    body = text(response)
    if response["Content-Type"].startswith("text/plain"):
        return bool(body.strip())
    return any(marker in body for marker in ('class="errorlist', 'role="alert"', "errornote"))


def assert_escaped(response) -> None:
    """No page shows a user's markup as markup."""
    if response["Content-Type"].startswith("text/html"):
        assert SCRIPT not in text(response), "a user's <script> reached a page unescaped"
