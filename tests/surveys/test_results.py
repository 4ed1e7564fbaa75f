"""The marketers' results: aggregates only, small cells suppressed, for the right people."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from profiles.aggregates import suppress_partition, suppress_small
from surveys.models import QuestionKind, SurveyOffer
from surveys.selectors import survey_results
from surveys.services import survey_offer_for
from tests.factories import make_shopper
from tests.surveys.factories import (
    add_question,
    make_habits_survey,
    questions_of,
    respond,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/marketing/surveys/"


def base_answer(n: int) -> dict:
    return {0: "Phone", 1: "Search engine", 3: 3, 4: f"Idea number {n}"}


def results_url(survey) -> str:
    return f"/marketing/surveys/{survey.slug}/"


def chart_data(html: str, question) -> dict:
    found = re.search(
        rf'<script id="chart-data-{question.pk}" type="application/json">(.*?)</script>', html
    )
    assert found, f"no chart data for {question}"
    return json.loads(found.group(1))


# --- The privacy helper ------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "shown"), [(0, None), (1, None), (4, None), (5, 5), (120, 120)])
def test_a_cell_covering_fewer_than_five_is_suppressed(count, shown):
    assert suppress_small(count) == shown
    assert suppress_small(count, minimum=10) == (count if count >= 10 else None)


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    # Otherwise 3 = total 20 - 10 - 7.
    assert suppress_partition([10, 7, 3]) == [10, None, None]
    assert suppress_partition([10, 7, 3, 2]) == [10, 7, None, None]
    assert suppress_partition([10, 7, 6]) == [10, 7, 6]
    assert suppress_partition([3]) == [None]


# --- What the results page shows -------------------------------------------------------------


@pytest.fixture
def survey_with_answers(survey):
    # 7 answer "Phone", 2 "Tablet", 0 "Laptop": Tablet is small, so Phone would give it away.
    answers = [base_answer(n) for n in range(7)]
    answers += [{**base_answer(7 + n), 0: "Tablet", 4: ""} for n in range(2)]
    for n, answer in enumerate(answers):
        answer[2] = ["Reviews", "The price"] if n < 6 else ["Good photos"]
    respond(survey, answers)
    return survey


def test_small_cells_show_as_fewer_than_five_and_get_no_bar(client, marketer, survey_with_answers):
    survey = survey_with_answers
    client.force_login(marketer)
    response = client.get(results_url(survey))
    assert response.status_code == 200
    html = response.content.decode()
    device, _, habits, scale, _ = questions_of(survey)
    results = {item.question.pk: item for item in response.context["results"].questions}

    # Single choice: Tablet (2) and Laptop (0) are small, and with 9 respondents shown,
    # Phone's 7 would give away that two chose one of them: it goes too.
    cells = [(cell.label, cell.count, cell.share) for cell in results[device.pk].cells]
    assert cells == [
        ("Phone", None, None),
        ("Tablet", None, None),
        ("Laptop or desktop", None, None),
    ]
    assert chart_data(html, device)["values"] == [None, None, None]
    # Multiple choice has no total to subtract from: only the small cells go.
    assert [cell.count for cell in results[habits.pk].cells] == [6, None, 6]
    # Scale: nine answered 3; the rest is empty and suppressed.
    assert [cell.count for cell in results[scale.pk].cells] == [None, None, 9, None, None]
    # A mean would let hidden cells be worked out from the shown ones.
    assert results[scale.pk].mean is None
    # The table under the chart says so in words.
    section = html.split(f'data-question="{device.pk}"')[1].split("</section>")[0]
    assert section.split("<table")[1].count("fewer than 5") == 3
    assert "<canvas" in section and 'role="img"' in section
    assert results[device.pk].respondents == 9


def test_a_scale_mean_is_shown_when_no_cell_is_hidden(survey):
    respond(survey, [{**base_answer(n), 3: 1 + n % 5} for n in range(25)])
    scale = survey_results(survey=survey).questions[3]
    assert [cell.count for cell in scale.cells] == [5, 5, 5, 5, 5]
    assert scale.mean == 3.0


def test_text_answers_are_listed_without_names_once_there_are_five(
    client, marketer, survey_with_answers
):
    client.force_login(marketer)
    html = client.get(results_url(survey_with_answers)).content.decode()
    text = questions_of(survey_with_answers)[4]
    section = html.split(f'data-question="{text.pk}"')[1].split("</section>")[0]
    listed = re.findall(r'<li class="list-group-item">(.*?)</li>', section)
    assert listed == sorted(f"Idea number {n}" for n in range(7))
    for name in ("Shopper", "@example.com"):
        assert name not in section


def test_text_answers_from_fewer_than_five_stay_hidden(client, marketer, survey):
    respond(survey, [base_answer(n) for n in range(4)])
    client.force_login(marketer)
    html = client.get(results_url(survey)).content.decode()
    assert "Idea number" not in html
    assert "Written answers are listed here once 5 or more shoppers have answered" in html
    assert "fewer than 5" in html


def test_the_minimum_cell_size_is_a_setting(client, marketer, settings, survey):
    settings.MIN_CELL_SIZE = 3
    respond(survey, [base_answer(n) for n in range(3)])
    client.force_login(marketer)
    results = client.get(results_url(survey)).context["results"]
    assert results.responses == 3
    assert "Idea number 0" in client.get(results_url(survey)).content.decode()


def test_the_list_shows_responses_and_the_response_rate(client, marketer, survey_with_answers):
    # Three more shoppers were invited and have not answered: 9 of 12.
    for _ in range(3):
        survey_offer_for(profile=make_shopper(surveys=True).profile, now=timezone.now())
    # Opened earlier, so a new shopper is invited to it first.
    quiet = make_habits_survey(
        title="Barely answered", slug="barely", opens_at=timezone.now() - timedelta(days=2)
    )
    respond(quiet, [base_answer(0)])
    client.force_login(marketer)
    response = client.get(LIST_URL)
    rows = {row.survey.slug: row for row in response.context["rows"]}
    assert (rows["how-you-shop"].offered, rows["how-you-shop"].responses) == (12, 9)
    assert rows["how-you-shop"].rate == 75
    assert (rows["barely"].responses, rows["barely"].rate) == (None, None)
    html = response.content.decode()
    row = html.split('data-survey="barely"')[1].split("</tr>")[0]
    assert row.count("fewer than 5") == 2 and "not shown" in row
    assert 'href="/marketing/surveys/how-you-shop/"' in html


def test_the_results_page_draws_with_static_scripts_only(client, marketer, survey_with_answers):
    client.force_login(marketer)
    html = client.get(results_url(survey_with_answers)).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    # Every script is a file, or JSON data that the CSP never runs.
    for attrs in scripts:
        assert 'src="' in attrs or 'type="application/json"' in attrs, attrs
    assert 'src="/static/vendor/chartjs/chart.umd.js"' in html
    assert 'src="/static/js/survey-charts.js"' in html
    assert "style=" not in html


# --- Who may see results ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_URL, "/marketing/surveys/how-you-shop/"])
def test_visitors_are_sent_to_log_in(client, survey, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", [LIST_URL, "/marketing/surveys/how-you-shop/"])
@pytest.mark.parametrize("who", ["shopper", "care_agent"])
def test_shoppers_and_customer_care_are_refused(client, survey, url, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST_URL, "/marketing/surveys/how-you-shop/"])
@pytest.mark.parametrize("who", ["marketer", "superuser"])
def test_marketers_and_superusers_read_results(client, survey, url, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 200


def test_an_unknown_survey_has_no_results(client, marketer):
    client.force_login(marketer)
    assert client.get("/marketing/surveys/nothing-here/").status_code == 404


# --- Query counts ---------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_results_query_count_does_not_grow_with_questions_or_responses(
    client, marketer, survey
):
    client.force_login(marketer)
    respond(survey, [base_answer(n) for n in range(5)])
    few = _count(client, results_url(survey))
    for n in range(4):
        add_question(
            survey,
            f"Extra {n}?",
            [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE, QuestionKind.TEXT][n],
            choices=["A", "B"],
            required=False,
        )
    respond(survey, [base_answer(n) for n in range(10)])
    many = _count(client, results_url(survey))
    # session, user, permissions (2), survey, questions, choices, four aggregates, text
    # answers, responses, offers
    assert few == many <= 13, (few, many)


def test_the_list_query_count_does_not_grow_with_surveys(client, marketer, survey):
    client.force_login(marketer)
    respond(survey, [base_answer(0)])
    few = _count(client, LIST_URL)
    for n in range(5):
        other = make_habits_survey(opens_at=timezone.now() - timedelta(days=2))
        SurveyOffer.objects.create(
            profile=make_shopper(name=f"Invitee {n}").profile,
            survey=other,
            offered_at=timezone.now(),
        )
    assert _count(client, LIST_URL) == few


def test_results_selector_counts_directly(survey):
    respond(survey, [base_answer(n) for n in range(5)])
    results = survey_results(survey=survey)
    assert (results.responses, results.offered, results.rate) == (5, 5, 100)


def test_marketers_find_the_results_from_the_site_navigation(client, marketer, care_agent):
    client.force_login(marketer)
    assert 'href="/marketing/surveys/"' in client.get("/").content.decode()
    client.force_login(care_agent)
    assert 'href="/marketing/surveys/"' not in client.get("/").content.decode()
