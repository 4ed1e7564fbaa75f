import re
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader

from accounts.tasks import send_email_task
from profiles.background import enqueue
from profiles.models import Attribute, ProfileQuestion, Purpose, ValueKind
from profiles.services import MAX_TEXT_VALUE
from profiles.throttle import throttle_blocked, throttle_hit

USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,29}$")
USER_ID_RULES = (
    "3 to 30 characters: letters, digits, dots, hyphens and underscores, "
    "starting with a letter or digit. No spaces. You can log in with it or your e-mail."
)
RESERVED_USER_IDS = {"admin", "administrator", "root", "staff", "support", "shop", "me", "system"}
PASSWORD_MAX_LENGTH = 256


def clean_person_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValidationError("Please tell us your name.")
    if any(ch in name for ch in "<>{}[]\\/|=;"):
        raise ValidationError("Your name can't contain symbols such as < > { } / or =.")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Co", "Cs"} for ch in name):
        raise ValidationError("Your name contains an invisible or control character.")
    if not any(ch.isalpha() for ch in name):
        raise ValidationError("Your name needs at least one letter.")
    return name


def normalise_email(value: str) -> str:
    """The address as typed, with its domain in lower case (the local part may matter)."""
    email = value.strip()
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="As you would like us to address you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="For order confirmations and password resets.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    username = forms.CharField(
        label="User ID",
        max_length=30,
        help_text=USER_ID_RULES,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        help_text="At least 10 characters; not a common password, nor only digits.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    marketing_email = forms.BooleanField(
        label="Yes, e-mail me offers and news now and then.",
        required=False,
        initial=False,
    )
    surveys = forms.BooleanField(
        label="Yes, invite me to an occasional short survey about shopping.",
        required=False,
        initial=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "register-form"
        self.helper.add_input(Submit("submit", "Create my account"))

    def clean_name(self) -> str:
        return clean_person_name(self.cleaned_data["name"])

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(
                "An account with this e-mail address already exists. "
                "Log in, or reset your password if you have forgotten it."
            )
        return email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if not USER_ID_PATTERN.match(username):
            raise ValidationError(f"That user ID won't do. {USER_ID_RULES}")
        if username.lower() in RESERVED_USER_IDS:
            raise ValidationError("That user ID is reserved. Please choose another.")
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("That user ID is taken. Please choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords don't match.")
        elif password1:
            probe = get_user_model()(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                name=cleaned.get("name", ""),
            )
            try:
                password_validation.validate_password(password1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="User ID or e-mail",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "That user ID or e-mail and password don't match an account. "
        "Both are checked exactly as typed, except that case doesn't matter in the user ID.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "login-form"
        self.helper.add_input(Submit("submit", "Log in"))


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset e-mail from a Celery task, so the page answers equally fast
    whether or not the address belongs to an account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send me a reset link"))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        enqueue(send_email_task, subject=subject, body=body, to=[to_email])


class ConsentForm(forms.Form):
    """One box per purpose, ticked where the customer has granted it."""

    def __init__(self, *args, states=(), **kwargs):
        super().__init__(*args, **kwargs)
        for state in states:
            self.fields[state.purpose] = forms.BooleanField(
                label=state.label, required=False, initial=state.granted
            )
        self.helper = FormHelper()
        self.helper.form_id = "consent-form"
        self.helper.form_action = "accounts:consents"
        save = Submit("submit", "Save my choices")
        save.field_classes = "btn btn-outline-primary"
        self.helper.add_input(save)

    def choices(self) -> dict[str, bool]:
        return {purpose: bool(self.cleaned_data.get(purpose)) for purpose in Purpose.values}


LIST_INPUT_MAX = 1000


def _helper(label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


def _answer_field(question: ProfileQuestion) -> forms.Field:
    return value_field(question.attribute, label=question.text)


def value_field(attribute: Attribute, *, label: str) -> forms.Field:
    """A form field for one value of `attribute`, shaped by its value kind."""
    kind = attribute.value_kind
    offered = [(choice, choice) for choice in attribute.choices or []]
    if kind == ValueKind.CHOICE:
        return forms.ChoiceField(
            label=label, required=False, choices=offered, widget=forms.RadioSelect
        )
    if kind == ValueKind.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            label=label, required=False, choices=offered, widget=forms.CheckboxSelectMultiple
        )
    if kind == ValueKind.BOOLEAN:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda answer: answer == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
        )
    if kind == ValueKind.LIST:
        return forms.CharField(
            label=label,
            required=False,
            max_length=LIST_INPUT_MAX,
            help_text="Separate several with commas.",
        )
    if kind == ValueKind.NUMBER:
        return forms.FloatField(label=label, required=False)
    if kind == ValueKind.EMAIL:
        return forms.EmailField(label=label, required=False, max_length=254)
    return forms.CharField(label=label, required=False, max_length=MAX_TEXT_VALUE)


class QuestionAnswerForm(forms.Form):
    """The question card's answer, shaped by the attribute's value kind. Whether the
    answer fits the attribute is the service's rule (`profiles.asking.answer_question`)."""

    def __init__(self, *args, question: ProfileQuestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        field = _answer_field(question)
        choosing = isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
        field.widget.attrs.update(
            {
                "class": "form-check-input" if choosing else "form-control",
                "aria-describedby": "question-why",
            }
        )
        self.fields["answer"] = field
        self.choosing = choosing

    def clean_answer(self):
        answer = split_list_input(self.question.attribute, self.cleaned_data.get("answer"))
        if answer in (None, "", []):
            raise ValidationError("Please give an answer, or choose “Not now”.")
        return answer


def split_list_input(attribute: Attribute, value):
    """A list attribute is typed as words separated by commas."""
    if attribute.value_kind == ValueKind.LIST and isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _display_initial(attribute: Attribute, value):
    if attribute.value_kind == ValueKind.LIST and isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if attribute.value_kind == ValueKind.BOOLEAN and isinstance(value, bool):
        return "yes" if value else "no"
    return value


class FactCorrectForm(forms.Form):
    """The customer puts right one thing the shop knows about them."""

    def __init__(self, *args, attribute: Attribute, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.attribute = attribute
        field = value_field(attribute, label=f"Your {attribute.label.lower()}")
        field.initial = _display_initial(attribute, current)
        self.fields["value"] = field
        self.helper = _helper("Save the correction")

    def clean_value(self):
        value = split_list_input(self.attribute, self.cleaned_data.get("value"))
        if value in (None, "", []):
            raise ValidationError(
                "Please give the right value. To remove it altogether, choose “Forget this”."
            )
        return value


PASSWORD_TRIES = 5
PASSWORD_TRIES_WINDOW = 15 * 60


class PasswordConfirmForm(forms.Form):
    """Sensitive actions ask for the password again, in case someone else is at the
    keyboard; a few wrong tries and the action rests for a quarter of an hour."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper(action)

    def clean_password(self):
        password = self.cleaned_data.get("password") or ""
        scope = "password-confirm"
        if throttle_blocked(scope, str(self.user.pk), limit=PASSWORD_TRIES):
            raise ValidationError(
                "Too many wrong passwords. Please wait a quarter of an hour and try again."
            )
        if not self.user.check_password(password):
            throttle_hit(
                scope, str(self.user.pk), limit=PASSWORD_TRIES, window_seconds=PASSWORD_TRIES_WINDOW
            )
            raise ValidationError("That is not your password.")
        return password


class AccountDeleteForm(PasswordConfirmForm):
    understood = forms.BooleanField(
        label="I understand that my account and what the shop knows about me will be erased, "
        "and that this cannot be undone.",
        error_messages={"required": "Please tick the box to confirm."},
    )

    field_order = ["understood", "password"]


class NameChangeForm(forms.Form):
    """The customer's name as they want to be addressed."""

    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save my name")

    def clean_name(self) -> str:
        return clean_person_name(self.cleaned_data["name"])


class EmailChangeForm(PasswordConfirmForm):
    """A new address for the account: it is where password resets go, so the password
    is asked again."""

    email = forms.EmailField(
        label="New e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    field_order = ["email", "password"]

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if email.lower() == (self.user.email or "").lower():
            raise ValidationError("That is already your e-mail address.")
        others = get_user_model().objects.exclude(pk=self.user.pk)
        if others.filter(email__iexact=email).exists():
            raise ValidationError("Another account uses that e-mail address.")
        return email
