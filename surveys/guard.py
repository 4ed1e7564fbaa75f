"""The personal-data guard: surveys ask about shopping habits and web usage, not about people.

A question is flagged when its words read as personal (income, age, health, ...) or when
its answer would teach a personal or sensitive profile attribute. Publishing a survey with
flagged questions takes an explicit override with a reason, which is recorded.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from profiles.models import Attribute, Sensitivity

# (topic, pattern): whole words only, so "usage" or "page" never reads as "age".
PERSONAL_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    (topic, re.compile(rf"\b(?:{words})\b", re.IGNORECASE))
    for topic, words in [
        (
            "income or wealth",
            r"household income|income|salar(?:y|ies)|wages?|earnings?|"
            r"net worth|debts?",
        ),
        (
            "age or date of birth",
            r"age|ages|aged|how old|birth ?date|date of birth|birthdays?|"
            r"born|year of birth",
        ),
        (
            "health",
            r"health|healthy|medical|medicines?|medication|illness(?:es)?|disabilit(?:y|ies)|"
            r"disabled|diagnos(?:is|ed)|pregnan(?:t|cy)|allerg(?:y|ies)|diet(?:ary)?",
        ),
        (
            "religion or belief",
            r"religions?|religious|faith|beliefs?|church|mosque|synagogue|temple",
        ),
        ("ethnicity or race", r"ethnicity|ethnic|race|racial|nationality"),
        ("politics", r"politics|political|vote|voted|voting|party membership|trade union"),
        ("sexuality or gender", r"sexuality|sexual|sex|orientation|gender"),
        (
            "family or relationships",
            r"family|families|child|children|kids|married|marriage|"
            r"marital|spouse|partner|divorced|household size",
        ),
        (
            "where someone lives",
            r"address|postcode|post code|zip(?: code)?|"
            r"where (?:do )?you live|home town|neighbourhood",
        ),
        (
            "identity documents or contact details",
            r"passport|national insurance|"
            r"social security|phone number|mobile number|e-?mail address",
        ),
    ]
]

PERSONAL_SENSITIVITIES = {Sensitivity.PERSONAL, Sensitivity.SENSITIVE}


@dataclass(frozen=True)
class QuestionFlag:
    text: str
    reasons: tuple[str, ...]

    def describe(self) -> str:
        return f"“{self.text}” {' and '.join(self.reasons)}."


def personal_topics(text: str) -> list[str]:
    """The personal topics the words of `text` touch, each with the words that matched."""
    found = []
    for topic, pattern in PERSONAL_TOPICS:
        words = sorted({match.group(0).lower() for match in pattern.finditer(text)})
        if words:
            found.append(f"{topic} ({', '.join(words)})")
    return found


def flag_question(
    *, text: str, help_text: str = "", attribute: Attribute | None = None
) -> QuestionFlag | None:
    reasons = []
    topics = personal_topics(f"{text}\n{help_text}")
    if topics:
        reasons.append("reads as personal: it mentions " + "; ".join(topics))
    if attribute is not None and attribute.sensitivity in PERSONAL_SENSITIVITIES:
        reasons.append(
            f"teaches “{attribute.label}”, a {attribute.get_sensitivity_display().lower()} "
            "attribute of the profile"
        )
    return QuestionFlag(text=text, reasons=tuple(reasons)) if reasons else None


def flag_questions(questions: Iterable) -> list[QuestionFlag]:
    """Flags for the questions (anything with text, help_text and attribute) that need one."""
    flags = []
    for question in questions:
        flag = flag_question(
            text=question.text, help_text=question.help_text, attribute=question.attribute
        )
        if flag is not None:
            flags.append(flag)
    return flags


def publish_refusal(
    *, publishing: bool, personal_override: bool, flags: list[QuestionFlag]
) -> str | None:
    """Why a survey may not be published as it stands, or None when it may."""
    if not publishing or not flags or personal_override:
        return None
    listed = " ".join(f"{n}. {flag.describe()}" for n, flag in enumerate(flags, 1))
    return (
        f"This survey can't be published: {len(flags)} question"
        f"{'s' if len(flags) != 1 else ''} ask{'' if len(flags) != 1 else 's'} for personal "
        f"data, and surveys are for shopping habits and web usage. {listed} "
        "Reword or remove them, or tick “publish despite personal questions” and give "
        "the reason; the override is recorded with your name."
    )
