from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("accounts/register/", views.RegisterView.as_view(), name="register"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/account/name/", views.NameChangeView.as_view(), name="name_change"),
    path("me/account/email/", views.EmailChangeView.as_view(), name="email_change"),
    path("me/consents/", views.ConsentUpdateView.as_view(), name="consents"),
    path("me/facts/<slug:key>/correct/", views.FactCorrectView.as_view(), name="fact_correct"),
    path("me/facts/<slug:key>/forget/", views.FactForgetView.as_view(), name="fact_forget"),
    path("me/download/", views.DataDownloadView.as_view(), name="data_download"),
    path("me/delete/", views.AccountDeleteView.as_view(), name="account_delete"),
    path("me/questions/<int:pk>/", views.QuestionRespondView.as_view(), name="question"),
]
