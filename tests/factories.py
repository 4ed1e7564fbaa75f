"""Test data made through the same services the site uses, so provenance is real."""

import itertools

from accounts.services import account_register

PASSWORD = "correct-horse-battery-9"
_counter = itertools.count(1)


def make_shopper(
    *,
    name: str | None = None,
    username: str | None = None,
    email: str | None = None,
    password: str = PASSWORD,
    marketing_email: bool = False,
    surveys: bool = False,
):
    n = next(_counter)
    return account_register(
        name=name or f"Shopper {n}",
        username=username or f"shopper{n}",
        email=email or f"shopper{n}@example.com",
        password=password,
        marketing_email=marketing_email,
        surveys=surveys,
    )
