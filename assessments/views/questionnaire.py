"""The questionnaire, reached two ways with the same pages:

- by a respondent's personal link (`/r/<token>/...`), without an account;
- in a facilitated session (`/w/<workspace>/assessments/<id>/respondents/<id>/facilitate/...`),
  where a consultant answers on the respondent's behalf and each answer records who entered it.

The link opens on a welcome page (who asks, why, how long); the questions follow a few to a
page, section by section. Every answer is saved the moment it is chosen (htmx posts to
`answer/`); without JavaScript each page's form posts to the page's own URL and saves that page.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.models import Role, User, hash_token
from assessments import services
from assessments.access import get_assessment_for, get_respondent_for
from assessments.forms import AnswersForm, AnswerTargetForm
from assessments.models import AnswerSource, Assessment, Respondent, RespondentLink
from assessments.questionnaire import (
    Questionnaire,
    QuestionnaireLinks,
    dom_id,
    load_progress,
    load_questionnaire,
    own_answers_csv,
    page_of_question,
)
from assessments.reading_time import estimate_time
from bank.structure import structure_of
from lib.http import HtmxHttpRequest, content_disposition
from lib.transactions import READ_METHODS


class Unavailable(Exception):
    """The questionnaire cannot be shown; `response` is the friendly page to show instead."""

    def __init__(self, response: HttpResponse):
        self.response = response


@dataclass(frozen=True)
class Access:
    respondent: Respondent
    links: QuestionnaireLinks
    source: AnswerSource
    entered_by: User | None
    locked: bool = False  # read under a row lock in this request's transaction

    @property
    def facilitated(self) -> bool:
        return self.source == AnswerSource.FACILITATED


def _link_problem(request: HttpRequest, problem: str, respondent=None, status=404):
    context = {"problem": problem, "respondent": respondent}
    return render(request, "assessments/questionnaire/unavailable.html", context, status=status)


def _by_token(request: HttpRequest, token: str) -> Access:
    links = RespondentLink.objects.select_related(
        "respondent__assessment__client__workspace", "respondent__assessment__bank_version"
    ).defer("respondent__assessment__client__workspace__logo")  # up to 512 KB, shown by URL
    locked = request.method not in READ_METHODS
    if locked:
        # A save or a submit runs in the request's transaction (lib.transactions): lock the
        # respondent and its assessment here rather than read them again to lock them.
        links = links.select_for_update(of=("respondent", "respondent__assessment"))
    link = links.filter(token_hash=hash_token(token)).first()
    if link is None or link.revoked_at is not None:
        raise Unavailable(_link_problem(request, "unknown"))
    if not link.works:
        # Named like an unknown link, without the client: an old link may have been forwarded.
        raise Unavailable(_link_problem(request, "expired", status=410))
    if request.method == "GET":  # a visit; a refused post, or a link checker's HEAD, is not
        services.note_visit(link.respondent)
    links = QuestionnaireLinks("respondent_", {"token": token})
    return Access(link.respondent, links, AnswerSource.RESPONDENT, None, locked=locked)


def _by_facilitator(request: HttpRequest, workspace_slug, assessment_id, respondent_id) -> Access:
    if not request.user.is_authenticated:
        raise Unavailable(redirect_to_login(request.get_full_path()))
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    respondent = get_respondent_for(get_assessment_for(membership, assessment_id), respondent_id)
    links = QuestionnaireLinks(
        "facilitate_",
        {
            "workspace_slug": workspace_slug,
            "assessment_id": assessment_id,
            "respondent_id": respondent_id,
        },
    )
    return Access(respondent, links, AnswerSource.FACILITATED, request.user)


def _access(request: HttpRequest, kwargs: dict) -> Access:
    if "token" in kwargs:
        access = _by_token(request, kwargs["token"])
    else:
        access = _by_facilitator(
            request, kwargs["workspace_slug"], kwargs["assessment_id"], kwargs["respondent_id"]
        )
    if access.respondent.assessment.status == Assessment.Status.DRAFT:
        raise Unavailable(_link_problem(request, "not_open", access.respondent, status=403))
    return access


def _can_answer(access: Access) -> bool:
    return access.respondent.assessment.accepts_answers and not access.respondent.is_submitted


def questionnaire_view(methods: list[str]):
    """Resolve the access (token or facilitator) and turn refusals into friendly pages.

    A page that answers GET answers HEAD too, as Django's require_safe does: uptime monitors
    and link checkers ask with HEAD."""
    allowed = [*methods, "HEAD"] if "GET" in methods else methods

    def decorate(view):
        @require_http_methods(allowed)
        def wrapper(request, **kwargs):
            try:
                access = _access(request, kwargs)
            except Unavailable as unavailable:
                return unavailable.response
            if "section" in kwargs:
                return view(request, access, kwargs["section"], kwargs.get("page"))
            return view(request, access)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


def _resume_url(links: QuestionnaireLinks, questionnaire: Questionnaire) -> str:
    """The page holding the first unanswered question; the review once all are answered."""
    incomplete = questionnaire.first_incomplete()
    if incomplete is None:
        return links.review
    return links.section(incomplete.key, incomplete.resume_page)


@questionnaire_view(["GET"])
def start(request: HttpRequest, access: Access) -> HttpResponse:
    """The link's welcome: who is asking and why, how long it takes, then on to where the
    respondent left off. A consultant facilitating a session goes straight on."""
    if not _can_answer(access):
        return redirect(access.links.done)
    questionnaire = load_questionnaire(access.respondent)
    resume_url = _resume_url(access.links, questionnaire)
    if access.facilitated:
        return redirect(resume_url)
    assessment = access.respondent.assessment
    context = {
        "access": access,
        "assessment": assessment,
        "workspace": assessment.client.workspace,
        "questionnaire": questionnaire,
        "time_estimate": estimate_time(questionnaire.states),
        "resume_url": resume_url,
    }
    return render(request, "assessments/questionnaire/welcome.html", context)


def _render_section(request, access, questionnaire, section, page, status=200) -> HttpResponse:
    following = questionnaire.following(section)
    context = {
        "access": access,
        "links": access.links,
        "questionnaire": questionnaire,
        "section": section,
        "section_number": questionnaire.sections.index(section) + 1,
        "page": page,
        "questions": section.page(page),
        "next_page": page + 1 if page < section.page_count else None,
        "next_section": following,
    }
    return render(request, "assessments/questionnaire/section.html", context, status=status)


def _after(links: QuestionnaireLinks, questionnaire: Questionnaire, section, page: int) -> str:
    """Where a page's "Save and continue" leads: its next page, the next section, the review."""
    if page < section.page_count:
        return links.section(section.key, page + 1)
    following = questionnaire.following(section)
    return links.section(following.key) if following else links.review


