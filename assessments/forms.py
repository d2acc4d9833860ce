import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.db.models import Value
from django.db.models.functions import Lower

from accounts.forms import one_line
from accounts.models import User, Workspace
from assessments.csv_import import MAX_CSV_BYTES
from assessments.funnel import (
    DEFAULT_THRESHOLDS,
    HANDOFF_METRICS,
    KPI_UNITS,
    PERCENT,
    THRESHOLD_LABELS,
    Figures,
    Threshold,
    problems,
)
from assessments.models import (
    COUNT_FIELDS,
    DAYS_FIELDS,
    DEFAULT_TARGET_LEVEL,
    FIGURE_FIELDS,
    MONEY_FIELDS,
    TARGET_FIELDS,
    Assessment,
    Choice,
    Client,
    FunnelFigures,
    PlanItem,
    PlanItemQuerySet,
    PlanStatus,
    Respondent,
    RespondentRole,
)
from assessments.plan import set_status
from assessments.quarters import Quarter
from assessments.scoring import HANDOFF_NAMES
from assessments.services import AnswerInput
from bank.models import LEVEL_NAMES, DimensionKey, Question

# Suggestions offered beside the free-text industry field; any other industry is fine.
COMMON_INDUSTRIES = [
    "Business services",
    "Financial services",
    "Healthcare technology",
    "Industrial manufacturing",
    "IT services",
    "Logistics",
    "Professional services",
    "Software (SaaS)",
    "Telecommunications",
]


def same_name(rows, name: str):
    """The rows named `name` ignoring case as the unique constraints on Lower("name") compare
    names. name__iexact compares UPPER() on PostgreSQL, which holds a few letters apart that
    LOWER() holds equal (the Kelvin sign U+212A and "k"): the constraint would then refuse
    what the form let through."""
    return rows.alias(lower_name=Lower("name")).filter(lower_name=Lower(Value(name)))


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ("name", "industry", "company_size", "notes")
        labels = {"name": "Company name", "company_size": "Company size"}
        help_texts = {
            "industry": "Free text; pick a suggestion or type your own.",
            "notes": "Context for your team: goals, stakeholders, how the engagement started.",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["industry"].widget.attrs["list"] = "industry-suggestions"
        self.fields["company_size"].choices = [
            ("", "Not specified"),
            *self.fields["company_size"].choices[1:],
        ]

    def clean_name(self) -> str:
        name = one_line(self.cleaned_data["name"])
        duplicates = same_name(Client.objects.for_workspace(self.workspace), name)
        if self.instance.pk:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        existing = duplicates.first()
        if existing is not None:
            where = " (archived)" if existing.is_archived else ""
            raise forms.ValidationError(
                f"This workspace already has a client named {existing}{where}."
            )
        return name

    def clean_industry(self) -> str:
        return one_line(self.cleaned_data["industry"])

    def save(self, commit: bool = True) -> Client:
        self.instance.workspace = self.workspace
        return super().save(commit=commit)


class ClientFilterForm(forms.Form):
    """The client list's query string: a search and which clients to show."""

    STATUS_CHOICES = [("active", "Active"), ("archived", "Archived"), ("all", "All")]

    q = forms.CharField(label="Search clients", required=False, max_length=100)
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            type="search", placeholder="Name or industry", autocomplete="off"
        )

    def filter(self, clients):
        """Apply the valid parts of the query; an invalid status falls back to active."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or "active"
        if status == "active":
            clients = clients.active()
        elif status == "archived":
            clients = clients.archived()
        return clients.search(data.get("q", ""))


# ---- Assessments -------------------------------------------------------------------------


LEVEL_CHOICES = [(level, f"{level} · {name}") for level, name in LEVEL_NAMES.items()]


def _target_fields() -> dict[str, forms.TypedChoiceField]:
    return {
        TARGET_FIELDS[key]: forms.TypedChoiceField(
            label=key.label, choices=LEVEL_CHOICES, coerce=int, initial=DEFAULT_TARGET_LEVEL
        )
        for key in DimensionKey
    }


def quarter_choices(today: date) -> list[tuple[str, str]]:
    """Two years back (to record past quarters) to two quarters ahead, newest first."""
    current = Quarter.of(today)
    return [(str(q), str(q)) for q in (current.shifted(n) for n in range(2, -9, -1))]


class TargetsForm(forms.Form):
    """The target level per dimension: recommendations start below it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_target_fields())

    @property
    def targets(self) -> dict[str, int]:
        return {key: self.cleaned_data[field] for key, field in TARGET_FIELDS.items()}


