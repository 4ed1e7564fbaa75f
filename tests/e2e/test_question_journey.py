"""A shopper meets one small question, answers it, and sees it among what the shop knows."""

import pytest

from profiles.models import Outcome, QuestionAsk, Source

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback puts the seeded
    # attribute catalogue, the question bank and the groups back after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIRST = "How did you first hear about our shop?"


def test_one_question_answered_then_no_second_in_the_same_visit(
    page, page_problems, live_server, shopper, password, log_in, artifacts
):
    base = live_server.url
    log_in(page, login=shopper.username, password=password)

    card = page.get_by_role("complementary", name="One small question, only if you like")
    assert card.count() == 1
    group = card.get_by_role("group", name=FIRST)
    assert group.is_visible()
    assert card.get_by_text("Why we ask:").is_visible()
    for name in ("Save my answer", "Not now", "Don't ask me this"):
        assert card.get_by_role("button", name=name).is_visible()
    radio = group.get_by_role("radio", name="Social media")
    # Screen readers hear why we ask with each option.
    assert "adverts nobody sees" in radio.evaluate(
        "el => document.getElementById(el.getAttribute('aria-describedby')).textContent"
    )
    card.screenshot(path=artifacts / "question-card.png")
    page.screenshot(path=artifacts / "question-me.png", full_page=True)

    radio.check()
    card.get_by_role("button", name="Save my answer").click()
    page.wait_for_url(f"{base}/me/")
    assert page.get_by_role("status").inner_text().startswith("Thank you, we've noted that.")

    # No second question in the same visit, on this page or any other.
    page.reload()
    assert page.locator("#question-card").count() == 0
    page.goto(f"{base}/")
    assert page.locator("#question-card").count() == 0
    page.goto(f"{base}/me/")

    row = page.locator("tr[data-attribute='found_us_via']")
    assert row.locator("td").nth(0).inner_text() == "Social media"
    source = row.locator("td.fact-source")
    assert source.get_attribute("data-source") == Source.QUESTION
    assert source.inner_text().startswith("A question you answered")
    page.screenshot(path=artifacts / "question-answered-me.png", full_page=True)
    assert page_problems == []

    ask = QuestionAsk.objects.get(profile=shopper.profile)
    assert (ask.outcome, ask.visit) == (Outcome.ANSWERED, 1)


def test_not_now_on_a_phone(page, page_problems, live_server, shopper, password, log_in, artifacts):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, login=shopper.username, password=password)
    card = page.locator("#question-card")
    card.screenshot(path=artifacts / "question-card-phone.png")
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    card.get_by_role("button", name="Not now").click()
    page.wait_for_url(f"{live_server.url}/me/")
    assert "won't ask you that again for a while" in page.get_by_role("status").inner_text()
    assert page.locator("#question-card").count() == 0
    assert page_problems == []
    assert QuestionAsk.objects.get(profile=shopper.profile).outcome == Outcome.SKIPPED
