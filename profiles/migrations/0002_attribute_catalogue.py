"""The catalogue of what the shop may learn, stage by stage. Staff can add more in the admin."""

from django.db import migrations

B, P, S = "basic", "personal", "sensitive"

CATALOGUE = [
    # key, label, category, sensitivity, value kind, choices, description
    ("full_name", "Name", "identity", B, "text", [], "Asked at registration."),
    ("user_id", "User ID", "identity", B, "text", [], "Chosen at registration."),
    (
        "birthday_month",
        "Birthday month",
        "identity",
        P,
        "choice",
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "Only to send a birthday treat; asked once trust is established.",
    ),
    ("email", "E-mail address", "contact", B, "email", [], "Asked at registration."),
    ("phone", "Phone number", "contact", P, "phone", [], "Given at checkout, optional."),
    (
        "postal_street",
        "Street address",
        "contact",
        P,
        "text",
        [],
        "Learned from your first delivery.",
    ),
    ("postal_city", "Town or city", "contact", P, "text", [], "Learned from your first delivery."),
    ("postal_postcode", "Postcode", "contact", P, "text", [], "Learned from your first delivery."),
    ("postal_country", "Country", "contact", B, "text", [], "Learned from your first delivery."),
    (
        "preferred_contact_channel",
        "Preferred way to hear from us",
        "preference",
        B,
        "choice",
        ["E-mail", "Post", "Phone", "Rather not"],
        "",
    ),
    (
        "delivery_preference",
        "Delivery preference",
        "preference",
        B,
        "choice",
        ["Standard", "Next day", "Evening", "Pick-up point"],
        "",
    ),
    (
        "payment_preference",
        "Payment preference",
        "preference",
        B,
        "choice",
        ["Invoice", "Pay on delivery"],
        "Learned from the way you pay.",
    ),
    (
        "favourite_categories",
        "Favourite categories",
        "preference",
        B,
        "list",
        [],
        "Worked out from what you buy.",
    ),
    (
        "favourite_brands",
        "Favourite brands",
        "preference",
        B,
        "list",
        [],
        "Worked out from what you buy or tell us.",
    ),
    (
        "shopping_frequency",
        "How often you shop with us",
        "habit",
        B,
        "choice",
        ["Weekly", "Monthly", "A few times a year", "Rarely"],
        "",
    ),
    (
        "typical_basket",
        "Typical basket",
        "habit",
        B,
        "choice",
        ["Under 25", "25 to 75", "75 to 150", "Over 150"],
        "",
    ),
    (
        "discount_affinity",
        "Responds to discounts",
        "habit",
        B,
        "choice",
        ["Often", "Sometimes", "Rarely"],
        "Learned from coupons and offers you use.",
    ),
    (
        "shopping_time",
        "When you usually shop",
        "habit",
        B,
        "choice",
        ["Mornings", "Daytime", "Evenings", "Weekends"],
        "",
    ),
    ("gift_buyer", "Buys gifts", "habit", B, "boolean", [], ""),
    (
        "found_us_via",
        "How you found the shop",
        "web_usage",
        B,
        "choice",
        [
            "Search engine",
            "Friend or family",
            "Social media",
            "An advert",
            "A postcard or letter",
            "Other",
        ],
        "",
    ),
    (
        "device",
        "Device you shop on most",
        "web_usage",
        B,
        "choice",
        ["Phone", "Tablet", "Laptop or desktop"],
        "",
    ),
    (
        "online_shopping_frequency",
        "How often you shop online anywhere",
        "web_usage",
        B,
        "choice",
        ["Daily", "Weekly", "Monthly", "Less often"],
        "",
    ),
    ("newsletter_reader", "Reads newsletters", "web_usage", B, "boolean", [], ""),
    (
        "interests",
        "Interests",
        "interest",
        B,
        "list",
        [],
        "Learned from what you tell us you wish for.",
    ),
    (
        "offer_kinds_liked",
        "Offers you respond to",
        "interest",
        B,
        "list",
        [],
        "Learned from campaigns you open and click.",
    ),
    (
        "keywords_liked",
        "Topics you respond to",
        "interest",
        B,
        "list",
        [],
        "Learned from campaign links you click.",
    ),
    (
        "dietary_needs",
        "Dietary needs",
        "preference",
        S,
        "text",
        [],
        "Health-related: never asked in a survey without an explicit, recorded override.",
    ),
]


def add_catalogue(apps, schema_editor):
    Attribute = apps.get_model("profiles", "Attribute")
    for key, label, category, sensitivity, kind, choices, description in CATALOGUE:
        Attribute.objects.update_or_create(
            key=key,
            defaults={
                "label": label,
                "category": category,
                "sensitivity": sensitivity,
                "value_kind": kind,
                "choices": choices,
                "description": description,
            },
        )


def remove_catalogue(apps, schema_editor):
    Attribute = apps.get_model("profiles", "Attribute")
    Attribute.objects.filter(key__in=[row[0] for row in CATALOGUE], facts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]
    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
