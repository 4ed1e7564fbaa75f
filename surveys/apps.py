from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def seed_demo(self, *, out) -> str:
        from surveys.demo import seed_demo_surveys

        return seed_demo_surveys(out=out)

    def export_personal_data(self, *, profile) -> dict:
        from surveys.privacy import export_survey_answers

        return export_survey_answers(profile=profile)

    def erase_personal_data(self, *, profile) -> int:
        from surveys.privacy import erase_survey_answers

        return erase_survey_answers(profile=profile)
