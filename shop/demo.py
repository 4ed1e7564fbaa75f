"""Demo data for `manage.py seed_demo`: a catalogue, and customers with two years of orders.

Two paths, both deterministic (a fixed random seed; dates are relative to today):

- `seed_demo_shop(out=...)`, the small demo behind `make run`: about a hundred
  customers registered through `accounts.services.account_register`, their order
  history bulk-inserted, the facts a first order teaches and an `order_placed`
  touchpoint per order written through `profiles.services`, then a full
  `patterns_refresh()`. Customers are keyed by username and products by SKU, so a
  second run adds nothing.
- `seed_demo_scaled(customers=N, orders=M, out=...)`, benchmark data: exactly N
  customers (`bench-customer-000001` …) and M orders written in batches with
  PostgreSQL's COPY (bulk_create elsewhere). Per customer it writes what
  registration writes (three facts, four consents, a touchpoint), and per order
  its lines and its `order_placed` touchpoint, plus the facts of each customer's
  first order, all as bulk rows; it skips the per-order `learn()` calls (the
  merged `categories_bought` / `brands_bought` history of later orders) because
  they cost a dozen queries an order. The same N and M already loaded is a no-op.
"""

import io
import itertools
import json
import logging
import queue
import random
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from profiles import services as profile_services
from profiles.models import (
    Attribute,
    BuyingPattern,
    Consent,
    CustomerProfile,
    Kind,
    ProfileFact,
    Purpose,
    Source,
    Touchpoint,
)
from shop.models import COUNTRIES, Category, Order, OrderLine, OrderStatus, PaymentMethod, Product
from shop.patterns import patterns_refresh
from shop.services import ORDER_NUMBER_OFFSET

Out = Callable[[str], None]

SEED = 20_261_203
HISTORY_DAYS = 730
DEMO_PREFIX = "demo-customer-"
BENCH_PREFIX = "bench-customer-"
DEMO_SHOPPER = "demo-shopper"
BATCH = 10_000
JOINED_BEFORE = 45  # at most this many days between registering and the first order

