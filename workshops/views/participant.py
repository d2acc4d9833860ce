"""A participant's phone, at /j/<code>/, without an account: join with a name and role, then
vote on whatever question the facilitator has on the projector. The code lets anyone in the
room join; the token their session then holds is what lets them vote as themselves."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from assessments.models import Choice
from lib import throttle
from lib.client_ip import client_ip
from lib.forms import submitted
from lib.http import HtmxHttpRequest
from workshops import screens, services
from workshops.access import participant_of, remember_participant
from workshops.forms import JoinForm, PollForm, VoteForm
from workshops.models import Participant, Workshop, normalize_code

JOINS_FROM = "workshop-joins-from"


class Refused(Exception):
    """The phone cannot go on; `response` is the page that says why."""

    def __init__(self, response: HttpResponse):
        self.response = response


def _problem(request: HttpRequest, problem: str, status: int, workshop=None) -> HttpResponse:
    context = {"problem": problem, "workshop": workshop}
    return render(request, "workshops/phone_problem.html", context, status=status)


def _workshop_by_code(request: HttpRequest, code: str) -> Workshop:
    """The workshop of a code as typed; an unknown code counts against the address's joins,
    so nobody can try codes until one works."""
    workshop = (
        Workshop.objects.select_related("assessment__client", "assessment__bank_version")
        .filter(code=normalize_code(code)[:12])
        .first()
    )
    if workshop is None:
        if not _allow_a_join(request):
            raise Refused(_problem(request, "throttled", 429))
        raise Refused(_problem(request, "unknown", 404))
    if workshop.is_ended:
        raise Refused(_problem(request, "ended", 410))
    return workshop


def _allow_a_join(request: HttpRequest) -> bool:
    limit = settings.WORKSHOP_JOINS_PER_ADDRESS
    return throttle.allow(JOINS_FROM, client_ip(request), limit=limit)


def _participant(request: HttpRequest, workshop: Workshop) -> Participant:
    participant = participant_of(request, workshop)
    if participant is None:
        raise Refused(redirect("workshops:join", workshop.code))
    if participant.is_removed:
        raise Refused(_problem(request, "removed", 403, workshop))
    return participant


def phone_view(methods: list[str]):
    """Resolve the code (and the participant, for all but joining) and turn refusals into
    their pages."""

    def decorate(view):
        @require_http_methods(methods)
        def wrapped(request: HttpRequest, code: str):
            try:
                return view(request, _workshop_by_code(request, code))
            except Refused as refused:
                return refused.response

        wrapped.__doc__ = view.__doc__
        wrapped.__name__ = view.__name__
        return wrapped

    return decorate


@phone_view(["GET", "HEAD", "POST"])
def join(request: HttpRequest, workshop: Workshop):
    """Name and role; a phone that already joined goes straight to the question."""
    existing = participant_of(request, workshop)
    if existing is not None and request.method != "POST":
        return redirect("workshops:phone", workshop.code)
    form = JoinForm(**submitted(request))
    if request.method == "POST":
        if not _allow_a_join(request):
            return _problem(request, "throttled", 429, workshop)
        if form.is_valid():
            try:
                _, token = services.join(
                    workshop=workshop,
                    name=form.cleaned_data["name"],
                    role=form.cleaned_data["role"],
                    email=form.cleaned_data["email"],
                )
            except services.WorkshopError as refused:
                form.add_error("name", str(refused))
            else:
                remember_participant(request, workshop, token)
                return redirect("workshops:phone", workshop.code)
    context = {"workshop": workshop, "form": form, "assessment": workshop.assessment}
    return render(request, "workshops/join.html", context, status=400 if form.errors else 200)


def _phone_context(workshop: Workshop, participant: Participant) -> dict:
    question, levels = screens.current_question(workshop)
    vote = None
    if question is not None:
        vote = (
            participant.votes.filter(question_key=question.key, round=workshop.round)
            .values_list("choice", flat=True)
            .first()
        )
    return {
        "workshop": workshop,
        "assessment": workshop.assessment,
        "participant": participant,
        "question": question,
        "levels": levels,
        "vote": vote,
        "vote_label": Choice(vote).label if vote else "",
        "position": workshop.position + 1,
    }


@phone_view(["GET", "HEAD"])
@vary_on_headers("HX-Request")
def phone(request: HtmxHttpRequest, workshop: Workshop):
    """The question on the projector, to vote on; a phone that reloads comes back here."""
    participant = _participant(request, workshop)
    template = "workshops/phone.html#phone" if request.htmx else "workshops/phone.html"
    return render(request, template, _phone_context(workshop, participant))


@require_safe
def phone_live(request: HtmxHttpRequest, code: str):
    """Polled every 2 seconds with the stage the phone shows: 204 in one query while it is
    the same (votes of others change nothing on a phone), else the phone's card."""
    _, held_stage = PollForm(request.GET).held()
    state = (
        Workshop.objects.filter(code=normalize_code(code)[:12])
        .values_list("status", "position", "round", "phase")
        .first()
    )
    if state is not None and ".".join(map(str, state)) == held_stage:
        return HttpResponse(status=204)
    try:
        workshop = _workshop_by_code(request, code)
        participant = _participant(request, workshop)
    except Refused as refused:
        if request.htmx:  # the page as a whole says it: the workshop ended, or they were removed
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return refused.response
    if not request.htmx:
        return redirect("workshops:phone", workshop.code)
    return render(request, "workshops/phone.html#phone", _phone_context(workshop, participant))


@phone_view(["POST"])
@vary_on_headers("HX-Request")
def vote(request: HtmxHttpRequest, workshop: Workshop):
    """A vote, an htmx post from the phone's card (or the card's form without JavaScript)."""
    participant = _participant(request, workshop)
    form = VoteForm(request.POST)
    problem, status = "", 200
    if not form.is_valid():
        problem, status = form.errors["choice"][0], 400
    else:
        try:
            services.vote(participant=participant, choice=form.cleaned_data["choice"])
        except services.WorkshopError as refused:
            problem, status = str(refused), 409
        workshop.refresh_from_db()
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        return redirect("workshops:phone", workshop.code)
    context = {**_phone_context(workshop, participant), "problem": problem}
    return render(request, "workshops/phone.html#phone", context, status=status)
