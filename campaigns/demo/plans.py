"""What the demo's sent campaigns are: names, offers, keywords, dates and response rates."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from campaigns.models import Channel, OfferKind

Out = Callable[[str], None]

SEED = 5_2026
OFFERS = [
    ("Ten percent off tea", OfferKind.DISCOUNT, "Ten percent off every tea for a week."),
    ("Free delivery weekend", OfferKind.FREE_DELIVERY, "No delivery charge this weekend."),
    ("The new arrivals", OfferKind.NEW_ARRIVALS, "What came in this month."),
]
KEYWORDS = ["tea", "books", "gifts", "kitchen"]
DEMO_CAMPAIGN = "Demo: the new arrivals"
BODY = (
    "Hello {first_name},\n\n"
    'this month brought new teas ([see the teas](/shop/?q=tea "tea")) and a shelf of '
    'new books ([see the books](/shop/?q=book "books")).\n\n'
    "The PatientCRM shop"
)

# The people the shop's demo registers (shop.demo; campaigns do not import the shop).
DEMO_CUSTOMER_PREFIX = "demo-customer-"
DEMO_SHOPPER = "demo-shopper"

# The sent campaigns, by name. The coupons demo prints a coupon for each recipient of
# the two paper ones, so these names are the key it finds them by: keep them stable.
SPRING_EMAIL = "Spring teas: ten percent off"
SUMMER_EMAIL = "Free delivery for the summer weekend"
POSTCARD_CAMPAIGN = "Free delivery for our regulars"
LETTER_CAMPAIGN = "Ten percent off tea and the kitchen"
AUTUMN_EMAIL = "Autumn arrivals: books and kitchen"
PAPER_CAMPAIGNS = (POSTCARD_CAMPAIGN, LETTER_CAMPAIGN)

# Registration asks nobody for direct mail, so no demo customer has said yes to it. The
# demo lets a realistic share of them tick it on their privacy page some months ago
# (through profiles.services.set_consent, as that page does), so that the postcard and
# the letter reach enough people for their figures to be shown.
DIRECT_MAIL_SHARE = 0.5
DIRECT_MAIL_DAYS_AGO = 200

# How likely a customer of each segment is to respond: the loyal open more.
RESPONSIVENESS = {
    "champions": 3.0,
    "loyal": 2.5,
    "new": 1.6,
    "potential": 1.5,
    "at_risk": 1.0,
    "hibernating": 0.7,
    "lost": 0.5,
    None: 1.0,
}


@dataclass(frozen=True)
class Plan:
    name: str
    channel: Channel
    offer: OfferKind
    keywords: tuple[str, ...]
    days_ago: int
    subject: str
    links: tuple[tuple[str, str, str], ...]  # (label, path, keyword)
    cost: Decimal = Decimal("0")
    # Shares of the recipients who do not buy in the window: opened (or, on paper,
    # scanned the printed code), of those clicked, and unsubscribed.
    opened: float = 0.45
    clicked: float = 0.45
    unsubscribed: float = 0.12
    converting: float = 0.85  # share of the buyers in the window the campaign converted

    def body(self) -> str:
        links = " and ".join(
            f'[{label}]({path} "{keyword}")' for label, path, keyword in self.links
        )
        return f"Hello {{first_name}},\n\n{self.subject}: {links}.\n\nThe PatientCRM shop"


PLANS = [
    Plan(
        SPRING_EMAIL, Channel.EMAIL, OfferKind.DISCOUNT, ("tea", "gifts"), 170,
        "Ten percent off every tea this week",
        (("see the teas", "/shop/?q=tea", "tea"),
         ("tea gifts", "/shop/?q=gift", "gifts")),
    ),
    Plan(
        SUMMER_EMAIL, Channel.EMAIL, OfferKind.FREE_DELIVERY, ("kitchen", "books"), 125,
        "No delivery charge this weekend",
        (("for the kitchen", "/shop/?q=kitchen", "kitchen"),
         ("books for the summer", "/shop/?q=book", "books")),
        opened=0.40, unsubscribed=0.14,
    ),
    Plan(
        POSTCARD_CAMPAIGN, Channel.POSTCARD, OfferKind.FREE_DELIVERY, ("gifts", "tea"), 90,
        "Free delivery on your next order",
        (("gifts", "/shop/?q=gift", "gifts"), ("teas", "/shop/?q=tea", "tea")),
        cost=Decimal("0.85"), opened=0.40, clicked=1.0, unsubscribed=0.14,
    ),
    Plan(
        LETTER_CAMPAIGN, Channel.LETTER, OfferKind.DISCOUNT, ("tea", "kitchen"), 55,
        "Ten percent off tea and everything for the kitchen",
        (("teas", "/shop/?q=tea", "tea"),
         ("the kitchen", "/shop/?q=kitchen", "kitchen")),
        cost=Decimal("1.40"), opened=0.40, clicked=1.0, unsubscribed=0.15,
    ),
    Plan(
        AUTUMN_EMAIL, Channel.EMAIL, OfferKind.NEW_ARRIVALS, ("books", "kitchen"), 30,
        "New books and new things for the kitchen",
        (("the new books", "/shop/?q=book", "books"),
         ("the kitchen shelf", "/shop/?q=kitchen", "kitchen")),
        opened=0.5, unsubscribed=0.15,
    ),
]  # fmt: skip
SENT_CAMPAIGNS = [plan.name for plan in PLANS]
PAPER_ARRIVES_AFTER = timedelta(days=2)  # a coupon is redeemed once the piece is there
MIN_SHOWN = 6  # a little over the dashboards' smallest cell, so every figure shows
