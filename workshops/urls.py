from django.urls import path

from workshops.views import facilitator, participant

app_name = "workshops"

W = "w/<slug:workspace_slug>/"
WORKSHOP = W + "workshops/<int:workshop_id>/"
PHONE = "j/<str:code>/"

urlpatterns = [
    path(
        W + "assessments/<int:assessment_id>/workshops/new/",
        facilitator.workshop_create,
        name="workshop_create",
    ),
    path(WORKSHOP, facilitator.workshop, name="workshop"),
    path(WORKSHOP + "live/", facilitator.workshop_live, name="workshop_live"),
    path(WORKSHOP + "start/", facilitator.workshop_start, name="workshop_start"),
    path(WORKSHOP + "reveal/", facilitator.workshop_reveal, name="workshop_reveal"),
    path(WORKSHOP + "reopen/", facilitator.workshop_reopen, name="workshop_reopen"),
    path(WORKSHOP + "consensus/", facilitator.workshop_consensus, name="workshop_consensus"),
    path(WORKSHOP + "next/", facilitator.workshop_next, name="workshop_next"),
    path(WORKSHOP + "previous/", facilitator.workshop_previous, name="workshop_previous"),
    path(WORKSHOP + "end/", facilitator.workshop_end, name="workshop_end"),
    path(WORKSHOP + "summary/", facilitator.summary, name="summary"),
    path(
        WORKSHOP + "plan/<str:question_key>/",
        facilitator.decision_to_plan,
        name="decision_to_plan",
    ),
    path(
        WORKSHOP + "participants/<int:participant_id>/remove/",
        facilitator.participant_remove,
        name="participant_remove",
    ),
    # A participant's phone, without an account.
    path(PHONE, participant.join, name="join"),
    path(PHONE + "q/", participant.phone, name="phone"),
    path(PHONE + "live/", participant.phone_live, name="phone_live"),
    path(PHONE + "vote/", participant.vote, name="vote"),
]
