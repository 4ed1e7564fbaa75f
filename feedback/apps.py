from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def seed_demo(self, *, out) -> str:
        from feedback.demo import seed_demo_feedback

        return seed_demo_feedback(out=out)

    def export_personal_data(self, *, profile) -> dict:
        from feedback.privacy import export_feedback

        return export_feedback(profile=profile)

    def erase_personal_data(self, *, profile) -> int:
        from feedback.privacy import erase_feedback

        return erase_feedback(profile=profile)
