from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("feedback/", views.FeedbackView.as_view(), name="form"),
    path("feedback/thanks/", views.FeedbackThanksView.as_view(), name="thanks"),
    path("marketing/wishes/", views.WishListView.as_view(), name="wish_list"),
    path("marketing/wishes/<str:topic>/", views.WishTopicView.as_view(), name="wish_topic"),
]
