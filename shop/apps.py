from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def seed_demo(self, *, out) -> str:
        from shop.demo import seed_demo_shop

        return seed_demo_shop(out=out)

    def export_personal_data(self, *, profile) -> dict:
        from shop.privacy import export_orders

        return export_orders(profile=profile)

    def erase_personal_data(self, *, profile) -> int:
        from shop.privacy import erase_orders

        return erase_orders(profile=profile)

    def profile_search(self, term: str):
        from shop.search import profiles_with_order

        return profiles_with_order(term)
