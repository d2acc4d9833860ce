"""The facilitator's side of a workshop, under the workspace: starting one from an open
assessment, the projector screen, and its buttons (reveal, another round, consensus, next,
previous, remove someone, end). Consultants and owners only."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.models import Membership, Role
from assessments.access import get_assessment_for
from assessments.models import PlanItem
from assessments.plan import planned_keys
from lib.forms import submitted
from lib.http import HtmxHttpRequest
from workshops import screens, services
from workshops.access import get_participant_for, get_workshop_for
from workshops.forms import ConsensusForm, PollForm, WorkshopForm
from workshops.models import Workshop


def _facilitating(request: HttpRequest, workspace_slug: str, workshop_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    return membership, get_workshop_for(membership, workshop_id)


def _workshop_url(workshop: Workshop) -> str:
    slug = workshop.assessment.client.workspace.slug
    return reverse("workshops:workshop", args=[slug, workshop.pk])


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def workshop_create(request: HttpRequest, workspace_slug: str, assessment_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    assessment = get_assessment_for(membership, assessment_id)
    form = WorkshopForm(**submitted(request))
    if form.is_valid():
        try:
            workshop = services.create_workshop(
                assessment=assessment,
                scope=form.cleaned_data["scope"],
                dimension=form.cleaned_data["dimension"],
                created_by=request.user,
            )
        except services.WorkshopError as refused:
            form.add_error(None, str(refused))
        else:
            return redirect(_workshop_url(workshop))
    workshops = assessment.workshops.order_by("-created_at")
    context = {"assessment": assessment, "form": form, "workshops": workshops}
    return render(request, "workshops/workshop_create.html", context)


def _screen_context(request: HttpRequest, membership: Membership, workshop: Workshop) -> dict:
    question, levels = screens.current_question(workshop)
    participants = screens.participants_with_votes(workshop)
    present = [p for p in participants if not p.is_removed]
    join_url = request.build_absolute_uri(reverse("workshops:join", args=[workshop.code]))
    consensus = None
    if question is not None:
        consensus = workshop.consensus.filter(question_key=question.key).first()
    return {
        "membership": membership,
        "workshop": workshop,
        "assessment": workshop.assessment,
        "question": question,
        "levels": levels,
        "participants": participants,
        "present": present,
        "voted": sum(1 for p in present if p.votes_now),
        "tally": screens.current_tally(workshop, levels) if question else None,
        "consensus": consensus,
        "named": screens.named(workshop),
        "join_url": join_url,
        "short_join_url": join_url.split("://", 1)[-1],
        "qr_svg": screens.join_qr_svg(join_url) if workshop.status == Workshop.Status.LOBBY else "",
    }


@require_safe
@login_required
def workshop(request: HttpRequest, workspace_slug: str, workshop_id: int):
    """The projector: the join screen, then the question being discussed."""
    membership, found = _facilitating(request, workspace_slug, workshop_id)
    if found.is_ended:
        return redirect("workshops:summary", workspace_slug, found.pk)
    context = _screen_context(request, membership, found)
    if context["question"] is not None:
        initial = {"level": context["consensus"].level if context["consensus"] else None}
        if context["consensus"]:
            initial["note"] = context["consensus"].note
        context["consensus_form"] = ConsensusForm(initial=initial)
    return render(request, "workshops/workshop.html", context)


@require_safe
@login_required
@vary_on_headers("HX-Request")
def workshop_live(request: HtmxHttpRequest, workspace_slug: str, workshop_id: int):
    """The projector's live region, polled every 2 seconds with the version it holds: 204
    (nothing to swap) while the workshop is unchanged; a reload when the screen must change
    as a whole (another question, a reveal); else the region (a join, a vote)."""
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    held_version, held_stage = PollForm(request.GET).held()
    state = (
        Workshop.objects.for_workspace(membership.workspace)
        .filter(pk=workshop_id)
        .values_list("version", "status", "position", "round", "phase")
        .first()
    )
    if state is None:
        raise Http404("No such workshop.")
    version, *stage = state
    if version == held_version:
        return HttpResponse(status=204)
    screen = reverse("workshops:workshop", args=[workspace_slug, workshop_id])
    if not request.htmx:
        return redirect(screen)
    if ".".join(map(str, stage)) != held_stage:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    found = get_workshop_for(membership, workshop_id)
    context = _screen_context(request, membership, found)
    return render(request, "workshops/workshop.html#live", context)


def _button(action: Callable[[Workshop], None], done: str = ""):
    """A POST button of the projector: the action, then back to the projector, with the
    refusal's reason as a message when it was refused."""

    @require_POST
    @login_required
    def view(request: HttpRequest, workspace_slug: str, workshop_id: int):
        _, found = _facilitating(request, workspace_slug, workshop_id)
        try:
            action(found)
        except services.WorkshopError as refused:
            messages.error(request, str(refused))
        else:
            if done:
                messages.success(request, done)
        return redirect(_workshop_url(found))

    view.__doc__ = action.__doc__
    return view


