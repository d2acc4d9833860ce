from django import forms
from django.contrib.auth.forms import BaseUserCreationForm, SetPasswordMixin

from accounts.branding import ACCEPTED, HEX_COLOR, MAX_LOGO_BYTES, Logo, LogoError, read_logo
from accounts.models import (
    ROLE_DESCRIPTIONS,
    Invitation,
    Membership,
    Role,
    User,
    Workspace,
    WorkspaceKind,
    normalize_email,
)
from lib.forms import one_line


class SignupForm(BaseUserCreationForm):
    """A new account plus the name of the workspace its owner starts in."""

    workspace_name = forms.CharField(
        label="Workspace name",
        max_length=100,
        help_text="Your consultancy, or your company if you are assessing yourselves.",
    )
    workspace_kind = forms.ChoiceField(
        label="Who you assess",
        choices=WorkspaceKind.choices,
        initial=WorkspaceKind.CONSULTANCY,
        required=False,  # left out, a consultancy: the owner can change it in the settings
        widget=forms.RadioSelect,
    )

    class Meta:
        model = User
        fields = ("name", "email")
        labels = {"name": "Your name"}

    field_order = ["name", "email", "workspace_name", "workspace_kind", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="name", autofocus=True)
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["email"].widget.attrs.pop("autofocus", None)

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def validate_unique(self) -> None:
        """No "already exists" for a known email: the form would tell a stranger who has an
        account. The sign-up emails the address's owner instead (accounts.views.signup)."""

    def clean_name(self) -> str:
        return one_line(self.cleaned_data["name"])

    def clean_workspace_name(self) -> str:
        return one_line(self.cleaned_data["workspace_name"])

    def clean_workspace_kind(self) -> str:
        return self.cleaned_data["workspace_kind"] or WorkspaceKind.CONSULTANCY


class InvitationSignupForm(SetPasswordMixin, forms.Form):
    """The account of someone who arrives through an invitation: their email is already known."""

    name = forms.CharField(label="Your name", max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["name"].widget.attrs.update(autocomplete="name", autofocus=True)

    def clean_name(self) -> str:
        return one_line(self.cleaned_data["name"])

    def clean(self):
        self.validate_passwords()
        user = User(email=self.email, name=self.cleaned_data.get("name", ""))
        self.validate_password_for_user(user)
        return super().clean()


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ("name", "kind")
        labels = {"name": "Workspace name", "kind": "Who you assess"}
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out, what the workspace is stays (a new one is a consultancy).
        self.fields["kind"].required = False

    def clean_name(self) -> str:
        return one_line(self.cleaned_data["name"])

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or self.instance.kind or WorkspaceKind.CONSULTANCY


class WorkspaceSettingsForm(WorkspaceForm):
    """The owner's settings: the name, and the branding used by the header and the PDF report."""

    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG or SVG, at most 512 KB. A wide logo on a transparent background "
        "works best.",
        error_messages={"empty": f"The file is empty. {ACCEPTED}"},
        # `accept` only helps the file picker; the content is what read_logo checks.
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml,.svg"}),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta(WorkspaceForm.Meta):
        fields = ("name", "kind", "accent_color", "paper_size")
        labels = {
            **WorkspaceForm.Meta.labels,
            "accent_color": "Accent colour",
            "paper_size": "Paper size of PDF reports",
        }
        help_texts = {
            "accent_color": "The stripe along the top of every page; PDF reports use it too."
        }
        widgets = {
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "paper_size": forms.RadioSelect,
            "kind": forms.RadioSelect,
        }

    field_order = ["name", "kind", "logo", "remove_logo", "accent_color", "paper_size"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.has_logo:
            del self.fields["remove_logo"]
        # A submission without the branding fields (a script renaming the workspace, say)
        # keeps the current colour and paper size rather than failing.
        self.fields["accent_color"].required = False
        self.fields["paper_size"].required = False

    def clean_logo(self) -> Logo | None:
        upload = self.cleaned_data["logo"]
        if not upload:
            return None
        if upload.size > MAX_LOGO_BYTES:  # before reading any of it into memory
            raise forms.ValidationError(f"The file is {upload.size // 1024} KB. {ACCEPTED}")
        try:
            return read_logo(upload.read())
        except LogoError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_accent_color(self) -> str:
        # <input type="color"> always sends #rrggbb in lower case; other clients may not.
        color = self.cleaned_data["accent_color"]
        if not color:
            return self.instance.accent_color
        if not HEX_COLOR.fullmatch(color):
            raise forms.ValidationError(
                "Enter a colour as # followed by six hexadecimal digits, like #1f5fa8."
            )
        return color.lower()

    def clean_paper_size(self) -> str:
        return self.cleaned_data["paper_size"] or self.instance.paper_size

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("remove_logo") and cleaned_data.get("logo"):
            self.add_error(
                "remove_logo", "Either upload a new logo or remove the current one, not both."
            )
        return cleaned_data

    def save(self, commit: bool = True) -> Workspace:
        logo = self.cleaned_data.get("logo")
        if logo:
            self.instance.set_logo(data=logo.data, content_type=logo.content_type)
        elif self.cleaned_data.get("remove_logo"):
            self.instance.remove_logo()
        return super().save(commit=commit)


def _role_choices_with_descriptions() -> list[tuple[str, str]]:
    return [
        (
            role.value,
            f"{role.label} — {ROLE_DESCRIPTIONS[role][0].lower()}{ROLE_DESCRIPTIONS[role][1:]}",
        )
        for role in Role
    ]


class InviteForm(forms.Form):
    # Django's EmailField takes up to 320 characters; the invitation's column holds 254.
    email = forms.EmailField(
        label="Email address", max_length=Invitation._meta.get_field("email").max_length
    )
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
