import time

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo data idempotently; every app with a seed_demo() adds its part."

    def handle(self, *args, **options):
        started = time.monotonic()
        parts = []
        for config in apps.get_app_configs():
            seed = getattr(config, "seed_demo", None)
            if seed is None:
                continue
            self.stdout.write(f"seeding {config.label} ...")
            parts.append(f"{config.label}: {seed(out=self.stdout.write)}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"seed_demo done in {elapsed:.1f}s — " + "; ".join(parts))
        )
