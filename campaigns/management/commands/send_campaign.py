from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign, CampaignStatus
from campaigns.services import campaign_send_now


class Command(BaseCommand):
    help = "Send a campaign now, in this process, batch by batch. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument("--batch", type=int, default=None, help="recipients per batch")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(pk=options["campaign_id"]).first()
        if campaign is None:
            raise CommandError(f"No campaign {options['campaign_id']}.")
        if campaign.status == CampaignStatus.SENT:
            self.stdout.write(f"campaign {campaign.pk} “{campaign}” was sent already")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} recipients processed")

        try:
            result = campaign_send_now(campaign=campaign, batch=options["batch"], progress=progress)
        except ValidationError as refused:
            raise CommandError(refused.messages[0]) from refused
        campaign.refresh_from_db(fields=["status"])
        self.stdout.write(
            self.style.SUCCESS(
                f"campaign {campaign.pk} “{campaign}”: {result.sent} sent, "
                f"{result.skipped} skipped, status {campaign.status}"
            )
        )
