"""The patient asker's first bank of single questions. Staff edit it in the admin.

Habits, preferences and web usage first; the one personal question (the birthday
month) waits until the customer trusts the shop (trust level 3).
"""

from django.db import migrations

BANK = [
    # attribute key, question, why we ask, minimum trust, priority
    (
        "found_us_via",
        "How did you first hear about our shop?",
        "So we spend our budget on what really brings people here, not on adverts nobody sees.",
        0,
        100,
    ),
    (
        "device",
        "What do you shop with us on most?",
        "So we can make the shop work best on the screen you actually use.",
        0,
        90,
    ),
    (
        "delivery_preference",
        "When we deliver, what suits you best?",
        "So checkout can offer your favourite delivery first.",
        1,
        80,
    ),
    (
        "shopping_time",
        "When do you usually shop?",
        "So any news from us arrives when you like to read it, not in the middle of the night.",
        1,
        70,
    ),
    (
        "online_shopping_frequency",
        "How often do you shop online, anywhere?",
        "It helps us judge how often to be in touch without becoming a nuisance.",
        1,
        60,
    ),
    (
        "newsletter_reader",
        "Do you generally read newsletters from shops?",
        "If you don't, we will keep our e-mails to your orders.",
        1,
        55,
    ),
    (
        "preferred_contact_channel",
        "If we need to reach you, how would you like to hear from us?",
        "We would rather use the way you like than the way we like.",
        1,
        50,
    ),
    (
        "shopping_frequency",
        "How often do you expect to shop with us?",
        "So we neither remind you too often nor forget you.",
        2,
        45,
    ),
    (
        "typical_basket",
        "Roughly what do you spend in one order?",
        "So the offers we show are ones that fit your basket.",
        2,
        40,
    ),
    (
        "gift_buyer",
        "Do you often buy presents for other people here?",
        "So we can mention gift wrapping and last delivery dates before the holidays.",
        2,
        35,
    ),
    (
        "favourite_brands",
        "Which brands do you like best?",
        "So we can tell you when they have something new, and spare you the rest.",
        2,
        30,
    ),
    (
        "interests",
        "What are you into? A few words are plenty.",
        "So the shop can put the things you care about first.",
        2,
        25,
    ),
    (
        "birthday_month",
        "In which month is your birthday?",
        "For a birthday treat. We only ask for the month, never the day or the year.",
        3,
        20,
    ),
]


def add_bank(apps, schema_editor):
    Attribute = apps.get_model("profiles", "Attribute")
    ProfileQuestion = apps.get_model("profiles", "ProfileQuestion")
    attributes = {a.key: a for a in Attribute.objects.filter(key__in=[row[0] for row in BANK])}
    for key, text, why, min_trust, priority in BANK:
        if key not in attributes or ProfileQuestion.objects.filter(attribute__key=key).exists():
            continue
        ProfileQuestion.objects.create(
            attribute=attributes[key],
            text=text,
            why_we_ask=why,
            min_trust=min_trust,
            priority=priority,
        )


def remove_bank(apps, schema_editor):
    apps.get_model("profiles", "ProfileQuestion").objects.filter(
        text__in=[row[1] for row in BANK], asks__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0005_patient_asker")]
    operations = [migrations.RunPython(add_bank, remove_bank)]
