"""Every admin and dashboard URL, walked as a shopper, customer care, marketing and a
superuser: each role gets exactly what the roles promise (README, "Roles and audit").

The expectations are written out here, not read from the permissions the migrations
grant, so a migration that grants too much (or too little) fails this test. A model
newly registered in the admin fails it too until its row is added below.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns.models import Campaign, Channel, Keyword, LinkClick, Offer, Recipient
from feedback.services import feedback_submit
from profiles.models import Attribute
from surveys.models import Survey
from tests.privacy.stages import make_stage_customer

pytestmark = pytest.mark.django_db

# Admin models each group may open (list and change pages), and add to.
CARE_VIEWS = {
    "campaigns.linkclick",
    "campaigns.recipient",
    "contacts.contactlog",
    "contacts.unmatchedcontact",
    "coupons.couponcode",
    "coupons.maildrop",  # to download a print file: names and addresses are care's
    "coupons.redemption",
    "feedback.feedbackitem",
    "profiles.attribute",
    "profiles.customerprofile",
    "profiles.profilequestion",
    "profiles.questionask",
    "shop.category",
    "shop.order",
    "shop.product",
    "surveys.surveyresponse",
}
CARE_ADDS = {"contacts.contactlog"}
# Marketing: campaigns, coupons, surveys and the question bank; never one customer's
# profile, order, response, contact log, redemption or feedback item.
MARKETING_VIEWS = {
    "campaigns.campaign",
    "campaigns.keyword",
    "campaigns.offer",
    "coupons.couponcode",
    "coupons.maildrop",
    "profiles.attribute",
    "profiles.profilequestion",
    "surveys.question",
    "surveys.survey",
}
MARKETING_ADDS = MARKETING_VIEWS - {"profiles.attribute"}
# Superusers only: accounts, groups, login records and the staff-access audit.
SUPERUSER_ONLY = {
    "accounts.user",
    "auth.group",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "profiles.profileaccess",
}

# Dashboards (every URL under /marketing/) and who reads them.
CARE_DASHBOARDS = {"feedback:wish_list", "feedback:wish_topic"}
MARKETING_DASHBOARDS = {
    "campaigns:dashboard",
    "campaigns:dashboard_detail",
    "campaigns:dashboard_offers",
    "campaigns:dashboard_keywords",
    "campaigns:dashboard_channels",
    "coupons:dashboard",
    "surveys:results_list",
    "surveys:results",
    "feedback:wish_list",
    "feedback:wish_topic",
}


def registered() -> dict[str, type]:
    return {model._meta.label_lower: model for model in admin.site._registry}


def marketing_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace and pattern.namespace != "admin":
                    inner = f"{namespace}{pattern.namespace}:"
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern) and route.startswith("marketing/"):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "", "")
    return names


@pytest.fixture
def world(db):
    """One row at least in every admin list, and data behind every dashboard."""
    customer = make_stage_customer()
    offer = Offer.objects.create(name="Ten off", kind="discount")
    keyword = Keyword.objects.create(term="tea")
    campaign = Campaign.objects.create(
        name="Spring", channel=Channel.EMAIL, offer=offer, subject="Hi", body_text="Hello"
    )
    campaign.keywords.add(keyword)
    recipient = Recipient.objects.create(campaign=campaign, profile=customer.profile)
    LinkClick.objects.create(
        recipient=recipient, keyword=keyword, url="/", clicked_at=campaign.created_at
    )
    for n in range(6):
        feedback_submit(
            kind="wish", text="Please stock green tea in big tins", identifier=f"g{n}@x.org"
        )
    return {
        "campaign": campaign,
        "survey": Survey.objects.first(),
        "topic": "green tea",
    }


def sample_args(name: str, world) -> list:
    return {
        "campaigns:dashboard_detail": [world["campaign"].pk],
        "surveys:results": [world["survey"].slug],
        "feedback:wish_topic": [world["topic"]],
    }.get(name, [])


def test_every_admin_model_has_a_declared_role():
    declared = CARE_VIEWS | MARKETING_VIEWS | SUPERUSER_ONLY
    assert set(registered()) == declared, "declare who may open each admin model"


def test_every_dashboard_has_a_declared_audience():
    assert marketing_url_names() == MARKETING_DASHBOARDS | CARE_DASHBOARDS


def _expected_admin(role: str, label: str, page: str) -> set[int]:
    views = {"care": CARE_VIEWS, "marketer": MARKETING_VIEWS}[role]
    adds = {"care": CARE_ADDS, "marketer": MARKETING_ADDS}[role]
    allowed = label in (adds if page == "add" else views)
    return {200} if allowed else {403}


def test_the_admin_walk(client, world, shopper, care_agent, marketer, superuser):
    failures = []
    as_superuser = RequestFactory().get("/admin/")
    as_superuser.user = superuser
    for label, model in sorted(registered().items()):
        opts = model._meta
        urls = {
            "changelist": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "add": reverse(f"admin:{opts.app_label}_{opts.model_name}_add"),
        }
        sample = admin.site._registry[model].get_queryset(as_superuser).order_by("pk").first()
        if sample is not None:
            urls["change"] = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[sample.pk]
            )
        for page, url in urls.items():
            for role, user in (("care", care_agent), ("marketer", marketer)):
                client.force_login(user)
                status = client.get(url).status_code
                if status not in _expected_admin(role, label, page):
                    failures.append(f"{role} {page} {label}: {status}")
            client.force_login(superuser)
            status = client.get(url).status_code
            if status not in ({200, 403} if page == "add" else {200}):
                failures.append(f"superuser {page} {label}: {status}")
            client.force_login(shopper)
            response = client.get(url)
            if response.status_code != 302 or "/admin/login/" not in response["Location"]:
                failures.append(f"shopper {page} {label}: {response.status_code}")
            client.logout()
    assert not failures, "\n".join(failures)


def test_the_dashboard_walk(client, world, shopper, care_agent, marketer, superuser):
    failures = []
    for name in sorted(marketing_url_names()):
        url = reverse(name, args=sample_args(name, world))
        expected = {
            "care": 200 if name in CARE_DASHBOARDS else 403,
            "marketer": 200 if name in MARKETING_DASHBOARDS else 403,
            "superuser": 200,
        }
        for role, user in (("care", care_agent), ("marketer", marketer), ("superuser", superuser)):
            client.force_login(user)
            status = client.get(url).status_code
            if status != expected[role]:
                failures.append(f"{role} {name}: {status}")
        client.force_login(shopper)
        if client.get(url).status_code not in (302, 403):
            failures.append(f"shopper {name}")
        client.logout()
        if client.get(url).status_code != 302:
            failures.append(f"anonymous {name}")
    assert not failures, "\n".join(failures)


def test_marketing_sees_no_customer_on_the_pages_it_may_open(client, world, marketer):
    """Aggregates only: no page Marketing opens names the stage customer."""
    client.force_login(marketer)
    attribute = Attribute.objects.first()
    pages = [reverse("admin:profiles_attribute_change", args=[attribute.pk])]
    pages += [reverse(name, args=sample_args(name, world)) for name in MARKETING_DASHBOARDS]
    pages += [reverse(f"admin:{label.replace('.', '_')}_changelist") for label in MARKETING_VIEWS]
    for url in pages:
        page = client.get(url).content.decode()
        assert "Quistgaard" not in page and "zquist" not in page, url


# Apps whose admin index each group sees (an app with nothing the group may open is a 404).
CARE_APPS = {"profiles", "shop", "surveys", "campaigns", "coupons", "feedback", "contacts"}
MARKETING_APPS = {"profiles", "surveys", "campaigns", "coupons"}


def test_the_admin_walk_of_history_delete_and_app_pages(
    client, world, shopper, care_agent, marketer, superuser
):
    """History follows the right to open; nobody but a superuser deletes (care and
    Marketing keep the record; erasure is the customer's own, from /me/)."""
    failures = []
    as_superuser = RequestFactory().get("/admin/")
    as_superuser.user = superuser
    roles = (("care", care_agent, CARE_VIEWS), ("marketer", marketer, MARKETING_VIEWS))
    for label, model in sorted(registered().items()):
        opts = model._meta
        sample = admin.site._registry[model].get_queryset(as_superuser).order_by("pk").first()
        if sample is None:
            continue
        for page in ("history", "delete"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[sample.pk])
            for role, user, views in roles:
                client.force_login(user)
                expected = 200 if page == "history" and label in views else 403
                if (status := client.get(url).status_code) != expected:
                    failures.append(f"{role} {page} {label}: {status}")
            client.force_login(shopper)
            if "/admin/login/" not in client.get(url).get("Location", ""):
                failures.append(f"shopper {page} {label}")
    apps = {label.split(".")[0] for label in registered()}
    for app in sorted(apps):
        url = reverse("admin:app_list", args=[app])
        for role, user, app_set in (
            ("care", care_agent, CARE_APPS),
            ("marketer", marketer, MARKETING_APPS),
            ("superuser", superuser, apps),
        ):
            client.force_login(user)
            expected = 200 if app in app_set else 404
            if (status := client.get(url).status_code) != expected:
                failures.append(f"{role} app {app}: {status}")
    assert not failures, "\n".join(failures)


def test_the_admin_index_lists_only_what_each_role_may_open(client, care_agent, marketer):
    client.force_login(care_agent)
    page = client.get("/admin/").content.decode()
    assert "/admin/contacts/contactlog/" in page and "/admin/campaigns/campaign/" not in page
    client.force_login(marketer)
    page = client.get("/admin/").content.decode()
    assert "/admin/campaigns/campaign/" in page and "/admin/profiles/customerprofile/" not in page
    assert "/admin/accounts/user/" not in page


def test_the_autocomplete_searches_only_what_the_role_may_open(
    client, world, shopper, care_agent, marketer, superuser
):
    """Each autocomplete field answers with the remote model's rows only to those who may
    open that model: the customer search of the call form is care's, not Marketing's."""
    failures = []
    for label, model in sorted(registered().items()):
        model_admin = admin.site._registry[model]
        for field_name in model_admin.autocomplete_fields:
            remote = model._meta.get_field(field_name).related_model._meta.label_lower
            query = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field_name,
                "term": "a",
            }
            for role, user, views in (
                ("care", care_agent, CARE_VIEWS),
                ("marketer", marketer, MARKETING_VIEWS),
                ("superuser", superuser, set(registered())),
            ):
                client.force_login(user)
                expected = 200 if remote in views else 403
                if (status := client.get("/admin/autocomplete/", query).status_code) != expected:
                    failures.append(f"{role} {label}.{field_name}: {status}")
            client.force_login(shopper)
            if "/admin/login/" not in client.get("/admin/autocomplete/", query).get("Location", ""):
                failures.append(f"shopper {label}.{field_name}")
    assert not failures, "\n".join(failures)


def test_care_finds_a_customer_by_name_for_the_call_form(client, world, care_agent):
    client.force_login(care_agent)
    query = {
        "app_label": "contacts",
        "model_name": "contactlog",
        "field_name": "profile",
        "term": "Quistgaard",
    }
    results = client.get("/admin/autocomplete/", query).json()["results"]
    assert len(results) == 1 and "Quistgaard" in results[0]["text"]
