"""`{% question_card %}`: the patient asker's card, for pages whose view is another app's
(the order confirmation). Views that have the card already pass it in their context."""

from django import template

from accounts.views import question_card_context

register = template.Library()

CARD_KEYS = ("question_ask", "question_form", "question_next")


@register.inclusion_tag("partials/question_card.html", takes_context=True)
def question_card(context):
    request = context.get("request")
    if "question_ask" in context:
        card = {key: context.get(key) for key in CARD_KEYS}
    elif request is not None:
        card = question_card_context(request)
    else:
        card = {}
    return {**card, "csrf_token": context.get("csrf_token")}
