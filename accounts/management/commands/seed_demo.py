import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError


def scaled_seeder(config):
    """An app's bulk seeder for benchmarks: `seed_demo_scaled` on its AppConfig, or in
    its `demo` module. Looked up by name so this command imports no stage app."""
    found = getattr(config, "seed_demo_scaled", None)
    if found is not None:
        return found
    try:
        module = import_module(f"{config.name}.demo")
    except ModuleNotFoundError as error:
        if error.name != f"{config.name}.demo":
            raise
        return None
    return getattr(module, "seed_demo_scaled", None)


class Command(BaseCommand):
    help = (
        "Load the demo data idempotently; every app with a seed_demo() adds its part. "
        "With --customers N --orders M, apps with a scaled seeder load exactly N customers "
        "and M orders in bulk instead (for benchmarks); the others seed as usual first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, help="bulk-load exactly this many customers")
        parser.add_argument("--orders", type=int, help="... sharing exactly this many orders")
        parser.add_argument(
            "--reload", action="store_true", help="reload bulk data even if that size is there"
        )

    def handle(self, *args, **options):
        customers, orders = options["customers"], options["orders"]
        scaled = customers is not None or orders is not None
        if scaled and (customers is None or orders is None):
            raise CommandError("--customers and --orders go together.")
        if scaled and (customers < 0 or orders < 0):
            raise CommandError("--customers and --orders must not be negative.")
        if scaled and orders and not customers:
            raise CommandError("Orders need customers: give --customers 1 or more.")
        started = time.monotonic()
        parts = []
        for config in apps.get_app_configs():
            seed = getattr(config, "seed_demo", None)
            if seed is None:
                continue
            bulk = scaled_seeder(config) if scaled else None
            if bulk is not None:
                self.stdout.write(f"seeding {config.label} at scale ...")
                summary = bulk(
                    customers=customers,
                    orders=orders,
                    reload=options["reload"],
                    out=self.stdout.write,
                )
            else:
                self.stdout.write(f"seeding {config.label} ...")
                summary = seed(out=self.stdout.write)
            parts.append(f"{config.label}: {summary}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"seed_demo done in {elapsed:.1f}s — " + "; ".join(parts))
        )