class AssessmentForm(TargetsForm):
    quarter = forms.ChoiceField(label="Quarter")

    field_order = ["quarter"]

    def __init__(self, *args, client: Client, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["quarter"].choices = quarter_choices(today)
        self.fields["quarter"].initial = str(Quarter.of(today))
        self.order_fields(["quarter", *TARGET_FIELDS.values()])

    def clean_quarter(self) -> Quarter:
        period = Quarter.parse(self.cleaned_data["quarter"])
        if self.client.assessments.filter(year=period.year, quarter=period.number).exists():
            taken = f"{self.client.name} already has an assessment for {period}."
            raise forms.ValidationError(taken)
        return period


class RespondentForm(forms.ModelForm):
    class Meta:
        model = Respondent
        fields = ("name", "email", "role")

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.fields["email"].required = True
        self.fields["role"].choices = [("", "Choose a role"), *RespondentRole.choices]
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def clean_name(self) -> str:
        name = one_line(self.cleaned_data["name"])
        if same_name(self.assessment.respondents.all(), name).exists():
            raise forms.ValidationError(f"{name} is already a respondent of this assessment.")
        return name

    def save(self, commit: bool = True) -> Respondent:
        self.instance.assessment = self.assessment
        return super().save(commit=commit)


class AnswersForm(forms.Form):
    """The answers posted for some questions: `choice-<key>` and `comment-<key>` per question.

    The questionnaire renders its own markup (descriptors beside each choice); this form only
    validates what comes back.
    """

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"choice-{question.key}"] = forms.ChoiceField(
                choices=Choice.choices, required=False
            )
            self.fields[f"comment-{question.key}"] = forms.CharField(
                required=False, max_length=2000
            )

    def answers(self) -> list[AnswerInput]:
        """The answers chosen (questions left blank are not answers)."""
        return [
            AnswerInput(
                question=question,
                choice=self.cleaned_data[f"choice-{question.key}"],
                comment=self.cleaned_data[f"comment-{question.key}"].strip(),
            )
            for question in self.questions
            if self.cleaned_data[f"choice-{question.key}"]
        ]

    def comments_without_choice(self) -> list[Question]:
        return [
            question
            for question in self.questions
            if self.cleaned_data[f"comment-{question.key}"].strip()
            and not self.cleaned_data[f"choice-{question.key}"]
        ]


