"""The Django admin for methodology admins: edit drafts, publish them, exchange them as JSON.

Published versions open read-only everywhere (their rows also refuse saves at the model level);
to change one, "Clone to new draft", edit the draft, then "Publish".
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from bank.exchange import BankFormatError, export_bank, import_bank
from bank.models import (
    RUNG_LEVELS,
    BankVersion,
    Dimension,
    Handoff,
    LevelDescriptor,
    Question,
    RecommendationRung,
)
from bank.services import PublicationError, clone_to_draft, publication_problems, publish
from lib.forms import submitted

MAX_IMPORT_BYTES = 2 * 1024 * 1024
HANDOFF_ABBREVIATIONS = {
    Handoff.GTM_TO_DEMAND: "GTM→Demand",
    Handoff.DEMAND_TO_LEAD: "Demand→Lead",
    Handoff.LEAD_TO_SALES: "Lead→Sales",
}


def _is_published(obj) -> bool:
    version = obj if isinstance(obj, BankVersion) else getattr(obj, "version", None)
    return bool(version and version.is_published)


class DraftOnlyAdminMixin:
    """Objects of a published version are shown read-only and cannot be deleted."""

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not _is_published(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not _is_published(obj)


class DimensionInline(DraftOnlyAdminMixin, admin.TabularInline):
    model = Dimension
    extra = 0
    max_num = 4
    fields = ["key", "name", "order", "weight", "description"]
    formfield_overrides = {
        Dimension._meta.get_field("description").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 50})
        }
    }


class BankImportForm(forms.Form):
    file = forms.FileField(
        label="Bank JSON file", help_text="Exported from Relay or written by hand."
    )
    label = forms.CharField(
        max_length=40, required=False, help_text="Leave empty to use the label in the file."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; a bank file is far smaller.")
        return upload


@admin.register(BankVersion)
class BankVersionAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["label", "status", "published_at", "question_count", "created_at"]
    list_filter = ["status"]
    search_fields = ["label", "notes"]
    readonly_fields = ["status", "published_at", "created_at", "readiness"]
    fields = ["label", "notes", "status", "published_at", "created_at", "readiness"]
    inlines = [DimensionInline]
    actions = ["clone_to_new_draft", "publish_versions", "export_json"]
    change_list_template = "admin/bank/bankversion/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, version: BankVersion) -> int:
        return version.question_count

    @admin.display(description="Ready to publish?")
    def readiness(self, version: BankVersion) -> str:
        if version.pk is None:
            return "Save the draft first."
        if version.is_published:
            return "Published: it can no longer change. Clone it to a new draft to edit."
        problems = publication_problems(version)
        if not problems:
            return "Yes: every check passes."
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    @admin.action(description="Clone to new draft")
    def clone_to_new_draft(self, request: HttpRequest, queryset) -> None:
        for version in queryset:
            draft = clone_to_draft(version=version)
            self.message_user(request, f"Cloned {version.label} to the draft {draft.label}.")

    @admin.action(description="Publish")
    def publish_versions(self, request: HttpRequest, queryset) -> None:
        for version in queryset:
            if version.is_published:
                self.message_user(
                    request, f"{version.label} is already published.", messages.WARNING
                )
                continue
            try:
                publish(version=version)
            except PublicationError as error:
                self.message_user(
                    request,
                    format_html(
                        "{} was not published:<ul>{}</ul>",
                        version.label,
                        format_html_join("", "<li>{}</li>", ((p,) for p in error.problems)),
                    ),
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    f"Published {version.label}: new assessments now use it.",
                    messages.SUCCESS,
                )

    @admin.action(description="Export as JSON")
    def export_json(self, request: HttpRequest, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version to export.", messages.WARNING)
            return None
        version = queryset.get()
        response = HttpResponse(
            export_bank(version), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="relay-bank-{version.label}.json"'
        return response

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="bank_bankversion_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = BankImportForm(**submitted(request))
        errors: list[str] = []
        if form.is_valid():
            try:
                version = import_bank(
                    form.cleaned_data["file"].read(), label=form.cleaned_data["label"]
                )
            except BankFormatError as error:
                errors = error.errors
            else:
                self.message_user(
                    request, f"Imported {version.label} as a draft.", messages.SUCCESS
                )
                return redirect("admin:bank_bankversion_change", version.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a question bank",
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/bank/bankversion/import.html", context)


class LevelDescriptorInline(DraftOnlyAdminMixin, admin.TabularInline):
    model = LevelDescriptor
    extra = 5
    max_num = 5
    fields = ["level", "text"]
    formfield_overrides = {
        LevelDescriptor._meta.get_field("text").__class__: {
            "widget": forms.TextInput(attrs={"size": 110})
        }
    }

    def get_extra(self, request, obj=None, **kwargs) -> int:
        written = obj.descriptors.count() if obj else 0
        return max(0, 5 - written)


class RecommendationRungInline(DraftOnlyAdminMixin, admin.StackedInline):
    """The recommendation ladder: the next step from each level a client can stand at."""

    model = RecommendationRung
    extra = 4
    max_num = len(RUNG_LEVELS)
    fields = ["from_level", ("impact", "effort"), "title", "next_steps"]
    verbose_name_plural = "Recommendation: the next step from each level"
    formfield_overrides = {
        RecommendationRung._meta.get_field("next_steps").__class__: {
            "widget": forms.Textarea(attrs={"rows": 3, "cols": 90})
        },
        RecommendationRung._meta.get_field("title").__class__: {
            "widget": forms.TextInput(attrs={"size": 90})
        },
    }

    def get_extra(self, request, obj=None, **kwargs) -> int:
        written = obj.rungs.count() if obj else 0
        return max(0, len(RUNG_LEVELS) - written)


class HandoffFilter(admin.SimpleListFilter):
    title = "handoff"
    parameter_name = "handoff"

    def lookups(self, request, model_admin):
        return Handoff.choices

    def queryset(self, request, queryset):
        if self.value() in Handoff.values:
            return queryset.filter(**{self.value(): True})
        return queryset


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "version",
            "key",
            "dimension",
            "order",
            "text",
            "help",
            "weight",
            "gtm_to_demand",
            "demand_to_lead",
            "lead_to_sales",
            "comment_prompt",
            "replaces",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2, "cols": 90}),
            "help": forms.Textarea(attrs={"rows": 3, "cols": 90}),
            "comment_prompt": forms.TextInput(attrs={"size": 110}),
            "replaces": forms.Textarea(attrs={"rows": 1, "cols": 90}),
        }

    def clean(self):
        cleaned = super().clean()
        key, dimension = cleaned.get("key"), cleaned.get("dimension")
        if key and dimension and not key.startswith(f"{dimension}."):
            self.add_error("key", f"The key must start with its dimension: “{dimension}.”.")
        return cleaned


class ChangelistOrderForm(forms.ModelForm):
    """The changelist's editable order column: disabled, and refused, on published rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.version.is_published:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        if self.instance.pk and self.instance.version.is_published:
            raise forms.ValidationError("This question belongs to a published version.")
        return super().clean()


