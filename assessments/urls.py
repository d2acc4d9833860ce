from django.urls import include, path

from assessments.views import (
    assessments,
    clients,
    dashboard,
    evidence,
    plan,
    questionnaire,
    report,
    results,
)

app_name = "assessments"

W = "w/<slug:workspace_slug>/"
ASSESSMENT = W + "assessments/<int:assessment_id>/"
RESPONDENT = ASSESSMENT + "respondents/<int:respondent_id>/"
PLAN_ITEM = W + "clients/<int:client_id>/plan/<int:item_id>/"


def questionnaire_patterns(prefix: str) -> list:
    """The questionnaire's pages, the same for a respondent's link and a facilitated session."""
    return [
        path("", questionnaire.start, name=f"{prefix}start"),
        path("s/<slug:section>/", questionnaire.section, name=f"{prefix}section"),
        # A section's later pages, under the same name: reverse() picks by the arguments given.
        path("s/<slug:section>/<int:page>/", questionnaire.section, name=f"{prefix}section"),
        path("answer/", questionnaire.answer, name=f"{prefix}answer"),
        path("review/", questionnaire.review, name=f"{prefix}review"),
        path("submit/", questionnaire.submit, name=f"{prefix}submit"),
        path("done/", questionnaire.done, name=f"{prefix}done"),
        path("answers.csv", questionnaire.answers_csv, name=f"{prefix}answers_csv"),
    ]


urlpatterns = [
    path("methodology/", results.methodology, name="methodology"),
    path(W, dashboard.dashboard, name="workspace_home"),
    path(W + "clients/<int:client_id>/", clients.client_detail, name="client_detail"),
    path(W + "clients/<int:client_id>/compare/", clients.compare_assessments, name="compare"),
    path(
        W + "clients/<int:client_id>/assessments/new/",
        assessments.assessment_create,
        name="assessment_create",
    ),
    path(ASSESSMENT, assessments.assessment_detail, name="assessment_detail"),
    path(ASSESSMENT + "targets/", assessments.assessment_targets, name="assessment_targets"),
    path(
        ASSESSMENT + "visibility/", assessments.assessment_visibility, name="assessment_visibility"
    ),
    path(ASSESSMENT + "deadline/", assessments.assessment_deadline, name="assessment_deadline"),
    path(ASSESSMENT + "remind/", assessments.assessment_remind_all, name="assessment_remind_all"),
    path(ASSESSMENT + "open/", assessments.assessment_open, name="assessment_open"),
    path(ASSESSMENT + "close/", assessments.assessment_close, name="assessment_close"),
    path(
        ASSESSMENT + "next-quarter/",
        assessments.assessment_next_quarter,
        name="assessment_next_quarter",
    ),
    path(ASSESSMENT + "import/", assessments.answers_import, name="answers_import"),
    path(ASSESSMENT + "results/", results.results_page, name="results"),
    path(ASSESSMENT + "results.json", results.results_json, name="results_json"),
    path(ASSESSMENT + "results/<slug:dimension>/", results.results_detail, name="results_detail"),
    path(
        ASSESSMENT + "validated/<str:question_key>/",
        evidence.validated_level,
        name="validated_level",
    ),
    path(
        ASSESSMENT + "validated/<str:question_key>/clear/",
        evidence.clear_level,
        name="validated_level_clear",
    ),
    path(ASSESSMENT + "results.csv", results.results_csv_download, name="results_csv"),
    path(ASSESSMENT + "answers.csv", results.answers_csv_download, name="answers_csv"),
    path(ASSESSMENT + "results.xlsx", results.results_xlsx_download, name="results_xlsx"),
    path(ASSESSMENT + "report.pdf", report.report_pdf, name="report_pdf"),
    path(ASSESSMENT + "report.pptx", report.report_pptx, name="report_pptx"),
    path(ASSESSMENT + "report/", report.report_status, name="report_status"),
    path(ASSESSMENT + "report/retry/", report.report_retry, name="report_retry"),
    path(ASSESSMENT + "report/options/", report.report_options, name="report_options"),
    path(ASSESSMENT + "respondents/add/", assessments.respondent_add, name="respondent_add"),
    path(RESPONDENT + "link/", assessments.respondent_new_link, name="respondent_new_link"),
    path(RESPONDENT + "remind/", assessments.respondent_remind, name="respondent_remind"),
    path(RESPONDENT + "revoke/", assessments.respondent_revoke_link, name="respondent_revoke"),
    path(RESPONDENT + "reopen/", assessments.respondent_reopen, name="respondent_reopen"),
    path(RESPONDENT + "remove/", assessments.respondent_remove, name="respondent_remove"),
    path(RESPONDENT + "facilitate/", include(questionnaire_patterns("facilitate_"))),
    path("r/<str:token>/", include(questionnaire_patterns("respondent_"))),
    path(W + "clients/<int:client_id>/plan/", plan.client_plan, name="client_plan"),
    path(W + "clients/<int:client_id>/plan/new/", plan.plan_item_create, name="plan_item_create"),
    path(PLAN_ITEM + "edit/", plan.plan_item_edit, name="plan_item_edit"),
    path(PLAN_ITEM + "status/", plan.plan_item_status, name="plan_item_status"),
    path(PLAN_ITEM + "delete/", plan.plan_item_delete, name="plan_item_delete"),
    path(ASSESSMENT + "plan/add/", plan.plan_add_recommendation, name="plan_add_recommendation"),
]
