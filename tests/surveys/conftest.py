from datetime import timedelta

import pytest
from django.utils import timezone

from profiles.models import Purpose, Source
from profiles.services import set_consent
from surveys.services import survey_offer_for
from tests.surveys.factories import make_habits_survey


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def consenting(shopper):
    """Alice, who said yes to survey invitations."""
    set_consent(shopper.profile, Purpose.SURVEYS, granted=True, source=Source.CUSTOMER)
    return shopper


@pytest.fixture
def survey(db, now):
    return make_habits_survey(
        title="How you shop with us", slug="how-you-shop", opens_at=now - timedelta(days=1)
    )


@pytest.fixture
def offered(consenting, survey, now):
    """The survey, offered to Alice a minute ago."""
    assert survey_offer_for(profile=consenting.profile, now=now - timedelta(minutes=1)) == survey
    return survey
