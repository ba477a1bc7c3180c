"""Request guards shared by every page and the API."""

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
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