@questionnaire_view(["GET", "POST"])
def section(
    request: HttpRequest, access: Access, section_key: str, page: int | None
) -> HttpResponse:
    """One page of a dimension's questions (`page` is None on the first, the section's own
    URL); a POST saves that page (the page without JavaScript) and goes on to the next."""
    if not _can_answer(access):
        return redirect(access.links.done)
    questionnaire = load_questionnaire(access.respondent)
    current = questionnaire.section(section_key)
    if current is None:
        return redirect(access.links.start)
    if page == 1 or (page is not None and not 1 <= page <= current.page_count):
        # Page 1 under a second URL ("s/people/1/"), or a page the section does not have.
        return redirect(access.links.section(current.key))
    page = page or 1
    if request.method in ("GET", "HEAD"):
        return _render_section(request, access, questionnaire, current, page)

    questions = [state.question for state in current.page(page)]
    form = AnswersForm(request.POST, questions=questions)
    if not form.is_valid():
        messages.error(request, "Some answers could not be read; please choose them again.")
        return _render_section(request, access, questionnaire, current, page, status=400)
    try:
        _save(access, form)
    except services.AnswersRefused as refused:
        messages.error(request, str(refused))
        return redirect(access.links.done)
    _warn_about_comments_without_choice(request, form)
    return redirect(_after(access.links, questionnaire, current, page))


