from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("surveys/<slug:slug>/", views.SurveyView.as_view(), name="survey"),
    path("surveys/<slug:slug>/thanks/", views.SurveyThanksView.as_view(), name="thanks"),
    path("surveys/<slug:slug>/dismiss/", views.SurveyDismissView.as_view(), name="dismiss"),
    path("marketing/surveys/", views.SurveyResultsListView.as_view(), name="results_list"),
    path("marketing/surveys/<slug:slug>/", views.SurveyResultsView.as_view(), name="results"),
]
