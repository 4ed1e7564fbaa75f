"""The feedback form for everybody, and the wish list for Marketing and Customer care."""

import re

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import redirect
from django.views.generic import TemplateView

from feedback import selectors, services
from feedback.forms import FeedbackForm, WishKindForm
from feedback.models import FeedbackKind
from profiles.selectors import profile_for_user
from profiles.throttle import client_ip, throttle_blocked, throttle_hit

WISH_LIST_PERMISSION = "feedback.view_wish_list"
# Seeing who wrote an item is Customer care's (the admin permission on items).
AUTHORS_PERMISSION = "feedback.view_feedbackitem"
THROTTLE_WINDOW = 600
# Per browser session, and per address: an office or a household shares one address.
SESSION_LIMIT = 5
IP_LIMIT = 20
THROTTLED = (
    "You have sent us a lot of feedback in the last few minutes. Thank you! "
    "Please wait ten minutes before sending more."
)
ITEMS_PER_PAGE = 25
KIND_PLURALS = {
    FeedbackKind.WISH: "wishes",
    FeedbackKind.IDEA: "ideas",
    FeedbackKind.PROBLEM: "problems",
    FeedbackKind.PRAISE: "praise",
}


class FeedbackView(TemplateView):
    template_name = "feedback/form.html"

    def dispatch(self, request, *args, **kwargs):
        self.profile = profile_for_user(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", FeedbackForm(guest=self.profile is None))
        return super().get_context_data(guest=self.profile is None, **kwargs)

    def _throttle_keys(self) -> list[tuple[str, str, int]]:
        session = self.request.session
        if not session.session_key:
            session.save()
        return [
            ("feedback-session", session.session_key or "", SESSION_LIMIT),
            ("feedback-ip", client_ip(self.request), IP_LIMIT),
        ]

    def _throttled(self, form):
        context = self.get_context_data(form=form, throttled=THROTTLED)
        return self.render_to_response(context, status=429)

    def post(self, request, *args, **kwargs):
        form = FeedbackForm(request.POST, guest=self.profile is None)
        keys = self._throttle_keys()
        if any(throttle_blocked(scope, key, limit=limit) for scope, key, limit in keys):
            return self._throttled(form)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        # Counted only when an item would be written: a typo corrected is not a flood.
        allowed = [
            throttle_hit(scope, key, limit=limit, window_seconds=THROTTLE_WINDOW)
            for scope, key, limit in keys
        ]
        if not all(allowed):
            return self._throttled(form)
        data = form.cleaned_data
        try:
            services.feedback_submit(
                kind=data["kind"],
                text=data["text"],
                rating=data["rating"],
                profile=self.profile,
                identifier=data.get("identifier", ""),
            )
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect("feedback:thanks")


class FeedbackThanksView(TemplateView):
    """The same page whoever the identifier matched, so it tells a guest nothing."""

    template_name = "feedback/thanks.html"


class WishListMixin(PermissionRequiredMixin):
    """Marketing and Customer care (403 for others signed in, the login page for visitors).
    Without the item permission (Marketing), small cells are suppressed and no author
    is shown."""

    permission_required = WISH_LIST_PERMISSION
    request: HttpRequest

    def suppressed(self) -> bool:
        return not self.request.user.has_perm(AUTHORS_PERMISSION)

    def kind_form(self) -> WishKindForm:
        if not hasattr(self, "_kind_form"):
            data = {"kind": self.request.GET["kind"]} if "kind" in self.request.GET else None
            self._kind_form = WishKindForm(data)
        return self._kind_form

    def kind(self) -> str:
        form = self.kind_form()
        if form.is_bound and form.is_valid():
            return form.kind_value()
        return FeedbackKind.WISH

    def get(self, request, *args, **kwargs):
        form = self.kind_form()
        status = 400 if form.is_bound and not form.is_valid() else 200
        return self.render_to_response(self.get_context_data(**kwargs), status=status)


def _chart(labels: list[str], series: list[tuple[str, list]]) -> dict:
    return {
        "labels": labels,
        "datasets": [{"label": label, "values": values} for label, values in series],
    }


class WishListView(WishListMixin, TemplateView):
    template_name = "marketing/wish_list.html"

    def get_context_data(self, **kwargs):
        kind = self.kind()
        wishes = selectors.wish_list(kind=kind, suppress=self.suppressed())
        top_chart = _chart(
            [row.topic for row in wishes.rows[:10]],
            [("Customers", [row.customers for row in wishes.rows[:10]])],
        )
        trend_chart = _chart(
            [month.strftime("%b %Y") for month in wishes.months],
            list(wishes.trend.items()),
        )
        trend_rows = [
            (month, [values[n] for values in wishes.trend.values()])
            for n, month in enumerate(wishes.months)
        ]
        return super().get_context_data(
            wishes=wishes,
            kind=kind,
            kind_plural=KIND_PLURALS[kind],
            form=self.kind_form(),
            top_chart=top_chart,
            trend_chart=trend_chart,
            trend_rows=trend_rows,
            **kwargs,
        )


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_LONG_NUMBER = re.compile(r"\+?\d[\d ()-]{3,}\d")


def redact(text: str) -> str:
    """Text for Marketing: e-mail addresses and phone or order numbers a customer typed
    into their feedback would say who wrote it."""
    return _LONG_NUMBER.sub("[number]", _EMAIL.sub("[e-mail]", text))


class WishTopicView(WishListMixin, TemplateView):
    template_name = "marketing/wish_topic.html"

    def get_context_data(self, **kwargs):
        kind = self.kind()
        topic = kwargs.pop("topic")
        suppressed = self.suppressed()
        items = selectors.topic_items(kind=kind, topic=topic, suppress=suppressed)
        page = Paginator(items, ITEMS_PER_PAGE).get_page(self.request.GET.get("page"))
        if suppressed:
            for item in page.object_list:
                item.text = redact(item.text)
        return super().get_context_data(
            topic=topic,
            kind=kind,
            kind_plural=KIND_PLURALS[kind],
            page_obj=page,
            items=page.object_list,
            suppressed=suppressed,
            **kwargs,
        )