def _save(access: Access, form: AnswersForm) -> None:
    services.save_answers(
        respondent=access.respondent,
        answers=form.answers(),
        source=access.source,
        entered_by=access.entered_by,
        locked=access.locked,
    )


def _warn_about_comments_without_choice(request: HttpRequest, form: AnswersForm) -> None:
    for question in form.comments_without_choice():
        messages.warning(
            request, f"“{question.text}” has a comment but no answer: choose one to save both."
        )


def _status_reply(message: str, status: int) -> HttpResponse:
    # Plain text: the page's script shows it in the question's status line.
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@questionnaire_view(["POST"])
@vary_on_headers("HX-Request")
def answer(request: HtmxHttpRequest, access: Access) -> HttpResponse:
    """Save one question's answer the moment it is chosen (htmx)."""
    # The version's questions are kept in memory (bank.structure): the form refuses a key
    # that is not one of them.
    structure = structure_of(access.respondent.assessment.bank_version)
    target = AnswerTargetForm(request.POST, questions_by_key=structure.by_key)
    if not target.is_valid():
        return _status_reply("This question is not part of this questionnaire.", 400)
    question = target.cleaned_data["question"]
    form = AnswersForm(request.POST, questions=[question])
    if not form.is_valid():
        return _status_reply("This answer could not be read; please choose it again.", 400)
    if form.comments_without_choice():
        return _status_reply("Choose an answer to save your comment.", 200)
    try:
        _save(access, form)
    except services.AnswersRefused as refused:
        return _status_reply(str(refused), 409)
    if not request.htmx:
        page = access.links.section(question.dimension, page_of_question(question))
        return redirect(f"{page}#q-{dom_id(question.key)}")
    context = {
        "questionnaire": load_progress(access.respondent),
        "section": {"key": question.dimension},  # which section the progress marks current
        "links": access.links,
        "saved_at": timezone.localtime(),
    }
    return render(request, "assessments/questionnaire/section.html#saved", context)


def _render_review(request, access, status=200) -> HttpResponse:
    questionnaire = load_questionnaire(access.respondent)
    context = {
        "access": access,
        "links": access.links,
        "questionnaire": questionnaire,
        "resume_url": _resume_url(access.links, questionnaire)
        if questionnaire.first_incomplete()
        else access.links.section(questionnaire.sections[0].key),
    }
    return render(request, "assessments/questionnaire/review.html", context, status=status)


@questionnaire_view(["GET"])
def review(request: HttpRequest, access: Access) -> HttpResponse:
    """Where the respondent stands, what is missing, and the submit button."""
    if not _can_answer(access):
        return redirect(access.links.done)
    return _render_review(request, access)


@questionnaire_view(["POST"])
def submit(request: HttpRequest, access: Access) -> HttpResponse:
    try:
        missing = services.submit(respondent=access.respondent)
    except services.AnswersRefused as refused:
        messages.error(request, str(refused))
        return redirect(access.links.done)
    if missing:
        messages.error(
            request,
            f"{len(missing)} question{'s are' if len(missing) > 1 else ' is'} still unanswered; "
            "“Not applicable” and “Don’t know” count as answers.",
        )
        return _render_review(request, access, status=400)
    return redirect(access.links.done)


@questionnaire_view(["GET"])
def done(request: HttpRequest, access: Access) -> HttpResponse:
    """The thank-you page, with a read-only copy of the answers."""
    if _can_answer(access):
        return redirect(access.links.start)
    context = {
        "access": access,
        "links": access.links,
        "questionnaire": load_questionnaire(access.respondent),
    }
    return render(request, "assessments/questionnaire/done.html", context)


@questionnaire_view(["GET"])
def answers_csv(request: HttpRequest, access: Access) -> HttpResponse:
    """The respondent's own answers as a spreadsheet, in words: theirs to keep."""
    respondent = access.respondent
    assessment = respondent.assessment
    content = own_answers_csv(load_questionnaire(respondent))
    filename = f"{assessment.client.name}-{assessment.period}-answers-{respondent.name}.csv"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename, attachment=True)
    return response
