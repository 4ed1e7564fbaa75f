from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def seed_demo(self, *, out) -> str:
        from shop.demo import seed_demo_shop

        return seed_demo_shop(out=out)
