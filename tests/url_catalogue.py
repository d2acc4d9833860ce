"""The catalogue of every URL of the app: its methods, the lowest role that may use it and the
objects it names. Two suites walk it: tests/test_url_access.py (405 / login / 404 / 403) and
tests/test_isolation.py (no other workspace's data, no change); a URL added to the URLconf but
not here fails both.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation, Membership, Role, SignupRequest, User, Workspace
from assessments.models import (
    Answer,
    Assessment,
    LinkEmail,
    PlanItem,
    ReportOptions,
    Respondent,
    RespondentLink,
)
from clients.models import Client
from funnel.models import CrmImport, CrmMapping, FunnelFigures, FunnelThresholds
from workshops.models import Consensus, Participant, Vote, Workshop


@dataclass(frozen=True)
class Route:
    name: str
    methods: frozenset[str]
    min_role: Role
    objects: tuple[str, ...] = field(default=())  # which of the world's objects the URL names


def _route(name, methods, min_role, *objects):
    return Route(name, frozenset(methods), min_role, objects)


READ, CHANGE, OWN = Role.VIEWER, Role.CONSULTANT, Role.OWNER

WORKSPACE_ROUTES = [
    _route("assessments:workspace_home", {"GET"}, READ),
    _route("clients:list", {"GET"}, READ),
    _route("clients:create", {"GET", "POST"}, CHANGE),
    _route("assessments:client_detail", {"GET"}, READ, "client"),
    _route("clients:edit", {"GET", "POST"}, CHANGE, "client"),
    _route("clients:archive", {"POST"}, CHANGE, "client"),
    _route("clients:restore", {"POST"}, CHANGE, "client"),
    _route("assessments:compare", {"GET"}, READ, "client"),
    _route("assessments:assessment_create", {"GET", "POST"}, CHANGE, "client"),
    _route("assessments:assessment_detail", {"GET"}, READ, "assessment"),
    _route("assessments:assessment_targets", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_visibility", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_deadline", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_remind_all", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_open", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_close", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_next_quarter", {"POST"}, CHANGE, "assessment"),
    _route("assessments:answers_import", {"GET", "POST"}, CHANGE, "assessment"),
    _route("assessments:results", {"GET"}, READ, "assessment"),
    _route("assessments:results_json", {"GET"}, READ, "assessment"),
    _route("assessments:results_detail", {"GET"}, READ, "assessment"),
    _route("assessments:results_csv", {"GET"}, READ, "assessment"),
    _route("assessments:answers_csv", {"GET"}, READ, "assessment"),
    _route("assessments:results_xlsx", {"GET"}, READ, "assessment"),
    _route("assessments:report_pdf", {"GET"}, READ, "assessment"),
    _route("assessments:report_pptx", {"GET"}, READ, "assessment"),
    _route("assessments:report_status", {"GET"}, READ, "assessment"),
    # Anyone who may read the report may ask for it to be rendered again: it changes no data.
    _route("assessments:report_retry", {"POST"}, READ, "assessment"),
    # Viewers download with the saved options; choosing them is a consultant's.
    _route("assessments:report_options", {"GET", "POST"}, CHANGE, "assessment"),
    _route("assessments:respondent_add", {"POST"}, CHANGE, "assessment"),
    _route("assessments:respondent_new_link", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:respondent_revoke", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:respondent_remind", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:respondent_reopen", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:respondent_remove", {"POST"}, CHANGE, "assessment", "respondent"),
    # A consultant answering for a respondent in a workshop: the questionnaire's pages.
    _route("assessments:facilitate_start", {"GET"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_section", {"GET", "POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_answer", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_review", {"GET"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_submit", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_done", {"GET"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_answers_csv", {"GET"}, CHANGE, "assessment", "respondent"),
    _route("accounts:workspace_settings", {"GET", "POST"}, OWN),
    _route("accounts:workspace_logo", {"GET"}, READ),
    _route("accounts:member_list", {"GET"}, READ),
    _route("accounts:member_invite", {"POST"}, OWN),
    _route("accounts:member_change_role", {"POST"}, OWN, "membership"),
    _route("accounts:member_remove", {"POST"}, OWN, "membership"),
    _route("accounts:invitation_renew", {"POST"}, OWN, "invitation"),
    _route("accounts:invitation_revoke", {"POST"}, OWN, "invitation"),
    # The action plan: everyone reads it, consultants and owners change it.
    _route("assessments:client_plan", {"GET"}, READ, "client"),
    _route("assessments:plan_item_create", {"GET", "POST"}, CHANGE, "client"),
    _route("assessments:plan_item_edit", {"GET", "POST"}, CHANGE, "client", "plan_item"),
    _route("assessments:plan_item_status", {"POST"}, CHANGE, "client", "plan_item"),
    _route("assessments:plan_item_delete", {"POST"}, CHANGE, "client", "plan_item"),
    _route("assessments:plan_add_recommendation", {"POST"}, CHANGE, "assessment"),
    # A consultant's level from evidence, in place of the respondents' for one question.
    _route("assessments:validated_level", {"GET", "POST"}, CHANGE, "assessment"),
    _route("assessments:validated_level_clear", {"POST"}, CHANGE, "assessment"),
    # The funnel: everyone reads it and plans with it; consultants and owners change the
    # figures; owners set the workspace's thresholds.
    _route("funnel:funnel", {"GET"}, READ, "client"),
    _route("funnel:planner", {"GET"}, READ, "client"),
    _route("funnel:figures_create", {"GET", "POST"}, CHANGE, "client"),
    _route("funnel:figures_edit", {"GET", "POST"}, CHANGE, "client", "figures"),
    _route("funnel:figures_delete", {"POST"}, CHANGE, "client", "figures"),
    _route("funnel:import", {"GET", "POST"}, CHANGE, "client"),
    # Importing CRM exports: who may change the figures, as the CSV import.
    _route("funnel:crm_upload", {"GET", "POST"}, CHANGE, "client"),
    _route("funnel:crm_mapping", {"GET", "POST"}, CHANGE, "client", "crm_import"),
    _route("funnel:crm_status", {"GET"}, CHANGE, "client", "crm_import"),
    _route("funnel:crm_leave_out", {"POST"}, CHANGE, "client", "crm_import"),
    _route("funnel:settings", {"GET", "POST"}, OWN),
    _route("funnel:settings_reset", {"POST"}, OWN),
    # A live workshop, run by a consultant: the projector and its buttons.
    _route("workshops:workshop_create", {"GET", "POST"}, CHANGE, "assessment"),
    _route("workshops:workshop", {"GET"}, CHANGE, "workshop"),
    _route("workshops:workshop_live", {"GET"}, CHANGE, "workshop"),
    _route("workshops:workshop_start", {"POST"}, CHANGE, "workshop"),
    _route("workshops:workshop_reveal", {"POST"}, CHANGE, "workshop"),
    _route("workshops:workshop_reopen", {"POST"}, CHANGE, "workshop"),
    _route("workshops:workshop_consensus", {"POST"}, CHANGE, "workshop"),
    _route("workshops:workshop_next", {"POST"}, CHANGE, "workshop"),
    _route("workshops:workshop_previous", {"POST"}, CHANGE, "workshop"),
    _route("workshops:workshop_end", {"POST"}, CHANGE, "workshop"),
    _route("workshops:summary", {"GET"}, CHANGE, "workshop"),
    _route("workshops:decision_to_plan", {"POST"}, CHANGE, "workshop"),
    _route("workshops:participant_remove", {"POST"}, CHANGE, "workshop", "participant"),
]

# URLs outside any workspace, each covered by the tests named beside it.
OTHER_ROUTES = {
    "home": "test_views_accounts.py: home",
    "accounts:signup": "test_views_accounts.py: signup",
    "accounts:signup_sent": "test_views_accounts.py: signup",
    "accounts:signup_confirm": "test_views_accounts.py: signup (the token is the key)",
    "accounts:workspace_create": "test_views_accounts.py: workspace creation",
    "accounts:invitation": "test_views_members.py: invitations",
    "accounts:invitation_accept": "test_views_members.py: invitations",
    "accounts:invitation_signup": "test_views_members.py: invitations",
    "assessments:methodology": "test_views_results.py: public, it shows no data",
    # A respondent's personal link: test_views_questionnaire.py (no account; the token is the key).
    "assessments:respondent_start": "test_views_questionnaire.py",
    "assessments:respondent_section": "test_views_questionnaire.py",
    "assessments:respondent_answer": "test_views_questionnaire.py",
    "assessments:respondent_review": "test_views_questionnaire.py",
    "assessments:respondent_submit": "test_views_questionnaire.py",
    "assessments:respondent_done": "test_views_questionnaire.py",
    "assessments:respondent_answers_csv": "test_views_questionnaire.py",
    # A participant's phone in a live workshop: no account; the code lets them join, the token
    # their session then holds lets them vote (test_views_workshops.py).
    "workshops:join": "test_views_workshops.py",
    "workshops:phone": "test_views_workshops.py",
    "workshops:phone_live": "test_views_workshops.py",
    "workshops:vote": "test_views_workshops.py",
    # Django's own auth views, configured by us and exercised in test_views_accounts.py.
    "login": "",
    "logout": "",
    "password_change": "",
    "password_change_done": "",
    "password_reset": "",
    "password_reset_done": "",
    "password_reset_confirm": "",
    "password_reset_complete": "",
}

OBJECT_KWARGS = {
    "client": "client_id",
    "membership": "membership_id",
    "invitation": "invitation_id",
    "assessment": "assessment_id",
    "respondent": "respondent_id",
    "plan_item": "item_id",
    "figures": "figures_id",
    "crm_import": "import_id",
    "workshop": "workshop_id",
    "participant": "participant_id",
}
# Route parameters that name no object.
FIXED_KWARGS = {
    "assessments:facilitate_section": {"section": "people"},
    "assessments:validated_level": {"question_key": "people.q1"},
    "assessments:results_detail": {"dimension": "people"},
    "assessments:validated_level_clear": {"question_key": "people.q1"},
    "workshops:decision_to_plan": {"question_key": "people.q1"},
}


def urlconf_names(patterns=None, namespace: str = ""):
    """The name of every URL pattern of the URLconf, outside Django's admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":  # Django's admin has its own staff checks
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from urlconf_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} needs a name"
            yield f"{namespace}{pattern.name}"


