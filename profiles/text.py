"""Reading customers' own words: the topics of a wish, a feedback item or an e-mail.

Shared by the stages where customers write freely (feedback, contact logs), so a
topic means the same everywhere and the wish list can count them together.
"""

import re
from functools import lru_cache

MAX_TOPICS = 5
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


@lru_cache(maxsize=1)
def _extractor(max_topics: int):
    import yake

    # Up to two-word phrases, few near-duplicates ("green tea", "tea").
    return yake.KeywordExtractor(lan="en", n=2, dedupLim=0.7, top=max_topics * 2)


def normalise_topic(phrase: str) -> str:
    """Lower case, single spaces, letters only at the ends: "Green  Tea!" -> "green tea"."""
    words = _WORD.findall(phrase.lower())
    return " ".join(words)[:60]


def extract_topics(text: str, *, max_topics: int = MAX_TOPICS) -> list[str]:
    """The most telling words and short phrases of `text`, best first, normalised and
    without repeats; an empty list for text with nothing to say."""
    if not text or not _WORD.search(text):
        return []
    topics: list[str] = []
    for phrase, _score in _extractor(max_topics).extract_keywords(text):
        topic = normalise_topic(phrase)
        if len(topic) < 3 or topic in topics:
            continue
        # Drop a single word already inside a chosen phrase, and vice versa keep the phrase.
        if any(topic in chosen.split() for chosen in topics):
            continue
        topics.append(topic)
        if len(topics) == max_topics:
            break
    return topics
