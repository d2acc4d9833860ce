"""Background tasks of the funnel (django-tasks): deriving a large CRM import."""

import logging

from django_tasks import task

from funnel.crm_imports import derive_crm_import
from funnel.models import CrmImport

logger = logging.getLogger(__name__)
FAILED = "Relay could not finish this import; the error has been logged. Import the files again."


@task()
def derive_crm_import_in_background(crm_import_id: int) -> None:
    crm_import = (
        CrmImport.objects.select_related("client__workspace")
        .filter(pk=crm_import_id, status=CrmImport.Status.RUNNING)
        .first()
    )
    if crm_import is None:  # deleted, or derived already: nothing to do
        return
    try:
        derive_crm_import(crm_import=crm_import)
    except Exception:
        logger.exception("CRM import %s failed", crm_import_id)
        CrmImport.objects.filter(pk=crm_import_id).update(
            status=CrmImport.Status.FAILED, problems=[FAILED]
        )
        raise
