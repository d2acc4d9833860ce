"""Workspace-scoped lookups of workshops (another workspace's answer 404), and a
participant's phone: the token its session holds for the workshop."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import Membership, hash_token
from workshops.models import Participant, Workshop

SESSION_KEY = "workshop_tokens"  # workshop id -> the participant's token


def get_workshop_for(membership: Membership, workshop_id: int) -> Workshop:
    return get_object_or_404(
        Workshop.objects.for_workspace(membership.workspace).select_related(
            "assessment__client__workspace", "assessment__bank_version"
        ),
        pk=workshop_id,
    )


def get_participant_for(workshop: Workshop, participant_id: int) -> Participant:
    participant = get_object_or_404(workshop.participants, pk=participant_id)
    participant.workshop = workshop
    return participant


def remember_participant(request: HttpRequest, workshop: Workshop, token: str) -> None:
    tokens = dict(request.session.get(SESSION_KEY, {}))
    tokens[str(workshop.pk)] = token
    request.session[SESSION_KEY] = tokens
    request.session.cycle_key()  # a new session id once someone holds a token


def participant_of(request: HttpRequest, workshop: Workshop) -> Participant | None:
    """The participant this phone joined as, or None: the workshop's code lets anyone join,
    never act as someone who already has."""
    token = request.session.get(SESSION_KEY, {}).get(str(workshop.pk))
    if not token:
        return None
    participant = (
        Participant.objects.select_related("respondent")
        .filter(workshop=workshop, token_hash=hash_token(token))
        .first()
    )
    if participant is not None:
        participant.workshop = workshop
    return participant
