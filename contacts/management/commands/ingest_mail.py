from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.services import mail_ingest

PROGRESS_EVERY = 50


class Command(BaseCommand):
    help = (
        "Import e-mail from an mbox file, a Maildir or a folder of .eml files into the "
        "contact logs. Idempotent by Message-ID: running it again imports nothing new. "
        "Bad messages are skipped with a reason and never stop the import."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="an mbox file, a Maildir, or a folder of .eml files")

    def handle(self, *args, path, **options):
        source = Path(path)
        try:
            found = source.exists()
        except OSError as error:  # a folder on the way that may not be entered
            raise CommandError(f"Could not read {source}: {error.strerror or error}") from error
        if not found:
            raise CommandError(f"{source} does not exist.")
        verbose = options["verbosity"] >= 2
        self.stdout.write(f"importing mail from {source} ...")

        def progress(label, outcome, report):
            if verbose or outcome.startswith("skipped"):
                self.stdout.write(f"  {label}: {outcome}")
            if report.read % PROGRESS_EVERY == 0:
                self.stdout.write(f"  {report.read} messages read")

        try:
            report = mail_ingest(path=source, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Could not read {source}: {error.strerror or error}") from error
        if report.read == 0:
            self.stdout.write(
                self.style.WARNING(
                    f"no messages found in {source} (an mbox file, a Maildir with cur/ and "
                    "new/, or a folder of .eml files)"
                )
            )
        self.stdout.write(self.style.SUCCESS(report.line()))
