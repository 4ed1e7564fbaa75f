from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Contact logs"

    def seed_demo(self, *, out) -> str:
        from contacts.demo import seed_demo_contacts

        return seed_demo_contacts(out=out)

    def export_personal_data(self, *, profile) -> dict:
        from contacts.privacy import export_contacts

        return export_contacts(profile=profile)

    def erase_personal_data(self, *, profile) -> int:
        from contacts.privacy import erase_contacts

        return erase_contacts(profile=profile)
