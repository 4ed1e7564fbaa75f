from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def seed_demo(self, *, out) -> str:
        from surveys.demo import seed_demo_surveys

        return seed_demo_surveys(out=out)
