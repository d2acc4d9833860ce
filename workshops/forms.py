from django import forms

from assessments.models import Choice, RespondentRole
from lib.forms import one_line
from lib.maturity import DIMENSION_NAMES, LEVEL_NAMES
from workshops.models import Scope

NOTE_MAX_LENGTH = 1000


class WorkshopForm(forms.Form):
    scope = forms.ChoiceField(
        label="Which questions", choices=Scope.choices, initial=Scope.ALL, widget=forms.RadioSelect
    )
    dimension = forms.ChoiceField(
        label="Dimension (with “One dimension”)",
        choices=[("", "Choose a dimension"), *DIMENSION_NAMES.items()],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == Scope.DIMENSION and not cleaned.get("dimension"):
            self.add_error("dimension", "Choose the dimension to discuss.")
        return cleaned


class JoinForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=120)
    role = forms.ChoiceField(
        label="Your role", choices=[("", "Choose your role"), *RespondentRole.choices]
    )
    email = forms.EmailField(
        label="Your email, if you were invited",
        required=False,
        help_text="The address your invitation came to: with it, the answers you gave are kept.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="name", autocapitalize="words")
        self.fields["email"].widget.attrs.update(autocomplete="email")

    def clean_name(self) -> str:
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Type your name.")
        return name


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=Choice.choices,
        error_messages={"required": "Choose a level, Not applicable or Don’t know."},
    )


class ConsensusForm(forms.Form):
    level = forms.TypedChoiceField(
        label="The team’s level",
        coerce=int,
        choices=[("", "Choose the level agreed"), *LEVEL_NAMES.items()],
    )
    note = forms.CharField(
        label="Outcome, decision and owner",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the room concluded, what was decided, and who owns it.",
    )


class PollForm(forms.Form):
    """What a polling screen holds: the workshop's version and stage it last showed."""

    v = forms.IntegerField(required=False, min_value=0)
    s = forms.CharField(required=False, max_length=60)

    def held(self) -> tuple[int | None, str]:
        if not self.is_valid():
            return None, ""
        return self.cleaned_data["v"], self.cleaned_data["s"]
