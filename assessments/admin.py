"""The question admin's respondent preview. The bank knows its questions; this app knows how a
respondent sees one, so it adds the preview to the bank's admin (bank imports nothing of it)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from assessments.questionnaire import question_state
from bank.admin import QuestionAdmin
from bank.models import Question


def _with_preview(fieldsets: list) -> list:
    """The bank's fieldsets with the preview link after the first set's fields."""
    (name, options), *rest = fieldsets
    return [(name, {**options, "fields": [*options["fields"], "preview_link"]}), *rest]


class QuestionWithPreviewAdmin(QuestionAdmin):
    readonly_fields = [*QuestionAdmin.readonly_fields, "preview_link"]
    fieldsets = _with_preview(QuestionAdmin.fieldsets)

    @admin.display(description="Respondent preview")
    def preview_link(self, question: Question) -> str:
        if question.pk is None:
            return "Save the question to preview it."
        url = reverse("admin:bank_question_preview", args=[question.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Open the preview</a> '
            "(how a respondent will see this question)",
            url,
        )

    def get_urls(self):
        return [
            path(
                "<int:question_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="bank_question_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, question_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return redirect("admin:index")
        question = get_object_or_404(
            Question.objects.prefetch_related("descriptors"), pk=question_id
        )
        return render(request, "bank/question_preview.html", {"state": question_state(question)})


admin.site.unregister(Question)
admin.site.register(Question, QuestionWithPreviewAdmin)
