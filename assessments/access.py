"""Workspace-scoped lookups: an object of another workspace is simply not found (404)."""

from django.shortcuts import get_object_or_404

from accounts.models import Membership
from assessments.models import Client


def get_client_for(membership: Membership, client_id: int) -> Client:
    return get_object_or_404(
        Client.objects.for_workspace(membership.workspace).select_related("workspace"),
        pk=client_id,
    )
