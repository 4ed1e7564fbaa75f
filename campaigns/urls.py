from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("c/<str:token>/open.gif", views.RecipientOpenView.as_view(), name="open"),
    path("c/<str:token>/click/", views.RecipientClickView.as_view(), name="click"),
    path(
        "c/<str:token>/unsubscribe/", views.RecipientUnsubscribeView.as_view(), name="unsubscribe"
    ),
]
