"""The Django admin for methodology admins: edit drafts, compare versions, publish drafts,
exchange them as JSON.

Published versions open read-only everywhere (their rows also refuse saves at the model level);
to change one, "Clone to new draft", edit the draft, then "Publish…" on the draft's page, which
shows what the draft changes before asking for a changelog note. Editing a draft takes the
change permissions; publishing takes `bank.publish_bankversion`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods, require_safe

from bank.diff import diff_banks
from bank.exchange import BankFormatError, bank_data, export_bank, import_bank
from bank.models import (
    CHANGELOG_LENGTH,
    RUNG_LEVELS,
    BankVersion,
    Dimension,
    Handoff,
    LevelDescriptor,
    Question,
    RecommendationRung,
)
from bank.services import (
    PublicationError,
    clone_to_draft,
    publication_impact,
    publication_problems,
    publish,
)
from lib.forms import submitted

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# The bank's admin pages share one stylesheet (a file: the Content-Security-Policy allows no
# inline style).
BANK_ADMIN_CSS = {"all": ["css/bank_admin.css"]}
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


# Stacked, not tabular: a tabular inline's inputs have a column header but no label, which
# screen readers (and axe) cannot tie to them; a stacked one labels each field and its
# delete checkbox.
class DimensionInline(DraftOnlyAdminMixin, admin.StackedInline):
    model = Dimension
    extra = 0
    max_num = 4
    fields = [("key", "order", "weight"), "name", "description"]
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


class DiffForm(forms.Form):
    against = forms.ModelChoiceField(
        queryset=BankVersion.objects.none(), label="Compare with", empty_label=None
    )

    def __init__(self, *args, version: BankVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["against"].queryset = BankVersion.objects.exclude(pk=version.pk)


class PublishForm(forms.Form):
    changelog = forms.CharField(
        label="Changelog note",
        max_length=CHANGELOG_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="What changed, in a sentence or two: consultants read it on the methodology "
        "page.",
    )


@admin.register(BankVersion)
class BankVersionAdmin(DraftOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "label",
        "status",
        "published_at",
        "question_count",
        "created_at",
        "changes_link",
    ]
    list_filter = ["status"]
    search_fields = ["label", "notes"]
    readonly_fields = ["status", "published_at", "changelog", "based_on", "created_at", "readiness"]
    fields = [
        "label",
        "notes",
        "status",
        "published_at",
        "changelog",
        "based_on",
        "created_at",
        "readiness",
    ]
    inlines = [DimensionInline]
    actions = ["clone_to_new_draft", "export_json"]
    change_list_template = "admin/bank/bankversion/change_list.html"
    change_form_template = "admin/bank/bankversion/change_form.html"

    class Media:
        css = BANK_ADMIN_CSS

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, version: BankVersion) -> int:
        return version.question_count

    @admin.display(description="changes")
    def changes_link(self, version: BankVersion) -> str:
        url = reverse("admin:bank_bankversion_diff", args=[version.pk])
        return format_html('<a href="{}">Changes in {}</a>', url, version.label)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.publish_bankversion")

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
            path(
                "<int:version_id>/diff/",
                self.admin_site.admin_view(require_safe(self.diff_view)),
                name="bank_bankversion_diff",
            ),
            path(
                "<int:version_id>/publish/",
                self.admin_site.admin_view(
                    require_http_methods(["GET", "POST"])(self.publish_view)
                ),
                name="bank_bankversion_publish",
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_publish_permission": self.has_publish_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request: HttpRequest, version: BankVersion, title: str, **context) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "version": version,
            **context,
        }

    def diff_view(self, request: HttpRequest, version_id: int) -> HttpResponse:
        """What `version` changes against another: by default the one it was cloned from,
        else the published one before it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        version = get_object_or_404(BankVersion, pk=version_id)
        baseline = version.baseline()
        form = DiffForm(
            request.GET if "against" in request.GET else None,
            version=version,
            initial={"against": baseline},
        )
        against = form.cleaned_data["against"] if form.is_valid() else None
        if against is None and not form.is_bound:
            against = baseline
        diff = diff_banks(bank_data(against), bank_data(version)) if against else None
        title = f"Changes in {version.label}" + (f" since {against.label}" if against else "")
        context = self._page(request, version, title, form=form, against=against, diff=diff)
        return TemplateResponse(request, "admin/bank/bankversion/diff.html", context)

    def publish_view(self, request: HttpRequest, version_id: int) -> HttpResponse:
        """The confirmation: what publishing changes, what stops it, and the changelog note."""
        if not self.has_publish_permission(request):
            raise PermissionDenied
        version = get_object_or_404(BankVersion, pk=version_id)
        change_page = reverse("admin:bank_bankversion_change", args=[version.pk])
        if version.is_published:
            self.message_user(request, f"{version.label} is already published.", messages.WARNING)
            return redirect(change_page)
        form = PublishForm(**submitted(request))
        problems: list[str] = []
        if form.is_valid():
            try:
                publish(version=version, changelog=form.cleaned_data["changelog"])
            except PublicationError as error:
                problems = error.problems
            else:
                self.message_user(
                    request,
                    f"Published {version.label}: new assessments now use it.",
                    messages.SUCCESS,
                )
                return redirect(change_page)
        else:
            problems = publication_problems(version)
        title = f"Publish {version.label}"
        context = self._page(
            request,
            version,
            title,
            form=form,
            problems=problems,
            impact=publication_impact(version=version),
            current=BankVersion.objects.current(),
        )
        return TemplateResponse(request, "admin/bank/bankversion/publish.html", context)


class LevelDescriptorForm(forms.ModelForm):
    class Meta:
        model = LevelDescriptor
        fields = ["level", "text"]
        labels = {"text": "Descriptor"}
        widgets = {"text": forms.TextInput(attrs={"size": 100})}


class LevelDescriptorInline(DraftOnlyAdminMixin, admin.StackedInline):  # labelled fields
    model = LevelDescriptor
    form = LevelDescriptorForm
    extra = 5
    max_num = 5
    fields = [("level", "text")]

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
    # The order is edited in the question's form, not as a grid of inputs in the list.
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

    class Media:
        css = BANK_ADMIN_CSS

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
