from django.core.management.base import BaseCommand

from shop.patterns import patterns_refresh, patterns_refresh_stale


class Command(BaseCommand):
    help = "Refresh buying patterns: the stale ones (default), or everybody with --all."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="recompute every customer")
        parser.add_argument(
            "--chunk-size", type=int, default=20_000, help="customer ids per SQL statement"
        )

    def handle(self, *args, **options):
        if options["all"]:
            result = patterns_refresh(chunk_size=options["chunk_size"], progress=self.stdout.write)
            self.stdout.write(
                self.style.SUCCESS(
                    f"recomputed {result.customers} customers' patterns in {result.chunks} "
                    f"chunks, {result.facts_learned} favourite-category facts learned, "
                    f"in {result.seconds:.1f}s"
                )
            )
        else:
            refreshed = patterns_refresh_stale()
            self.stdout.write(self.style.SUCCESS(f"refreshed {refreshed} stale patterns"))
