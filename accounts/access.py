"""The one way views reach a workspace: through the requesting user's membership.

Anything outside the user's workspaces answers 404, so a URL never reveals whether another
workspace's object exists. Inside a workspace, a role too low for the action answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from accounts.models import Membership, Role

SESSION_WORKSPACE_KEY = "workspace_slug"

# Which roles satisfy a minimum role.
_ROLES_AT_LEAST = {
    Role.VIEWER: {Role.VIEWER, Role.CONSULTANT, Role.OWNER},
    Role.CONSULTANT: {Role.CONSULTANT, Role.OWNER},
    Role.OWNER: {Role.OWNER},
}

_REFUSALS = {
    Role.CONSULTANT: "Viewers can read this workspace but not change it.",
    Role.OWNER: "Only the workspace's owners can do this.",
}


def get_membership_for(
    request: HttpRequest, workspace_slug: str, *, min_role: Role = Role.VIEWER
) -> Membership:
    """Return the user's membership of the workspace, remembered as their current one."""
    if not request.user.is_authenticated:
        raise Http404
    membership = next(
        (m for m in user_memberships(request) if m.workspace.slug == workspace_slug), None
    )
    if membership is None:
        raise Http404("No such workspace.")
    if membership.role not in _ROLES_AT_LEAST[min_role]:
        raise PermissionDenied(_REFUSALS[min_role])
    if request.session.get(SESSION_WORKSPACE_KEY) != workspace_slug:
        request.session[SESSION_WORKSPACE_KEY] = workspace_slug  # a write only on a switch
    request.membership = membership  # for the layout's workspace switcher
    return membership


def user_memberships(request: HttpRequest) -> list[Membership]:
    """All the user's memberships, by workspace name, read once per request: the lookup of
    the page's workspace and the header's workspace switcher share them. A person belongs to
    a handful of workspaces, so reading all costs no more than reading one."""
    if not hasattr(request, "_user_memberships"):
        request._user_memberships = list(
            Membership.objects.filter(user=request.user)
            .select_related("workspace")
            .defer("workspace__logo")  # up to 512 KB that only the logo view and the report read
            .order_by("workspace__name")
        )
    return request._user_memberships
