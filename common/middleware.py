"""Request guards shared by every page and the API."""

import time

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RejectNullCharactersMiddleware:
    """A NUL character is never valid input, and PostgreSQL refuses it in text: answer 400 at the
    door rather than an error deep inside a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values
        ):
            message = _("The request contains a forbidden character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": {}}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class DeskLanguageMiddleware:
    """Vietnamese unless the user chose English with the language button (its cookie).

    Django's LocaleMiddleware follows the browser's Accept-Language, and many Vietnamese desks and
    phones run an English browser: the product must still speak Vietnamese to them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PublicRateLimitMiddleware:
    """Per-client rate limits of the public pages and the public API, declared once in
    ``common.ratelimit.PUBLIC_LIMITS`` by URL name and counted by ``common.ratelimit.hit``. A page answers
    429 with a Vietnamese page, the API 429 in the usual JSON error format; both with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from common.ratelimit import LOOKUP, PUBLIC_LIMITS, check_limits

        match = getattr(request, "resolver_match", None)
        name = match.view_name if match else ""
        if name not in PUBLIC_LIMITS:
            return None
        allowed, wait = check_limits(request, name)
        if allowed:
            return None
        lookup_only = request.method not in ("POST", "PUT", "PATCH") and LOOKUP in PUBLIC_LIMITS[name]
        if lookup_only:
            message = _("Too many lookups from your connection. Please wait a minute and try again.")
        else:
            message = _("Too many submissions from your connection. Please wait a few minutes and try again.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "errors": {}}, status=429)
        else:
            from django.shortcuts import render

            template = "dossiers/public_too_many.html" if lookup_only else "surveys/too_many.html"
            response = render(request, template, {"wait": wait, "message": message}, status=429)
        response["Retry-After"] = str(wait)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer that may carry personal data, so that neither the
    shared desk browser nor a proxy keeps a copy: every answer to a signed-in user (session or API
    token) and the citizens' answers listed in PERSONAL_PUBLIC_VIEWS (status page, public API, kiosk,
    the forms a citizen typed personal data into)."""

    PERSONAL_PUBLIC_VIEWS = frozenset(
        {
            "public_lookup",
            "surveys:lookup",
            "api:public-dossier",
            "api:public-dossier-evaluation",
            "surveys:feedback_new",
            "surveys:survey",
            "surveys:kiosk",
            "surveys:kiosk_rate",
            "surveys:kiosk_thanks",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if (
            (user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
            or (match is not None and match.view_name in self.PERSONAL_PUBLIC_VIEWS)
        ):
            from django.utils.cache import add_never_cache_headers

            # Replaces any "public, max-age" a view set: a signed-in page is never shared.
            if "Cache-Control" in response:
                del response["Cache-Control"]
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
            response["Pragma"] = "no-cache"
        return response


class SessionIdleRefreshMiddleware:
    """Sessions end after an idle hour (SESSION_COOKIE_AGE) on shared desk computers: each request
    of a signed-in user slides the end forward. Writing the session on every request
    (SESSION_SAVE_EVERY_REQUEST) cost a database write and a durable commit per page, the
    dashboard's slowest part under load (issue 17); the end is now moved at most once every
    SESSION_REFRESH_SECONDS (a minute), so the idle hour holds to within that minute."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated or not session.session_key:
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) >= getattr(settings, "SESSION_REFRESH_SECONDS", 60):
            session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
