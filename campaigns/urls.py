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

urlpatterns += [
    path("marketing/", views.CampaignOverviewView.as_view(), name="dashboard"),
    path(
        "marketing/campaigns/<int:pk>/",
        views.CampaignDashboardView.as_view(),
        name="dashboard_detail",
    ),
    path("marketing/offers/", views.OfferComparisonView.as_view(), name="dashboard_offers"),
    path("marketing/keywords/", views.KeywordComparisonView.as_view(), name="dashboard_keywords"),
    path("marketing/channels/", views.ChannelComparisonView.as_view(), name="dashboard_channels"),
]
