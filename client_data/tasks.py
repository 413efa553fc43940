from celery import shared_task

from . import services


@shared_task(name="client_data.build_due", ignore_result=True)
def build_due() -> int:
    return services.exports_build_due()


@shared_task(name="client_data.expire", ignore_result=True)
def expire() -> int:
    return services.exports_expire()
