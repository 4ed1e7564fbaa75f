from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def seed_demo(self, *, out) -> str:
        from accounts.demo import seed_demo_accounts

        return seed_demo_accounts(out=out)
