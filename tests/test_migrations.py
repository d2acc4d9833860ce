"""A database made by the release before the apps were carved (Client and the funnel's models
in `assessments`) migrates forward with every row kept: the models moved, the tables did not.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import hash_token
from assessments.models import Assessment, PlanItem, RespondentLink
from clients.models import Client
from funnel.models import FunnelFigures, FunnelThresholds

# The newest migration of each of our apps in the release before the carving, which had no
# clients or funnel app (None: none of their migrations applied).
BEFORE_THE_CARVING = [
    ("accounts", "0002_workspace_branding"),
    ("bank", "0001_initial"),
    ("assessments", "0005_funnel_figures"),
    ("clients", None),
    ("funnel", None),
]
PUBLISHED = datetime(2026, 1, 5, tzinfo=UTC)


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _old_world(apps) -> dict:
    """Rows as the old release wrote them, through its own models."""
    workspace = apps.get_model("accounts", "Workspace").objects.create(
        name="Old Advisory", slug="old-advisory"
    )
    user = apps.get_model("accounts", "User").objects.create(
        email="old@example.com", name="Olga Old", password="!"
    )
    version = apps.get_model("bank", "BankVersion").objects.create(
        label="2025.9", status="published", published_at=PUBLISHED
    )
    question = apps.get_model("bank", "Question").objects.create(
        version=version, key="people.alignment", dimension="people", text="How aligned?"
    )
    client = apps.get_model("assessments", "Client").objects.create(
        workspace=workspace, name="Legacy Logistics", industry="Logistics"
    )
    assessment = apps.get_model("assessments", "Assessment").objects.create(
        client=client, year=2025, quarter=4, bank_version=version, status="closed"
    )
    respondent = apps.get_model("assessments", "Respondent").objects.create(
        assessment=assessment, name="Rita Old", role="sales", submitted_at=PUBLISHED
    )
    apps.get_model("assessments", "Answer").objects.create(
        respondent=respondent, question=question, choice="3"
    )
    # A respondent whose one link, in their inbox, must keep working after the upgrade.
    apps.get_model("assessments", "Respondent").objects.create(
        assessment=assessment,
        name="Lena Linked",
        role="marketing",
        token_hash=hash_token("old-release-token"),
        link_expires_at=datetime(2099, 1, 1, tzinfo=UTC),
        invited_at=PUBLISHED,
    )
    apps.get_model("assessments", "PlanItem").objects.create(
        client=client, title="Shared targets", target_year=2026, target_quarter=1, owner_user=user
    )
    apps.get_model("assessments", "FunnelFigures").objects.create(
        client=client, year=2025, quarter=4, inquiries=400, mqls=120, pipeline_value=Decimal("5.5")
    )
    apps.get_model("assessments", "FunnelThresholds").objects.create(
        workspace=workspace, values={"mql_to_sal": {"poor": 0.3, "healthy": 0.6}}
    )
    content_types = apps.get_model("contenttypes", "ContentType").objects
    client_type, _ = content_types.get_or_create(app_label="assessments", model="client")
    apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=client_type, codename="view_client", defaults={"name": "Can view client"}
    )
    return {"client": client.pk, "assessment": assessment.pk}


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_release_before_migrates_forward_with_its_data():
    try:
        executor = _migrate(BEFORE_THE_CARVING)
        applied = [node for node in BEFORE_THE_CARVING if node[1] is not None]
        ids = _old_world(executor.loader.project_state(applied).apps)
        _migrate(_latest())

        client = Client.objects.get(pk=ids["client"])
        assert (client.name, client.industry, client.workspace.name) == (
            "Legacy Logistics",
            "Logistics",
            "Old Advisory",
        )
        assessment = Assessment.objects.get(pk=ids["assessment"])
        assert assessment.client == client and assessment.period.year == 2025
        assert assessment.respondents.get(name="Rita Old").answers.get().choice == "3"
        link = RespondentLink.objects.get(token_hash=hash_token("old-release-token"))
        assert (link.respondent.name, link.works) == ("Lena Linked", True)
        assert PlanItem.objects.get(client=client).owner_user.name == "Olga Old"
        figures = FunnelFigures.objects.get(client=client)
        assert (figures.inquiries, figures.mqls, figures.pipeline_value) == (400, 120, 5.5)
        thresholds = FunnelThresholds.objects.thresholds_for(client.workspace_id)
        assert (thresholds["mql_to_sal"].poor, thresholds["mql_to_sal"].healthy) == (0.3, 0.6)

        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType

        moved = ContentType.objects.get(app_label="clients", model="client")
        assert Permission.objects.filter(content_type=moved, codename="view_client").exists()
        assert not ContentType.objects.filter(app_label="assessments", model="client").exists()
    finally:
        _migrate(_latest())  # whatever happened, leave the schema as the other tests expect it
