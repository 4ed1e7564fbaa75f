"""The demo world: catalogue data, habits, calendar and baskets shared by both seed paths."""

import itertools
import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, models

from shop.models import OrderStatus, PaymentMethod

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
