"""Demo notifications for seed_demo: a few in-app messages, so the centre and its badge show something.
Idempotent: fixed event names (the dedupe key makes a second run a no-op)."""

from .models import Category, Channel
from .services import GENERIC_TEMPLATE, notify

MESSAGES = [
    ("demo.welcome", Category.ACCOUNT, "Welcome to the onboarding portal"),
    ("demo.preferences", Category.ACCOUNT, "Choose how you are notified: immediately, in a daily digest, or off"),
]


def seed(world):
    people = [user for user in world["people"].values() if user.is_active]
    for event, category, title in MESSAGES:
        notify(
            event=event,
            recipients=people,
            category=category,
            template=GENERIC_TEMPLATE,
            context={"title": title},
            url="/notifications/preferences/" if event == "demo.preferences" else "/",
            channels=(Channel.IN_APP,),
        )
    return world
