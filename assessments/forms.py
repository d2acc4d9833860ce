from datetime import date, timedelta

from django import forms

from accounts.models import User
from accounts.vocabulary import CONSULTANCY_WORDS, Words
from assessments.models import (
    DEFAULT_TARGET_LEVEL,
    NOTE_FIELDS,
    TARGET_FIELDS,
    Assessment,
    Choice,
    PlanItem,
    PlanItemQuerySet,
    PlanStatus,
    ReportOptions,
    Respondent,
    RespondentRole,
    Visibility,
)
from assessments.services import AnswerInput
from bank.models import DimensionKey, Question
from clients.models import Client
from lib.forms import CsvUploadForm, csv_file_field, one_line, same_name
from lib.maturity import DIMENSION_NAMES, LEVEL_NAMES
from lib.quarters import Quarter, quarter_choices

# ---- Assessments -------------------------------------------------------------------------


LEVEL_CHOICES = [(level, f"{level} · {name}") for level, name in LEVEL_NAMES.items()]


def _target_fields() -> dict[str, forms.TypedChoiceField]:
    return {
        TARGET_FIELDS[key]: forms.TypedChoiceField(
            label=key.label, choices=LEVEL_CHOICES, coerce=int, initial=DEFAULT_TARGET_LEVEL
        )
        for key in DimensionKey
    }


class TargetsForm(forms.Form):
    """The target level per dimension: recommendations start below it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_target_fields())

    @property
    def targets(self) -> dict[str, int]:
        return {key: self.cleaned_data[field] for key, field in TARGET_FIELDS.items()}


def visibility_field(choices=None) -> forms.ChoiceField:
    choices = choices or list(Visibility.choices)
    return forms.ChoiceField(
        label="Who sees the answers",
        choices=choices,
        initial=Visibility.NAMED,
        widget=forms.RadioSelect,
        help_text="Respondents are told before they answer. Once the first answer is in, it "
        "can only become more private.",
    )


class AssessmentForm(TargetsForm):
    quarter = forms.ChoiceField(label="Quarter")
    visibility = visibility_field()

    field_order = ["quarter"]

    def __init__(self, *args, client: Client, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["quarter"].choices = quarter_choices(today)
        self.fields["quarter"].initial = str(Quarter.of(today))
        self.order_fields(["quarter", "visibility", *TARGET_FIELDS.values()])

    def clean_quarter(self) -> Quarter:
        period = Quarter.parse(self.cleaned_data["quarter"])
        if self.client.assessments.filter(year=period.year, quarter=period.number).exists():
            taken = f"{self.client.name} already has an assessment for {period}."
            raise forms.ValidationError(taken)
        return period


class VisibilityForm(forms.Form):
    """A change of who sees the answers: any while no answer is in, tighter ones after."""

    visibility = visibility_field()

    def __init__(self, *args, assessment: Assessment, answered: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment, self.answered = assessment, answered
        allowed = [
            (value, label)
            for value, label in Visibility.choices
            if not answered or assessment.visibility_tightens(value)
        ]
        self.fields["visibility"].choices = allowed
        self.fields["visibility"].initial = assessment.answer_visibility
        if answered:
            self.fields["visibility"].error_messages["invalid_choice"] = (
                "Answers have come in under the current setting, which respondents were told: "
                "it can only become more private now."
            )

    def clean_visibility(self) -> str:
        visibility = self.cleaned_data["visibility"]
        if visibility == self.assessment.answer_visibility:
            raise forms.ValidationError("That is the setting already.")
        return visibility


class DeadlineForm(forms.Form):
    """The date respondents are asked to answer by: today or later, within a year; empty
    removes it."""

    deadline = forms.DateField(
        label="Answer by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Shown to respondents. Reminders go out three days before and on the day.",
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_deadline(self) -> date | None:
        deadline = self.cleaned_data["deadline"]
        if deadline is None:
            return None
        if deadline < self.today:
            raise forms.ValidationError(
                f"That date has passed: choose {self.today:%-d %B} or later."
            )
        if deadline > self.today + timedelta(days=366):
            raise forms.ValidationError("Choose a date within the next year.")
        return deadline


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
        ("responses", "Responses, fewest submitted first"),
    ]

    q = forms.CharField(label="Search clients", required=False, max_length=100)
    sort = forms.ChoiceField(label="Order by", choices=SORTS, required=False)

    def __init__(self, *args, words: Words = CONSULTANCY_WORDS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = f"Search {words.clients}"
        self.fields["q"].widget.attrs.update(
            type="search", placeholder="Name or industry", autocomplete="off"
        )

    def cleaned(self) -> tuple[str, str]:
        """The search and the order, falling back to all clients by name."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("q", "").strip(), data.get("sort") or "name"


