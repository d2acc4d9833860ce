from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, SetPasswordMixin

from accounts.models import ROLE_DESCRIPTIONS, Membership, Role, User, Workspace, normalize_email


class SignupForm(BaseUserCreationForm):
    """A new account plus the name of the workspace its owner starts in."""

    workspace_name = forms.CharField(
        label="Workspace name",
        max_length=100,
        help_text="Your consultancy, or your company if you are assessing yourselves.",
    )

    class Meta:
        model = User
        fields = ("name", "email")
        labels = {"name": "Your name"}

    field_order = ["name", "email", "workspace_name", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="name", autofocus=True)
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["email"].widget.attrs.pop("autofocus", None)

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_workspace_name(self) -> str:
        return self.cleaned_data["workspace_name"].strip()


class InvitationSignupForm(SetPasswordMixin, forms.Form):
    """The account of someone who arrives through an invitation: their email is already known."""

    name = forms.CharField(label="Your name", max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["name"].widget.attrs.update(autocomplete="name", autofocus=True)

    def clean(self):
        self.validate_passwords()
        user = User(email=self.email, name=self.cleaned_data.get("name", ""))
        self.validate_password_for_user(user)
        return super().clean()


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ("name",)
        labels = {"name": "Workspace name"}

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


def _role_choices_with_descriptions() -> list[tuple[str, str]]:
    return [
        (
            role.value,
            f"{role.label} — {ROLE_DESCRIPTIONS[role][0].lower()}{ROLE_DESCRIPTIONS[role][1:]}",
        )
        for role in Role
    ]


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(
        label="Role",
        choices=_role_choices_with_descriptions,
        initial=Role.CONSULTANT,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["email"].widget.attrs.update(autocomplete="off", placeholder="name@company.com")

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if Membership.objects.filter(workspace=self.workspace, user__email=email).exists():
            raise forms.ValidationError(f"{email} is already a member of this workspace.")
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
