"""The whole customer on one admin page: what the stages learned, linked back to where
each fact came from, and to the customer's rows in every stage's own admin list.

The hub imports no stage app. It finds the stages' models through the app registry:
every model with a foreign key to CustomerProfile is "this customer's" in some stage,
and a fact's provenance (a content type and id) is resolved to that object's admin
page when the admin has one. Staff search reaches into the stages through an optional
`profile_search(term)` on each AppConfig (the shop finds order numbers).
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from profiles.models import Consent, CustomerProfile, ProfileFact, Touchpoint
from profiles.phones import normalise_phone

TIMELINE_PAGE_SIZE = 25
SEARCH_HOOK = "profile_search"


@dataclass(frozen=True)
class StageLink:
    label: str
    url: str
    count: int


@dataclass(frozen=True)
class LinkedFact:
    fact: ProfileFact
    source_url: str | None


def _admin_change_url(model, object_id: str, user) -> str | None:
    """The object's admin page, when there is one and this staff member may open it."""
    if model is None or not admin.site.is_registered(model):
        return None
    if not admin.site.get_model_admin(model).has_view_or_change_permission(_Request(user)):
        return None
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
    except NoReverseMatch:
        return None


def linked_facts(profile: CustomerProfile, user) -> list[LinkedFact]:
    """Current facts, each with the admin page of the object that taught it when the
    staff member may open it (the account's page is for superusers only)."""
    facts = (
        ProfileFact.objects.filter(profile=profile, is_current=True)
        .select_related("attribute", "ref_type", "recorded_by")
        .order_by("attribute__category", "attribute__label")
    )
    linked = []
    for fact in facts:
        model = fact.ref_type.model_class() if fact.ref_type and fact.ref_id else None
        url = _admin_change_url(model, fact.ref_id, user)
        linked.append(LinkedFact(fact=fact, source_url=url))
    return linked


def consents_with_history(profile: CustomerProfile) -> QuerySet[Consent]:
    return Consent.objects.filter(profile=profile).order_by("purpose", "-recorded_at", "-pk")


def timeline_page(profile: CustomerProfile, number) -> Page:
    """One page of everything that happened, newest first; a bad page number gives the
    nearest page rather than an error."""
    points = Touchpoint.objects.filter(profile=profile).order_by("-occurred_at", "-pk")
    return Paginator(points, TIMELINE_PAGE_SIZE).get_page(number)


def _profile_links_of(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if getattr(field, "many_to_one", False)
        and field.related_model is CustomerProfile
        and not field.auto_created
    ]


def stage_links(profile: CustomerProfile, user) -> list[StageLink]:
    """This customer's rows in every admin list the staff member may open, with counts."""
    links = []
    for model in apps.get_models():
        if model._meta.app_label == "profiles" or model._meta.proxy:
            continue  # the hub's own rows are on the page; a proxy is a view of another list
        if not admin.site.is_registered(model):
            continue
        model_admin = admin.site.get_model_admin(model)
        for field in _profile_links_of(model):
            if not model_admin.has_view_or_change_permission(_Request(user)):
                continue
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            count = model._default_manager.filter(**{field: profile}).count()
            links.append(
                StageLink(
                    label=str(opts.verbose_name_plural).capitalize(),
                    url=f"{url}?{urlencode({f'{field}__exact': profile.pk})}",
                    count=count,
                )
            )
    return sorted(links, key=lambda link: link.label)


class _Request:
    """ModelAdmin permission checks read only `request.user`."""

    def __init__(self, user):
        self.user = user


def search_profiles(queryset: QuerySet[CustomerProfile], term: str) -> QuerySet[CustomerProfile]:
    """Profiles matching a phone number (in any format) or anything a stage recognises,
    such as an order number."""
    term = term.strip()
    matches = Q(pk__in=[])
    phone = normalise_phone(term)
    if phone:
        matches |= Exists(
            ProfileFact.objects.filter(
                profile=OuterRef("pk"), attribute__key="phone", is_current=True, value=phone
            )
        )
    for config in apps.get_app_configs():
        hook = getattr(config, SEARCH_HOOK, None)
        if hook is not None and term:
            matches |= Q(pk__in=hook(term))
    return queryset.filter(matches)


def consent_filter(queryset: QuerySet[CustomerProfile], purpose: str, *, granted: bool):
    """Profiles whose latest choice for `purpose` is `granted` (no choice counts as no)."""
    latest = Consent.objects.filter(profile=OuterRef("pk"), purpose=purpose).order_by(
        "-recorded_at", "-pk"
    )
    annotated = queryset.annotate(_consent_now=Subquery(latest.values("granted")[:1]))
    if granted:
        return annotated.filter(_consent_now=True)
    return annotated.exclude(_consent_now=True)