class _AssessmentChoiceField(forms.TypedChoiceField):
    """One of the assessments given, chosen by id: they are read once for the whole form (a
    ModelChoiceField reads its queryset again for each render and each value it cleans)."""

    def __init__(self, *, label: str):
        super().__init__(label=label, coerce=int, empty_value=None)
        self.by_pk: dict[int, Assessment] = {}

    def offer(self, assessments: list[Assessment]) -> None:
        self.by_pk = {a.pk: a for a in assessments}
        self.choices = [("", "---------"), *((a.pk, str(a.period)) for a in assessments)]

    def prepare_value(self, value):
        return value.pk if isinstance(value, Assessment) else value

    def clean(self, value) -> Assessment | None:
        pk = super().clean(value)
        return None if pk is None else self.by_pk[pk]


class CompareForm(forms.Form):
    """Two assessments of one client, the earlier one first."""

    first = _AssessmentChoiceField(label="Compare")
    second = _AssessmentChoiceField(label="with")

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        assessments = list(client.assessments.order_by("year", "quarter"))
        for name in ("first", "second"):
            self.fields[name].offer(assessments)

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
        item.set_status(status)
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


VALIDATION_REASON_MAX_LENGTH = 1000


class ValidatedLevelForm(forms.Form):
    """The level the evidence shows for a question of the assessment, and why."""

    level = forms.TypedChoiceField(
        label="Validated level",
        coerce=int,
        choices=[("", "Choose a level")]
        + [(level, f"{level} · {name}") for level, name in LEVEL_NAMES.items()],
        error_messages={
            "required": "Choose the level the evidence shows.",
            "invalid_choice": "Choose one of the five levels.",
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=VALIDATION_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What shows it: the figure, the document or the conversation. Shown beside "
        "the level wherever it is used.",
        error_messages={
            "required": "Say what shows this level: the reason is shown with it.",
            "max_length": "Keep the reason to %(limit_value)d characters.",
        },
    )


class ReportOptionsForm(forms.ModelForm):
    """What the PDF report holds, and the consultant's own words in it."""

    class Meta:
        model = ReportOptions
        fields = ("sections", "currency", "number_format", "executive_note", *NOTE_FIELDS.values())
        labels = {
            "sections": "Sections",
            "currency": "Currency of the funnel's money figures",
            "number_format": "How the funnel's figures are written",
            "executive_note": "Note on the executive summary",
            **{field: f"Note on {DIMENSION_NAMES[key]}" for key, field in NOTE_FIELDS.items()},
        }
        help_texts = {
            "number_format": "For the report only: the app's pages and the exports keep "
            "writing 1,234.5.",
            "executive_note": "Your own words for the reader, shown above the summary. Plain "
            "text; a blank line starts a new paragraph.",
        }
        widgets = {
            "sections": forms.RadioSelect,
            "executive_note": forms.Textarea(attrs={"rows": 5}),
            **{field: forms.Textarea(attrs={"rows": 3}) for field in NOTE_FIELDS.values()},
        }
        error_messages = {
            "sections": {"invalid_choice": "Choose one of the three reports."},
            "currency": {"invalid_choice": "Choose US dollars, euros, pounds sterling or none."},
            "number_format": {"invalid_choice": "Choose one of the four ways to write numbers."},
        }
