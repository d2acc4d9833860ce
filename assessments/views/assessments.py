"""Consultants' pages: an assessment, its respondents and their links, CSV import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import get_membership_for
from accounts.models import Membership, Role, hash_token
from assessments import reminders, services
from assessments.access import get_assessment_for, get_respondent_for
from assessments.csv_import import import_answers_csv
from assessments.emails import respondent_link, send_respondent_invitation
from assessments.forms import (
    AnswersImportForm,
    AssessmentForm,
    DeadlineForm,
    RespondentForm,
    TargetsForm,
    VisibilityForm,
)
from assessments.models import (
    TARGET_FIELDS,
    VISIBILITY_HELP,
    Answer,
    Assessment,
    LinkEmail,
    Respondent,
    RespondentStatus,
    refresh_standings,
    respondent_status,
)
from clients.access import get_client_for
from lib.csv import CsvImportError
from lib.forms import submitted

FRESH_LINKS_KEY = "fresh_links"
EMAILS_SHOWN = 30  # the latest link emails listed on the assessment page


def _member_and_assessment(request, workspace_slug, assessment_id, *, min_role=Role.VIEWER):
    membership = get_membership_for(request, workspace_slug, min_role=min_role)
    return membership, get_assessment_for(membership, assessment_id)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def assessment_create(request: HttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    client = get_client_for(membership, client_id)
    form = AssessmentForm(**submitted(request), client=client, today=timezone.localdate())
    if form.is_valid():
        try:
            assessment = services.create_assessment(
                client=client,
                period=form.cleaned_data["quarter"],
                targets=form.targets,
                created_by=request.user,
                visibility=form.cleaned_data["visibility"],
            )
        except services.AssessmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{assessment} created. Add the respondents, then open it.")
            return redirect(assessment)
    context = {"form": form, "client": client, "visibility_help": VISIBILITY_HELP.items()}
    return render(request, "assessments/assessment_form.html", context)


def _respondents(assessment: Assessment) -> list[Respondent]:
    """The respondents with where each stands (status, last activity, links and emails)."""
    respondents = list(assessment.respondents.with_tracking().order_by("name"))
    for respondent in respondents:
        respondent.status = respondent_status(respondent, respondent.answer_count)
    return respondents


def _emails_sent(assessment: Assessment) -> list[LinkEmail]:
    return list(
        LinkEmail.objects.filter(respondent__assessment=assessment)
        .select_related("respondent", "sent_by")
        .order_by("-sent_at", "-pk")[:EMAILS_SHOWN]
    )


def _mark_submissions_seen(membership: Membership, assessment: Assessment) -> None:
    """A consultant looking at the assessment has seen its submissions: the dashboard's mark of
    new ones clears."""
    if membership.can_change:
        now = timezone.now()
        Assessment.objects.filter(pk=assessment.pk).update(submissions_seen_at=now)
        refresh_standings([assessment.client_id])
        assessment.submissions_seen_at = now


def render_assessment(
    request: HttpRequest,
    membership: Membership,
    assessment: Assessment,
    *,
    respondent_form: RespondentForm | None = None,
    targets_form: TargetsForm | None = None,
    visibility_form: VisibilityForm | None = None,
    deadline_form: DeadlineForm | None = None,
) -> HttpResponse:
    fresh_links = request.session.pop(f"{FRESH_LINKS_KEY}:{assessment.pk}", {})
    respondents = _respondents(assessment)
    answered = any(r.answer_count for r in respondents)
    context = {
        "assessment": assessment,
        "respondents": respondents,
        "question_count": assessment.bank_version.questions.count(),
        "submitted_count": sum(r.is_submitted for r in respondents),
        "fresh_links": [
            (r, fresh_links[key]) for r in respondents if (key := str(r.pk)) in fresh_links
        ],
        "next_quarter_exists": _has_assessment(assessment.client, assessment.period.next()),
        "respondent_form": respondent_form or RespondentForm(assessment=assessment),
        "targets_form": targets_form or TargetsForm(initial=_target_initial(assessment)),
        "visibility_form": visibility_form
        or VisibilityForm(assessment=assessment, answered=answered),
        "visibility_help": VISIBILITY_HELP[assessment.answer_visibility],
        "visibility_changes": list(assessment.visibility_changes.select_related("changed_by")),
        "deadline_form": deadline_form
        or DeadlineForm(initial={"deadline": assessment.deadline}, today=timezone.localdate()),
        "emails_sent": _emails_sent(assessment),
        "waiting_count": sum(
            r.status != RespondentStatus.SUBMITTED and bool(r.email) for r in respondents
        ),
        "can_change": membership.can_change,
        "now": timezone.now(),
    }
    return render(request, "assessments/assessment_detail.html", context)


def _has_assessment(client, period) -> bool:
    return client.assessments.filter(year=period.year, quarter=period.number).exists()


def _target_initial(assessment: Assessment) -> dict:
    return {field: getattr(assessment, field) for field in TARGET_FIELDS.values()}


@require_safe
@login_required
def assessment_detail(request: HttpRequest, workspace_slug: str, assessment_id: int):
    membership, assessment = _member_and_assessment(request, workspace_slug, assessment_id)
    _mark_submissions_seen(membership, assessment)
    return render_assessment(request, membership, assessment)


@require_POST
@login_required
def assessment_deadline(request: HttpRequest, workspace_slug: str, assessment_id: int):
    membership, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    form = DeadlineForm(request.POST, today=timezone.localdate())
    if assessment.status == Assessment.Status.CLOSED:
        messages.error(request, "This assessment is closed; its deadline stays as it was.")
        return redirect(assessment)
    if not form.is_valid():
        return render_assessment(request, membership, assessment, deadline_form=form)
    deadline = form.cleaned_data["deadline"]
    services.set_deadline(assessment=assessment, deadline=deadline)
    if deadline:
        messages.success(request, f"Respondents are asked to answer by {deadline:%-d %B %Y}.")
    else:
        messages.success(request, "The deadline is removed; no scheduled reminders go out.")
    return redirect(assessment)


@require_POST
@login_required
def assessment_remind_all(request: HttpRequest, workspace_slug: str, assessment_id: int):
    _, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    outcome = reminders.remind_everyone(assessment, sent_by=request.user, request=request)
    if outcome.sent:
        count = len(outcome.sent)
        messages.success(request, f"Reminder emailed to {count} respondent{'s' * (count > 1)}.")
    for _, reason in outcome.refused:
        messages.info(request, reason)
    if not outcome.sent and not outcome.refused:
        messages.info(request, "Everyone has submitted: there is no one to remind.")
    return redirect(assessment)


@require_POST
@login_required
def assessment_visibility(request: HttpRequest, workspace_slug: str, assessment_id: int):
    membership, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    answered = Answer.objects.filter(respondent__assessment=assessment).exists()
    form = VisibilityForm(request.POST, assessment=assessment, answered=answered)
    if assessment.status == Assessment.Status.CLOSED:
        messages.error(request, "This assessment is closed; who sees its answers stays as it is.")
        return redirect(assessment)
    if not form.is_valid():
        return render_assessment(request, membership, assessment, visibility_form=form)
    try:
        services.change_visibility(
            assessment=assessment,
            visibility=form.cleaned_data["visibility"],
            changed_by=request.user,
        )
    except services.AssessmentError as error:  # an answer came in meanwhile
        form.add_error("visibility", str(error))
        return render_assessment(request, membership, assessment, visibility_form=form)
    messages.success(
        request, f"Answers are now {assessment.get_answer_visibility_display().lower()}."
    )
    return redirect(assessment)


@require_POST
@login_required
def assessment_targets(request: HttpRequest, workspace_slug: str, assessment_id: int):
    membership, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    form = TargetsForm(request.POST)
    if assessment.status == Assessment.Status.CLOSED:
        messages.error(request, "This assessment is closed; reopen it to change its targets.")
    elif not form.is_valid():
        return render_assessment(request, membership, assessment, targets_form=form)
    else:
        for key, level in form.targets.items():
            setattr(assessment, TARGET_FIELDS[key], level)
        assessment.save(update_fields=[*TARGET_FIELDS.values(), "updated_at"])
        messages.success(request, "Targets saved.")
    return redirect(assessment)


def _remember_links(request: HttpRequest, assessment: Assessment, issued) -> None:
    """Keep the new links until the assessment page shows them once (tokens are not stored)."""
    key = f"{FRESH_LINKS_KEY}:{assessment.pk}"
    links = request.session.get(key, {})
    links.update({str(r.pk): respondent_link(request, token) for r, token in issued})
    request.session[key] = links


def _email_links(request: HttpRequest, issued) -> int:
    sent = 0
    for respondent, token in issued:
        if respondent.email:
            link = respondent.links.get(token_hash=hash_token(token))
            send_respondent_invitation(request, respondent=respondent, token=token, link=link)
            LinkEmail.objects.create(
                respondent=respondent,
                link=link,
                kind=LinkEmail.Kind.INVITATION,
                sent_by=request.user,
            )
            sent += 1
    return sent


def _issue_and_send(request: HttpRequest, assessment: Assessment, issued) -> None:
    _remember_links(request, assessment, issued)
    try:
        sent = _email_links(request, issued)
    except OSError:
        messages.warning(request, "The emails could not be sent; share the links below instead.")
        return
    if sent:
        messages.success(
            request, f"Questionnaire link emailed to {sent} respondent{'s' * (sent > 1)}."
        )


@require_POST
@login_required
def assessment_open(request: HttpRequest, workspace_slug: str, assessment_id: int):
    _, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    issued = services.open_assessment(assessment=assessment)
    messages.success(request, f"{assessment} is open: respondents can answer.")
    _issue_and_send(request, assessment, issued)
    return redirect(assessment)


@require_POST
@login_required
def assessment_close(request: HttpRequest, workspace_slug: str, assessment_id: int):
    _, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    if assessment.status == Assessment.Status.OPEN:
        assessment.close()
        messages.success(request, f"{assessment} is closed: its answers can no longer change.")
    return redirect(assessment)


@require_POST
@login_required
def assessment_next_quarter(request: HttpRequest, workspace_slug: str, assessment_id: int):
    _, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    try:
        following = services.start_next_quarter(assessment=assessment, created_by=request.user)
    except services.AssessmentError as error:
        messages.error(request, str(error))
        return redirect(assessment)
    messages.success(
        request,
        f"{following} created with the same respondents and targets. Open it to send links.",
    )
    return redirect(following)


@require_POST
@login_required
def respondent_add(request: HttpRequest, workspace_slug: str, assessment_id: int):
    membership, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    form = RespondentForm(request.POST, assessment=assessment)
    if assessment.status == Assessment.Status.CLOSED:
        messages.error(request, "This assessment is closed; reopen it to add respondents.")
        return redirect(assessment)
    if not form.is_valid():
        return render_assessment(request, membership, assessment, respondent_form=form)
    try:
        with transaction.atomic():  # a savepoint: the page is shown again after a refusal
            respondent = form.save()
            refresh_standings([assessment.client_id])  # the dashboard counts respondents
    except IntegrityError:  # the same name added from another tab a moment ago
        form.add_error("name", "This name was just added to the assessment.")
        return render_assessment(request, membership, assessment, respondent_form=form)
    messages.success(request, f"{respondent.name} added.")
    if assessment.accepts_answers:
        _issue_and_send(request, assessment, [(respondent, respondent.issue_link())])
    return redirect(assessment)


def _respondent_action(request, workspace_slug, assessment_id, respondent_id):
    _, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    return assessment, get_respondent_for(assessment, respondent_id)


@require_POST
@login_required
def respondent_new_link(request, workspace_slug: str, assessment_id: int, respondent_id: int):
    assessment, respondent = _respondent_action(
        request, workspace_slug, assessment_id, respondent_id
    )
    if not assessment.accepts_answers:
        messages.error(request, "Links are issued once the assessment is open.")
        return redirect(assessment)
    _issue_and_send(request, assessment, [(respondent, respondent.replace_links())])
    messages.success(request, f"{respondent.name} has a new link; the old ones no longer work.")
    return redirect(assessment)


@require_POST
@login_required
def respondent_remind(request, workspace_slug: str, assessment_id: int, respondent_id: int):
    assessment, respondent = _respondent_action(
        request, workspace_slug, assessment_id, respondent_id
    )
    try:
        reminders.remind(respondent, sent_by=request.user, request=request)
    except reminders.ReminderRefused as refused:
        messages.error(request, str(refused))
    except OSError:
        messages.error(request, "The reminder could not be sent; try again in a moment.")
    else:
        messages.success(
            request,
            f"Reminder emailed to {respondent.name}; their earlier links still work.",
        )
    return redirect(assessment)


@require_POST
@login_required
def respondent_revoke_link(request, workspace_slug: str, assessment_id: int, respondent_id: int):
    assessment, respondent = _respondent_action(
        request, workspace_slug, assessment_id, respondent_id
    )
    respondent.revoke_links()
    messages.success(request, f"{respondent.name}’s links no longer work.")
    return redirect(assessment)


@require_POST
@login_required
def respondent_reopen(request, workspace_slug: str, assessment_id: int, respondent_id: int):
    assessment, respondent = _respondent_action(
        request, workspace_slug, assessment_id, respondent_id
    )
    if assessment.status == Assessment.Status.CLOSED:
        messages.error(request, "This assessment is closed; reopen the assessment first.")
    elif respondent.is_submitted:
        services.reopen_respondent(respondent=respondent)
        messages.success(request, f"{respondent.name} can change their answers again.")
    return redirect(assessment)


@require_POST
@login_required
def respondent_remove(request, workspace_slug: str, assessment_id: int, respondent_id: int):
    assessment, respondent = _respondent_action(
        request, workspace_slug, assessment_id, respondent_id
    )
    if assessment.status == Assessment.Status.CLOSED:
        messages.error(request, "This assessment is closed; its respondents stay as they are.")
    else:
        services.remove_respondent(respondent=respondent)
        messages.success(request, f"{respondent.name} and their answers were removed.")
    return redirect(assessment)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def answers_import(request: HttpRequest, workspace_slug: str, assessment_id: int):
    _, assessment = _member_and_assessment(
        request, workspace_slug, assessment_id, min_role=Role.CONSULTANT
    )
    form = AnswersImportForm(**submitted(request))
    errors: list[str] = []
    if form.is_valid():
        try:
            summary = import_answers_csv(
                assessment=assessment, data=form.cleaned_data["file"].read()
            )
        except CsvImportError as error:
            errors = error.errors
        else:
            messages.success(
                request,
                f"Imported {summary.answers} answers from {summary.respondents} respondents "
                f"({summary.new_respondents} new); they are marked submitted.",
            )
            for name, answered, total in summary.incomplete:
                messages.info(request, f"{name} answered {answered} of {total} questions.")
            return redirect(assessment)
    context = {"assessment": assessment, "form": form, "errors": errors}
    return render(request, "assessments/answers_import.html", context)
