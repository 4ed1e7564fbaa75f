from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def seed_demo(self, *, out) -> str:
        from campaigns.demo import seed_demo_campaigns

        return seed_demo_campaigns(out=out)
