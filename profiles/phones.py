"""Phone numbers in one form (E.164, "+441134960000"), so a number typed at checkout,
said on a call or searched for by staff is the same number everywhere."""

import re

import phonenumbers
from django.conf import settings

_DIGITS = re.compile(r"\d")


def default_region() -> str:
    return getattr(settings, "PHONE_DEFAULT_REGION", "GB")


def normalise_phone(text: str, *, region: str | None = None) -> str | None:
    """The number in E.164, or None when `text` is not a possible phone number.

    A national number ("0113 496 0000") is read in the shop's default region; an
    international one ("+353 21 000 0000", "00353...") keeps its own country.
    """
    if not text or len(_DIGITS.findall(text)) < 6:
        return None
    cleaned = text.strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, region or default_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(value: str) -> str:
    """A stored number as people write it ("+44 113 496 0000"); other text unchanged."""
    try:
        number = phonenumbers.parse(value, default_region())
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def national_digits(value: str) -> str:
    """The national significant number ("1134960000"), the part every written form of
    a number contains; "" for what is not a number."""
    try:
        number = phonenumbers.parse(value, default_region())
    except phonenumbers.NumberParseException:
        return ""
    return str(number.national_number)
