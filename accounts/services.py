"""Registration and the account's own settings: the first stage of learning."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from accounts.tasks import send_email_task, send_welcome_email_task
from profiles import services as profile_services
from profiles.background import enqueue_on_commit
from profiles.models import CustomerProfile, Kind, Purpose, Source


def account_register(
    *,
    name: str,
    email: str,
    username: str,
    password: str,
    marketing_email: bool = False,
    surveys: bool = False,
    ip_address: str | None = None,
) -> User:
    """Create the account and its profile with what registration teaches, all or nothing.

    Registration asks for the basics only; every consent starts from the
    customer's own ticks (profiling is on, and explained, and can be switched off).
    """
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=username, email=email, password=password, name=name
            )
            profile = profile_services.profile_create(user=user)
            for key, value in (("full_name", name), ("email", email), ("user_id", username)):
                profile_services.learn(profile, key, value, source=Source.REGISTRATION, ref=user)
            profile_services.record_touchpoint(
                profile, Kind.REGISTERED, ref=user, summary="Registered with the basics"
            )
            choices = {
                Purpose.MARKETING_EMAIL: marketing_email,
                Purpose.SURVEYS: surveys,
                Purpose.DIRECT_MAIL: False,
                Purpose.PROFILING: True,
            }
            for purpose, granted in choices.items():
                profile_services.set_consent(
                    profile,
                    purpose,
                    granted=granted,
                    source=Source.REGISTRATION,
                    ip_address=ip_address,
                )
    except IntegrityError as error:
        # Two sign-ups raced for the same e-mail or user ID; the form's checks
        # passed for both, the database let one through.
        raise ValidationError(
            "That e-mail address or user ID was registered a moment ago. Please log in."
        ) from error
    enqueue_on_commit(send_welcome_email_task, user_id=user.pk)
    return user


def account_name_change(*, user: User, name: str) -> None:
    """The customer's own name for themselves: on the account and, as their word, in the
    profile."""
    with transaction.atomic():
        user.name = name
        user.save(update_fields=["name"])
        profile_services.learn(user.profile, "full_name", name, source=Source.CUSTOMER, ref=user)


def account_email_change(*, user: User, email: str) -> None:
    """A new e-mail address for the account and the profile; the old address is told, so
    a change its owner did not make does not go unnoticed."""
    old = user.email
    try:
        with transaction.atomic():
            user.email = email
            user.save(update_fields=["email"])
            profile_services.learn(user.profile, "email", email, source=Source.CUSTOMER, ref=user)
    except IntegrityError as error:
        user.email = old
        raise ValidationError("Another account took that e-mail address a moment ago.") from error
    if old:
        body = render_to_string(
            "emails/email_changed_body.txt",
            {"name": user.get_short_name(), "site_url": settings.SITE_URL},
        )
        enqueue_on_commit(
            send_email_task,
            subject="Your PatientCRM e-mail address was changed",
            body=body,
            to=[old],
        )


def consents_update(
    *, profile: CustomerProfile, choices: dict[str, bool], ip_address: str | None = None
) -> list[str]:
    """Apply the customer's choices; returns the purposes that changed."""
    changed = []
    with transaction.atomic():
        for purpose in Purpose.values:
            if purpose not in choices:
                continue
            before = profile_services.has_consent(profile, purpose)
            profile_services.set_consent(
                profile,
                purpose,
                granted=choices[purpose],
                source=Source.CUSTOMER,
                ip_address=ip_address,
            )
            if before != choices[purpose]:
                changed.append(purpose)
    return changed


def email_send(*, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def welcome_email_send(*, user_id: int) -> bool:
    """Send the welcome e-mail at most once: a claim on the user row makes retries and
    the sweep harmless (a worker killed between claim and send loses that one e-mail)."""
    users = get_user_model().objects
    claimed = users.filter(pk=user_id, is_active=True, welcome_email_sent_at__isnull=True).update(
        welcome_email_sent_at=timezone.now()
    )
    if not claimed:
        return False
    user = users.get(pk=user_id)
    context = {"user": user, "site_name": "PatientCRM shop"}
    try:
        email_send(
            subject=render_to_string("emails/welcome_subject.txt", context).strip(),
            body=render_to_string("emails/welcome_body.txt", context),
            html=render_to_string("emails/welcome_body.html", context),
            to=[user.email],
        )
    except Exception:
        # Give the claim back so the task's retry can send it.
        users.filter(pk=user_id).update(welcome_email_sent_at=None)
        raise
    return True


def welcome_emails_send_pending(
    *, older_than: timedelta = timedelta(minutes=10), within: timedelta = timedelta(days=3)
) -> int:
    """Send the welcome e-mails whose task never ran (the broker was down at sign-up)."""
    now = timezone.now()
    pending = get_user_model().objects.filter(
        welcome_email_sent_at__isnull=True,
        is_active=True,
        is_staff=False,
        date_joined__lte=now - older_than,
        date_joined__gte=now - within,
    )
    sent = 0
    for user_id in pending.values_list("pk", flat=True)[:500]:
        sent += welcome_email_send(user_id=user_id)
    return sent
