"""Rendering one campaign e-mail for one recipient: placeholders, tracked links, headers."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from campaigns.models import Recipient
from campaigns.safety import safe_path

# [label](/path/) or [label](/path/ "keyword"): links to the shop's own pages only.
LINK = re.compile(r'\[([^\]\n]+)\]\((\S+?)(?:\s+"([^"\n]*)")?\)')


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def click_url(recipient: Recipient, *, path: str, keyword: str = "") -> str:
    query = {"to": path}
    if keyword:
        query["k"] = keyword
    return absolute(reverse("campaigns:click", args=[recipient.token])) + "?" + urlencode(query)


def open_url(recipient: Recipient) -> str:
    return absolute(reverse("campaigns:open", args=[recipient.token]))


def unsubscribe_url(recipient: Recipient) -> str:
    return absolute(reverse("campaigns:unsubscribe", args=[recipient.token]))


def personalise(text: str, *, name: str) -> str:
    # str.replace, not str.format: a marketer's stray brace must not break a send.
    first_name = name.split(" ")[0] if name else ""
    return text.replace("{first_name}", first_name).replace("{name}", name)


def _links(text: str, recipient: Recipient) -> tuple[str, SafeString]:
    """The body as plain text and as HTML paragraphs, each link tracked."""
    plain: list[str] = []
    html: list[str] = []
    position = 0
    for match in LINK.finditer(text):
        label, target, keyword = match.group(1), match.group(2), match.group(3) or ""
        before = text[position : match.start()]
        plain.append(before)
        html.append(escape(before))
        path = safe_path(target)
        if path is None:
            # Only the shop's own pages are linked; anything else stays as its label.
            plain.append(label)
            html.append(escape(label))
        else:
            url = click_url(recipient, path=path, keyword=keyword)
            plain.append(f"{label} <{url}>")
            html.append(format_html('<a href="{}">{}</a>', url, label))
        position = match.end()
    plain.append(text[position:])
    html.append(escape(text[position:]))
    paragraphs = "".join(html).replace("\r\n", "\n").split("\n\n")
    html_body = "".join(
        f"<p>{paragraph.strip().replace(chr(10), '<br>')}</p>\n"
        for paragraph in paragraphs
        if paragraph.strip()
    )
    return "".join(plain), mark_safe(html_body)  # noqa: S308 - every piece escaped above


def campaign_message(recipient: Recipient, *, connection=None) -> EmailMultiAlternatives:
    """The e-mail for one recipient; needs recipient.campaign and recipient.profile.user."""
    campaign = recipient.campaign
    user = recipient.profile.user
    name = user.name or user.username
    subject = " ".join(personalise(campaign.subject, name=name).split())
    text, html = _links(personalise(campaign.body_text, name=name), recipient)
    context = {
        "campaign": campaign,
        "name": name,
        "body_text": text,
        "body_html": html,
        "open_url": open_url(recipient),
        "unsubscribe_url": unsubscribe_url(recipient),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/campaign_body.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=connection,
    )
    message.attach_alternative(render_to_string("emails/campaign_body.html", context), "text/html")
    return message