# --- The catalogue -----------------------------------------------------------------
# (name, slug, SKU prefix, description, blurbs, products as (name, brand, price))
CATALOGUE = [
    ("Tea & Coffee", "tea-coffee", "TEA", "Loose leaf, bags and beans from small roasters.",
     ["Blended in small batches and packed in plastic-free paper.",
      "Brew it a minute longer than you think for the full flavour.",
      "Keeps best in a cool, dark cupboard."],
     [("English Breakfast Tea, 80 bags", "Kettle Hill", "4.49"),
      ("Earl Grey Loose Leaf, 250 g", "Hartley & Finch", "7.95"),
      ("Darjeeling First Flush, 100 g", "Hartley & Finch", "12.50"),
      ("Sencha Green Tea, 50 bags", "Kettle Hill", "5.25"),
      ("Peppermint Infusion, 40 bags", "Yorkshire Leaf Co.", "3.20"),
      ("Rooibos and Vanilla, 40 bags", "Yorkshire Leaf Co.", "3.60"),
      ("Colombian Supremo Beans, 1 kg", "Blue Mountain Roasters", "18.90"),
      ("Ethiopian Yirgacheffe, ground, 250 g", "Blue Mountain Roasters", "8.75"),
      ("Swiss Water Decaf Beans, 500 g", "Blue Mountain Roasters", "11.40"),
      ("Espresso Blend Capsules, 30 pack", "Crema Nova", "7.20"),
      ("Stovetop Moka Pot, 6 cup", "Crema Nova", "29.00"),
      ("Glass Teapot with Infuser, 1 l", "Kettle Hill", "19.99")]),
    ("Books", "books", "BOO", "Gardening, cookery, walking, crime and bedtime stories.",
     ["Printed on paper from responsibly managed forests.",
      "A reader favourite, reprinted this year.",
      "Signed copies go out while they last."],
     [("The Patient Gardener (paperback)", "Longmeadow Books", "9.99"),
      ("A Year of Slow Cooking (hardback)", "Harbour Press", "22.00"),
      ("Birds of the British Isles", "Longmeadow Books", "14.99"),
      ("The Lighthouse Keeper's Daughter", "Quill & Ink", "8.99"),
      ("Murder at Marlow Mill", "Quill & Ink", "7.99"),
      ("Maps of the Old Roads", "Harbour Press", "18.50"),
      ("The Tea Drinker's Companion", "Harbour Press", "12.99"),
      ("Knots, Hitches and Splices", "Longmeadow Books", "6.99"),
      ("Goodnight, Little Hedgehog", "Little Acorn", "6.50"),
      ("The Dragon Who Couldn't Roar", "Little Acorn", "7.25"),
      ("Walking the Coast Path", "Longmeadow Books", "16.00"),
      ("Bread, Simply", "Harbour Press", "20.00")]),
    ("Garden", "garden", "GAR", "Tools, seeds and pots for borders, beds and balconies.",
     ["Made to last for years and easy to repair.",
      "Chosen by our own allotment holders.",
      "Peat-free and kind to the bees."],
     [("Stainless Steel Hand Trowel", "Oakridge Tools", "14.50"),
      ("Bypass Secateurs", "Oakridge Tools", "19.95"),
      ("Ash-Handled Border Fork", "Oakridge Tools", "34.00"),
      ("Galvanised Watering Can, 9 l", "Fernleaf", "27.50"),
      ("Wildflower Seed Mix, 100 g", "Meadowsweet Seeds", "5.99"),
      ("Heritage Tomato Seeds, 5 varieties", "Meadowsweet Seeds", "8.40"),
      ("Peat-Free Compost, 40 l", "Fernleaf", "9.50"),
      ("Terracotta Pots, set of 3", "Fernleaf", "24.00"),
      ("Wooden Raised Bed Kit, 1.2 m", "Fernleaf", "64.00"),
      ("Solar Festoon Lights, 10 m", "Glowworm", "22.99"),
      ("Bee Hotel", "Meadowsweet Seeds", "16.50"),
      ("Garden Kneeler and Seat", "Oakridge Tools", "29.99")]),
    ("Kitchen", "kitchen", "KIT", "Pans, knives and stoneware for everyday cooking.",
     ["Dishwasher safe, though it deserves a hand wash.",
      "Works on gas, electric and induction hobs.",
      "Comes with a ten-year guarantee."],
     [("Cast Iron Casserole, 24 cm", "Copperpot", "79.00"),
      ("Non-Stick Frying Pan, 28 cm", "Copperpot", "32.00"),
      ("Chef's Knife, 20 cm", "Hearth & Home", "45.00"),
      ("Beech Chopping Board", "Hearth & Home", "18.00"),
      ("Stoneware Mixing Bowl", "Northbank Ceramics", "21.00"),
      ("Digital Kitchen Scales", "Hearth & Home", "16.99"),
      ("Linen Tea Towels, set of 3", "Hearth & Home", "12.00"),
      ("Enamel Pie Dish", "Northbank Ceramics", "11.50"),
      ("Silicone Baking Mats, set of 2", "Copperpot", "9.99"),
      ("Glass Storage Jars, set of 4", "Hearth & Home", "24.50"),
      ("Hand-Thrown Mug", "Northbank Ceramics", "14.00"),
      ("Salt and Pepper Mill Set", "Copperpot", "27.00")]),
    ("Toys & Games", "toys-games", "TOY", "Wooden toys, jigsaws and games for the whole family.",
     ["Tested to the toy safety standard, suitable from age three.",
      "No batteries, no screens.",
      "A favourite on rainy afternoons."],
     [("Wooden Train Set, 40 pieces", "Tinkertree", "38.00"),
      ("Classic Wooden Building Blocks", "Tinkertree", "24.00"),
      ("Jigsaw: Harbour at Dusk, 1000 pieces", "Puzzlewick", "15.99"),
      ("Jigsaw: Cottage Garden, 500 pieces", "Puzzlewick", "11.99"),
      ("Family Word Game", "Boardroom Games", "19.99"),
      ("Canal Builders Board Game", "Boardroom Games", "34.99"),
      ("Fox & Hound Card Game", "Boardroom Games", "8.99"),
      ("Knitted Rabbit Soft Toy", "Tinkertree", "17.50"),
      ("Delta Kite, 1.2 m", "Skyward", "21.00"),
      ("Marble Run Starter Set", "Tinkertree", "29.00"),
      ("Magnetic Fishing Game", "Tinkertree", "12.50"),
      ("Walnut and Maple Chess Set", "Boardroom Games", "49.00")]),
    ("Outdoor", "outdoor", "OUT", "Kit for walks, picnics and nights under canvas.",
     ["Tested on the fells in all weathers.",
      "Light enough to forget you are carrying it.",
      "Repairable; spare parts are sold separately."],
     [("Insulated Flask, 750 ml", "Trailmark", "24.00"),
      ("Waterproof Walking Jacket", "Fellside", "89.00"),
      ("Merino Walking Socks, 2 pairs", "Fellside", "18.00"),
      ("Waterproof-Backed Picnic Blanket", "Northwind", "29.50"),
      ("Two-Person Camping Stove", "Trailmark", "39.00"),
      ("Head Torch, 300 lumen", "Trailmark", "19.99"),
      ("Day Rucksack, 20 l", "Fellside", "54.00"),
      ("Folding Camping Chair", "Northwind", "32.00"),
      ("Enamel Camping Mug", "Northwind", "8.50"),
      ("Trekking Poles, pair", "Trailmark", "44.00"),
      ("Binoculars 8x42", "Northwind", "119.00"),
      ("Compact Rain Poncho", "Fellside", "12.00")]),
    ("Stationery", "stationery", "STA", "Notebooks, pens and paper for letters worth keeping.",
     ["Fountain-pen friendly paper that does not bleed.",
      "Made in a small workshop in the Peak District.",
      "Refills are available."],
     [("A5 Dotted Notebook", "Paperlark", "9.50"),
      ("Two-Year Weekly Planner", "Paperlark", "14.00"),
      ("Fountain Pen, medium nib", "Inkwell & Co.", "28.00"),
      ("Bottled Ink, Midnight Blue, 50 ml", "Inkwell & Co.", "9.00"),
      ("Letter Writing Set", "Foxglove Press", "16.50"),
      ("Botanical Greeting Cards, pack of 8", "Foxglove Press", "11.00"),
      ("Brass Pencil Sharpener", "Inkwell & Co.", "6.00"),
      ("Graphite Pencils, set of 6", "Paperlark", "7.50"),
      ("Washi Tape, set of 5", "Foxglove Press", "8.25"),
      ("Oak Desk Organiser", "Paperlark", "26.00"),
      ("Wax Seal Kit", "Foxglove Press", "19.00"),
      ("A4 Watercolour Sketchbook", "Paperlark", "17.00")]),
    ("Home Fragrance", "home-fragrance", "FRA", "Candles, diffusers and oils poured by hand.",
     ["Hand-poured soy wax with a cotton wick.",
      "Burns cleanly for around forty hours.",
      "Scented with essential oils only."],
     [("Soy Candle: Fig and Cedar", "Hebden Candle Co.", "18.00"),
      ("Soy Candle: Wild Mint", "Hebden Candle Co.", "18.00"),
      ("Reed Diffuser: Orange Blossom", "Wick & Willow", "24.00"),
      ("Reed Diffuser Refill, 200 ml", "Wick & Willow", "15.00"),
      ("Three-Wick Candle: Winter Spice", "Hebden Candle Co.", "32.00"),
      ("Lavender Wax Melts, 6 pack", "Stillroom", "6.50"),
      ("Ceramic Oil Burner", "Stillroom", "14.00"),
      ("Lavender Essential Oil, 10 ml", "Stillroom", "7.00"),
      ("Room Spray: Sea Salt", "Wick & Willow", "12.50"),
      ("Sandalwood Incense Sticks", "Stillroom", "5.50"),
      ("Brass Candle Snuffer", "Hebden Candle Co.", "11.00"),
      ("Travel Tin Candle Trio", "Wick & Willow", "21.00")]),
    ("Bath & Body", "bath-body", "BAT", "Soaps, balms and towels for a slower evening.",
     ["Vegan, and never tested on animals.",
      "Kind to sensitive skin.",
      "Wrapped in recycled paper."],
     [("Oat Milk Soap Bar", "Tidewater Soap", "5.00"),
      ("Seaweed Bath Salts, 500 g", "Tidewater Soap", "12.00"),
      ("Hand Cream: Rose and Geranium", "Moorland Botanics", "9.50"),
      ("Shea Body Butter, 200 ml", "Salt & Sage", "16.00"),
      ("Bamboo Toothbrushes, 4 pack", "Salt & Sage", "8.00"),
      ("Konjac Face Sponge", "Salt & Sage", "6.50"),
      ("Beeswax and Honey Lip Balm", "Moorland Botanics", "4.25"),
      ("Citrus Shampoo Bar", "Tidewater Soap", "8.50"),
      ("Cotton Waffle Bath Towel", "Salt & Sage", "28.00"),
      ("Bath Oil: Calm Evenings", "Moorland Botanics", "18.00"),
      ("Wooden Nail Brush", "Salt & Sage", "7.00"),
      ("Peppermint Foot Balm", "Moorland Botanics", "10.50")]),
    ("Pet Supplies", "pet-supplies", "PET", "Treats, beds and toys for dogs, cats and birds.",
     ["Vet-approved and made without fillers.",
      "Machine washable at forty degrees.",
      "Loved by our office dog, Biscuit."],
     [("Grain-Free Dog Biscuits, 1 kg", "Hound & Heath", "9.99"),
      ("Waxed Cotton Dog Lead", "Hound & Heath", "22.00"),
      ("Orthopaedic Dog Bed, medium", "Hound & Heath", "59.00"),
      ("Rope Tug Toy", "Whiskers & Wags", "7.50"),
      ("Catnip Mice, 3 pack", "Whiskers & Wags", "5.50"),
      ("Cat Scratching Post", "Whiskers & Wags", "29.00"),
      ("Stoneware Pet Bowl", "Whiskers & Wags", "13.00"),
      ("Oatmeal Dog Shampoo", "Hound & Heath", "8.50"),
      ("Reflective Dog Collar", "Hound & Heath", "12.00"),
      ("Hanging Bird Feeder", "Whiskers & Wags", "15.00"),
      ("Wild Bird Seed Mix, 2 kg", "Whiskers & Wags", "8.00"),
      ("Puppy Training Treats", "Hound & Heath", "4.99")]),
]  # fmt: skip

