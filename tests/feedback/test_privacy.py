"""Feedback's part of "download my data" and "delete my account": the customer's items
are exported; on erasure their words go, and the wish list still counts the topics."""

import json

import pytest

from feedback.models import FeedbackItem, FeedbackTopic
from feedback.privacy import erase_feedback, export_feedback
from feedback.selectors import wish_list
from profiles.privacy import erase_stages, export_stages
from tests.feedback.conftest import wish, wishers

pytestmark = pytest.mark.django_db


def test_export_holds_the_customers_items_and_is_json_ready(shopper):
    wish(shopper.profile, text="I wish you sold loose leaf green tea.", rating=4)
    wish(identifier="alice@example.com", text="Evening delivery please.")
    wish(identifier="bob@elsewhere.example", text="Somebody else's wish.")
    exported = export_stages(shopper.profile)["feedback"]
    json.dumps(exported)
    items = exported["feedback_items"]
    assert [item["text"] for item in items] == [
        "I wish you sold loose leaf green tea.",
        "Evening delivery please.",
    ]
    assert [item["written_when_logged_in"] for item in items] == [True, False]
    assert items[0]["rating"] == 4
    assert "green tea" in items[0]["topics"]


def test_erase_blanks_the_words_and_keeps_the_counts(shopper, other_shopper):
    others = wishers(5, "I wish you offered gift wrapping.", days_ago=0)
    mine = wish(shopper.profile, text="I wish you offered gift wrapping, Alice here.")
    guest = wish(identifier="ALICE@example.com", text="Evening delivery for Alice please.")
    before = {row.topic: row.customers for row in wish_list(suppress=True).rows}
    assert before["gift wrapping"] == 6

    touched = erase_feedback(profile=shopper.profile)

    assert touched == 2
    for item in (mine, guest):
        item.refresh_from_db()
        assert (item.profile, item.text, item.identifier, item.reply) == (None, "", "", "")
    assert FeedbackTopic.objects.filter(item=mine, topic="gift wrapping").exists()
    after = {row.topic: row.customers for row in wish_list(suppress=True).rows}
    assert after["gift wrapping"] == 6
    assert all(
        item.profile_id for item in FeedbackItem.objects.filter(pk__in=[o.pk for o in others])
    )
    assert FeedbackItem.objects.filter(profile=other_shopper.profile).count() == 0


def test_erasure_through_the_hub_reaches_feedback(shopper):
    wish(shopper.profile)
    assert erase_stages(shopper.profile)["feedback"] == 1
    assert export_feedback(profile=shopper.profile) == {"feedback_items": []}
