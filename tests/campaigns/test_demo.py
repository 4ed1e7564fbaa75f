"""`manage.py seed_demo`'s campaign part: offers, keywords and one draft, idempotent."""

import pytest

from campaigns.demo import DEMO_CAMPAIGN, seed_demo_campaigns
from campaigns.models import Campaign, CampaignStatus, Keyword, Offer

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_draft_campaign_once():
    lines: list[str] = []
    assert seed_demo_campaigns(out=lines.append) == "3 offers, 4 keywords, 1 draft campaign"
    seed_demo_campaigns(out=lines.append)
    assert (Offer.objects.count(), Keyword.objects.count(), Campaign.objects.count()) == (3, 4, 1)
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    assert campaign.status == CampaignStatus.DRAFT
    assert set(campaign.keywords.values_list("term", flat=True)) == {"tea", "books"}