def route_url(route: Route, objects: dict, workspace: Workspace, **fixed) -> str:
    """The route's URL under `workspace`, naming the objects of `objects` it needs; `fixed`
    in place of FIXED_KWARGS' parameters."""
    kwargs = {"workspace_slug": workspace.slug, **FIXED_KWARGS.get(route.name, {}), **fixed}
    for name in route.objects:
        kwargs[OBJECT_KWARGS[name]] = objects[name].pk
    return reverse(route.name, kwargs=kwargs)


# What reading a page records is left out: a respondent's visit by their link, a consultant
# having seen the submissions. Everything else a request may write is in.
READING_RECORDS = {"opened_at", "last_active_at", "submissions_seen_at"}


def _rows(model) -> list[dict]:
    fields = [f.attname for f in model._meta.concrete_fields if f.name not in READING_RECORDS]
    return list(model.objects.order_by("pk").values(*fields))


def snapshot() -> list:
    """Every row the workspace URLs could change."""
    return [
        list(Workspace.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Invitation.objects.order_by("pk").values()),
        list(Client.objects.order_by("pk").values()),
        _rows(Assessment),
        _rows(Respondent),
        list(RespondentLink.objects.order_by("pk").values()),
        list(LinkEmail.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        list(PlanItem.objects.order_by("pk").values()),
        list(ReportOptions.objects.order_by("pk").values()),
        list(FunnelFigures.objects.order_by("pk").values()),
        list(FunnelThresholds.objects.order_by("pk").values()),
        list(CrmImport.objects.order_by("pk").values()),
        list(CrmMapping.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values("pk", "email", "name")),
        list(SignupRequest.objects.order_by("pk").values()),
        list(Workshop.objects.order_by("pk").values()),
        list(Participant.objects.order_by("pk").values()),
        list(Vote.objects.order_by("pk").values()),
        list(Consensus.objects.order_by("pk").values()),
    ]


# A plausible body, so a refusal cannot be blamed on an empty form.
FORM_BODY = urlencode({"name": "Changed", "email": "new@example.com", "role": "viewer"})


def send(client, method: str, url: str, body: str = FORM_BODY, **headers):
    """A request with any method; a POST carries `body` as a form."""
    return client.generic(
        method,
        url,
        body if method == "POST" else "",
        content_type="application/x-www-form-urlencoded",
        **headers,
    )