class AnswerTargetForm(forms.Form):
    """Which question an autosave is for: it must belong to the assessment's bank version."""

    question = forms.CharField(max_length=80)

    def __init__(self, *args, questions_by_key: dict[str, Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions_by_key = questions_by_key

    def clean_question(self) -> Question:
        key = self.cleaned_data["question"]
        if key not in self.questions_by_key:
            raise forms.ValidationError("This question is not part of this questionnaire.")
        return self.questions_by_key[key]


def csv_file_field(help_text: str) -> forms.FileField:
    return forms.FileField(label="CSV file", help_text=help_text)


class CsvUploadForm(forms.Form):
    """A CSV file to import; subclasses declare `file` with their own help text."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload


class AnswersImportForm(CsvUploadForm):
    file = csv_file_field(
        "Columns: respondent, role, question_key, level, comment. Level is 1 to 5, "
        "NA or DK. Save spreadsheets as “CSV UTF-8”."
    )


# ---- Tracking over quarters --------------------------------------------------------------


class DashboardForm(forms.Form):
    """The dashboard's query string: a search and an order."""

    SORTS = [
        ("name", "Client name"),
        ("latest", "Latest quarter"),
        ("index", "Overall index, highest first"),
        ("index_low", "Overall index, lowest first"),
        ("open_items", "Open plan items"),
    ]

    q = forms.CharField(label="Search clients", required=False, max_length=100)
    sort = forms.ChoiceField(label="Order by", choices=SORTS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            type="search", placeholder="Client name or industry", autocomplete="off"
        )

    def cleaned(self) -> tuple[str, str]:
        """The search and the order, falling back to all clients by name."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("q", "").strip(), data.get("sort") or "name"


class CompareForm(forms.Form):
    """Two assessments of one client, the earlier one first."""

    first = forms.ModelChoiceField(label="Compare", queryset=Assessment.objects.none())
    second = forms.ModelChoiceField(label="with", queryset=Assessment.objects.none())

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        choices = client.assessments.order_by("year", "quarter")
        for name in ("first", "second"):
            self.fields[name].queryset = choices
            self.fields[name].label_from_instance = lambda a: str(a.period)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first"), cleaned.get("second")
        if first and second and first.pk == second.pk:
            raise forms.ValidationError("Choose two different quarters.")
        if first and second and second.period < first.period:
            cleaned["first"], cleaned["second"] = second, first  # always earlier -> later
        return cleaned


# ---- The action plan ---------------------------------------------------------------------


def plan_quarter_choices(today: date, *, keep: Quarter | None = None) -> list[tuple[str, str]]:
    """Target quarters, oldest first: a year back (to record work already done) to six
    quarters ahead. `keep`, an item's current target, stays choosable however far it is."""
    current = Quarter.of(today)
    quarters = {current.shifted(n) for n in range(-4, 7)} | ({keep} if keep else set())
    names = {current: " (this quarter)", current.next(): " (next quarter)"}
    return [(str(q), f"{q}{names.get(q, '')}") for q in sorted(quarters)]


def _question_choices(questions: list[Question], kept: list[str]) -> list:
    """The bank's questions grouped by dimension, plus keys an item already links that the
    latest bank no longer has (so that editing an item never drops them silently)."""
    by_dimension: dict[str, list] = {key: [] for key in DimensionKey}
    for question in questions:
        by_dimension.setdefault(question.dimension, []).append(
            (question.key, f"{question.text} ({question.key})")
        )
    groups = [
        (DimensionKey(key).label if key in DimensionKey.values else key, choices)
        for key, choices in by_dimension.items()
        if choices
    ]
    known = {question.key for question in questions}
    missing = [
        (key, f"{key} (not in the latest question bank)") for key in kept if key not in known
    ]
    return [*groups, ("Other", missing)] if missing else groups


class PlanItemForm(forms.ModelForm):
    """A plan item, created by hand or edited. The owner is a member of the workspace or a name
    typed in (someone at the client, say), never both; the linked questions are chosen from
    the bank of the client's latest assessment."""

    questions = forms.MultipleChoiceField(
        label="Questions it addresses",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Later quarters’ results show whether these questions moved once it is done.",
        error_messages={"invalid_choice": "“%(value)s” is not a question of the question bank."},
    )
    owner_member = forms.ModelChoiceField(
        label="A member",
        queryset=None,
        required=False,
        empty_label="No member",
        error_messages={"invalid_choice": "Choose a member of this workspace."},
    )
    target = forms.ChoiceField(
        label="Target quarter",
        error_messages={"invalid_choice": "Choose a quarter from the list, like 2027-Q1."},
    )

    class Meta:
        model = PlanItem
        fields = ("title", "owner_name", "status", "notes")
        labels = {"owner_name": "Or someone else"}
        help_texts = {"notes": "What done looks like, links, decisions."}
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "status": {"invalid_choice": "Choose planned, in progress, done or dropped."}
        }

    field_order = ["title", "questions", "owner_member", "owner_name", "target", "status"]

    def __init__(self, *args, client: Client, questions: list[Question], today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.original_status = self.instance.status
        item = self.instance
        editing = item.pk is not None
        self.fields["questions"].choices = _question_choices(
            questions, item.question_keys if editing else []
        )
        self.fields["owner_member"].queryset = User.objects.filter(
            memberships__workspace_id=client.workspace_id
        ).order_by("name")
        self.fields["owner_member"].label_from_instance = lambda user: user.name
        self.fields["target"].choices = plan_quarter_choices(
            today, keep=item.target_period if editing else None
        )
        self.fields["target"].initial = str(Quarter.of(today).next())
        if editing:
            self.initial.update(
                questions=item.question_keys,
                owner_member=item.owner_user_id,
                target=str(item.target_period),
            )

    def clean_title(self) -> str:
        return one_line(self.cleaned_data["title"])

    def clean_owner_name(self) -> str:
        return one_line(self.cleaned_data["owner_name"])

    def clean_target(self) -> Quarter:
        return Quarter.parse(self.cleaned_data["target"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner_member") and cleaned.get("owner_name"):
            self.add_error(
                "owner_name", "Choose a member or type a name, not both: leave one of them empty."
            )
        return cleaned

    def save(self, commit: bool = True) -> PlanItem:
        item = self.instance
        item.client = self.client
        item.question_keys = list(self.cleaned_data["questions"])
        item.owner_user = self.cleaned_data["owner_member"]
        target = self.cleaned_data["target"]
        item.target_year, item.target_quarter = target.year, target.number
        status, item.status = item.status, self.original_status
        set_status(item, status)
        return super().save(commit=commit)


class PlanFilterForm(forms.Form):
    """The plan page's query string: which status, target quarter and owner to show."""

    STATUS_CHOICES = [
        ("", "Any status"),
        ("open", "Open (planned or in progress)"),
        ("overdue", "Overdue"),
        *PlanStatus.choices,
    ]
    UNASSIGNED = "none"

    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    quarter = forms.ChoiceField(label="Target quarter", required=False)
    owner = forms.ChoiceField(label="Owner", required=False)

    def __init__(self, *args, quarters: list[Quarter], owners: list[tuple[str, str]], **kwargs):
        """`owners`: (value, name) pairs, values as made by `owner_value`."""
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [
            ("", "Any quarter"),
            *((str(q), str(q)) for q in quarters),
        ]
        self.fields["owner"].choices = [
            ("", "Anyone"),
            *owners,
            (self.UNASSIGNED, "Unassigned"),
        ]

    @classmethod
    def owner_value(cls, owner_user_id: int | None, owner_name: str) -> str:
        if owner_user_id:
            return f"member-{owner_user_id}"
        return f"name-{owner_name}" if owner_name else cls.UNASSIGNED

    def ignored(self) -> list[str]:
        """What was not understood, to say so: ["status “x”", ...]."""
        self.is_valid()
        return [f"{self[name].label.lower()} “{self[name].data}”" for name in self.errors]

    def valid_data(self) -> dict:
        """The fields that were understood; anything else is ignored (and reported)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in self.fields}

    def filter(self, items: PlanItemQuerySet, today: date) -> PlanItemQuerySet:
        data = self.valid_data()
        if data["status"] == "open":
            items = items.open()
        elif data["status"] == "overdue":
            items = items.overdue(today)
        elif data["status"]:
            items = items.filter(status=data["status"])
        if data["quarter"]:
            quarter = Quarter.parse(data["quarter"])
            items = items.filter(target_year=quarter.year, target_quarter=quarter.number)
        owner = data["owner"]
        if owner == self.UNASSIGNED:
            items = items.filter(owner_user__isnull=True, owner_name="")
        elif owner.startswith("member-"):
            items = items.filter(owner_user_id=int(owner.removeprefix("member-")))
        elif owner.startswith("name-"):
            items = items.filter(owner_user__isnull=True, owner_name=owner.removeprefix("name-"))
        return items


class PlanStatusForm(forms.Form):
    """The inline status change on the plan page."""

    status = forms.ChoiceField(
        choices=PlanStatus.choices,
        error_messages={"invalid_choice": "Choose planned, in progress, done or dropped."},
    )


class AddToPlanForm(forms.Form):
    """Which recommendation to plan: a question of the assessment's bank version."""

    UNKNOWN = "This question is not part of this assessment’s question bank."

    question = forms.CharField(
        max_length=80, error_messages={"required": UNKNOWN, "max_length": UNKNOWN}
    )

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment

    def clean_question(self) -> Question:
        key = self.cleaned_data["question"]
        question = self.assessment.bank_version.questions.filter(key=key).first()
        if question is None:
            raise forms.ValidationError(self.UNKNOWN)
        return question


# ---- Funnel figures ----------------------------------------------------------------------


# The figures grouped as a marketing ops person finds them: in the form's fieldsets and in
# the rows of the funnel page.
FIGURE_GROUPS = (
    ("Audience and content", ("impressions", "engaged_leads", "content_downloads")),
    (
        "Email",
        ("emails_sent", "emails_opened", "emails_clicked", "hard_bounces", "soft_bounces"),
    ),
    ("Funnel stages", ("inquiries", "mqls", "sals", "sqls", "won_deals")),
    ("Revenue", MONEY_FIELDS),
    ("Velocity", DAYS_FIELDS),
)
FIGURE_GROUP_HELP = {
    "Audience and content": "Who you reached and who engaged with your content this quarter.",
    "Email": "Nurture and campaign emails, not one-to-one sales emails.",
    "Funnel stages": "How many leads reached each stage this quarter.",
    "Revenue": "In one currency, the same every quarter. Amounts are rounded to cents.",
    "Velocity": "Average or median days a lead spends between two stages.",
}
FIGURE_LABELS = {
    "impressions": "Prospect impressions",
    "engaged_leads": "Engaged leads",
    "content_downloads": "Content downloads",
    "emails_sent": "Emails sent",
    "emails_opened": "Emails opened",
    "emails_clicked": "Emails clicked",
    "hard_bounces": "Hard bounces",
    "soft_bounces": "Soft bounces",
    "inquiries": "Inquiries",
    "mqls": "MQLs (marketing-qualified leads)",
    "sals": "SALs (sales-accepted leads)",
    "sqls": "SQLs (opportunities)",
    "won_deals": "Won deals",
    "pipeline_value": "Pipeline value",
    "closed_revenue": "Closed revenue",
    "average_deal_size": "Average deal size",
    "days_inquiry_to_mql": "Days from inquiry to MQL",
    "days_mql_to_sal": "Days from MQL to SAL",
    "days_sal_to_sql": "Days from SAL to SQL",
    "days_sql_to_won": "Days from SQL to won",
}
FIGURE_HELP = {
    "impressions": "People in the target audience who saw an ad, a post or an email: reach, "
    "not clicks.",
    "engaged_leads": "Known contacts who interacted: visited, watched, attended or replied.",
    "content_downloads": "Gated content forms filled in: guides, reports, webinar sign-ups.",
    "emails_sent": "Every nurture and campaign email sent.",
    "emails_opened": "Unique opens; no more than the emails sent.",
    "emails_clicked": "Unique clicks; no more than the emails sent.",
    "hard_bounces": "Addresses that do not exist or refuse mail for good.",
    "soft_bounces": "Temporary failures: a full mailbox, a server down.",
    "inquiries": "Hand-raisers: demo and contact requests, trial sign-ups.",
    "mqls": "Leads that met the agreed fit and interest threshold and went to sales.",
    "sals": "MQLs that sales accepted and started working.",
    "sqls": "Accepted leads that sales turned into an opportunity in the CRM.",
    "won_deals": "Opportunities closed-won this quarter.",
    "pipeline_value": "Value of the opportunities created this quarter.",
    "closed_revenue": "Value of the deals won this quarter.",
    "average_deal_size": "Leave empty to use closed revenue ÷ won deals.",
    "days_inquiry_to_mql": "How long a lead takes to qualify.",
    "days_mql_to_sal": "How long sales takes to accept a lead: the follow-up speed.",
    "days_sal_to_sql": "How long an accepted lead takes to become an opportunity.",
    "days_sql_to_won": "The sales cycle, from opportunity to signature.",
}
COUNT, MONEY, DAYS = "count", "money", "days"
# The largest figure each kind accepts: within the database columns, and well beyond any
# real quarter, so a larger one is a typing slip (or 1e30) rather than a fact.
FIGURE_LIMITS = {
    COUNT: Decimal(2_000_000_000),
    MONEY: Decimal(999_999_999_999),
    DAYS: Decimal(3650),
}
FIGURE_STEPS = {MONEY: Decimal("0.01"), DAYS: Decimal("0.1")}
NOT_A_NUMBER = {
    COUNT: "Enter a whole number, like 1200.",
    MONEY: "Enter an amount, like 250000 or 250,000.50.",
    DAYS: "Enter a number of days, like 12 or 12.5.",
}
# 1,200 and 1 200 (with a thin or non-breaking space too), as spreadsheets format numbers.
_THOUSANDS = re.compile(r"^\d{1,3}(?:([,\s\u00a0\u202f])\d{3})(?:\1\d{3})*(?:\.\d+)?$")


def figure_kind(name: str) -> str:
    return COUNT if name in COUNT_FIELDS else MONEY if name in MONEY_FIELDS else DAYS


def read_figure(kind: str, text: str) -> int | Decimal | None:
    """A typed figure as a number (None when empty); ValueError with a message a person can act
    on otherwise. The figures form reads every figure with it, and the CSV import reads each
    cell through that form."""
    text = (text or "").strip()
    if kind == MONEY:
        text = text.removeprefix("$").removeprefix("€").removeprefix("£").strip()
    if not text:
        return None
    if _THOUSANDS.match(text):
        text = re.sub(r"[,\s\u00a0\u202f]", "", text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(NOT_A_NUMBER[kind]) from None
    if not number.is_finite():
        raise ValueError(NOT_A_NUMBER[kind])
    if number < 0:
        raise ValueError("This cannot be negative: enter 0 or more, or leave it empty.")
    if number > FIGURE_LIMITS[kind]:
        raise ValueError(f"That is more than {FIGURE_LIMITS[kind]:,.0f}; check the figure.")
    if kind == COUNT:
        if number != number.to_integral_value():
            raise ValueError("A count is a whole number: no decimals.")
        return int(number)
    return number.quantize(FIGURE_STEPS[kind], rounding=ROUND_HALF_UP)


def figure_text(value: int | Decimal | None) -> str:
    """A stored figure as the form shows it: 250000, not 250000.00."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return str(value)


class FigureField(forms.Field):
    """One optional funnel figure: a count, an amount of money or a number of days. A text
    input, so that whatever is typed reaches `read_figure` and gets its message."""

    def __init__(self, *, kind: str, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric" if kind == COUNT else "decimal", "size": 14}
            ),
        )
        super().__init__(**kwargs)
        self.kind = kind

    def to_python(self, value):
        try:
            return read_figure(self.kind, value if isinstance(value, str) else str(value or ""))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        return figure_text(value) if isinstance(value, int | Decimal) else value


class FunnelValuesForm(forms.Form):
    """A quarter's funnel figures as the figures form and the CSV import check them: every
    figure optional, never negative, whole numbers for counts, nothing impossible (more emails
    opened than sent). What is allowed but odd (more MQLs than inquiries) is left to
    `assessments.funnel.flags`, shown after saving."""

    def __init__(self, *args, period: Quarter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        for name in FIGURE_FIELDS:
            self.fields[name] = FigureField(
                kind=figure_kind(name), label=FIGURE_LABELS[name], help_text=FIGURE_HELP[name]
            )

    def clean(self):
        cleaned = super().clean()
        period = self.period or Quarter(2000, 1)  # the checks do not depend on the quarter
        for name, message in problems(self.figures_of(period)).items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def figures_of(self, period: Quarter) -> Figures:
        values = {name: self.cleaned_data.get(name) for name in FIGURE_FIELDS}
        return Figures.from_mapping(period.year, period.number, values)

    @property
    def values(self) -> dict[str, int | Decimal | None]:
        return {name: self.cleaned_data[name] for name in FIGURE_FIELDS}


class FunnelFiguresForm(FunnelValuesForm):
    """A client's figures for one quarter, entered or edited on the figures page."""

    quarter = forms.ChoiceField(
        label="Quarter",
        help_text="The quarter these figures describe; usually one that has ended.",
        error_messages={"invalid_choice": "Choose a quarter from the list, like 2026-Q3."},
    )

    def __init__(self, *args, client: Client, today: date, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.instance = instance
        self.existing = None  # the figures already entered for the chosen quarter, if any
        choices = quarter_choices(today)
        if instance is not None and str(instance.period) not in dict(choices):
            choices.append((str(instance.period), str(instance.period)))
        self.fields["quarter"].choices = choices
        if instance is not None:
            self.initial["quarter"] = str(instance.period)
            self.initial.update({name: getattr(instance, name) for name in FIGURE_FIELDS})
        else:
            self.initial["quarter"] = str(self._first_free(Quarter.of(today)))
        self.order_fields(["quarter", *FIGURE_FIELDS])

    def _first_free(self, current: Quarter) -> Quarter:
        """The quarter figures are most likely entered for: the one just ended, unless it has
        figures already; then the current one, then the next."""
        taken = {
            Quarter(*pair) for pair in self.client.funnel_figures.values_list("year", "quarter")
        }
        candidates = [current.previous(), current, current.next()]
        return next((q for q in candidates if q not in taken), candidates[0])

    def clean_quarter(self) -> Quarter:
        period = Quarter.parse(self.cleaned_data["quarter"])
        self.period = period
        taken = self.client.funnel_figures.filter(year=period.year, quarter=period.number)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        self.existing = taken.first()
        if self.existing is not None:
            raise forms.ValidationError(
                f"{self.client.name} already has figures for {period}: edit them instead."
            )
        return period

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) is not None for name in FIGURE_FIELDS) and not any(
            name in self.errors for name in FIGURE_FIELDS
        ):
            raise forms.ValidationError("Enter at least one figure; the others may stay empty.")
        return cleaned

    @property
    def groups(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(legend, help, bound fields) per fieldset."""
        return [
            (legend, FIGURE_GROUP_HELP[legend], [self[name] for name in names])
            for legend, names in FIGURE_GROUPS
        ]

    def save(self) -> FunnelFigures:
        figures = self.instance or FunnelFigures(client=self.client)
        period = self.cleaned_data["quarter"]
        figures.year, figures.quarter = period.year, period.number
        for name, value in self.values.items():
            setattr(figures, name, value)
        figures.save()
        return figures


class FunnelImportForm(CsvUploadForm):
    file = csv_file_field(
        "A quarter column (like 2026-Q3) and a column per figure. Save spreadsheets as “CSV UTF-8”."
    )


def percent_text(fraction: float | None) -> str:
    """A fraction as a percentage to type: 0.125 -> "12.5", 0.4 -> "40"."""
    if fraction is None:
        return ""
    return f"{Decimal(str(round(fraction * 100, 2))).normalize():f}"


def _percent_field(label: str, *, required: bool, max_value: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=max_value,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
        error_messages={
            "invalid": "Enter a percentage, like 25 or 12.5.",
            "min_value": "A percentage cannot be negative.",
            "max_value": "A percentage is at most %(limit_value)s.",
            "max_decimal_places": "Use at most 2 decimals.",
            "required": "Enter a percentage.",
        },
    )


def _days_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=365,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}),
        error_messages={
            "invalid": "Enter a number of days, like 2 or 2.5.",
            "min_value": "A number of days cannot be negative.",
            "max_value": "Enter at most %(limit_value)s days.",
            "max_decimal_places": "Use at most 1 decimal.",
            "required": "Enter a number of days.",
        },
    )


class FunnelThresholdsForm(forms.Form):
    """A workspace's thresholds for judging each handoff's observed health: per metric, where it
    turns poor and where it becomes healthy. Percentages are typed as percentages (25 for 25%),
    days as days; `overrides` keeps only the metrics that differ from the defaults."""

    def __init__(self, *args, current: dict[str, Threshold], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for metric, default in DEFAULT_THRESHOLDS.items():
            percent, higher = KPI_UNITS[metric] == PERCENT, default.higher_is_better
            names = (f"{metric}-poor", f"{metric}-healthy")
            words = ("at or below", "from") if higher else ("at or above", "at or below")
            for name, bound, said in zip(names, ("poor", "healthy"), words, strict=True):
                label = f"{THRESHOLD_LABELS[metric]}: {bound} {said}"
                if percent:
                    self.fields[name] = _percent_field(label, required=True, max_value=100)
                else:
                    self.fields[name] = _days_field(label)
                self.initial[name] = self._shown(metric, getattr(current[metric], bound))
            unit = "%" if percent else " days"
            self.rows.append(
                {
                    "metric": metric,
                    "label": THRESHOLD_LABELS[metric],
                    "handoff": next(
                        HANDOFF_NAMES[key]
                        for key, metrics in HANDOFF_METRICS.items()
                        if metric in metrics
                    ),
                    "higher_is_better": higher,
                    "unit": unit,
                    "bounds": [
                        (self[name], bound, said)
                        for name, bound, said in zip(names, ("Poor", "Healthy"), words, strict=True)
                    ],
                    "default_poor": self._shown(metric, default.poor),
                    "default_healthy": self._shown(metric, default.healthy),
                }
            )

    @staticmethod
    def _shown(metric: str, value: float) -> str:
        if KPI_UNITS[metric] == PERCENT:
            return percent_text(value)
        return f"{Decimal(str(value)).normalize():f}"

    def clean(self):
        cleaned = super().clean()
        for metric, default in DEFAULT_THRESHOLDS.items():
            poor, healthy = cleaned.get(f"{metric}-poor"), cleaned.get(f"{metric}-healthy")
            if poor is None or healthy is None:
                continue
            unit = "%" if KPI_UNITS[metric] == PERCENT else " days"
            if default.higher_is_better and poor > healthy:
                self.add_error(
                    f"{metric}-healthy",
                    f"Higher is better here, so healthy must be at least poor ({poor}{unit}).",
                )
            elif not default.higher_is_better and poor < healthy:
                self.add_error(
                    f"{metric}-healthy",
                    f"Lower is better here, so healthy must be at most poor ({poor}{unit}).",
                )
        return cleaned

    def overrides(self) -> dict[str, dict[str, float]]:
        """{metric: {"poor": x, "healthy": y}} in the KPI's own unit (fractions for percents),
        for the metrics whose thresholds differ from the defaults."""
        changed = {}
        for metric, default in DEFAULT_THRESHOLDS.items():
            scale = 100 if KPI_UNITS[metric] == PERCENT else 1
            poor, healthy = (
                float(self.cleaned_data[f"{metric}-{bound}"] / scale)
                for bound in ("poor", "healthy")
            )
            if (poor, healthy) != (default.poor, default.healthy):
                changed[metric] = {"poor": poor, "healthy": healthy}
        return changed


# ---- The revenue waterfall planner -------------------------------------------------------


WATERFALL_RATE_LABELS = {
    "inquiry_to_mql": "Inquiry → MQL",
    "mql_to_sal": "MQL → SAL",
    "sal_to_sql": "SAL → SQL",
    "win_rate": "Win rate (SQL → won)",
}


class WaterfallForm(forms.Form):
    """The planner's query string: a revenue target for a quarter, and the conversion rates
    (as percentages) and deal size to work back with. The view fills a rate or deal size left
    empty with the one observed in the client's latest figures."""

    target_revenue = FigureField(
        kind=MONEY,
        required=True,
        label="Revenue target",
        error_messages={"required": "Enter the revenue to reach, like 500000."},
    )
    quarter = forms.ChoiceField(
        label="For the quarter",
        error_messages={"invalid_choice": "Choose a quarter from the list, like 2027-Q1."},
    )
    deal_size = FigureField(kind=MONEY, label="Average deal size")

    RATE_MAX = 1000  # above 100% is possible when leads of earlier quarters move on

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarter_choices(today)
        self.fields["quarter"].initial = str(Quarter.of(today).next())
        for key, label in WATERFALL_RATE_LABELS.items():
            self.fields[key] = _percent_field(label, required=False, max_value=self.RATE_MAX)
        self.order_fields(["target_revenue", "quarter", *WATERFALL_RATE_LABELS, "deal_size"])

    def clean_target_revenue(self) -> Decimal:
        target = self.cleaned_data["target_revenue"]
        if target <= 0:
            raise forms.ValidationError("Enter a target above 0.")
        return target

    def clean_quarter(self) -> Quarter:
        return Quarter.parse(self.cleaned_data["quarter"])

    def clean(self):
        cleaned = super().clean()
        for name in (*WATERFALL_RATE_LABELS, "deal_size"):
            if cleaned.get(name) == 0:
                self.add_error(
                    name, "Zero reaches no target: enter more than 0, or leave it empty."
                )
        return cleaned

    @property
    def rate_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in WATERFALL_RATE_LABELS]

    def rates(self) -> dict[str, float | None]:
        """The conversion rates as fractions (None where empty)."""
        return {
            key: float(self.cleaned_data[key]) / 100 if self.cleaned_data.get(key) else None
            for key in WATERFALL_RATE_LABELS
        }
