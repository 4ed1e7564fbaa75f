"""The essence of an e-mail or call: what the customer said, in a line, and what they want.

Pure functions over text, deterministic, no database: `essence_of(...)` is what the
Celery task computes and `contacts.services.contact_essence` stores.

Steps
- `own_words`: drop quoted replies ("> " lines, "On … wrote:" and Outlook header
  blocks) and signatures, with mail-parser-reply plus a few plain rules.
- `summarise`: extractive. Each sentence scores one point per topic word it holds, 1
  for an order number, 2 if it matches the intent's rule, 1 for a question, -1 for a
  pleasantry ("thanks for…"); greetings, names and sign-offs are left out. The best
  one or two are kept, in their original order.
- topics: `profiles.text.extract_topics`, shared with feedback.
- sentiment: VADER's compound score; >= 0.05 positive, <= -0.05 negative.
- intent: the first rule of INTENT_RULES (highest priority first) that matches the
  customer's own words, or else the subject; praise only when the mood is positive.
- order numbers: ORDER_NUMBER below.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from profiles.text import extract_topics

SUMMARY_SENTENCES = 2
SUMMARY_MAX = 400
# Enough for any message a person wrote; keeps keyword extraction fast on a pasted log.
MAX_TEXT = 20_000
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05

# This shop's order numbers are 100000 + the order's id (shop.services._order_create):
# six to nine digits. A run of digits that is part of a phone number ("07700 900123")
# is not one: digits or "+" right before it, or more digits right after, rule it out.
ORDER_NUMBER = re.compile(r"(?<![\d+])(?<!\d[ -])([1-9]\d{5,8})\b(?![ -]?\d)")

# (intent, pattern), highest priority first: an angry refund request is a
# return/refund before it is a complaint; "where is my order?" is order status even
# when it ends in thanks; praise is only praise when nothing else was asked.
INTENT_RULES: list[tuple[str, re.Pattern]] = [
    (
        "return_refund",
        re.compile(
            r"\b(refund\w*|return(s|ed|ing)?\b|money back|send (it|them) back|"
            r"exchange (it|them|for)|(send|want|need|get|like) (me )?(a )?replacement|"
            r"cancel(led)? (my|the) order|chargeback)",
            re.IGNORECASE,
        ),
    ),
    (
        "complaint",
        re.compile(
            r"\b(complain\w*|unacceptable|disgraceful|appalling|terrible|awful|worst|"
            r"rude|ridiculous|disappointed|disappointing|furious|broken|damaged|faulty|"
            r"not good enough|fed up|shocking)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "order_status",
        re.compile(
            r"(where('s| is) my (order|parcel|package|delivery)|\btrack(ing)?\b|"
            r"\b(not|never|hasn'?t|has not|haven'?t|have not) (yet )?(arrived|been delivered|"
            r"received|come)|\bdispatch(ed)?\b|\bshipped\b|\bdelivery date\b|\bdelayed\b|"
            r"status of (my |the )?order|when will (my|the|it)\b.*\b(arrive|be delivered|ship))",
            re.IGNORECASE,
        ),
    ),
    (
        "product_question",
        re.compile(
            r"(\bdo you (have|sell|stock|do)\b|\b(back )?in stock\b|\bwhich (size|colour|color|"
            r"model)\b|\b(ingredients|dimensions|compatible|suitable for|made of|"
            r"how (big|large|long|heavy) is)\b|\b(is|does|will|can) (it|this|the \w+)\b[^.?!]*\?)",
            re.IGNORECASE,
        ),
    ),
    (
        "praise",
        re.compile(
            r"\b(thank you so much|many thanks|love (it|them|the)|loved|lovely|brilliant|"
            r"excellent|great service|amazing|fantastic|wonderful|delighted|superb|"
            r"so happy|very happy|impressed|well done|keep up)\b",
            re.IGNORECASE,
        ),
    ),
]

_QUOTE_HEADER = re.compile(
    r"^(on .{3,200}wrote:\s*$|-{2,} ?original message ?-{2,}|-{2,} ?forwarded message ?-{2,}|"
    r"from: .+$\n(?:^(sent|date|to|cc|subject): .*$\n?)+)",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE_DELIMITER = re.compile(r"^-- ?$", re.MULTILINE)
_SIGN_OFF = re.compile(
    r"^(best( wishes| regards)?|kind regards|regards|thanks( again)?|thank you|cheers|"
    r"many thanks|yours( sincerely| faithfully| truly)?|all the best|sent from my \w+.*)[,.!]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_GREETING = re.compile(
    r"^(hi|hello|hey|dear|good (morning|afternoon|evening))\b[^.!?\n]*[,!]?$", re.I
)
_PLEASANTRY = re.compile(r"^(thanks|thank you|many thanks|sorry|i hope|hope you)\b", re.I)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
_WORD = re.compile(r"[^\W\d_][\w'-]*")


@dataclass
class Essence:
    text: str
    summary: str
    topics: list[str] = field(default_factory=list)
    sentiment_score: float = 0.0
    sentiment: str = "neutral"
    intent: str = "other"
    order_numbers: list[str] = field(default_factory=list)


def own_words(body: str) -> str:
    """The newest part of a message: no quoted thread, no signature."""
    if not body:
        return ""
    text = body.replace("\r\n", "\n")
    try:
        from mailparser_reply import EmailReplyParser

        reply = EmailReplyParser(languages=["en"]).parse_reply(text)
    except Exception:  # a parser bug must never lose the message
        reply = None
    if reply:
        text = reply
    # What the library leaves behind, by the plain old rules.
    header = _QUOTE_HEADER.search(text)
    if header and header.start() > 0:
        text = text[: header.start()]
    delimiter = _SIGNATURE_DELIMITER.search(text)
    if delimiter and delimiter.start() > 0:
        text = text[: delimiter.start()]
    lines = [line for line in text.split("\n") if not line.lstrip().startswith(">")]
    text = "\n".join(lines)
    sign_off = _SIGN_OFF.search(text)
    if sign_off and sign_off.start() > len(text) // 3:
        text = text[: sign_off.start()]
    return text.strip()


def sentences(text: str) -> list[str]:
    """The sentences of `text`, lines re-joined within a paragraph (mail wraps at 72
    columns); greetings, and short unpunctuated lines (names, sign-offs), left out."""
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        joined = " ".join(paragraph.split())
        for match in _SENTENCE.finditer(joined):
            sentence = match.group(0).strip()
            words = len(_WORD.findall(sentence))
            punctuated = sentence[-1:] in ".!?"
            if words < 2 or (not punctuated and words < 5) or _GREETING.match(sentence):
                continue
            found.append(sentence)
    return found


def summarise(text: str, topics: list[str], *, subject: str = "", intent: str = "other") -> str:
    candidates = sentences(text)
    if not candidates:
        return " ".join(subject.split())[:SUMMARY_MAX]
    topic_words = {word for topic in topics for word in topic.split() if len(word) > 2}
    intent_pattern = dict(INTENT_RULES).get(intent)

    def score(item: tuple[int, str]) -> tuple[float, int]:
        position, sentence = item
        words = {word.lower() for word in _WORD.findall(sentence)}
        points: float = len(words & topic_words)
        points += 1 if ORDER_NUMBER.search(sentence) else 0
        points += 2 if intent_pattern is not None and intent_pattern.search(sentence) else 0
        points += 1 if sentence.endswith("?") else 0
        points -= 1 if _PLEASANTRY.match(sentence) else 0
        # Ties go to the earlier sentence: customers tend to say what matters first.
        return (points, -position)

    best = sorted(enumerate(candidates), key=score, reverse=True)[:SUMMARY_SENTENCES]
    summary = " ".join(sentence for _, sentence in sorted(best))
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"
    return summary


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment_of(text: str) -> tuple[float, str]:
    if not text.strip():
        return 0.0, "neutral"
    score = round(float(_vader().polarity_scores(text)["compound"]), 4)
    if score >= POSITIVE_AT:
        return score, "positive"
    if score <= NEGATIVE_AT:
        return score, "negative"
    return score, "neutral"


def intent_of(text: str, *, sentiment: str) -> str:
    for intent, pattern in INTENT_RULES:
        if not pattern.search(text):
            continue
        # Thanks in an unhappy message is politeness, not praise.
        if intent == "praise" and sentiment != "positive":
            continue
        return intent
    return "other"


def order_numbers_in(text: str) -> list[str]:
    return list(dict.fromkeys(ORDER_NUMBER.findall(text)))


def _without_names(topics: list[str], names: list[str]) -> list[str]:
    """Topics that are not the customer's own name (signatures slip through)."""
    name_words = {word.lower() for name in names for word in _WORD.findall(name or "")}
    return [topic for topic in topics if not set(topic.split()) & name_words]


def essence_of(
    *, subject: str, body: str, is_email: bool, names: list[str] | None = None
) -> Essence:
    """`names`: the customer's name and address, kept out of the topics."""
    text = (own_words(body) if is_email else body.strip())[:MAX_TEXT]
    # A reply's subject is the old thread's ("Re: your order has shipped"), so the
    # customer's own words decide the intent; the subject only when they say nothing.
    whole = f"{subject}.\n{text}" if subject else text
    topics = _without_names(extract_topics(whole), names or [])
    score, label = sentiment_of(text or subject)
    intent = intent_of(text, sentiment=label)
    if intent == "other":
        intent = intent_of(subject, sentiment=label)
    return Essence(
        text=text,
        summary=summarise(text, topics, subject=subject, intent=intent),
        topics=topics,
        sentiment_score=score,
        sentiment=label,
        intent=intent,
        order_numbers=order_numbers_in(whole),
    )
