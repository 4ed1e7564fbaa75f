"""What each staff role may open in the admin (issue 8 walks every URL; these are the
pages this far)."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "/admin/profiles/customerprofile/": {"care": 200, "marketer": 403},
    "/admin/profiles/questionask/": {"care": 200, "marketer": 403},
    "/admin/profiles/profilequestion/": {"care": 200, "marketer": 200},
    "/admin/profiles/profilequestion/add/": {"care": 403, "marketer": 200},
    "/admin/shop/order/": {"care": 200, "marketer": 403},
    "/admin/surveys/survey/": {"care": 403, "marketer": 200},
    "/marketing/surveys/": {"care": 403, "marketer": 200},
    "/admin/campaigns/campaign/": {"care": 403, "marketer": 200},
    "/admin/campaigns/recipient/": {"care": 200, "marketer": 403},
    "/admin/surveys/surveyresponse/": {"care": 200, "marketer": 403},
    "/marketing/": {"care": 403, "marketer": 200},
    "/marketing/offers/": {"care": 403, "marketer": 200},
    "/marketing/keywords/": {"care": 403, "marketer": 200},
    "/marketing/channels/": {"care": 403, "marketer": 200},
}


@pytest.mark.parametrize("url", PAGES)
def test_each_role_opens_only_its_pages(client, care_agent, marketer, shopper, url):
    expected = PAGES[url]
    for role, user in (("care", care_agent), ("marketer", marketer)):
        client.force_login(user)
        assert client.get(url).status_code == expected[role], (role, url)
    client.force_login(shopper)
    assert client.get(url).status_code in (302, 403)
