"""A guest sends a wish from the footer link; customer care find it in the admin, plan it
and reply; the guest gets the reply by e-mail. A marketer reads the wish list's charts on
the strict CSP, and the pages pass axe."""

import re

import pytest
from django.core import mail

from feedback.models import FeedbackItem, FeedbackStatus
from tests.e2e.axe import assert_accessible
from tests.feedback.conftest import wishers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WISH = "I wish you offered gift wrapping at checkout, for my mother's birthday."
CHARTS_DRAWN_JS = """
() => Array.from(document.querySelectorAll("canvas[data-campaign-chart]")).map(
    canvas => Boolean(Chart.getChart(canvas)))
"""


def test_guest_wish_is_planned_and_answered_by_customer_care(
    page, page_problems, live_server, care_agent, password, log_in, artifacts
):
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_role("contentinfo").get_by_role("link", name="Send us feedback").click()
    page.wait_for_url(f"{base}/feedback/")
    form = page.locator("#feedback-form")
    form.get_by_role("radio", name=re.compile(r"A wish")).check()
    form.get_by_role("textbox", name=re.compile(r"Your words")).fill(WISH)
    form.get_by_role("textbox", name=re.compile(r"Your e-mail address or an order")).fill(
        "dora@elsewhere.example"
    )
    page.screenshot(path=artifacts / "feedback-form.png", full_page=True)
    form.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(f"{base}/feedback/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your feedback"

    item = FeedbackItem.objects.get()
    assert (item.profile, item.identifier) == (None, "dora@elsewhere.example")
    assert "gift wrapping" in item.topics

    page.context.clear_cookies()
    log_in(
        page,
        login=care_agent.username,
        password=password,
        next_path="/admin/feedback/feedbackitem/",
    )
    page.get_by_role("link", name=re.compile(r"^I wish you offered gift wrapping")).click()
    page.wait_for_url(re.compile(rf"{base}/admin/feedback/feedbackitem/{item.pk}/change/"))
    page.locator("#id_status").select_option(FeedbackStatus.PLANNED)
    page.locator("#id_assignee").select_option(str(care_agent.pk))
    page.locator("#id_reply").fill("Good news: gift wrapping arrives in time for Christmas.")
    page.screenshot(path=artifacts / "feedback-admin.png", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{base}/admin/feedback/feedbackitem/")
    assert page.get_by_text("The reply will be e-mailed to dora@elsewhere.example").is_visible()

    item.refresh_from_db()
    assert item.status == FeedbackStatus.PLANNED
    assert item.assignee == care_agent
    assert item.replied_at is not None
    assert [message.to for message in mail.outbox] == [["dora@elsewhere.example"]]
    assert "gift wrapping arrives" in mail.outbox[0].body

    # Care read the wish list too, with the author; its charts draw on the strict CSP.
    page.goto(f"{base}/marketing/wishes/")
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    assert page.evaluate(CHARTS_DRAWN_JS) == [True, True]
    page.get_by_role("link", name="gift wrapping").click()
    assert page.get_by_text("guest: dora@elsewhere.example").is_visible()
    assert not page_problems, page_problems


def test_marketer_reads_the_wish_list_charts_and_the_pages_are_accessible(
    axe_page, axe_js, live_server, marketer, password, log_in, artifacts
):
    wishers(5, "I wish you offered gift wrapping at checkout.", days_ago=0)
    page = axe_page
    base = live_server.url
    page.goto(f"{base}/feedback/")
    assert_accessible(page, axe_js, "the feedback form")
    log_in(page, login=marketer.username, password=password, next_path="/marketing/wishes/")
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    assert page.evaluate(CHARTS_DRAWN_JS) == [True, True]
    assert page.get_by_role("link", name="gift wrapping").is_visible()
    page.screenshot(path=artifacts / "wish-list.png", full_page=True)
    assert_accessible(page, axe_js, "the wish list")
    page.get_by_role("link", name="gift wrapping").click()
    page.wait_for_url(re.compile(r"/marketing/wishes/gift%20wrapping/"))
    assert page.get_by_text("I wish you offered gift wrapping at checkout.").count() == 5
    assert_accessible(page, axe_js, "a wish-list topic")
