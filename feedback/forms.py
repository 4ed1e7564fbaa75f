"""The feedback form checks shape; the rules (spam, identifiers, linking) are in services."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from feedback.models import MAX_TEXT, FeedbackKind

RATING_CHOICES = [("", "No rating"), *[(str(n), f"{n} of 5") for n in range(1, 6)]]


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label="What would you like to tell us?",
        choices=FeedbackKind.choices,
        initial=FeedbackKind.WISH,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose what kind of feedback this is.",
            "invalid_choice": "Please choose one of the kinds shown.",
        },
    )
    text = forms.CharField(
        label="Your words",
        strip=True,
        help_text=f"Up to {MAX_TEXT} characters. Please leave out card numbers and passwords.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Please write a few words."},
    )
    rating = forms.TypedChoiceField(
        label="How happy are you with the shop overall? (optional)",
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "A rating is from 1 to 5, or none."},
    )
    identifier = forms.CharField(
        label="Your e-mail address or an order number",
        max_length=254,
        required=False,
        help_text="So that we can reply. We never show what you write to other customers.",
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, guest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        if guest:
            self.fields["identifier"].required = True
            self.fields["identifier"].error_messages["required"] = (
                "Please give your e-mail address or an order number, so that we can reply."
            )
        else:
            del self.fields["identifier"]
        self.helper = FormHelper()
        # The template writes the <form> tag: crispy copies a form id onto radio groups.
        self.helper.form_tag = False
        self.helper.add_input(Submit("send", "Send feedback"))

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class WishKindForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of feedback",
        choices=[(value, label.split(":")[0]) for value, label in FeedbackKind.choices],
        required=False,
    )

    def kind_value(self) -> str:
        return self.cleaned_data.get("kind") or FeedbackKind.WISH
