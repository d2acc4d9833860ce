"""Workspace-scoped lookup of a client: one of another workspace is simply not found (404)."""

from django.shortcuts import get_object_or_404

from accounts.models import Membership
from clients.models import Client


def get_client_for(membership: Membership, client_id: int) -> Client:
    return get_object_or_404(
        Client.objects.for_workspace(membership.workspace)
        .select_related("workspace")
        .defer("workspace__logo"),  # up to 512 KB that only the report needs
        pk=client_id,
    )
