from django import forms

from accounts.models import Workspace
from accounts.vocabulary import CONSULTANCY_WORDS, Words
from clients.models import Client
from lib.forms import one_line, same_name

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

    def __init__(self, *args, words: Words = CONSULTANCY_WORDS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].label = f"Search {words.clients}"
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
