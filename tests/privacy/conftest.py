import pytest

from tests.privacy.stages import make_stage_customer


@pytest.fixture
def customer(db):
    return make_stage_customer()
