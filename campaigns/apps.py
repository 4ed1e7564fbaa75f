from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def seed_demo(self, *, out) -> str:
        from campaigns.demo import seed_demo_campaigns

        return seed_demo_campaigns(out=out)

    def export_personal_data(self, *, profile) -> dict:
        from campaigns.privacy import export_personal_data

        return export_personal_data(profile=profile)

    def erase_personal_data(self, *, profile) -> int:
        from campaigns.privacy import erase_personal_data

        return erase_personal_data(profile=profile)
