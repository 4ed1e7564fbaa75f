"""Topics from customers' own words: short, telling, and the same words for the same wish."""

from profiles.text import extract_topics


def test_a_wish_yields_its_subject_not_the_verbs_around_it():
    topics = extract_topics("I wish you sold green tea in loose leaf tins, not just bags.")
    assert "green tea" in topics
    assert not any(topic.startswith(("sold", "wish")) for topic in topics)


def test_filler_at_the_edges_of_a_phrase_is_trimmed():
    topics = extract_topics("Please offer gift wrapping for books at Christmas.")
    assert "gift wrapping" in topics
    assert "offer gift" not in topics


def test_a_phrase_bridging_two_others_is_dropped():
    topics = extract_topics("A few more gluten free baking books would be lovely.")
    assert topics == ["gluten free", "baking books"]


def test_the_same_wish_in_other_words_shares_its_topic():
    first = extract_topics("Evening delivery would help so much, I am at work all day.")
    second = extract_topics("Please add evening delivery, my parcels keep going back.")
    assert "evening delivery" in first
    assert "evening delivery" in second


def test_at_most_max_topics_lower_case_and_unique():
    text = (
        "The Delivery was late, the Parcel arrived damaged, the teapot lid was broken "
        "and the invoice showed the wrong address and the wrong discount code."
    )
    topics = extract_topics(text, max_topics=3)
    assert len(topics) <= 3
    assert all(topic == topic.lower() for topic in topics)
    assert len(set(topics)) == len(topics)


def test_text_with_nothing_to_say_has_no_topics():
    assert extract_topics("") == []
    assert extract_topics("!!! 123 ???") == []
    assert extract_topics("great great great, thanks") == []
