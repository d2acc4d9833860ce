"""Hostile input for every form of the app (issue 9).

Every form of the catalogue below gets, field by field, the values people and scripts really
send: nothing, blanks, 100 000 characters, a NUL byte (PostgreSQL refuses it in text), control
characters, line breaks in one-line names, unicode, the wrong type of number, a field repeated,
and values shaped like HTML, SQL, template and spreadsheet-formula injection. The rules:

- never a 500;
- a refused value changes nothing and the page says why (form errors or an error message;
  the htmx autosave answers 400 with a line of text);
- an accepted value is stored whole and shown escaped: no page ever contains a raw
  ``<script>`` written by a user.

A POST URL added to the URLconf fails the catalogue test until it is listed here, or named as
taking no input but its URL. Query strings are in tests/test_bad_input_queries.py; CSV and JSON
imports, logo uploads and CSV exports in tests/test_bad_input_files.py.
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.db.models import Value
from django.db.models.functions import Lower
from django.urls import NoReverseMatch, reverse

from accounts.models import Invitation, Membership, SignupRequest, User, Workspace
from assessments.models import TARGET_FIELDS, Assessment, PlanItem, ReportOptions, Respondent
from clients.models import Client
from funnel.crm.mapping import propose_mapping
from funnel.crm.reader import open_crm_csv
from funnel.forms import FunnelThresholdsForm
from funnel.health import DEFAULT_THRESHOLDS
from funnel.models import CrmImport, FunnelFigures, FunnelThresholds
from tests.bad_input import (
    ESCAPED_SCRIPT,
    FORMULA,
    LONG,
    LONG_EMAIL,
    NEW_PASSWORD,
    SCRIPT,
    SQL,
    TEMPLATE,
    UNICODE,
    World,
    assert_escaped,
    crm_lead_export,
    make_world,
    shows_an_error,
    snapshot,
    text,
)
from tests.factories import PASSWORD, make_client, make_respondent, make_workspace
from tests.url_catalogue import OTHER_ROUTES, WORKSPACE_ROUTES, route_url
from workshops.models import Consensus, Participant, Vote, Workshop

MISSING = object()  # the field is left out of the submission
REFUSED = object()  # the value is refused, with a message, and nothing changes


@dataclass(frozen=True)
class Case:
    kind: str  # names the value in the test id
    value: object  # a string, a list (the field sent several times) or MISSING
    stored: object = REFUSED  # what an accepted value is stored as


# ---- Values, by the kind of field they are sent to ---------------------------------------


def text_cases(*, required: bool, one_line: bool) -> list[Case]:
    """A name (one line: runs of whitespace become one space, control characters are refused)
    or a free text (notes, comments: line breaks and tabs are the writer's)."""
    blank = REFUSED if required else ""
    control = "Acme\x07\x1b[31m"
    line_break = "Acme\r\nBcc: x@example.com"
    return [
        Case("empty", "", blank),
        Case("whitespace_only", " \t  ", blank),
        Case("missing", MISSING, blank),
        Case("100k_chars", LONG),
        Case("nul_byte", "Acme\x00Corp"),
        Case("control_chars", control, REFUSED if one_line else control),
        Case("line_break", line_break, "Acme Bcc: x@example.com" if one_line else line_break),
        Case("unicode", UNICODE, UNICODE),
        Case("script", SCRIPT, SCRIPT),
        Case("sql", SQL, SQL),
        Case("template", TEMPLATE, TEMPLATE),
        Case("formula", FORMULA, FORMULA),
        Case("two_values", ["First", "Second"], "Second"),
    ]


NAME = text_cases(required=True, one_line=True)
OPTIONAL_NAME = text_cases(required=False, one_line=True)
FREE_TEXT = text_cases(required=False, one_line=False)


def email_cases(*, lower_cased: bool) -> list[Case]:
    def kept(email: str) -> str:
        return email.lower() if lower_cased else email

    return [
        Case("empty", ""),
        Case("missing", MISSING),
        Case("100k_chars", LONG + "@example.com"),
        Case("over_254_chars", LONG_EMAIL),
        Case("nul_byte", "zoe\x00@example.com"),
        Case("not_an_email", "zoe at example"),
        Case("script", SCRIPT),
        Case("sql", SQL + "@example.com"),
        Case("international_domain", "zoe@exämple.com", "zoe@exämple.com"),
        Case("upper_case", "Zoe.Quinn@Example.COM", kept("Zoe.Quinn@Example.COM")),
        Case("two_values", ["first@example.com", "second@example.com"], "second@example.com"),
    ]


def choice_cases(other: str, stored: object = None, *, blank: object = REFUSED) -> list[Case]:
    """A choice from a list; `other` is a valid choice besides the one of the valid form, and
    `stored` what it is stored as (`other` itself by default)."""
    stored = other if stored is None else stored
    return [
        Case("empty", "", blank),
        Case("missing", MISSING, blank),
        Case("unknown", "abc"),
        Case("nul_byte", f"{other}\x00"),
        Case("decimal", "1.5"),
        Case("10**30", str(10**30)),
        Case("negative", "-1"),
        Case("100k_chars", LONG),
        Case("script", SCRIPT),
        Case("sql", SQL),
        Case("other_choice", other, stored),
        Case("two_values_last_unknown", [other, "abc"]),
        Case("two_values_last_valid", ["abc", other], stored),
    ]


def number_cases(kind: str, *, required: bool) -> list[Case]:
    """A count, an amount or a number of days; `kind` decides what "1.5" is."""
    decimal = {
        "count": REFUSED,
        "money": Decimal("1.50"),
        "days": Decimal("1.5"),
        "years": Decimal("1.5"),
        "share": Decimal("1.5"),
    }[kind]
    blank = REFUSED if required else None
    return [
        Case("empty", "", blank),
        Case("missing", MISSING, blank),
        Case("letters", "abc"),
        Case("nul_byte", "12\x00"),
        Case("decimal", "1.5", decimal),
        Case("10**30", str(10**30)),
        Case("100k_digits", "9" * 100_000),
        Case("negative", "-1"),
        Case("nan", "NaN"),
        Case("infinity", "Infinity"),
        Case("1e309", "1e309"),
        Case("script", SCRIPT),
        Case("sql", SQL),
        # No customer stays 1,200 years, and no share is 1,200%: more than either accepts.
        Case("thousands", "1,200", REFUSED if kind in ("years", "share") else 1200),
        Case("two_values", ["abc", "25"], 25),
    ]


def threshold_cases(*, accepted: str, stored: float) -> list[Case]:
    """A required threshold: a percentage or a number of days, within its bounds."""
    return [
        Case("empty", ""),
        Case("missing", MISSING),
        Case("letters", "abc"),
        Case("nul_byte", "12\x00"),
        Case("10**30", str(10**30)),
        Case("negative", "-1"),
        Case("nan", "NaN"),
        Case("infinity", "Infinity"),
        Case("1e309", "1e309"),
        Case("too_many_decimals", "1.555"),
        Case("script", SCRIPT),
        Case("in_range", accepted, stored),
        Case("two_values", ["abc", accepted], stored),
    ]


def password_cases() -> list[Case]:
    """A new password (sent in both password fields): long and odd ones are fine."""
    return [
        Case("empty", ""),
        Case("missing", MISSING),
        Case("nul_byte", "a-long\x00password-42"),
        Case("too_common", "password"),
        Case("100k_chars", LONG + "-42", LONG + "-42"),
        Case("unicode", "Zoë-東京-🚀-geheim", "Zoë-東京-🚀-geheim"),
        Case("script", SCRIPT, SCRIPT),
        Case("sql", SQL + " 9x!Q", SQL + " 9x!Q"),
    ]


def wrong_credentials() -> list[Case]:
    """What the login form's fields get: nothing hostile logs anyone in."""
    return [
        Case("empty", ""),
        Case("missing", MISSING),
        Case("100k_chars", LONG),
        Case("nul_byte", "owner@example.com\x00"),
        Case("unicode", UNICODE),
        Case("script", SCRIPT),
        Case("sql", SQL),
        Case("sql_with_comment", "owner@example.com' --"),
    ]


def quarter_cases(accepted: str | None = None) -> list[Case]:
    """A quarter from the form's list; `accepted` names another one the form takes."""
    cases = [
        Case("empty", ""),
        Case("missing", MISSING),
        Case("not_a_quarter", "abc"),
        Case("quarter_5", "2026-Q5"),
        Case("outside_the_list", "2000-Q1"),
        Case("nul_byte", "2026-Q1\x00"),
        Case("10**30", f"{10**30}-Q1"),
        Case("100k_chars", LONG),
        Case("script", SCRIPT),
        Case("two_values_last_unknown", ["2026-Q1", "abc"]),
    ]
    if accepted:
        cases.append(Case("another_quarter", accepted, accepted))
    return cases


def deadline_cases() -> list[Case]:
    """A date from today on, within a year; empty (or left out) removes the deadline."""
    return [
        Case("empty", "", None),
        Case("missing", MISSING, None),
        Case("in_a_week", "IN_A_WEEK", "IN_A_WEEK"),
        Case("yesterday", "YESTERDAY"),
        Case("in_two_years", "IN_TWO_YEARS"),
        Case("not_a_date", "soon"),
        Case("february_30", "2027-02-30"),
        Case("nul_byte", "2027-01-01\x00"),
        Case("10**30", f"{10**30}-01-01"),
        Case("100k_chars", LONG),
        Case("script", SCRIPT),
        Case("two_values_last_unknown", ["IN_A_WEEK", "soon"]),
    ]


def key_cases(other: str) -> list[Case]:
    """A question key, which must name a question of the assessment's bank version."""
    return [
        Case("empty", ""),
        Case("missing", MISSING),
        Case("unknown", "people.nope"),
        Case("nul_byte", f"{other}\x00"),
        Case("100k_chars", LONG),
        Case("script", SCRIPT),
        Case("sql", SQL),
        Case("two_values_last_unknown", [other, "people.nope"]),
    ]


def _as_text(value) -> str | None:
    return None if value is None else str(value)


def _answered(stored) -> tuple[str, object]:
    """An answer's (choice, comment) once the comment is `stored`, with the valid choice."""
    return stored if stored is REFUSED else ("4", stored)


# ---- The objects the forms work on ---------------------------------------------------------


class PasswordOf:
    """Compares equal to the raw password a user (or a sign-up waiting for its email) now has."""

    def __init__(self, holder: User | SignupRequest):
        self.encoded = type(holder).objects.get(pk=holder.pk).password

    def __eq__(self, raw: object) -> bool:
        return isinstance(raw, str) and check_password(raw, self.encoded)

    __hash__ = None


# ---- The catalogue of forms ----------------------------------------------------------------


NOT_SHOWN = object()  # a value no page shows (a password)


@dataclass(frozen=True)
class Field:
    cases: list[Case]
    stored: object  # World -> what an accepted value was stored as
    same_as: tuple[str, ...] = ()  # fields sent the same value (a password and its repeat)
    # World -> the URL of a page that shows the value; None: the page the form leads to.
    shown_at: object = None


@dataclass(frozen=True)
class Form:
    id: str
    route: str  # the URL name
    url: object  # World -> URL
    valid: object  # World -> an accepted submission
    fields: dict[str, Field]
    user: str | None = "owner"  # None: sent anonymously
    htmx: bool = False
    # A second way to the same form class (editing, facilitating, htmx or not) gets only the
    # values that could fare differently on another path; None: every value.
    kinds: frozenset[str] | None = None


# The values a second path to a form gets.
SECOND_PATH = frozenset(
    {
        "empty",
        "missing",
        "nul_byte",
        "100k_chars",
        "control_chars",
        "script",
        "unknown",
        "letters",
        "10**30",
        "two_values",
        "two_values_last_valid",
    }
)


def _client_fields(stored) -> dict[str, Field]:
    return {
        "name": Field(NAME, lambda w: stored(w).name),
        "industry": Field(OPTIONAL_NAME, lambda w: stored(w).industry),
        "company_size": Field(choice_cases("51-200", blank=""), lambda w: stored(w).company_size),
        "notes": Field(FREE_TEXT, lambda w: stored(w).notes),
    }


def _client_body(w: World) -> dict:
    return {"name": "Acme Analytics", "industry": "Software", "company_size": "", "notes": ""}


def _plan_body(w: World) -> dict:
    return {"title": "Write the ICP", "target": str(w.quarter.next()), "status": "planned"}


def _plan_fields(stored) -> dict[str, Field]:
    return {
        "title": Field(NAME, lambda w: stored(w).title),
        "owner_name": Field(OPTIONAL_NAME, lambda w: stored(w).owner_name),
        "notes": Field(FREE_TEXT, lambda w: stored(w).notes),
        "status": Field(choice_cases("in_progress"), lambda w: stored(w).status),
        "target": Field(
            quarter_cases("QUARTER_AFTER_NEXT"), lambda w: str(stored(w).target_period)
        ),
        "questions": Field(
            [
                Case("unknown", ["people.nope"]),
                Case("nul_byte", ["people.q1\x00"]),
                Case("100k_chars", [LONG]),
                Case("script", [SCRIPT]),
                Case("one", "people.q1", ["people.q1"]),
                Case("two", ["people.q1", "process.q1"], ["people.q1", "process.q1"]),
                Case("one_unknown_of_two", ["people.q1", "people.nope"]),
            ],
            lambda w: stored(w).question_keys,
        ),
        "owner_member": Field(
            [
                Case("empty", "", None),
                Case("letters", "abc"),
                Case("nul_byte", "1\x00"),
                Case("decimal", "1.5"),
                Case("10**30", str(10**30)),
                Case("negative", "-1"),
                Case("outsider", "OUTSIDER"),
                Case("member", "MEMBER", "MEMBER"),
                Case("two_values", ["abc", "MEMBER"], "MEMBER"),
            ],
            lambda w: stored(w).owner_user_id,
        ),
    }


def _figures_fields(stored) -> dict[str, Field]:
    return {
        "inquiries": Field(number_cases("count", required=False), lambda w: stored(w).inquiries),
        "pipeline_value": Field(
            number_cases("money", required=False), lambda w: stored(w).pipeline_value
        ),
        "days_mql_to_sal": Field(
            number_cases("days", required=False), lambda w: stored(w).days_mql_to_sal
        ),
        **{
            name: Field(
                number_cases("money", required=False),
                lambda w, name=name: getattr(stored(w), name),
            )
            for name in ("marketing_spend", "engage_spend", "content_cost")
        },
        "customer_margin_per_year": Field(
            number_cases("money", required=False), lambda w: stored(w).customer_margin_per_year
        ),
        "customer_lifetime_years": Field(
            number_cases("years", required=False), lambda w: stored(w).customer_lifetime_years
        ),
        **{
            name: Field(
                number_cases("share", required=False),
                lambda w, name=name: getattr(stored(w), name),
            )
            for name in ("icp_fit_share", "opt_out_share", "follow_up_48h_share")
        },
        # The valid form has 100 MQLs: 1,200 of them stalled is more than there are.
        "stalled_mqls": Field(
            [
                case if case.kind != "thousands" else Case("thousands", "1,200")
                for case in number_cases("count", required=False)
            ],
            lambda w: stored(w).stalled_mqls,
        ),
    }


def _crm_mapping_body(w: World) -> dict:
    header = open_crm_csv(io.BytesIO(crm_lead_export())).header
    columns = propose_mapping(header, "leads").columns
    return {
        **{f"leads-{key}": column for key, column in columns.items()},
        "date_format": "",
        "stall_days": "30",
    }


def _crm_mapped(key: str):
    def stored(w: World):
        crm_import = CrmImport.objects.get(pk=w.crm_import.pk)
        return crm_import.lead_mapping.get("columns", {}).get(key)

    return stored


def _thresholds_body(w: World) -> dict:
    w.workspace  # noqa: B018 - made before the snapshot
    return dict(FunnelThresholdsForm(current=DEFAULT_THRESHOLDS).initial)


def _threshold(metric: str, bound: str):
    return lambda w: getattr(FunnelThresholds.objects.thresholds_for(w.workspace.pk)[metric], bound)


def _answer_fields(section_url) -> dict[str, Field]:
    return {
        "question": Field(
            [
                *key_cases("process.q1"),
                Case("two_values_last_valid", ["people.nope", "people.q1"], ("4", "")),
            ],
            lambda w: w.answer(),
        ),
        # No choice is no answer: nothing is saved (and nothing is wrong).
        "choice-people.q1": Field(choice_cases("NA", ("NA", ""), blank=None), lambda w: w.answer()),
        "comment-people.q1": Field(
            [Case(c.kind, c.value, _answered(c.stored)) for c in FREE_TEXT],
            lambda w: w.answer(),
            shown_at=lambda w: section_url(w, "section", "people"),
        ),
    }


def _section_fields(section_url) -> dict[str, Field]:
    fields = _answer_fields(section_url)
    del fields["question"]
    return fields


def _answer_body(w: World) -> dict:
    return {"question": "people.q1", "choice-people.q1": "4", "comment-people.q1": ""}


def _section_body(w: World) -> dict:
    return {"choice-people.q1": "4", "comment-people.q1": ""}


def _questionnaire_forms() -> list[Form]:
    """The answer autosave (htmx, and plain for the fallback) and a section's form, through a
    respondent's link and in a facilitated session."""
    forms = []
    for how, user, url in (
        ("respondent", None, World.respondent_url),
        ("facilitate", "owner", World.facilitate_url),
    ):
        for htmx in (True, False):
            forms.append(
                Form(
                    f"{how}_answer" + ("_htmx" if htmx else ""),
                    f"assessments:{how}_answer",
                    lambda w, url=url: url(w, "answer"),
                    _answer_body,
                    _answer_fields(url),
                    user=user,
                    htmx=htmx,
                    # The respondent's htmx autosave is the main path; the rest are second.
                    kinds=None if how == "respondent" and htmx else SECOND_PATH,
                )
            )
        forms.append(
            Form(
                f"{how}_section",
                f"assessments:{how}_section",
                lambda w, url=url: url(w, "section", "people"),
                _section_body,
                _section_fields(url),
                user=user,
                kinds=None if how == "respondent" else SECOND_PATH,
            )
        )
    return forms


def _invitation_url(w: World) -> str:
    return reverse("accounts:invitation_signup", args=[w.invitation_token])


def _once_the_owner_exists(name: str):
    """A URL outside the workspaces, for a test that needs the owner (and their workspace)."""

    def url(w: World) -> str:
        w.workspace  # noqa: B018 - made before the snapshot
        return reverse(name)

    return url


def _consensus(world, name: str):
    """What the workshop kept of the consensus on its question: its level or note."""
    consensus = Consensus.objects.filter(workshop=world.workshop).first()
    return getattr(consensus, name, None)


def _validated(world, name: str):
    """What the assessment keeps of people.q1's validated level: its level or reason."""
    kept = Assessment.objects.get(pk=world.assessment.pk).validated_levels
    return kept.get("people.q1", {}).get(name)


FORMS = [
    Form(
        "client_create",
        "clients:create",
        lambda w: w.w("clients:create"),
        _client_body,
        _client_fields(lambda w: w.latest(Client)),
    ),
    Form(
        "client_edit",
        "clients:edit",
        lambda w: w.w("clients:edit", w.gtm_client.pk),
        _client_body,
        _client_fields(lambda w: Client.objects.get(pk=w.gtm_client.pk)),
        kinds=SECOND_PATH,
    ),
    Form(
        "assessment_create",
        "assessments:assessment_create",
        lambda w: w.published_bank and w.w("assessments:assessment_create", w.gtm_client.pk),
        lambda w: {
            "quarter": str(w.quarter.previous()),
            "visibility": "named",
            **{field: "3" for field in TARGET_FIELDS.values()},
        },
        {
            "quarter": Field(
                [*quarter_cases("QUARTER_BACK"), Case("taken", "ASSESSED_QUARTER")],
                lambda w: str(w.latest(Assessment).period),
            ),
            "target_people": Field(
                choice_cases("5", 5), lambda w: w.latest(Assessment).target_people
            ),
            "visibility": Field(
                choice_cases("anonymous"), lambda w: w.latest(Assessment).answer_visibility
            ),
        },
    ),
    Form(
        "assessment_targets",
        "assessments:assessment_targets",
        lambda w: w.w("assessments:assessment_targets", w.assessment.pk),
        lambda w: {field: "3" for field in TARGET_FIELDS.values()},
        {
            "target_people": Field(
                choice_cases("5", 5),
                lambda w: Assessment.objects.get(pk=w.assessment.pk).target_people,
            )
        },
    ),
    Form(
        "assessment_visibility",
        "assessments:assessment_visibility",
        lambda w: w.w("assessments:assessment_visibility", w.assessment.pk),
        lambda w: {"visibility": "confidential"},  # tighter, so valid whatever is answered
        {
            "visibility": Field(
                choice_cases("anonymous"),
                lambda w: Assessment.objects.get(pk=w.assessment.pk).answer_visibility,
            )
        },
    ),
    Form(
        "assessment_deadline",
        "assessments:assessment_deadline",
        lambda w: w.w("assessments:assessment_deadline", w.assessment.pk),
        lambda w: {"deadline": str(w.today + timedelta(days=7))},
        {
            "deadline": Field(
                deadline_cases(),
                lambda w: _as_text(Assessment.objects.get(pk=w.assessment.pk).deadline),
            )
        },
    ),
    Form(
        "report_options",
        "assessments:report_options",
        lambda w: w.w("assessments:report_options", w.assessment.pk),
        lambda w: {"sections": "full", "executive_note": "Start with the lead definition."},
        {
            "sections": Field(
                choice_cases("summary"),
                lambda w: ReportOptions.objects.get(assessment=w.assessment).sections,
            ),
            "currency": Field(
                choice_cases("EUR", blank=""),
                lambda w: ReportOptions.objects.get(assessment=w.assessment).currency,
            ),
            "number_format": Field(
                choice_cases("point_comma", blank=""),
                lambda w: ReportOptions.objects.get(assessment=w.assessment).number_format,
            ),
            "executive_note": Field(
                FREE_TEXT,
                lambda w: ReportOptions.objects.get(assessment=w.assessment).executive_note,
            ),
            "note_people": Field(
                FREE_TEXT,
                lambda w: ReportOptions.objects.get(assessment=w.assessment).note_people,
            ),
        },
    ),
    Form(
        "respondent_add",
        "assessments:respondent_add",
        lambda w: w.w("assessments:respondent_add", w.assessment.pk),
        lambda w: {"name": "Sam Sales", "email": "sam@example.com", "role": "sales"},
        {
            "name": Field(NAME, lambda w: w.latest(Respondent).name),
            "email": Field(email_cases(lower_cased=False), lambda w: w.latest(Respondent).email),
            "role": Field(choice_cases("marketing"), lambda w: w.latest(Respondent).role),
        },
    ),
    *_questionnaire_forms(),
    Form(
        "plan_item_create",
        "assessments:plan_item_create",
        lambda w: w.w("assessments:plan_item_create", w.assessment.client.pk),
        _plan_body,
        _plan_fields(lambda w: w.latest(PlanItem)),
    ),
    Form(
        "plan_item_edit",
        "assessments:plan_item_edit",
        lambda w: w.w("assessments:plan_item_edit", w.assessment.client.pk, w.plan_item.pk),
        _plan_body,
        _plan_fields(lambda w: PlanItem.objects.get(pk=w.plan_item.pk)),
        kinds=SECOND_PATH,
    ),
    *(
        Form(
            "plan_item_status" + ("_htmx" if htmx else ""),
            "assessments:plan_item_status",
            lambda w: w.w("assessments:plan_item_status", w.gtm_client.pk, w.plan_item.pk),
            lambda w: {"status": "in_progress"},
            {
                "status": Field(
                    choice_cases("done"), lambda w: PlanItem.objects.get(pk=w.plan_item.pk).status
                )
            },
            htmx=htmx,
            kinds=SECOND_PATH if htmx else None,
        )
        for htmx in (False, True)
    ),
    Form(
        "validated_level",
        "assessments:validated_level",
        lambda w: w.w("assessments:validated_level", w.assessment.pk, "people.q1"),
        lambda w: {"level": "3", "reason": "The CRM shows it."},
        {
            "level": Field(choice_cases("2", 2), lambda w: _validated(w, "level")),
            "reason": Field(
                text_cases(required=True, one_line=False),
                lambda w: _validated(w, "reason"),
                shown_at=lambda w: w.w("assessments:validated_level", w.assessment.pk, "people.q1"),
            ),
        },
    ),
    *(
        Form(
            "plan_add_recommendation" + ("_htmx" if htmx else ""),
            "assessments:plan_add_recommendation",
            lambda w: w.w("assessments:plan_add_recommendation", w.assessment.pk),
            lambda w: {"question": "people.q1"},
            {
                "question": Field(
                    [
                        *key_cases("process.q1"),
                        Case(
                            "two_values_last_valid", ["people.nope", "process.q1"], ["process.q1"]
                        ),
                    ],
                    lambda w: [
                        key for item in PlanItem.objects.all() for key in item.question_keys
                    ],
                )
            },
            htmx=htmx,
            kinds=SECOND_PATH if htmx else None,
        )
        for htmx in (False, True)
    ),
    Form(
        "funnel_figures_create",
        "funnel:figures_create",
        lambda w: w.w("funnel:figures_create", w.gtm_client.pk),
        lambda w: {"quarter": str(w.quarter), "inquiries": "400", "mqls": "100"},
        {
            **_figures_fields(lambda w: w.latest(FunnelFigures)),
            "quarter": Field(
                [*quarter_cases("QUARTER_BACK"), Case("taken", "FIGURES_QUARTER")],
                lambda w: str(w.latest(FunnelFigures).period),
            ),
        },
    ),
    Form(
        "funnel_figures_edit",
        "funnel:figures_edit",
        lambda w: w.w("funnel:figures_edit", w.gtm_client.pk, w.figures.pk),
        lambda w: {"quarter": str(w.figures.period), "inquiries": "400", "mqls": "100"},
        _figures_fields(lambda w: FunnelFigures.objects.get(pk=w.figures.pk)),
        kinds=SECOND_PATH,
    ),
    Form(
        "crm_mapping",
        "funnel:crm_mapping",
        lambda w: w.w("funnel:crm_mapping", w.gtm_client.pk, w.crm_import.pk),
        _crm_mapping_body,
        {
            "leads-source": Field(choice_cases("Company Name", blank=None), _crm_mapped("source")),
            "date_format": Field(
                choice_cases("iso", blank="iso"),
                lambda w: CrmImport.objects.get(pk=w.crm_import.pk).date_format,
            ),
            "stall_days": Field(
                [
                    Case("empty", ""),
                    Case("missing", MISSING),
                    Case("letters", "abc"),
                    Case("nul_byte", "12\x00"),
                    Case("decimal", "1.5"),
                    Case("10**30", str(10**30)),
                    Case("zero", "0"),
                    Case("negative", "-1"),
                    Case("script", SCRIPT),
                    Case("in_range", "45", 45),
                    Case("two_values", ["abc", "45"], 45),
                ],
                lambda w: CrmImport.objects.get(pk=w.crm_import.pk).stall_days,
            ),
        },
    ),
    Form(
        "funnel_settings",
        "funnel:settings",
        lambda w: w.w("funnel:settings"),
        _thresholds_body,
        {
            "inquiry_to_mql-poor": Field(
                threshold_cases(accepted="1.5", stored=0.015), _threshold("inquiry_to_mql", "poor")
            ),
            "days_mql_to_sal-healthy": Field(
                threshold_cases(accepted="1.5", stored=1.5),
                _threshold("days_mql_to_sal", "healthy"),
            ),
            # A growth threshold may be a fall, down to -100%.
            "inquiry_growth-poor": Field(
                [
                    *(
                        case
                        for case in threshold_cases(accepted="-15", stored=-0.15)
                        if case.kind != "negative"
                    ),
                    Case("a_small_fall", "-1", -0.01),
                    Case("more_than_everything", "-150"),
                ],
                _threshold("inquiry_growth", "poor"),
            ),
            "discount_rate": Field(
                [
                    *threshold_cases(accepted="7.5", stored=Decimal("0.075")),
                    Case("over_50", "50.01"),
                    Case("zero", "0", Decimal("0")),
                ],
                lambda w: (
                    FunnelThresholds.objects.filter(workspace=w.workspace)
                    .values_list("discount_rate", flat=True)
                    .first()
                ),
            ),
        },
    ),
    Form(
        "workspace_settings",
        "accounts:workspace_settings",
        lambda w: w.w("accounts:workspace_settings"),
        lambda w: {
            "name": "Northwind",
            "kind": "consultancy",
            "accent_color": "#1f5fa8",
            "paper_size": "A4",
        },
        {
            "name": Field(NAME, lambda w: Workspace.objects.get(pk=w.workspace.pk).name),
            "kind": Field(
                choice_cases("company", blank="consultancy"),
                lambda w: Workspace.objects.get(pk=w.workspace.pk).kind,
            ),
            "accent_color": Field(
                [
                    Case("empty", "", "#1f5fa8"),  # keeps the current colour
                    Case("missing", MISSING, "#1f5fa8"),
                    Case("a_name", "red"),
                    Case("five_digits", "#12345"),
                    Case("trailing_newline", "#abcdef\n", "#abcdef"),  # fields are stripped
                    Case("inner_newline", "#abc\ndef"),
                    Case("nul_byte", "#abcde\x00"),
                    Case("100k_chars", LONG),
                    Case("script", SCRIPT),
                    Case("upper_case", "#ABCDEF", "#abcdef"),
                    Case("two_values", ["red", "#00ff00"], "#00ff00"),
                ],
                lambda w: Workspace.objects.get(pk=w.workspace.pk).accent_color,
            ),
            "paper_size": Field(
                choice_cases("Letter", blank="A4"),
                lambda w: Workspace.objects.get(pk=w.workspace.pk).paper_size,
            ),
        },
    ),
    Form(
        "workspace_create",
        "accounts:workspace_create",
        _once_the_owner_exists("accounts:workspace_create"),
        lambda w: {"name": "Second workspace", "kind": "consultancy"},
        {
            "name": Field(NAME, lambda w: w.latest(Workspace).name),
            "kind": Field(
                choice_cases("company", blank="consultancy"), lambda w: w.latest(Workspace).kind
            ),
        },
    ),
    Form(
        "member_invite",
        "accounts:member_invite",
        lambda w: w.w("accounts:member_invite"),
        lambda w: {"email": "new.person@example.com", "role": "consultant"},
        {
            "email": Field(email_cases(lower_cased=True), lambda w: w.latest(Invitation).email),
            "role": Field(choice_cases("viewer"), lambda w: w.latest(Invitation).role),
        },
    ),
    Form(
        "member_change_role",
        "accounts:member_change_role",
        lambda w: w.w("accounts:member_change_role", w.member.pk),
        lambda w: {"role": "owner"},
        {
            "role": Field(
                choice_cases("viewer"), lambda w: Membership.objects.get(pk=w.member.pk).role
            )
        },
    ),
    Form(
        "signup",
        "accounts:signup",
        lambda w: reverse("accounts:signup"),
        lambda w: {
            "name": "Nina New",
            "email": "nina@example.com",
            "workspace_name": "Nina's shop",
            "workspace_kind": "consultancy",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        {
            "name": Field(NAME, lambda w: w.latest(SignupRequest).name),
            "email": Field(email_cases(lower_cased=True), lambda w: w.latest(SignupRequest).email),
            "workspace_name": Field(NAME, lambda w: w.latest(SignupRequest).workspace_name),
            "workspace_kind": Field(
                choice_cases("company", blank="consultancy"),
                lambda w: w.latest(SignupRequest).workspace_kind,
            ),
            "password1": Field(
                password_cases(),
                lambda w: PasswordOf(w.latest(SignupRequest)),
                same_as=("password2",),
                shown_at=NOT_SHOWN,
            ),
        },
        user=None,
    ),
    Form(
        "invitation_signup",
        "accounts:invitation_signup",
        _invitation_url,
        lambda w: {"name": "Ivy Invitee", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        {
            "name": Field(NAME, lambda w: User.objects.get(email="invitee@example.com").name),
            "password1": Field(
                password_cases(),
                lambda w: PasswordOf(User.objects.get(email="invitee@example.com")),
                same_as=("password2",),
                shown_at=NOT_SHOWN,
            ),
        },
        user=None,
    ),
    Form(
        "login",
        "login",
        _once_the_owner_exists("login"),
        lambda w: {"username": "owner@example.com", "password": PASSWORD},
        {
            "username": Field(
                [*wrong_credentials(), Case("upper_case", "OWNER@Example.COM", True)],
                lambda w: User.objects.get(pk=w.owner.pk).last_login is not None,
            ),
            "password": Field(
                [*wrong_credentials(), Case("two_values", ["nope", PASSWORD], True)],
                lambda w: User.objects.get(pk=w.owner.pk).last_login is not None,
            ),
        },
        user=None,
    ),
    Form(
        "password_change",
        "password_change",
        lambda w: reverse("password_change"),
        lambda w: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        {
            "old_password": Field(wrong_credentials(), lambda w: PasswordOf(w.owner)),
            "new_password1": Field(
                password_cases(),
                lambda w: PasswordOf(w.owner),
                same_as=("new_password2",),
                shown_at=NOT_SHOWN,
            ),
        },
    ),
    Form(
        "password_reset",
        "password_reset",
        _once_the_owner_exists("password_reset"),
        lambda w: {"email": "owner@example.com"},
        {
            # Accepted addresses get the same answer whether or not they have an account;
            # only the owner's gets an email.
            "email": Field(
                [
                    *(c for c in email_cases(lower_cased=True) if c.stored is REFUSED),
                    Case("unknown_address", "zoe@exämple.com", 0),
                    Case("upper_case", "OWNER@Example.COM", 1),
                ],
                lambda w: len(mail.outbox),
            )
        },
        user=None,
    ),
    Form(
        "password_reset_confirm",
        "password_reset_confirm",
        lambda w: w.password_reset_form_url(),
        lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        {
            "new_password1": Field(
                password_cases(),
                lambda w: PasswordOf(w.owner),
                same_as=("new_password2",),
                shown_at=NOT_SHOWN,
            )
        },
        user=None,
    ),
    # A live workshop: starting one, the facilitator's consensus, and a participant's phone.
    Form(
        "workshop_create",
        "workshops:workshop_create",
        lambda w: w.w("workshops:workshop_create", w.assessment.pk),
        lambda w: {"scope": "dimension", "dimension": "people"},
        {
            "scope": Field(choice_cases("all"), lambda w: w.latest(Workshop).scope),
            "dimension": Field(choice_cases("process"), lambda w: w.latest(Workshop).dimension),
        },
    ),
    Form(
        "workshop_consensus",
        "workshops:workshop_consensus",
        lambda w: w.w("workshops:workshop_consensus", w.workshop.pk),
        lambda w: {"level": "3", "note": "Sales owns the definition."},
        {
            "level": Field(choice_cases("2", 2), lambda w: _consensus(w, "level")),
            "note": Field(FREE_TEXT, lambda w: _consensus(w, "note")),
        },
    ),
    Form(
        "workshop_join",
        "workshops:join",
        lambda w: reverse("workshops:join", args=[w.workshop.code]),
        lambda w: {"name": "Sam Sales", "role": "sales"},
        {
            "name": Field(NAME, lambda w: w.latest(Participant).name),
            "role": Field(choice_cases("leadership"), lambda w: w.latest(Participant).role),
        },
        user=None,
    ),
    *(
        Form(
            "workshop_vote" + ("_htmx" if htmx else ""),
            "workshops:vote",
            lambda w: w.phone_url("vote"),
            lambda w: {"choice": "4"},
            {"choice": Field(choice_cases("NA"), lambda w: w.latest(Vote).choice)},
            user=None,
            htmx=htmx,
            kinds=None if htmx else SECOND_PATH,
        )
        for htmx in (True, False)
    ),
]

# Values that name objects of the world, filled in when the test runs.
PLACEHOLDERS = {
    "MEMBER": lambda w: w.member.user.pk,
    "OUTSIDER": lambda w: make_workspace().memberships.get().user.pk,
    "QUARTER_BACK": lambda w: str(w.quarter.shifted(-2)),
    "QUARTER_AFTER_NEXT": lambda w: str(w.quarter.shifted(2)),
    "ASSESSED_QUARTER": lambda w: str(w.assessment.period),
    "FIGURES_QUARTER": lambda w: str(w.figures.period),
    "IN_A_WEEK": lambda w: str(w.today + timedelta(days=7)),
    "YESTERDAY": lambda w: str(w.today - timedelta(days=1)),
    "IN_TWO_YEARS": lambda w: str(w.today + timedelta(days=730)),
}

# URLs that take a POST but no input besides the URL itself: a button.
POSTS_WITHOUT_INPUT = {
    "workshops:workshop_start",
    "workshops:workshop_reveal",
    "workshops:workshop_reopen",
    "workshops:workshop_next",
    "workshops:workshop_previous",
    "workshops:workshop_end",
    "workshops:participant_remove",
    "workshops:decision_to_plan",
    "assessments:validated_level_clear",
    "accounts:signup_confirm",
    "clients:archive",
    "clients:restore",
    "assessments:assessment_open",
    "assessments:assessment_close",
    "assessments:assessment_next_quarter",
    "assessments:report_retry",
    "assessments:respondent_new_link",
    "assessments:respondent_revoke",
    "assessments:respondent_remind",
    "assessments:assessment_remind_all",
    "assessments:respondent_reopen",
    "assessments:respondent_remove",
    "assessments:respondent_submit",
    "assessments:facilitate_submit",
    "assessments:plan_item_delete",
    "funnel:figures_delete",
    "funnel:settings_reset",
    "funnel:crm_leave_out",
    "accounts:member_remove",
    "accounts:invitation_renew",
    "accounts:invitation_revoke",
    "accounts:invitation_accept",
    "logout",
}
# Uploads: tests/test_bad_input_files.py (the logo too; the settings' other fields are above).
UPLOADS = {"assessments:answers_import", "funnel:import", "funnel:crm_upload"}
# URLs outside the workspaces (tests/url_catalogue.py's OTHER_ROUTES) that take a POST; the
# others must answer 405 to one (checked below), so a new form there cannot go unnoticed.
OTHER_POSTS = {
    "accounts:signup",
    "accounts:signup_confirm",
    "accounts:workspace_create",
    "accounts:invitation_accept",
    "accounts:invitation_signup",
    "assessments:respondent_section",
    "assessments:respondent_answer",
    "assessments:respondent_submit",
    "workshops:join",
    "workshops:vote",
    "login",
    "logout",
    "password_change",
    "password_reset",
    "password_reset_confirm",
}


def test_every_post_url_is_in_the_bad_input_catalogue():
    posting = {route.name for route in WORKSPACE_ROUTES if "POST" in route.methods}
    posting |= OTHER_POSTS
    catalogued = {form.route for form in FORMS} | POSTS_WITHOUT_INPUT | UPLOADS
    assert posting - catalogued == set(), "give these URLs' forms hostile values here"
    assert catalogued - posting == set(), "these catalogued URLs take no POST (any more)"


@pytest.mark.parametrize("name", sorted(set(OTHER_ROUTES) - OTHER_POSTS))
def test_urls_outside_workspaces_take_no_post_unless_catalogued(client, owner, name):
    client.force_login(owner)
    try:
        url = reverse(name)
    except NoReverseMatch:  # a URL with a token (or a workshop's code): any will do
        key = "code" if name.startswith("workshops:") else "token"
        url = reverse(name, kwargs={key: "unknown"})
    assert client.post(url, {"name": "x"}).status_code == 405


# ---- Sending and checking ------------------------------------------------------------------


def _resolve(world: World, value):
    if isinstance(value, list):
        return [_resolve(world, item) for item in value]
    if isinstance(value, str) and value in PLACEHOLDERS:
        return PLACEHOLDERS[value](world)
    return value


def _post(world: World, form: Form, url: str, body: dict, *, follow: bool = True):
    """Send the form; unless told not to, follow redirects to the page that shows the
    messages (and what was saved)."""
    headers = {"HTTP_HX_REQUEST": "true"} if form.htmx else {}
    data = urlencode(body, doseq=True)
    response = world.client.generic(
        "POST", url, data, content_type="application/x-www-form-urlencoded", **headers
    )
    for _ in range(3 if follow else 0):
        if response.status_code not in (301, 302):
            break
        response = world.client.get(response["Location"])
    return response


def _assert_shown_escaped(world: World, field: Field, response) -> None:
    """The page that shows an accepted <script> shows it as text."""
    if field.shown_at is NOT_SHOWN:
        return
    if field.shown_at is not None:
        response = world.client.get(field.shown_at(world))
    assert SCRIPT not in text(response)
    assert ESCAPED_SCRIPT in text(response), "the value should be on this page, escaped"


def _log_in(world: World, form: Form) -> None:
    if form.user == "owner":
        world.client.force_login(world.owner)


FIELD_CASES = [
    pytest.param(form, name, case, id=f"{form.id}-{name}-{case.kind}")
    for form in FORMS
    for name, spec in form.fields.items()
    for case in spec.cases
    if form.kinds is None or case.kind in form.kinds
]


@pytest.fixture
def world(client, db, settings) -> World:
    return make_world(client, settings)


@pytest.mark.parametrize(("form", "name", "case"), FIELD_CASES)
def test_a_hostile_value_is_refused_with_a_message_or_stored_whole(world, form, name, case):
    _log_in(world, form)
    url = form.url(world)
    body = form.valid(world)
    value = _resolve(world, case.value)
    for sent in (name, *form.fields[name].same_as):
        if value is MISSING:
            body.pop(sent, None)
        else:
            body[sent] = value
    refused = case.stored is REFUSED
    before = snapshot() if refused else None

    # An accepted value's page is looked at when it is markup (the rest are saved the same).
    response = _post(world, form, url, body, follow=refused or value == SCRIPT)

    assert response.status_code < 500
    assert_escaped(response)
    if refused:
        assert snapshot() == before, "a refused value must change nothing"
        assert shows_an_error(response), "a refused value must say why"
    else:
        assert response.status_code < 400
        assert not shows_an_error(response), text(response)[:2000]
        assert form.fields[name].stored(world) == _resolve(world, case.stored)
        if value == SCRIPT:
            _assert_shown_escaped(world, form.fields[name], response)


@pytest.mark.parametrize("form", FORMS, ids=[form.id for form in FORMS])
def test_the_valid_submission_of_each_form_is_accepted(world, form):
    # Guards the test above: each form's refusals come from the hostile value, not the rest.
    _log_in(world, form)
    url = form.url(world)
    before = snapshot()
    response = _post(world, form, url, form.valid(world))
    assert response.status_code < 400
    assert not shows_an_error(response), text(response)[:2000]
    assert snapshot() != before or form.id == "password_reset"


REQUIRED = [
    form
    for form in FORMS
    if any(
        c.kind == "missing" and c.stored is REFUSED for f in form.fields.values() for c in f.cases
    )
]


@pytest.mark.parametrize("form", REQUIRED, ids=[form.id for form in REQUIRED])
def test_a_submission_without_any_field_is_refused_with_a_message(world, form):
    _log_in(world, form)
    url = form.url(world)
    before = snapshot()
    response = _post(world, form, url, {})
    assert response.status_code < 500
    assert snapshot() == before
    assert shows_an_error(response)


# ---- Bodies that are hostile as a whole ----------------------------------------------------


def test_invalid_utf8_in_a_form_is_read_as_replacement_characters(world):
    world.client.force_login(world.owner)
    url = world.w("clients:create")
    # A lone surrogate (ED A0 80) and bytes that are no UTF-8 at all.
    body = b"name=Acme%ED%A0%80Corp&industry=%FF%FE"
    response = world.client.generic(
        "POST", url, body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    client = world.latest(Client)
    assert (client.name, client.industry) == ("Acme\ufffd\ufffd\ufffdCorp", "\ufffd\ufffd")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({f"field{n}": "x" for n in range(1100)}, id="too_many_fields"),
        pytest.param({f"field{n}": "x" * 100_000 for n in range(30)}, id="3_mb_of_fields"),
    ],
)
def test_an_oversized_submission_is_refused_with_400(world, body):
    world.client.force_login(world.owner)
    url = world.w("clients:create")
    before = snapshot()
    response = world.client.post(url, body | {"name": "Acme"})
    assert response.status_code == 400
    assert snapshot() == before


BUTTONS = [route for route in WORKSPACE_ROUTES if route.name in POSTS_WITHOUT_INPUT]


@pytest.mark.parametrize("route", BUTTONS, ids=[route.name for route in BUTTONS])
def test_a_button_ignores_whatever_body_comes_with_it(world, route):
    world.client.force_login(world.owner)
    url = route_url(route, world.objects(), world.workspace)
    body = {"name": "a\x00b", "status": SCRIPT, "id": str(10**30), "confirm": LONG}
    assert world.client.post(url, body).status_code < 500


# ---- Names the database holds equal --------------------------------------------------------

# Letters equal to another in lower case but not in upper case: PostgreSQL's unique index on
# Lower("name") holds them equal to the other, while name__iexact (UPPER() there) did not.
SAME_IN_LOWER_CASE = [
    pytest.param("k", "\u212a", id="kelvin_sign"),
    pytest.param("ω", "\u2126", id="ohm_sign"),
    pytest.param("å", "\u212b", id="angstrom_sign"),
]


def _database_holds_equal(rows, name: str) -> bool:
    return rows.alias(lower=Lower("name")).filter(lower=Lower(Value(name))).exists()


@pytest.mark.parametrize(("taken", "typed"), SAME_IN_LOWER_CASE)
def test_a_client_name_the_database_holds_equal_to_another_is_refused(world, taken, typed):
    world.client.force_login(world.owner)
    make_client(world.workspace, name=f"Acme {taken}")
    equal = _database_holds_equal(Client.objects.all(), f"Acme {typed}")
    before = snapshot()
    url = world.w("clients:create")
    response = world.client.post(url, {"name": f"Acme {typed}"})
    assert response.status_code < 500
    if equal:  # PostgreSQL (SQLite lowers ASCII letters only)
        assert snapshot() == before
        assert "already has a client named" in text(response)
    else:
        assert Client.objects.filter(name=f"Acme {typed}").exists()


@pytest.mark.parametrize(("taken", "typed"), SAME_IN_LOWER_CASE)
def test_a_respondent_name_the_database_holds_equal_to_another_is_refused(world, taken, typed):
    world.client.force_login(world.owner)
    make_respondent(world.assessment, name=f"Sam {taken}")
    equal = _database_holds_equal(Respondent.objects.all(), f"Sam {typed}")
    before = snapshot()
    url = world.w("assessments:respondent_add", world.assessment.pk)
    body = {"name": f"Sam {typed}", "email": "sam@example.com", "role": "sales"}
    response = world.client.post(url, body)
    assert response.status_code < 500
    if equal:
        assert snapshot() == before
        assert "is already a respondent of this assessment" in text(response)
    else:
        assert Respondent.objects.filter(name=f"Sam {typed}").exists()


@pytest.mark.parametrize(
    ("route", "body", "message"),
    [
        pytest.param(
            "clients:create",
            {"name": "Brightline Logistics"},
            "was just added to the workspace",
            id="client",
        ),
        pytest.param(
            "assessments:respondent_add",
            {"name": "Rita Respondent", "email": "rita@example.com", "role": "sales"},
            "was just added to the assessment",
            id="respondent",
        ),
    ],
)
def test_a_name_taken_from_another_tab_meanwhile_is_refused_with_a_message(
    world, monkeypatch, route, body, message
):
    """The form checked the name was free; the database's constraint finds it taken."""
    world.client.force_login(world.owner)
    args = [world.respondent.assessment.pk] if route == "assessments:respondent_add" else []
    world.gtm_client  # noqa: B018 - the taken client name
    # The form module of the route's app: clients.forms or assessments.forms.
    monkeypatch.setattr(f"{route.split(':')[0]}.forms.same_name", lambda rows, name: rows.none())
    before = snapshot()
    response = world.client.post(world.w(route, *args), body)
    assert response.status_code == 200
    assert snapshot() == before
    assert message in text(response)


def test_a_line_break_in_a_name_never_reaches_an_email_subject(world):
    # Django's mailer refuses a subject with a line break: the invitation would be a 500.
    world.client.force_login(world.owner)
    world.client.post(world.w("accounts:workspace_settings"), {"name": "Acme\nBcc: x@evil.test"})
    response = world.client.post(
        world.w("accounts:member_invite"), {"email": "new@example.com", "role": "viewer"}
    )
    assert response.status_code == 302
    assert mail.outbox[-1].subject == "Olivia Owner invited you to Acme Bcc: x@evil.test on Relay"
