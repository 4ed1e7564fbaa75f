from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def seed_demo(self, *, out) -> str:
        from accounts.demo import seed_demo_accounts

        return seed_demo_accounts(out=out)

    def export_personal_data(self, *, profile) -> dict:
        from accounts.privacy import export_account

        return export_account(profile=profile)

    def erase_personal_data(self, *, profile) -> int:
        from accounts.privacy import erase_login_records

        return erase_login_records(profile=profile)
