"""Workspace-scoped lookups: an object of another workspace is simply not found (404).
A client is looked up by clients.access.get_client_for."""

from django.shortcuts import get_object_or_404

from accounts.models import Membership
from assessments.models import Assessment, Respondent


def get_assessment_for(membership: Membership, assessment_id: int) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.for_workspace(membership.workspace).select_related(
            "client", "bank_version"
        ),
        pk=assessment_id,
    )
    # The workspace is the membership's, already read (its logo deferred): joining it again
    # cost a quarter of this lookup, which every assessment page runs.
    assessment.client.workspace = membership.workspace
    return assessment


def get_respondent_for(assessment: Assessment, respondent_id: int) -> Respondent:
    """A respondent of an assessment already reached through the workspace."""
    respondent = get_object_or_404(assessment.respondents, pk=respondent_id)
    respondent.assessment = assessment  # spare a query: it was checked above
    return respondent
