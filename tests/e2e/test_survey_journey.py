"""A shopper who said yes to surveys is invited, answers, and finds the answers on /me/;
a marketer reads the results as charts with tables, on the strict CSP."""

import re

import pytest

from profiles.models import Source
from surveys.models import SurveyResponse
from tests.e2e.axe import BLOCKING_IMPACTS, RUN_AXE_JS, describe
from tests.factories import make_shopper
from tests.surveys.factories import make_habits_survey, respond

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback puts the seeded
    # attribute catalogue and groups back after each test's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INVITATION = re.compile(r"^A short survey: How you shop with us")
CHARTS_DRAWN_JS = """
() => Array.from(document.querySelectorAll("canvas[data-survey-chart]")).map(canvas => {
    const chart = Chart.getChart(canvas);
    return {
        drawn: Boolean(chart),
        height: canvas.getBoundingClientRect().height,
        values: chart ? chart.data.datasets[0].data : null,
    };
})
"""


@pytest.fixture
def sam(db):
    return make_shopper(name="Sam Surveyed", username="sam", email="sam@example.com", surveys=True)


@pytest.fixture
def survey(db):
    return make_habits_survey(title="How you shop with us", slug="how-you-shop")


def _answers(n: int) -> dict:
    device = "Phone" if n < 6 else "Tablet" if n < 8 else "Laptop or desktop"
    return {0: device, 1: "Search engine", 2: ["Reviews"], 3: 4, 4: f"Idea {n}"}


