"""Reading customers' own words: the topics of a wish, a feedback item or an e-mail.

Shared by the stages where customers write freely (feedback, contact logs), so a
topic means the same everywhere and the wish list can count them together.
"""

import re
from functools import lru_cache

MAX_TOPICS = 5
MAX_TOPIC_LENGTH = 60
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)

# Words that say how someone feels or what they want done, not what they talk about.
# YAKE keeps them at the edge of a phrase ("sold green", "offer gift", "parcel arrived"),
# which splits one topic into many on the wish list, so they are trimmed from the ends.
_FILLER_WORDS = """
    able add added also always amazing arrive arrived awesome bad bit bought brilliant
    buy buying came come could day days dear did disappointed do does done even ever
    excellent fantastic get gets good got great had happy has have hello help helps hi
    idea ideas just keep kept kind know like liked lot lots love loved lovely made make
    many maybe month months more much need needed never nice offer offered offering
    offers ok okay perfect perhaps please possible really received save see seen sell
    selling sells send sending should sign sold something sort sorted still stock
    stocked stocking stocks straight sure thank thanks thing things think time use used
    using very want wanted way week weeks well wish wished wonderful would year years
"""
FILLER = frozenset(_FILLER_WORDS.split())


@lru_cache(maxsize=8)
def _extractor(max_topics: int):
    import yake

    # Up to two-word phrases, few near-duplicates ("green tea", "tea"); more candidates
    # than needed, because trimming and merging below drop some.
    return yake.KeywordExtractor(lan="en", n=2, dedupLim=0.7, top=max_topics * 3)


def normalise_topic(phrase: str) -> str:
    """Lower case, single spaces, letters only at the ends: "Green  Tea!" -> "green tea"."""
    words = _WORD.findall(phrase.lower())
    return " ".join(words)[:MAX_TOPIC_LENGTH]


def _trimmed(topic: str) -> str:
    """The topic without filler words at either end: "sold green tea" -> "green tea"."""
    words = topic.split()
    while words and words[0] in FILLER:
        words.pop(0)
    while words and words[-1] in FILLER:
        words.pop()
    return " ".join(words)


def _covered(topic: str, chosen: list[str]) -> bool:
    """Whether `topic` adds nothing to `chosen`: every word of it is already inside
    another chosen phrase (a single word of a phrase, or a phrase bridging two others:
    "free baking" between "gluten free" and "baking books")."""
    others = {word for phrase in chosen if phrase != topic for word in phrase.split()}
    return all(word in others for word in topic.split())


def extract_topics(text: str, *, max_topics: int = MAX_TOPICS) -> list[str]:
    """The most telling words and short phrases of `text`, best first, normalised and
    without repeats; an empty list for text with nothing to say."""
    if not text or not _WORD.search(text):
        return []
    candidates: list[str] = []
    for phrase, _score in _extractor(max_topics).extract_keywords(text):
        topic = _trimmed(normalise_topic(phrase))
        if len(topic) >= 3 and topic not in candidates:
            candidates.append(topic)
    # Phrases first, so that a single word they contain does not take a place.
    phrases = [topic for topic in candidates if " " in topic]
    topics = [topic for topic in phrases if not _covered(topic, phrases)]
    for topic in candidates:
        if " " not in topic and not _covered(topic, topics):
            topics.append(topic)
    ranked = sorted(topics, key=candidates.index)
    return ranked[:max_topics]
