from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Invitation
from .services import invitation_url


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_invitation_email(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return
    if invitation.expires_at <= timezone.now():
        return
    with translation.override(invitation.invited_by.language or settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "url": invitation_url(invitation)}
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
        html = render_to_string("accounts/email/invitation.html", context)
    send_mail(subject, body, None, [invitation.email], html_message=html)
