from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "coupons"
    verbose_name = "Coupons"

    def seed_demo(self, *, out) -> str:
        from coupons.demo import seed_demo_coupons

        return seed_demo_coupons(out=out)

    def export_personal_data(self, *, profile) -> dict:
        from coupons.privacy import export_personal_data

        return export_personal_data(profile=profile)

    def erase_personal_data(self, *, profile) -> int:
        from coupons.privacy import erase_personal_data

        return erase_personal_data(profile=profile)
