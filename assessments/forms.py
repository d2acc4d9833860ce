from datetime import date

from django import forms

from accounts.models import Workspace
from assessments.csv_import import MAX_CSV_BYTES
from assessments.models import (
    DEFAULT_TARGET_LEVEL,
    TARGET_FIELDS,
    Assessment,
    Choice,
    Client,
    Respondent,
    RespondentRole,
)
from assessments.quarters import Quarter
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
        name = " ".join(self.cleaned_data["name"].split())
        duplicates = Client.objects.for_workspace(self.workspace).filter(name__iexact=name)
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
        return " ".join(self.cleaned_data["industry"].split())

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
        name = " ".join(self.cleaned_data["name"].split())
        if self.assessment.respondents.filter(name__iexact=name).exists():
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


class AnswersImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: respondent, role, question_key, level, comment. Level is 1 to 5, "
        "NA or DK. Save spreadsheets as “CSV UTF-8”.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload
