"""Phone numbers on calls, in the one form the profile keeps them (profiles.phones)."""

from django.core.exceptions import ValidationError

from profiles import phones


def normalise_phone(raw: str, *, region: str | None = None) -> str:
    """E.164 ("+447700900123") for anything that is a possible number, else ""."""
    if not raw or len(raw.strip()) > 40:
        return ""
    return phones.normalise_phone(raw, region=region) or ""


def require_phone(raw: str) -> str:
    normalised = normalise_phone(raw)
    if not normalised:
        raise ValidationError(
            f"“{raw}” is not a phone number. Write it with its area code, or with + and "
            "the country code for numbers abroad."
        )
    return normalised


def national_digits(e164: str) -> str:
    """The national significant number, the part every written form of it contains."""
    return phones.national_digits(e164)
