"""The survey as a form, built from its questions. It checks shape; the rules are in services."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from surveys.models import SCALE_POINTS, Question, QuestionKind

FIELD_PREFIX = "q_"


def field_name(question: Question) -> str:
    return f"{FIELD_PREFIX}{question.pk}"


def scale_choices(question: Question) -> list[tuple[int, str]]:
    """1 to 5, with the words the question gives each point, or lowest and highest."""
    labels = question.scale_labels()
    unnamed = {SCALE_POINTS[0]: "lowest", SCALE_POINTS[-1]: "highest"}
    choices = []
    for point in SCALE_POINTS:
        if labels[point] != str(point):
            choices.append((point, f"{point} · {labels[point]}"))
        elif point in unnamed:
            choices.append((point, f"{point} ({unnamed[point]})"))
        else:
            choices.append((point, str(point)))
    return choices


def _field_for(question: Question) -> forms.Field:
    # The same words as the service's, so a shopper reads one voice.
    common: dict[str, Any] = {
        "label": question.text,
        "required": question.required,
        "help_text": question.help_text,
        "error_messages": {
            "required": "Please answer this question.",
            "invalid_choice": "Please choose one of the answers shown.",
            "max_length": (
                "Please keep your answer to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    }
    if question.kind == QuestionKind.SINGLE:
        return forms.ChoiceField(
            choices=[(choice.pk, choice.label) for choice in question.choices.all()],
            widget=forms.RadioSelect,
            **common,
        )
    if question.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(choice.pk, choice.label) for choice in question.choices.all()],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if question.kind == QuestionKind.SCALE:
        return forms.ChoiceField(
            choices=scale_choices(question), widget=forms.RadioSelect, **common
        )
    return forms.CharField(
        max_length=question.max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": question.max_length}),
        **{
            **common,
            "help_text": question.help_text or f"Up to {question.max_length} characters.",
        },
    )


class SurveyForm(forms.Form):
    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[field_name(question)] = _field_for(question)
        self.helper = FormHelper()
        self.helper.form_id = "survey-form"
        self.helper.label_class = "fw-semibold"
        self.helper.add_input(Submit("submit", "Send my answers"))

    def answers(self) -> dict[int, object]:
        """The answers keyed by question id, as the survey service takes them."""
        return {
            question.pk: self.cleaned_data.get(field_name(question)) for question in self.questions
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            target = None if key == "__all__" else f"{FIELD_PREFIX}{key}"
            if target is not None and target not in self.fields:
                target = None
            for message in messages:
                self.add_error(target, message)
