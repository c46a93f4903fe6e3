from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class PreferredLanguageMiddleware:
    """Polish unless the person chose otherwise.

    The language is the one picked with the switcher (its cookie), else the
    logged-in user's saved language, else Polish. The browser's
    Accept-Language is not consulted: an office's staff and applicants share
    computers set up in all sorts of ways, and the product is Polish first.
    Runs after authentication so that it can read the user's choice.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in self.available:
            user = getattr(request, "user", None)
            code = getattr(user, "language", None) if user and user.is_authenticated else None
        if code not in self.available and request.path.startswith("/api/"):
            # Machine clients have no switcher; their Accept-Language is a choice.
            code = translation.get_language_from_request(request)
        if code not in self.available:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", code)
        return response