workshop_start = _button(lambda w: services.start(workshop=w))
workshop_reveal = _button(lambda w: services.reveal(workshop=w))
workshop_reopen = _button(
    lambda w: services.reopen_votes(workshop=w), "Votes are open again: a new round."
)
workshop_next = _button(lambda w: services.move(workshop=w, step=1))
workshop_previous = _button(lambda w: services.move(workshop=w, step=-1))


@require_POST
@login_required
def workshop_end(request: HttpRequest, workspace_slug: str, workshop_id: int):
    _, found = _facilitating(request, workspace_slug, workshop_id)
    services.end(workshop=found)
    messages.success(
        request, "The workshop has ended: its code no longer works, and its answers are in."
    )
    return redirect("workshops:summary", workspace_slug, found.pk)


@require_POST
@login_required
def workshop_consensus(request: HttpRequest, workspace_slug: str, workshop_id: int):
    membership, found = _facilitating(request, workspace_slug, workshop_id)
    form = ConsensusForm(request.POST)
    if not form.is_valid():
        context = {**_screen_context(request, membership, found), "consensus_form": form}
        return render(request, "workshops/workshop.html", context, status=400)
    try:
        services.record_consensus(
            workshop=found,
            level=form.cleaned_data["level"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except services.WorkshopError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Consensus recorded: the scoring uses it for this question.")
    return redirect(_workshop_url(found))


@require_POST
@login_required
def participant_remove(
    request: HttpRequest, workspace_slug: str, workshop_id: int, participant_id: int
):
    _, found = _facilitating(request, workspace_slug, workshop_id)
    participant = get_participant_for(found, participant_id)
    try:
        services.remove_participant(participant=participant)
    except services.WorkshopError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{participant.name} is removed: their votes no longer count.")
    return redirect(_workshop_url(found))


@require_safe
@login_required
def summary(request: HttpRequest, workspace_slug: str, workshop_id: int):
    """What the workshop produced: the questions discussed, how the room moved between
    rounds, the consensus and decisions."""
    membership, found = _facilitating(request, workspace_slug, workshop_id)
    client = found.assessment.client
    context = {
        "membership": membership,
        "workshop": found,
        "assessment": found.assessment,
        "discussed": screens.summary(found),
        "participants": list(found.participants.all()),
        # Not through client.plan_items, which would read each item's client_id back.
        "planned": planned_keys(
            PlanItem.objects.filter(client_id=client.pk).only("status", "question_keys")
        ),
    }
    return render(request, "workshops/summary.html", context)


@require_POST
@login_required
def decision_to_plan(
    request: HttpRequest, workspace_slug: str, workshop_id: int, question_key: str
):
    """A decision of the summary into the client's plan, in one click."""
    _, found = _facilitating(request, workspace_slug, workshop_id)
    try:
        item, created = services.plan_decision(
            workshop=found, question_key=question_key, user=request.user
        )
    except services.WorkshopError as refused:
        messages.error(request, str(refused))
    else:
        if created:
            messages.success(
                request, f"“{item.title}” added to the plan, for {item.target_period}."
            )
        else:
            messages.info(request, f"“{item.title}” is already in the plan.")
    return redirect("workshops:summary", workspace_slug, found.pk)
