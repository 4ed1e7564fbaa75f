"""The question card on natural pages, and its answer / "Not now" / "Don't ask me this"."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from profiles import asking, services
from profiles.models import (
    Attribute,
    Kind,
    Outcome,
    ProfileFact,
    ProfileQuestion,
    QuestionAsk,
    Source,
    Touchpoint,
)
from profiles.selectors import known_facts
from tests.shop.factories import make_order, make_product

pytestmark = pytest.mark.django_db

CARD = 'id="question-card"'
FIRST = "How did you first hear about our shop?"  # the seeded bank's first question


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def the_ask(profile) -> QuestionAsk:
    return QuestionAsk.objects.select_related("question__attribute").get(profile=profile)


def only_question(key: str, **fields) -> ProfileQuestion:
    ProfileQuestion.objects.update(active=False)
    return ProfileQuestion.objects.create(
        attribute=Attribute.objects.get(key=key),
        text=fields.pop("text", f"Your {key}?"),
        why_we_ask=fields.pop("why_we_ask", f"Because {key} matters."),
        **fields,
    )


# --- the card on natural pages ---------------------------------------------------


def test_the_card_shows_the_question_why_we_ask_and_three_buttons(shopper_client):
    page = html(shopper_client.get("/me/"))
    assert CARD in page and FIRST in page
    assert "Why we ask:" in page and "adverts nobody sees" in page
    assert 'value="answer"' in page and ">Not now<" in page and "Don't ask me this" in page
    assert 'type="radio" name="answer" value="Search engine"' in page
    assert 'name="next" value="/me/"' in page


def test_the_card_is_on_the_home_page_after_login(shopper_client):
    page = html(shopper_client.get("/"))
    assert CARD in page and FIRST in page and 'name="next" value="/"' in page


def test_the_card_is_on_the_order_confirmation(shopper_client, shopper):
    order = make_order(shopper.profile, at=timezone.now(), lines=[(make_product(), 1)])
    page = html(shopper_client.get(f"/shop/orders/{order.number}/thanks/"))
    assert CARD in page and FIRST in page
    assert f'name="next" value="/shop/orders/{order.number}/thanks/"' in page


def test_the_same_question_follows_the_shopper_through_one_visit(shopper_client, shopper):
    for path in ("/", "/me/", "/"):
        assert FIRST in html(shopper_client.get(path))
    assert QuestionAsk.objects.filter(profile=shopper.profile).count() == 1


def test_no_card_for_visitors_or_staff(client, care_agent):
    assert CARD not in html(client.get("/"))
    client.force_login(care_agent)
    assert CARD not in html(client.get("/"))
    assert not QuestionAsk.objects.exists()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("device", ['type="radio" name="answer" value="Phone"']),
        ("gift_buyer", ['type="radio" name="answer" value="yes"', ">Yes</label>", ">No</label>"]),
        ("favourite_brands", ['type="text" name="answer"', "Separate several with commas"]),
        ("postal_city", ['type="text" name="answer"', 'maxlength="500"']),
    ],
)
def test_the_answer_widget_follows_the_value_kind(shopper_client, key, expected):
    only_question(key)
    page = html(shopper_client.get("/me/"))
    for fragment in expected:
        assert fragment in page


def test_several_choices_are_checkboxes(shopper_client, shopper):
    Attribute.objects.create(
        key="pets", label="Pets", category="interest", value_kind="multi_choice", choices=["Cat"]
    )
    only_question("pets")
    assert 'type="checkbox" name="answer" value="Cat"' in html(shopper_client.get("/me/"))


# --- answering, skipping, declining -------------------------------------------------


def test_answering_stores_a_fact_and_goes_back_with_thanks(shopper_client, shopper):
    shopper_client.get("/")
    ask = the_ask(shopper.profile)
    response = shopper_client.post(
        f"/me/questions/{ask.pk}/", {"action": "answer", "answer": "Social media", "next": "/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Thank you" in messages_of(response)[0]
    fact = known_facts(shopper.profile)["found_us_via"]
    assert (fact.value, fact.source, fact.ref_id) == ("Social media", Source.QUESTION, str(ask.pk))
    page = html(shopper_client.get("/me/"))
    assert CARD not in page  # no second question in the same visit
    assert "Social media" in page and "A question you answered" in page


def test_several_answers_and_lists_are_stored_as_lists(shopper_client, shopper):
    only_question("favourite_brands")
    shopper_client.get("/me/")
    ask = the_ask(shopper.profile)
    shopper_client.post(
        f"/me/questions/{ask.pk}/", {"action": "answer", "answer": "Acme, Zeta ,, Acme"}
    )
    assert known_facts(shopper.profile)["favourite_brands"].value == ["Acme", "Zeta"]


@pytest.mark.parametrize(("answer", "stored"), [("yes", True), ("no", False)])
def test_yes_and_no_are_stored_as_booleans(shopper_client, shopper, answer, stored):
    only_question("gift_buyer")
    shopper_client.get("/me/")
    shopper_client.post(
        f"/me/questions/{the_ask(shopper.profile).pk}/", {"action": "answer", "answer": answer}
    )
    assert known_facts(shopper.profile)["gift_buyer"].value is stored


@pytest.mark.parametrize(
    ("action", "outcome", "kind", "says"),
    [
        ("skip", Outcome.SKIPPED, Kind.QUESTION_SKIPPED, "for a while"),
        ("decline", Outcome.DECLINED, Kind.QUESTION_DECLINED, "three months"),
    ],
)
def test_not_now_and_dont_ask_me_take_one_click(
    shopper_client, shopper, action, outcome, kind, says
):
    shopper_client.get("/me/")
    ask = the_ask(shopper.profile)
    # the answer field is ignored, even if it holds something invalid
    response = shopper_client.post(
        f"/me/questions/{ask.pk}/", {"action": action, "answer": "Typewriter", "next": "/me/"}
    )
    assert response["Location"] == "/me/" and says in messages_of(response)[0]
    ask.refresh_from_db()
    assert ask.outcome == outcome
    assert Touchpoint.objects.filter(profile=shopper.profile, kind=kind).count() == 1
    assert CARD not in html(shopper_client.get("/me/"))
    assert "found_us_via" not in known_facts(shopper.profile)


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"action": "answer", "answer": "A forged choice"}, "not one of the available choices"),
        ({"action": "answer", "answer": ""}, "Please give an answer"),
        ({"action": "answer"}, "Please give an answer"),
        ({"action": "answer", "answer": "x" * 5000}, "not one of the available choices"),
        ({"action": "shout"}, "Please answer, or choose"),
        ({}, "Please answer, or choose"),
    ],
)
def test_bad_answers_say_why_and_store_nothing(shopper_client, shopper, data, says):
    shopper_client.get("/me/")
    ask = the_ask(shopper.profile)
    response = shopper_client.post(f"/me/questions/{ask.pk}/", {**data, "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert says in messages_of(response)[0]
    ask.refresh_from_db()
    assert ask.outcome == Outcome.PENDING
    assert not ProfileFact.objects.filter(profile=shopper.profile, source=Source.QUESTION).exists()
    assert CARD in html(shopper_client.get("/me/"))  # still there to try again


def test_an_over_long_text_answer_is_refused(shopper_client, shopper):
    only_question("postal_city")
    shopper_client.get("/me/")
    ask = the_ask(shopper.profile)
    response = shopper_client.post(
        f"/me/questions/{ask.pk}/", {"action": "answer", "answer": "L" * 501}
    )
    assert "at most 500 characters" in messages_of(response)[0]
    assert "postal_city" not in known_facts(shopper.profile)


def test_a_double_submit_stores_the_answer_once(shopper_client, shopper):
    shopper_client.get("/me/")
    url = f"/me/questions/{the_ask(shopper.profile).pk}/"
    shopper_client.post(url, {"action": "answer", "answer": "Social media"})
    again = shopper_client.post(url, {"action": "answer", "answer": "Other"})
    assert again.status_code == 302 and "already" in messages_of(again)[-1]
    skip = shopper_client.post(url, {"action": "skip"})
    assert skip.status_code == 302 and "already" in messages_of(skip)[-1]
    assert known_facts(shopper.profile)["found_us_via"].value == "Social media"
    assert ProfileFact.objects.filter(profile=shopper.profile, source=Source.QUESTION).count() == 1
    answered = Touchpoint.objects.filter(profile=shopper.profile, kind=Kind.QUESTION_ANSWERED)
    assert answered.count() == 1


def test_another_shoppers_ask_is_404(shopper_client, shopper, other_shopper):
    services.visit_start(user_id=other_shopper.pk, now=timezone.now())
    other_shopper.profile.refresh_from_db()
    theirs = asking.next_question(other_shopper.profile, page="/", now=timezone.now())
    for action in ("answer", "skip", "decline"):
        response = shopper_client.post(
            f"/me/questions/{theirs.pk}/", {"action": action, "answer": "Other"}
        )
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.outcome == Outcome.PENDING
    assert not ProfileFact.objects.filter(source=Source.QUESTION).exists()


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999999"])
def test_unknown_asks_are_404(shopper_client, pk):
    assert shopper_client.post(f"/me/questions/{pk}/", {"action": "skip"}).status_code == 404


def test_the_endpoint_needs_login_post_and_a_profile(client, shopper_client, shopper, care_agent):
    shopper_client.get("/me/")
    url = f"/me/questions/{the_ask(shopper.profile).pk}/"
    assert shopper_client.get(url).status_code == 405
    client.logout()
    anonymous = client.post(url, {"action": "skip"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(care_agent)
    assert client.post(url, {"action": "skip"}).status_code == 404
    assert the_ask(shopper.profile).outcome == Outcome.PENDING


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "", "\\\\evil.example"],
)
def test_next_never_leaves_the_site(shopper_client, shopper, unsafe):
    shopper_client.get("/me/")
    response = shopper_client.post(
        f"/me/questions/{the_ask(shopper.profile).pk}/", {"action": "skip", "next": unsafe}
    )
    assert response["Location"] == "/me/"


# --- query counts ----------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/", "/me/"])
def test_the_card_costs_a_bounded_number_of_queries(shopper_client, shopper, path, monkeypatch):
    shopper_client.get(path)  # starts the visit and puts the question
    assert CARD in html(shopper_client.get(path))
    base = _queries(shopper_client, path)

    # A long history: many asks over past visits, many facts learned.
    profile = shopper.profile
    questions = list(ProfileQuestion.objects.order_by("pk"))
    long_ago = timezone.now() - timedelta(days=60)
    for n, question in enumerate(questions[1:]):
        QuestionAsk.objects.create(
            profile=profile,
            question=question,
            visit=100 + n,
            asked_at=long_ago + timedelta(days=n),
            outcome=Outcome.SKIPPED,
            answered_at=long_ago + timedelta(days=n),
        )
    for n, (key, value) in enumerate(
        [("device", "Phone"), ("postal_city", "Leeds"), ("shopping_time", "Evenings")]
    ):
        services.learn(profile, key, value, source=Source.SURVEY, origin=f"t:{n}")
    assert CARD in html(shopper_client.get(path))
    assert _queries(shopper_client, path) == base

    # The card's own share: the recent asks (with whether the pending one's answer became
    # known meanwhile) and the profiling consent (plus the profile on the home page).
    monkeypatch.setattr(asking, "next_question", lambda *args, **kwargs: None)
    without = _queries(shopper_client, path)
    assert CARD not in html(shopper_client.get(path))
    assert base - without == 2


def test_putting_the_first_question_of_a_visit_is_bounded(shopper_client, shopper):
    shopper_client.get("/privacy/")  # the visit starts here, without a card
    putting = _queries(shopper_client, "/me/")
    showing = _queries(shopper_client, "/me/")
    # Once a visit: the candidate question, the ask, its timeline entry (get or create),
    # their savepoints, and perhaps the content type of the ask (cached afterwards).
    assert putting - showing <= 11
    assert QuestionAsk.objects.filter(profile=shopper.profile).count() == 1
