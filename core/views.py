"""Public pages, accounts, and the small helpers every page view shares."""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from competitions.selectors import open_competitions

from .errors import DomainError
from .forms import LoginForm, RegisterForm

# A fragment answer carries this header; the autosave script treats anything
# else (a login page after a redirect, a proxy's error page) as not saved.
FRAGMENT_HEADER = "X-Grantownik-Fragment"


def login_required(view):
    """Like Django's, but an htmx request gets 401 instead of a redirect: the
    page must keep what was typed and tell the person to log in again, not
    swap a login form into a status line."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            return HttpResponse(_("Your session has ended. Log in again."), status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


def apply_domain_errors(form: forms.Form, exc: DomainError, aliases: dict | None = None) -> None:
    """Put a service's field messages on the form's fields; the rest on the form."""
    aliases = aliases or {}
    for name, field_messages in exc.errors.items():
        target = aliases.get(name, name)
        for message in field_messages:
            if target in form.fields:
                form.add_error(target, message)
            else:
                form.add_error(None, message)


def set_language_cookie(response, language: str):
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def home(request):
    return render(request, "core/home.html", {"competitions": open_competitions()})


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        response = redirect(safe_next(request, "home"))
        return set_language_cookie(response, user.language)
    return render(
        request, "registration/register.html", {"form": form, "next": request.GET.get("next", "")}
    )


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The language chosen at registration follows the person to any browser.
        return set_language_cookie(response, form.get_user().language)
