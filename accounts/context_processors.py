from django.http import HttpRequest

from accounts.access import SESSION_WORKSPACE_KEY, user_memberships
from accounts.vocabulary import words_for

# The pages the header's Settings link stands for.
SETTINGS_PAGES = ("workspace_settings", "funnel_settings")


def workspaces(request: HttpRequest) -> dict:
    """The user's workspaces and the current one, for the header's workspace switcher.

    The current workspace is the one the page belongs to; on pages outside any workspace
    (password change, say) it is the one the user last worked in, so it stays visible.
    """
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    memberships = user_memberships(request)  # already read when the page is a workspace's
    current = getattr(request, "membership", None)
    if current is None:
        remembered = request.session.get(SESSION_WORKSPACE_KEY)
        current = next(
            (m for m in memberships if m.workspace.slug == remembered),
            memberships[0] if memberships else None,
        )
    return {
        "user_memberships": memberships,
        "current_membership": current,
        "words": words_for(current.workspace if current else None),
        # Header links other than Clients; every other workspace page is about clients.
        "workspace_pages": ("workspace_home", "member_list", *SETTINGS_PAGES),
        "settings_pages": SETTINGS_PAGES,
    }