@admin.register(Question)
class QuestionAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = [
        "key",
        "short_text",
        "dimension",
        "order",
        "weight",
        "handoff_tags",
        "version_label",
    ]
    list_display_links = ["key", "short_text"]
    list_editable = ["order"]
    list_filter = ["version", "dimension", HandoffFilter]
    list_select_related = ["version"]
    search_fields = ["key", "text", "help", "rungs__title"]
    ordering = ["version", "dimension", "order", "key"]
    inlines = [LevelDescriptorInline, RecommendationRungInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "version",
                    "key",
                    "dimension",
                    "order",
                    "text",
                    "help",
                    "comment_prompt",
                    "weight",
                ]
            },
        ),
        (
            "Handoffs this question bears on",
            {"fields": ["gtm_to_demand", "demand_to_lead", "lead_to_sales"]},
        ),
        (
            "Comparable with the version before",
            {
                "fields": ["replaces"],
                "description": "The keys of the previous version's questions this one takes "
                'over (a split or a rename), as a JSON list: ["people.handoff_practice"]. '
                "Leave [] when the key is unchanged.",
            },
        ),
    ]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ChangelistOrderForm, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            # New questions go into drafts only; published versions are closed.
            kwargs["queryset"] = BankVersion.objects.filter(status=BankVersion.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="question")
    def short_text(self, question: Question) -> str:
        return question.text if len(question.text) <= 90 else f"{question.text[:87]}…"

    @admin.display(description="handoffs")
    def handoff_tags(self, question: Question) -> str:
        return " ".join(HANDOFF_ABBREVIATIONS[h] for h in question.handoffs) or "—"

    @admin.display(description="version", ordering="version__label")
    def version_label(self, question: Question) -> str:
        return question.version.label