def test_invited_shopper_answers_and_sees_the_fact_on_me(
    page, page_problems, live_server, sam, survey, password, log_in, artifacts
):
    base = live_server.url
    log_in(page, login=sam.username, password=password)

    invitation = page.get_by_role("complementary", name=INVITATION)
    assert invitation.is_visible()
    page.screenshot(path=artifacts / "survey-invitation.png")
    invitation.get_by_role("link", name="Take the survey").click()
    page.wait_for_url(f"{base}/surveys/how-you-shop/")
    assert page.get_by_role("heading", level=1).inner_text() == "How you shop with us"
    # No invitation to the survey one is already on.
    assert page.get_by_role("complementary", name=INVITATION).count() == 0

    form = page.locator("#survey-form")
    form.get_by_role("group", name=re.compile(r"^Which device")).get_by_label("Phone").check()
    form.get_by_role("group", name=re.compile(r"^How did you first")).get_by_label(
        "Social media"
    ).check()
    form.get_by_role("group", name=re.compile(r"^What helps")).get_by_label("Reviews").check()
    form.get_by_role("group", name=re.compile(r"fast delivery")).get_by_label(
        "4", exact=True
    ).check()
    form.get_by_label("What would make shopping here easier?").fill("Bigger photos, please.")
    page.screenshot(path=artifacts / "survey.png", full_page=True)

    form.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(f"{base}/surveys/how-you-shop/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your answers"
    learned = page.locator("#learned-facts tr[data-attribute='device'] td")
    assert learned.inner_text() == "Phone"
    page.screenshot(path=artifacts / "survey-thanks.png", full_page=True)

    page.get_by_role("main").get_by_role("link", name="What we know about you").click()
    page.wait_for_url(f"{base}/me/")
    for key, value in (("device", "Phone"), ("found_us_via", "Social media")):
        row = page.locator(f"tr[data-attribute='{key}']")
        assert row.locator("td").nth(0).inner_text() == value
        source = row.locator("td.fact-source")
        assert source.get_attribute("data-source") == Source.SURVEY
        assert source.inner_text().startswith("A survey")
    # Answered: no more invitation.
    assert page.get_by_role("complementary", name=INVITATION).count() == 0
    assert page_problems == []
    assert SurveyResponse.objects.filter(profile=sam.profile).count() == 1


def test_no_thanks_hides_the_invitation(
    page, page_problems, live_server, sam, survey, password, log_in
):
    base = live_server.url
    log_in(page, login=sam.username, password=password)
    page.get_by_role("complementary", name=INVITATION).get_by_role(
        "button", name="No, thanks"
    ).click()
    page.wait_for_url(f"{base}/me/")
    assert (
        "we won't ask you about “How you shop with us” again"
        in page.get_by_role("status").inner_text()
    )
    assert page.get_by_role("complementary", name=INVITATION).count() == 0
    page.goto(f"{base}/shop/")
    assert page.get_by_role("complementary", name=INVITATION).count() == 0
    assert page_problems == []


def test_marketer_reads_charts_and_tables_on_the_strict_csp(
    page, page_problems, live_server, marketer, survey, password, log_in, artifacts
):
    respond(survey, [_answers(n) for n in range(11)])
    base = live_server.url
    log_in(page, login=marketer.username, password=password, next_path="/marketing/surveys/")
    row = page.locator("tr[data-survey='how-you-shop']")
    assert row.locator("td").nth(3).inner_text() == "11"
    page.screenshot(path=artifacts / "survey-results-list.png")
    row.get_by_role("link", name="How you shop with us").click()
    page.wait_for_url(f"{base}/marketing/surveys/how-you-shop/")

    charts = page.evaluate(CHARTS_DRAWN_JS)
    assert len(charts) == 4  # two single choices, a multiple choice and a scale
    assert all(chart["drawn"] and chart["height"] > 80 for chart in charts), charts
    # Phone 6; Tablet 2 and Laptop 3 are small, so the chart gets no value for them (and
    # together they are five, so Phone's 6 may show though 11 - 6 is what they add up to).
    assert charts[0]["values"] == [6, None, None]
    device = page.get_by_role("table", name="Answers to “Which device do you shop on most?”")
    assert device.get_by_role("row", name=re.compile(r"^Tablet")).inner_text().split("\t")[1] == (
        "fewer than 5"
    )
    assert page.get_by_text("Idea 3", exact=True).is_visible()
    page.screenshot(path=artifacts / "survey-results.png", full_page=True)
    assert page_problems == []


def test_no_serious_accessibility_violations_on_the_survey_pages(
    axe_page, axe_js, live_server, sam, marketer, survey, password, log_in
):
    page = axe_page
    base = live_server.url
    log_in(page, login=sam.username, password=password)
    page.goto(f"{base}/me/")  # the invitation, on a page
    page.goto(f"{base}/surveys/how-you-shop/")
    pages = {"survey": _axe(page, axe_js)}
    respond(survey, [_answers(n) for n in range(6)])
    page.context.clear_cookies()
    log_in(
        page,
        login=marketer.username,
        password=password,
        next_path="/marketing/surveys/how-you-shop/",
    )
    pages["results"] = _axe(page, axe_js)
    page.goto(f"{base}/marketing/surveys/")
    pages["results list"] = _axe(page, axe_js)
    for name, violations in pages.items():
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"on the {name} page:\n{describe(blocking)}"


def _axe(page, axe_js) -> list[dict]:
    page.add_script_tag(path=str(axe_js))
    results = page.evaluate(RUN_AXE_JS)
    assert results["rulesRun"] > 0
    return results["violations"]


def test_a_missing_answer_is_explained_at_its_question(
    page, page_problems, live_server, sam, survey, password, log_in, artifacts
):
    base = live_server.url
    log_in(page, login=sam.username, password=password)
    page.get_by_role("link", name="Take the survey").click()
    page.wait_for_url(f"{base}/surveys/how-you-shop/")
    # The browser would stop an empty required group; skip that to see the server's answer.
    page.evaluate(
        "() => document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
    )
    page.locator("#survey-form").get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/surveys/how-you-shop/"
    group = page.get_by_role("group", name=re.compile(r"^Which device"))
    assert group.get_by_text("Please answer this question.").is_visible()
    page.screenshot(path=artifacts / "survey-errors.png", full_page=True)
    assert page_problems == []
    assert not SurveyResponse.objects.exists()
