"""Codes: human-friendly, unique at scale, typed any which way."""

import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from coupons import services
from coupons.models import ALPHABET, CouponCode, DiscountKind, code_display
from coupons.services import Terms, code_normalise, codes_create, codes_generate
from tests.coupons.factories import make_code

TERMS = Terms(kind=DiscountKind.PERCENT, value=Decimal("10"))


def test_generated_codes_avoid_ambiguous_characters_and_print_in_groups():
    code = codes_generate(1)[0]
    assert len(code) == 8
    assert set(code) <= set(ALPHABET)
    assert not set("01ILO") & set(ALPHABET)
    assert code_display(code) == f"{code[:4]}-{code[4:]}"


def test_a_hundred_thousand_generated_codes_are_all_different_and_quick():
    started = time.monotonic()
    codes = codes_generate(100_000)
    assert len(set(codes)) == 100_000
    assert time.monotonic() - started < 10


@pytest.mark.django_db
def test_a_hundred_thousand_codes_are_stored_unique_in_bulk():
    started = time.monotonic()
    made = codes_create(count=100_000, terms=TERMS)
    elapsed = time.monotonic() - started
    assert len(made) == 100_000
    assert CouponCode.objects.values("code").distinct().count() == 100_000
    assert elapsed < 60, f"took {elapsed:.1f}s"


@pytest.mark.django_db
def test_a_candidate_already_in_the_table_is_drawn_again(monkeypatch):
    taken = make_code("ABCDEFGH")
    draws = iter(["ABCDEFGH", "ABCDEFGH", "JKMNPQRS", "TUVWXYZ2"])
    monkeypatch.setattr(services, "code_generate", lambda: next(draws))
    made = codes_create(count=2, terms=TERMS)
    assert sorted(c.code for c in made) == ["JKMNPQRS", "TUVWXYZ2"]
    assert CouponCode.objects.filter(code=taken.code).count() == 1


@pytest.mark.parametrize("typed", ["k7qm-3xpa", " K7QM 3XPA ", "K7QM3XPA", "k7qm\u20133xpa"])
def test_case_spaces_and_dashes_do_not_matter(typed):
    assert code_normalise(typed) == "K7QM3XPA"


@pytest.mark.django_db
def test_the_database_refuses_the_same_normalised_code_twice():
    make_code("WELCOME10")
    with pytest.raises(IntegrityError), transaction.atomic():
        CouponCode.objects.create(
            code="WELCOME10",
            kind="percent",
            value=5,
            valid_from=CouponCode.objects.get().valid_from,
        )


@pytest.mark.django_db
def test_the_database_refuses_codes_that_are_not_normalised():
    coupon = make_code("GOOD1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CouponCode.objects.filter(pk=coupon.pk).update(code="good-1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [{"value": 0}, {"kind": "percent", "value": 101}, {"max_uses": 0}, {"uses": 101}],
)
def test_check_constraints_hold(change):
    coupon = make_code("CHECKS", max_uses=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        CouponCode.objects.filter(pk=coupon.pk).update(**change)


@pytest.mark.django_db
def test_a_shared_code_of_your_own_must_be_letters_and_digits():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_code("NO WAY!")
    with pytest.raises(ValidationError, match="exists already"):
        make_code("TWICE")
        make_code("twice")
