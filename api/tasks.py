"""The API's periodic work: dropping the CRM payloads support no longer needs."""

from celery import shared_task

from . import crm


@shared_task(name="api.crm_receipts_purge", acks_late=True, expires=3600)
def crm_receipts_purge() -> int:
    return crm.receipts_purge()
