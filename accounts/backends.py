from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserIdOrEmailBackend(ModelBackend):
    """Log in with the user ID or the e-mail address, either in any case."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user_model = get_user_model()
        lookup = {"email__iexact": username} if "@" in username else {"username__iexact": username}
        user = user_model._default_manager.filter(**lookup).first()
        if user is None:
            # Hash anyway, so that a missing account takes as long as a wrong password.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