# Orders per month relative to an average month: a Christmas peak, a quiet February.
MONTH_WEIGHT = {1: 0.8, 2: 0.7, 3: 0.9, 4: 1.0, 5: 1.05, 6: 1.15,
                7: 1.15, 8: 1.0, 9: 0.9, 10: 1.0, 11: 1.6, 12: 2.0}  # fmt: skip
# Categories that sell in their season: the garden in summer, toys at Christmas.
CATEGORY_SEASON = {
    "GAR": {
        1: 0.3,
        2: 0.5,
        3: 1.5,
        4: 2.5,
        5: 3.0,
        6: 3.0,
        7: 2.5,
        8: 2.0,
        9: 1.3,
        11: 0.4,
        12: 0.3,
    },
    "OUT": {5: 1.8, 6: 2.2, 7: 2.2, 8: 1.8, 12: 0.6, 1: 0.6},
    "TOY": {11: 2.5, 12: 4.0},
    "FRA": {6: 0.7, 7: 0.7, 8: 0.7, 10: 1.5, 11: 2.0, 12: 2.5},
    "BOO": {12: 1.8},
}
ORDER_HOURS = [8, 9, 10, 11, 12, 12, 13, 13, 14, 15, 16, 17, 18, 19, 19, 20, 20, 20, 21, 21, 22]
COUPONS = [("WELCOME10", "percent", 10), ("SPRING15", "percent", 15), ("TEAFRIDAY", "fixed", 300),
           ("POSTCARD5", "fixed", 500), ("LOYAL20", "percent", 20)]  # fmt: skip

FIRST_NAMES = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Freya", "Arthur", "Ivy",
               "Leo", "Florence", "Oscar", "Grace", "Harry", "Sophia", "Jack", "Evie",
               "Charlie", "Poppy", "Alfie", "Ella", "Henry", "Rosie", "Thomas", "Aoife",
               "Conor", "Niamh", "Cian", "Chloé", "Lucas", "Léa", "Hugo", "Emma", "Finn",
               "Mia", "Lars", "Sanne", "Daan", "Lotte", "Matteo", "Giulia", "Lucía", "Pablo",
               "Hannah", "Jonas", "Priya", "Arjun", "Fatima", "Yusuf", "Mei", "Kenji", "Zara",
               "Kwame"]  # fmt: skip
SURNAMES = ["Hughes", "Patel", "Walsh", "Murphy", "O'Brien", "Taylor", "Davies", "Evans",
            "Thomas", "Roberts", "Wright", "Khan", "Robinson", "Thompson", "Clarke", "Hall",
            "Green", "Wood", "Harris", "Lewis", "Ahmed", "Byrne", "Kelly", "Campbell", "Stewart",
            "Morgan", "Price", "Bennett", "Dubois", "Laurent", "Schmidt", "Weber", "de Vries",
            "Jansen", "Peeters", "Rossi", "Bianchi", "García", "Martín", "Nowak", "Kowalski",
            "Okafor", "Mensah", "Chen", "Nakamura", "Singh", "Fraser", "Jenkins",
            "Ellis"]  # fmt: skip
GB_STREETS = ["Mill Lane", "Church Street", "Station Road", "Victoria Road", "Park Avenue",
              "The Green", "High Street", "Queen's Road", "Orchard Close", "Meadow View",
              "Chapel Row", "Albert Terrace", "Willow Way", "Castle Hill",
              "Bridge Street"]  # fmt: skip
# (city, country, postcode pattern: A = letter, 9 = digit, weight)
CITIES = [
    ("Leeds", "GB", "LS9 9AA", 6), ("York", "GB", "YO99 9AA", 4), ("Bristol", "GB", "BS9 9AA", 6),
    ("Manchester", "GB", "M99 9AA", 7), ("Edinburgh", "GB", "EH9 9AA", 5),
    ("Norwich", "GB", "NR9 9AA", 3), ("Bath", "GB", "BA9 9AA", 3), ("Cardiff", "GB", "CF99 9AA", 4),
    ("Brighton", "GB", "BN9 9AA", 4), ("Sheffield", "GB", "S99 9AA", 4),
    ("Oxford", "GB", "OX9 9AA", 3), ("Exeter", "GB", "EX9 9AA", 3), ("Glasgow", "GB", "G99 9AA", 5),
    ("Belfast", "GB", "BT9 9AA", 3), ("Cambridge", "GB", "CB9 9AA", 3),
    ("Nottingham", "GB", "NG9 9AA", 4), ("Newcastle upon Tyne", "GB", "NE9 9AA", 4),
    ("London", "GB", "SE99 9AA", 12), ("Hebden Bridge", "GB", "HX7 9AA", 1),
    ("Dublin", "IE", "D09 A9A9", 4), ("Cork", "IE", "T12 A9A9", 2), ("Galway", "IE", "H91 A9A9", 1),
    ("Lyon", "FR", "69009", 1), ("Bordeaux", "FR", "33000", 1), ("Berlin", "DE", "10999", 1),
    ("Hamburg", "DE", "20999", 1), ("Utrecht", "NL", "3599 AA", 1), ("Ghent", "BE", "9000", 1),
    ("Valencia", "ES", "46009", 1), ("Bologna", "IT", "40129", 1),
]  # fmt: skip
FOREIGN_STREETS = {
    "FR": ["{n} rue des Lilas", "{n} avenue Jean Jaurès", "{n} place du Marché"],
    "DE": ["Lindenstraße {n}", "Gartenweg {n}", "Am Markt {n}"],
    "NL": ["Oudegracht {n}", "Tulpstraat {n}"],
    "BE": ["Veldstraat {n}", "Korenmarkt {n}"],
    "ES": ["Calle de Colón {n}", "Avenida del Puerto {n}"],
    "IT": ["Via dell'Indipendenza {n}", "Via San Felice {n}"],
}


@dataclass(frozen=True)
class Habit:
    """How a kind of customer buys: when they started and stopped, how often, how much."""

    name: str
    demo_count: int  # customers of this kind in the small demo
    share: float  # of customers in the scaled path
    first_ago: tuple[int, int]  # days before today of the first order
    last_ago: tuple[int, int]  # days before today of the latest order
    every_days: int  # one order per this many days; 0 for a fixed count
    orders: tuple[int, int] = (1, 1)  # when every_days is 0
    lines: tuple[int, int] = (1, 3)
    max_quantity: int = 2
    discount_rate: float = 0.15


HABITS = [
    Habit("weekly regular", 12, 0.07, (300, 720), (0, 8), 7, lines=(1, 3)),
    Habit("monthly loyal", 16, 0.16, (200, 700), (5, 40), 30, lines=(1, 4), discount_rate=0.25),
    Habit("big spender", 8, 0.05, (300, 700), (10, 90), 75, lines=(4, 8), max_quantity=4),
    Habit("new", 10, 0.10, (1, 28), (1, 28), 0, (1, 1), lines=(1, 3), discount_rate=0.4),
    Habit("potential", 8, 0.10, (40, 110), (15, 60), 0, (2, 2)),
    Habit("at risk", 10, 0.12, (500, 720), (150, 280), 0, (8, 18), lines=(1, 4)),
    Habit("hibernating", 8, 0.12, (250, 500), (200, 330), 0, (1, 2)),
    Habit("lapsed", 12, 0.18, (420, 725), (365, 600), 0, (1, 4)),
    Habit("one-off", 6, 0.10, (30, 700), (30, 700), 0, (1, 1), lines=(1, 2), discount_rate=0.3),
]


@dataclass(frozen=True)
class Item:
    product_id: int
    category_id: int
    name: str
    brand: str
    category: str
    code: str
    pence: int


@dataclass
class Customer:
    """One customer's plan: who, where, what they like, and when they order."""

    index: int
    name: str
    habit: Habit
    street: str
    city: str
    postcode: str
    country: str
    phone: str
    pays: str
    likes: tuple[str, ...]
    order_days: list[int]  # days before today, oldest first
    joined_days: int


def _money(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


# --- Shared planning ------------------------------------------------------------------


class Calendar:
    """Days before today weighted by the month's sales, and order times within a day."""

    def __init__(self, today: date, tz):
        self.today = today
        self.tz = tz
        weights = [MONTH_WEIGHT[(today - timedelta(days=d)).month] for d in range(HISTORY_DAYS + 1)]
        self.cumulative = [0.0, *itertools.accumulate(weights)]
        self._months = [
            (today - timedelta(days=d)).month for d in range(HISTORY_DAYS + JOINED_BEFORE + 1)
        ]
        self._midnights = [
            datetime.combine(today - timedelta(days=d), datetime.min.time(), tzinfo=tz).timestamp()
            for d in range(HISTORY_DAYS + JOINED_BEFORE + 1)
        ]

    def day_between(self, rng: random.Random, newest: int, oldest: int) -> int:
        u = rng.uniform(self.cumulative[newest], self.cumulative[oldest + 1])
        return min(max(bisect_right(self.cumulative, u) - 1, newest), oldest)

    def order_days(self, rng: random.Random, count: int, newest: int, oldest: int) -> list[int]:
        if count <= 1:
            return [newest]
        middle = [self.day_between(rng, newest, oldest) for _ in range(count - 2)]
        return sorted([oldest, newest, *middle], reverse=True)

    def moment(self, rng: random.Random, days_ago: int, now_ts: float) -> float:
        """A plausible time of day on that day, as a UTC timestamp, never in the future."""
        ts = self._midnights[days_ago] + rng.choice(ORDER_HOURS) * 3600 + rng.randrange(3600)
        # Drawn whether needed or not, so the random stream never depends on the clock.
        earlier = now_ts - rng.randrange(600, 7200)
        return earlier if ts > now_ts - 600 else ts

    def month(self, days_ago: int) -> int:
        return self._months[days_ago]


def _address(rng: random.Random) -> tuple[str, str, str, str, str]:
    city, country, pattern, _ = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
    number = rng.randint(1, 180)
    if country in FOREIGN_STREETS:
        street = rng.choice(FOREIGN_STREETS[country]).format(n=number)
    else:
        street = f"{number} {rng.choice(GB_STREETS)}"
    postcode = "".join(
        rng.choice("ABDEFGHJLNPQRSTUWXYZ")
        if ch == "A"
        else str(rng.randint(1, 9))
        if ch == "9"
        else ch
        for ch in pattern
    )
    if country == "GB":
        phone = f"07700 900{rng.randint(0, 999):03d}"
    elif country == "IE":
        phone = f"+353 85 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    else:
        phone = ""
    if rng.random() < 0.35:
        phone = ""
    return street, city, postcode, country, phone


def _customer(
    rng: random.Random, index: int, habit: Habit, order_count: int, calendar: Calendar, codes
) -> Customer:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    street, city, postcode, country, phone = _address(rng)
    oldest = rng.randint(*habit.first_ago)
    newest = min(rng.randint(*habit.last_ago), oldest)
    if order_count:
        days = calendar.order_days(rng, order_count, newest, oldest)
        joined = days[0] + rng.randint(1, JOINED_BEFORE)
    else:
        days, joined = [], rng.randint(1, HISTORY_DAYS)
    return Customer(
        index=index,
        name=name,
        habit=habit,
        street=street,
        city=city,
        postcode=postcode,
        country=country,
        phone=phone,
        pays=PaymentMethod.INVOICE if rng.random() < 0.7 else PaymentMethod.PAY_ON_DELIVERY,
        likes=tuple(rng.sample(codes, rng.randint(1, 3))),
        order_days=days,
        joined_days=joined,
    )


def _demo_order_count(rng: random.Random, habit: Habit) -> int:
    if habit.every_days:
        span = (habit.first_ago[0] + habit.first_ago[1]) / 2
        return max(2, round(span / habit.every_days * rng.uniform(0.75, 1.1)))
    return rng.randint(*habit.orders)


class Basket:
    """Picks an order's lines: mostly from the customer's liked categories, else in season."""

    def __init__(self, items: Sequence[Item]):
        self.by_code: dict[str, list[Item]] = {}
        for item in items:
            self.by_code.setdefault(item.code, []).append(item)
        self.codes = list(self.by_code)
        self.seasonal = {
            month: list(
                itertools.accumulate(
                    CATEGORY_SEASON.get(code, {}).get(month, 1.0) * len(self.by_code[code])
                    for code in self.codes
                )
            )
            for month in range(1, 13)
        }

    def pick(self, rng: random.Random, customer: Customer, month: int) -> list[tuple[Item, int]]:
        habit = customer.habit
        chosen: dict[int, tuple[Item, int]] = {}
        # random() scaled by hand: choice() and randint() cost several times more, and
        # the bulk path picks a few million lines.
        random_ = rng.random
        low, high = habit.lines
        likes = customer.likes
        for _ in range(low + int(random_() * (high - low + 1))):
            if random_() < 0.6:
                code = likes[int(random_() * len(likes))]
            else:
                weights = self.seasonal[month]
                code = self.codes[bisect_right(weights, random_() * weights[-1])]
            items = self.by_code[code]
            item = items[int(random_() * len(items))]
            quantity = 1 if random_() < 0.7 else 1 + int(random_() * habit.max_quantity)
            previous = chosen.get(item.product_id)
            chosen[item.product_id] = (item, quantity + (previous[1] if previous else 0))
        return list(chosen.values())


def _discount(rng: random.Random, habit: Habit, subtotal: int, first: bool) -> tuple[str, int]:
    if first and habit.discount_rate >= 0.3 and rng.random() < 0.5:
        code, kind, amount = COUPONS[0]
    elif rng.random() < habit.discount_rate:
        code, kind, amount = rng.choice(COUPONS[1:])
    else:
        return "", 0
    if kind == "percent":
        off = (subtotal * amount + 50) // 100
    else:
        off = amount if subtotal >= 2 * amount else 0
    if 0 < off < subtotal:
        return code, off
    return "", 0


def _status(rng: random.Random, days_ago: int, middle: bool) -> str:
    if days_ago < 2:
        return OrderStatus.PLACED
    if days_ago < 5:
        return OrderStatus.SHIPPED
    # A few orders of regular customers were cancelled; never the first or the latest.
    if middle and rng.random() < 0.02:
        return OrderStatus.CANCELLED
    return OrderStatus.DELIVERED


# --- Catalogue ----------------------------------------------------------------------


def seed_catalogue(*, out: Out) -> list[Item]:
    """Categories and products, created once (by slug and SKU) and left alone after."""
    rng = random.Random(SEED)
    made = 0
    for position, (name, slug, code, description, blurbs, products) in enumerate(CATALOGUE):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        existing = set(
            Product.objects.filter(sku__startswith=f"{code}-").values_list("sku", flat=True)
        )
        new = []
        for n, (product, brand, price) in enumerate(products, start=1):
            sku = f"{code}-{n:03d}"
            lines = rng.sample(blurbs, 2)
            stock = 0 if rng.random() < 0.04 else rng.randint(3, 240)
            if sku in existing:
                continue
            new.append(
                Product(
                    category=category,
                    name=product,
                    slug=slugify(f"{product}-{sku}"),
                    sku=sku,
                    brand=brand,
                    price=Decimal(price),
                    stock=stock,
                    description=f"{product}, from {brand}. {lines[0]} {lines[1]}",
                )
            )
        Product.objects.bulk_create(new)
        made += len(new)
    items = catalogue_items()
    out(f"  catalogue: {made} products created, {len(items)} in {len(CATALOGUE)} categories")
    return items


def catalogue_items() -> list[Item]:
    codes = {slug: code for _, slug, code, *_ in CATALOGUE}
    rows = (
        Product.objects.filter(category__slug__in=codes, active=True)
        .order_by("sku")
        .values_list(
            "pk", "category_id", "name", "brand", "category__name", "category__slug", "price"
        )
    )
    return [
        Item(pk, category_id, name, brand, category, codes[slug], int(price * 100))
        for pk, category_id, name, brand, category, slug, price in rows
    ]


# --- The small demo -------------------------------------------------------------------


def seed_demo_shop(*, out: Out) -> str:
    """The `make run` demo: catalogue, ~90 customers with history, patterns computed."""
    started = time.monotonic()
    items = seed_catalogue(out=out)
    rng = random.Random(SEED + 1)
    now = timezone.now()
    calendar = Calendar(timezone.localdate(now), timezone.get_current_timezone())
    basket = Basket(items)
    users = get_user_model().objects
    existing = set(
        users.filter(username__startswith=DEMO_PREFIX).values_list("username", flat=True)
    )
    with _quiet("celery.app.trace"):
        created, orders_made = _demo_customers(existing, rng, calendar, basket, now, out)
    orders_made += _demo_shopper_orders(calendar, basket, now)
    out(
        f"  customers: {created} created, {len(existing)} already there; "
        f"{orders_made:,} orders created"
    )
    if created or orders_made or not BuyingPattern.objects.exists():
        result = patterns_refresh(progress=lambda line: out(f"  patterns: {line}"))
        out(f"  patterns: {result.customers} customers scored in {result.seconds:.1f}s")
    customers = users.filter(username__startswith=DEMO_PREFIX).count()
    orders = Order.objects.filter(
        Q(profile__user__username__startswith=DEMO_PREFIX) | Q(profile__user__username=DEMO_SHOPPER)
    ).count()
    out(f"  shop demo done in {time.monotonic() - started:.1f}s")
    return f"{len(items)} products, {customers} customers, {orders:,} orders"


def _demo_customers(existing, rng, calendar, basket, now, out) -> tuple[int, int]:
    created = orders_made = 0
    index = 0
    for habit in HABITS:
        for _ in range(habit.demo_count):
            index += 1
            # Plan every customer, made or not, so the random stream never depends on the database.
            count = _demo_order_count(rng, habit)
            customer = _customer(rng, index, habit, count, calendar, basket.codes)
            username = f"{DEMO_PREFIX}{index:03d}"
            if username in existing:
                continue
            order_rng = random.Random(SEED * 1000 + index)
            orders_made += _demo_customer_create(
                customer, username, order_rng, calendar, basket, now
            )
            created += 1
            if created % 10 == 0:
                out(f"  customers: {created} created ({orders_made:,} orders so far)")
    return created, orders_made


@contextmanager
def _quiet(logger_name: str):
    # Eager Celery logs every welcome-mail task it runs; ninety of them drown the progress.
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _demo_customer_create(customer, username, rng, calendar, basket, now) -> int:
    # The demo registers people the way the site does; imported here, as only the demo needs it.
    from accounts.demo import DEMO_PASSWORD
    from accounts.services import account_register

    first, last = customer.name.split(" ", 1)
    email = f"{slugify(first)}.{slugify(last)}.{customer.index:03d}@example.com"
    with transaction.atomic():
        user = account_register(
            name=customer.name,
            username=username,
            email=email,
            password=DEMO_PASSWORD,
            marketing_email=rng.random() < 0.55,
            surveys=rng.random() < 0.35,
        )
        # Demo people live at example.com: no welcome e-mail for them.
        get_user_model().objects.filter(pk=user.pk).update(welcome_email_sent_at=now)
        history = _history_create(user.profile, customer, rng, calendar, basket, now)
        _backdate_registration(user, customer, history, calendar, now)
        _history_teach(user.profile, history)
    return len(history)


def _demo_shopper_orders(calendar, basket, now) -> int:
    """A few orders for the `demo-shopper` login, once."""
    profile = (
        CustomerProfile.objects.select_related("user").filter(user__username=DEMO_SHOPPER).first()
    )
    if profile is None or Order.objects.filter(profile=profile).exists():
        return 0
    customer = Customer(
        index=0,
        name=profile.user.name,
        habit=HABITS[1],
        street="12 Mill Lane",
        city="Hebden Bridge",
        postcode="HX7 8AD",
        country="GB",
        phone="07700 900123",
        pays=PaymentMethod.INVOICE,
        likes=("TEA", "BOO", "GAR"),
        order_days=[330, 200, 95, 41, 12],
        joined_days=340,
    )
    with transaction.atomic():
        history = _history_create(profile, customer, random.Random(SEED - 1), calendar, basket, now)
        _history_teach(profile, history)
    return len(history)


def _backdate_registration(user, customer: Customer, history, calendar, now) -> None:
    # Registration happened "now" only because the demo ran now; the customer joined
    # before their first order. Only timestamps move: nothing new is written.
    rng = random.Random(user.pk)
    joined = datetime.fromtimestamp(
        calendar.moment(rng, customer.joined_days, now.timestamp()), UTC
    )
    if history:
        joined = min(joined, history[0][0].placed_at - timedelta(hours=rng.randint(1, 72)))
    last = history[-1][0].placed_at if history else joined
    get_user_model().objects.filter(pk=user.pk).update(date_joined=joined, last_login=last)
    CustomerProfile.objects.filter(user=user).update(
        created_at=joined, first_seen=joined, last_seen=last, visit_count=len(history) * 2 + 1
    )
    profile = user.profile
    ProfileFact.objects.filter(profile=profile, source=Source.REGISTRATION).update(
        observed_at=joined, recorded_at=joined
    )
    Touchpoint.objects.filter(profile=profile, kind=Kind.REGISTERED).update(occurred_at=joined)
    Consent.objects.filter(profile=profile, source=Source.REGISTRATION).update(recorded_at=joined)


def _history_create(profile, customer: Customer, rng, calendar, basket, now):
    """The customer's past orders with their lines, bulk-inserted, oldest first, as
    (order, [(item, quantity), ...]) pairs."""
    days = customer.order_days
    if not days:
        return []
    ids = reserve_ids(Order, len(days))
    # Two orders on one day get their times in order too, so ids grow with time.
    moments = sorted(calendar.moment(rng, days_ago, now.timestamp()) for days_ago in days)
    history, lines = [], []
    for position, (order_id, days_ago) in enumerate(zip(ids, days, strict=True)):
        picked = basket.pick(rng, customer, calendar.month(days_ago))
        subtotal = sum(item.pence * quantity for item, quantity in picked)
        code, off = _discount(rng, customer.habit, subtotal, position == 0)
        middle = 0 < position < len(days) - 1
        placed = datetime.fromtimestamp(moments[position], UTC)
        order = Order(
            id=order_id,
            number=str(ORDER_NUMBER_OFFSET + order_id),
            profile=profile,
            status=_status(rng, days_ago, middle),
            payment_method=customer.pays if rng.random() < 0.9 else _other_payment(customer),
            ship_name=customer.name,
            ship_street=customer.street,
            ship_city=customer.city,
            ship_postcode=customer.postcode,
            ship_country=customer.country,
            ship_phone=customer.phone,
            subtotal=Decimal(_money(subtotal)),
            discount=Decimal(_money(off)),
            total=Decimal(_money(subtotal - off)),
            discount_code=code,
            placed_at=placed,
        )
        history.append((order, picked))
        lines += [
            OrderLine(
                order_id=order_id,
                product_id=item.product_id,
                category_id=item.category_id,
                product_name=item.name,
                brand=item.brand,
                category_name=item.category,
                unit_price=Decimal(_money(item.pence)),
                quantity=quantity,
                line_total=Decimal(_money(item.pence * quantity)),
            )
            for item, quantity in picked
        ]
    Order.objects.bulk_create([order for order, _ in history])
    OrderLine.objects.bulk_create(lines)
    return history


def _other_payment(customer: Customer) -> str:
    if customer.pays == PaymentMethod.INVOICE:
        return PaymentMethod.PAY_ON_DELIVERY
    return PaymentMethod.INVOICE


def _history_teach(profile, history) -> None:
    """What the shop would have learned: the first order's facts, a touchpoint per order."""
    if not history:
        return
    first, picked = history[0]
    taught = _first_order_facts(
        street=first.ship_street,
        city=first.ship_city,
        postcode=first.ship_postcode,
        country=first.ship_country,
        phone=first.ship_phone,
        pays=first.payment_method,
        picked=picked,
    )
    for key, value in taught:
        profile_services.learn(
            profile, key, value, source=Source.PURCHASE, ref=first, observed_at=first.placed_at
        )
    for order, picked in history:
        profile_services.record_touchpoint(
            profile,
            Kind.ORDER_PLACED,
            ref=order,
            amount=order.total,
            occurred_at=order.placed_at,
            summary=_order_summary(order.number, picked),
        )


def _first_order_facts(
    *, street: str, city: str, postcode: str, country: str, phone: str, pays: str, picked
) -> list[tuple[str, object]]:
    """What shop.services teaches the profile from an order, as (attribute key, value)."""
    facts: list[tuple[str, object]] = [
        ("postal_street", street),
        ("postal_city", city),
        ("postal_postcode", postcode),
        ("postal_country", COUNTRIES.get(country, country)),
        ("phone", phone),
        ("payment_preference", PaymentMethod(pays).label.split(" (")[0]),
        ("categories_bought", list(dict.fromkeys(item.category for item, _ in picked))),
        ("brands_bought", list(dict.fromkeys(item.brand for item, _ in picked))),
    ]
    return [(key, value) for key, value in facts if value]


def _order_summary(number: str, picked) -> str:
    items = sum(quantity for _, quantity in picked)
    categories = ", ".join(dict.fromkeys(item.category for item, _ in picked))
    return f"Order {number}: {items} item{'s' if items != 1 else ''} ({categories})"[:200]


# --- Bulk writing ---------------------------------------------------------------------


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows about to be inserted with explicit ids (lines need their
    order's id before the order exists). PostgreSQL hands them out from the sequence,
    so a checkout running meanwhile never collides; elsewhere the caller holds the
    only write lock (SQLite)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


class JsonValue:
    """A value bound for a JSON column: COPY needs its JSON text, bulk_create the object."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


# COPY's text format, escaped over a whole batch at once: values are joined with \x00,
# rows with \x02 and NULL written as \x01 (generated data holds none of them); a few
# str.replace passes (far faster than translate) escape the rest and swap them back.
_COPY_TEXT = (
    ("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"),
    ("\x00", "\t"), ("\x01", "\\N"), ("\x02", "\n"),
)  # fmt: skip


def copy_text(rows: Sequence[Sequence]) -> str:
    # str() suits str, int, bool ("True") and aware datetimes ("2025-01-02 03:04:05+00:00").
    text = "\x02".join(
        [
            "\x00".join(
                [
                    "\x01"
                    if value is None
                    else json.dumps(value.value)
                    if value.__class__ is JsonValue
                    else str(value)
                    for value in row
                ]
            )
            for row in rows
        ]
    )
    for old, new in _COPY_TEXT:
        text = text.replace(old, new)
    return text + "\n" if rows else ""


@dataclass
class Prepared:
    """Rows of one table ready to insert: COPY text on PostgreSQL, model objects elsewhere."""

    model: type[models.Model]
    columns: Sequence[str]
    payload: object
    count: int


def bulk_prepare(model: type[models.Model], columns: Sequence[str], rows: Sequence) -> Prepared:
    """Rows are values in `columns` order (attnames): str, int, bool, None, aware
    datetimes, money as "12.34" strings, JSON wrapped in JsonValue."""
    if connection.vendor == "postgresql":
        return Prepared(model, columns, io.StringIO(copy_text(rows)), len(rows))
    objects = [
        model(
            **{
                column: value.value if isinstance(value, JsonValue) else value
                for column, value in zip(columns, row, strict=True)
            }
        )
        for row in rows
    ]
    return Prepared(model, columns, objects, len(objects))


def bulk_insert(prepared: Prepared) -> int:
    """Insert prepared rows on this thread's connection: COPY, or bulk_create."""
    model = prepared.model
    if isinstance(prepared.payload, io.StringIO):
        names = ", ".join(connection.ops.quote_name(c) for c in prepared.columns)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", prepared.payload)
    else:
        model._default_manager.bulk_create(prepared.payload, batch_size=2000)  # type: ignore[arg-type]
    return prepared.count


def _may_skip_foreign_key_checks() -> bool:
    """Whether the next transaction may skip foreign-key checks: PostgreSQL, a superuser
    (session_replication_role), and no transaction open (tests) for the setting to leak into."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cursor.fetchone()[0])


class BatchWriter:
    """Writes batches of prepared tables, one transaction per batch, in order.

    On PostgreSQL outside any transaction a second thread with its own connection
    runs the COPYs while this one generates the next batch, so the database and
    Python work at the same time; there, foreign keys are not checked row by row
    (session_replication_role, superusers only) since the loader makes every id it
    points at. In a transaction (tests) or elsewhere it writes in place.
    """

    def __init__(self, *, report: Callable[[int, int], None]):
        self.report = report
        self.rows = 0
        self.error: BaseException | None = None
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        if self.threaded:
            self.queue: queue.Queue = queue.Queue(maxsize=2)
            self.thread = threading.Thread(target=self._run, name="seed-writer", daemon=True)
            self.thread.start()

    def put(self, batch: list[Prepared], tag: int) -> None:
        if not self.threaded:
            self._write(batch, tag, fast=False)
            return
        while True:
            if self.error is not None:
                raise RuntimeError("the seed writer failed") from self.error
            try:
                self.queue.put((batch, tag), timeout=1)
                return
            except queue.Full:
                continue

    def finish(self) -> int:
        if self.threaded:
            self.queue.put(None)
            self.thread.join()
            if self.error is not None:
                raise RuntimeError("the seed writer failed") from self.error
        return self.rows

    def _run(self) -> None:
        try:
            with connection.cursor() as cursor:
                # Bench data is reproducible: a crash losing the last batch costs nothing.
                cursor.execute("SET synchronous_commit = off")
            fast = _may_skip_foreign_key_checks()
            while (item := self.queue.get()) is not None:
                self._write(*item, fast=fast)
        except BaseException as error:  # the producer sees it at its next put()
            self.error = error
        finally:
            connection.close()

    def _write(self, batch: list[Prepared], tag: int, *, fast: bool) -> None:
        with transaction.atomic():
            if fast:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            self.rows += sum(bulk_insert(prepared) for prepared in batch)
        self.report(tag, self.rows)


# --- The scaled path ------------------------------------------------------------------


def _bench_profiles_sql() -> str:
    profiles = connection.ops.quote_name(CustomerProfile._meta.db_table)
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    join = f"{profiles} p JOIN {users} u ON u.id = p.user_id"
    return f"SELECT p.id FROM {join} WHERE u.username LIKE '{BENCH_PREFIX}%%'"  # noqa: S608


def scaled_counts() -> tuple[int, int]:
    customers = get_user_model().objects.filter(username__startswith=BENCH_PREFIX).count()
    orders = Order.objects.filter(profile__user__username__startswith=BENCH_PREFIX).count()
    return customers, orders


def scaled_wipe(*, out: Out) -> None:
    """Remove every bench customer and their orders, set-based, then the users."""
    started = time.monotonic()
    bench = _bench_profiles_sql()
    q = connection.ops.quote_name
    orders = q(Order._meta.db_table)
    bench_orders = f"SELECT id FROM {orders} WHERE profile_id IN ({bench})"  # noqa: S608
    lines = q(OrderLine._meta.db_table)
    statements = [f"DELETE FROM {lines} WHERE order_id IN ({bench_orders})"]  # noqa: S608
    statements += [
        f"DELETE FROM {q(model._meta.db_table)} WHERE profile_id IN ({bench})"  # noqa: S608
        for model in (Order, Touchpoint, ProfileFact, Consent, BuyingPattern)
    ]
    fast = _may_skip_foreign_key_checks()
    with transaction.atomic(), connection.cursor() as cursor:
        if fast:
            # Children go first, so the per-row checks at commit (minutes here) find nothing.
            cursor.execute("SET LOCAL session_replication_role = replica")
        for sql in statements:
            cursor.execute(sql)
        # Whatever else points at these customers goes the ORM's way.
        get_user_model().objects.filter(username__startswith=BENCH_PREFIX).delete()
    out(f"  removed the previous bench customers in {time.monotonic() - started:.1f}s")


def _scaled_plan(rng, customers: int, orders: int, calendar: Calendar, codes) -> list[Customer]:
    """Exactly `customers` customers sharing exactly `orders` orders by their habits."""
    shares = [habit.share for habit in HABITS]
    habits = rng.choices(HABITS, weights=shares, k=customers)
    counts = [0] * customers
    if orders >= customers:
        counts = [1] * customers
        weights = [
            0.0 if h.orders == (1, 1) and not h.every_days else _expected_orders(h) - 1
            for h in habits
        ]
        for i in rng.choices(range(customers), cum_weights=list(itertools.accumulate(weights)),
                             k=orders - customers):  # fmt: skip
            counts[i] += 1
    else:
        for i in rng.sample(range(customers), orders):
            counts[i] = 1
    return [
        _customer(rng, i + 1, habit, counts[i], calendar, codes) for i, habit in enumerate(habits)
    ]


def _expected_orders(habit: Habit) -> float:
    if habit.every_days:
        return sum(habit.first_ago) / 2 / habit.every_days
    return sum(habit.orders) / 2


class _Refs:
    def __init__(self):
        self.user_type = ContentType.objects.get_for_model(get_user_model()).pk
        self.order_type = ContentType.objects.get_for_model(Order).pk
        self.attributes = dict(Attribute.objects.values_list("key", "pk"))
        self.password = make_password(None)  # unusable: bench customers never log in


def _customer_rows(customers: list[Customer], calendar, now, refs: _Refs, rng):
    user_ids = reserve_ids(get_user_model(), len(customers))
    profile_ids = reserve_ids(CustomerProfile, len(customers))
    users, profiles, facts, consents, touchpoints = [], [], [], [], []
    now_ts = now.timestamp()
    policy = settings.PRIVACY_POLICY_VERSION
    for customer, user_id, profile_id in zip(customers, user_ids, profile_ids, strict=True):
        username = f"{BENCH_PREFIX}{customer.index:06d}"
        email = f"{username}@example.net"
        joined = datetime.fromtimestamp(calendar.moment(rng, customer.joined_days, now_ts), UTC)
        users.append((user_id, refs.password, None, False, username, False, True, joined,
                      customer.name, email, joined))  # fmt: skip
        profiles.append((profile_id, user_id, len(customer.order_days) * 2 + 1, joined, joined,
                         0, 0, joined, None))  # fmt: skip
        origin = f"accounts.user:{user_id}"
        for key, value in (("full_name", customer.name), ("email", email), ("user_id", username)):
            facts.append((profile_id, refs.attributes[key], JsonValue(value),
                          Source.REGISTRATION.value, origin, joined, joined, True, None,
                          refs.user_type, str(user_id), username, None))  # fmt: skip
        for purpose, granted in (
            (Purpose.MARKETING_EMAIL, rng.random() < 0.55),
            (Purpose.SURVEYS, rng.random() < 0.35),
            (Purpose.DIRECT_MAIL, False),
            (Purpose.PROFILING, True),
        ):
            consents.append((profile_id, purpose.value, granted, Source.REGISTRATION.value,
                             joined, policy, None))  # fmt: skip
        touchpoints.append((profile_id, Kind.REGISTERED.value, joined, "Registered with the basics",
                            None, refs.user_type, str(user_id), username, origin))  # fmt: skip
    return profile_ids, [
        (get_user_model(), USER_COLUMNS, users),
        (CustomerProfile, PROFILE_COLUMNS, profiles),
        (ProfileFact, FACT_COLUMNS, facts),
        (Consent, CONSENT_COLUMNS, consents),
        (Touchpoint, TOUCHPOINT_COLUMNS, touchpoints),
    ]


USER_COLUMNS = ("id", "password", "last_login", "is_superuser", "username", "is_staff",
                "is_active", "date_joined", "name", "email", "welcome_email_sent_at")  # fmt: skip
PROFILE_COLUMNS = ("id", "user_id", "visit_count", "first_seen", "last_seen", "trust_level",
                   "completeness", "created_at", "patterns_stale_at")  # fmt: skip
FACT_COLUMNS = ("profile_id", "attribute_id", "value", "source", "origin", "observed_at",
                "recorded_at", "is_current", "superseded_at", "ref_type_id", "ref_id",
                "ref_label", "recorded_by_id")  # fmt: skip
CONSENT_COLUMNS = ("profile_id", "purpose", "granted", "source", "recorded_at",
                   "policy_version", "ip_address")  # fmt: skip
TOUCHPOINT_COLUMNS = ("profile_id", "kind", "occurred_at", "summary", "amount", "ref_type_id",
                      "ref_id", "ref_label", "origin")  # fmt: skip
ORDER_COLUMNS = ("id", "number", "profile_id", "status", "payment_method", "ship_name",
                 "ship_street", "ship_city", "ship_postcode", "ship_country", "ship_phone",
                 "subtotal", "discount", "total", "discount_code", "checkout_token",
                 "placed_at")  # fmt: skip
LINE_COLUMNS = ("order_id", "product_id", "category_id", "product_name", "brand",
                "category_name", "unit_price", "quantity", "line_total")  # fmt: skip


def _order_rows(events, customers, profile_ids, basket, calendar, now, refs, rng):
    """Rows for a batch of (timestamp, customer index, position) events, oldest first."""
    ids = reserve_ids(Order, len(events))
    orders, lines, touchpoints, facts = [], [], [], []
    for order_id, (ts, c, position) in zip(ids, events, strict=True):
        customer = customers[c]
        profile_id = profile_ids[c]
        days = customer.order_days
        days_ago = days[position]
        picked = basket.pick(rng, customer, calendar.month(days_ago))
        subtotal = sum(item.pence * quantity for item, quantity in picked)
        code, off = _discount(rng, customer.habit, subtotal, position == 0)
        number = str(ORDER_NUMBER_OFFSET + order_id)
        placed = datetime.fromtimestamp(ts, UTC)
        pays = customer.pays if rng.random() < 0.9 else _other_payment(customer)
        total = _money(subtotal - off)
        orders.append((order_id, number, profile_id,
                       _status(rng, days_ago, 0 < position < len(days) - 1), pays,
                       customer.name, customer.street, customer.city, customer.postcode,
                       customer.country, customer.phone, _money(subtotal), _money(off), total,
                       code, None, placed))  # fmt: skip
        for item, quantity in picked:
            lines.append((order_id, item.product_id, item.category_id, item.name, item.brand,
                          item.category, _money(item.pence), quantity,
                          _money(item.pence * quantity)))  # fmt: skip
        origin = f"shop.order:{order_id}"
        label = f"Order {number}"
        touchpoints.append((profile_id, Kind.ORDER_PLACED.value, placed,
                            _order_summary(number, picked), total, refs.order_type,
                            str(order_id), label, origin))  # fmt: skip
        if position == 0:
            taught = _first_order_facts(
                street=customer.street,
                city=customer.city,
                postcode=customer.postcode,
                country=customer.country,
                phone=customer.phone,
                pays=pays,
                picked=picked,
            )
            for key, value in taught:
                facts.append((profile_id, refs.attributes[key], JsonValue(value),
                              Source.PURCHASE.value, origin, placed, placed, True, None,
                              refs.order_type, str(order_id), label, None))  # fmt: skip
    return [
        (Order, ORDER_COLUMNS, orders),
        (OrderLine, LINE_COLUMNS, lines),
        (Touchpoint, TOUCHPOINT_COLUMNS, touchpoints),
        (ProfileFact, FACT_COLUMNS, facts),
    ]


def seed_demo_scaled(*, customers: int, orders: int, out: Out, reload: bool = False) -> str:
    """Exactly `customers` bench customers and `orders` orders, for benchmarks.

    The same sizes already loaded are left alone (unless `reload`); other sizes are
    removed first. Ends with a full patterns_refresh so segments exist.
    """
    items = seed_catalogue(out=out)
    have = scaled_counts()
    if have == (customers, orders) and not reload:
        out(f"  bench data already loaded: {customers:,} customers, {orders:,} orders")
        return f"{customers:,} customers, {orders:,} orders already there"
    if have != (0, 0):
        scaled_wipe(out=out)
    rng = random.Random(SEED + 2)
    now = timezone.now()
    calendar = Calendar(timezone.localdate(now), timezone.get_current_timezone())
    basket = Basket(items)
    plan = _scaled_plan(rng, customers, orders, calendar, basket.codes)
    out(f"  planned {customers:,} customers and {orders:,} orders")
    refs = _Refs()
    load_started = time.monotonic()
    # Batch tags: customers as positive counts done, orders as negative ones.
    writer = BatchWriter(
        report=lambda tag, rows: _progress(
            out,
            "customers" if tag > 0 else "orders",
            abs(tag),
            customers if tag > 0 else orders,
            rows,
            load_started,
        ),
    )
    profile_ids: list[int] = []
    for start in range(0, customers, BATCH):
        ids, tables = _customer_rows(plan[start : start + BATCH], calendar, now, refs, rng)
        profile_ids += ids
        writer.put([bulk_prepare(*table) for table in tables], min(start + BATCH, customers))
    for start, batch in _order_batches(plan, calendar, rng, now):
        tables = _order_rows(batch, plan, profile_ids, basket, calendar, now, refs, rng)
        writer.put([bulk_prepare(*table) for table in tables], -(start + len(batch)))
    rows = writer.finish()
    seconds = time.monotonic() - load_started
    if connection.vendor == "postgresql":
        # Fresh statistics and visibility map, as a long-running database would have.
        # VACUUM cannot run in a transaction (tests): ANALYZE then.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (Order, OrderLine, CustomerProfile, ProfileFact, Touchpoint, Consent):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    out(f"  loaded {rows:,} rows in {seconds:.1f}s ({rows / max(seconds, 1e-9):,.0f} rows/s)")
    result = patterns_refresh(progress=lambda line: out(f"  patterns: {line}"))
    out(f"  patterns: {result.customers:,} customers scored in {result.seconds:.1f}s")
    if connection.vendor == "postgresql":
        # The refresh just learned a fact per customer, too few rows for autovacuum to
        # re-analyze: without this the planner thinks favourite facts are rare and picks
        # a scan of all of them for one customer's refresh (40 ms instead of 10).
        with connection.cursor() as cursor:
            for learned in (ProfileFact, BuyingPattern, CustomerProfile):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(learned._meta.db_table)}")
    return (
        f"{customers:,} customers, {orders:,} orders, {rows:,} rows loaded in {seconds:.1f}s "
        f"({rows / max(seconds, 1e-9):,.0f} rows/s)"
    )


def _order_batches(plan: list[Customer], calendar: Calendar, rng, now):
    """Every planned order as (timestamp, customer index, position), oldest first, in
    batches, so order numbers grow with time as they do in a real shop."""
    now_ts = now.timestamp()
    events = sorted(
        (calendar.moment(rng, days_ago, now_ts), c, position)
        for c, customer in enumerate(plan)
        for position, days_ago in enumerate(customer.order_days)
    )
    # Same-day orders of one customer sort by time, not by plan: renumber positions.
    seen = [0] * len(plan)
    for n, (ts, c, _) in enumerate(events):
        events[n] = (ts, c, seen[c])
        seen[c] += 1
    for start in range(0, len(events), BATCH):
        yield start, events[start : start + BATCH]


def _progress(out: Out, what: str, done: int, total: int, rows: int, started: float) -> None:
    seconds = time.monotonic() - started
    out(
        f"  {what}: {done:,} of {total:,} ({rows:,} rows, {seconds:.1f}s, "
        f"{rows / max(seconds, 1e-9):,.0f} rows/s)"
    )
