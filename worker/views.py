"""A person's notices and reminder preference; a competition's reminders log
and reminder settings for its officials."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from competitions.selectors import competitions_managed_by
from core.errors import DomainError
from core.views import apply_domain_errors, login_required, safe_next

from .forms import NoticePreferencesForm, ReminderSettingsForm
from .selectors import (
    notice_preferences_for,
    notices_for,
    reminder_log,
    reminder_settings_for,
    unread_notice_count,
)
from .services import (
    REMINDER_SETTINGS_FIELDS,
    notice_mark_read,
    notice_preferences_update,
    notices_mark_all_read,
    reminder_settings_update,
)

PAGE_SIZE = 50


@login_required
def notice_list(request):
    page = Paginator(notices_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    preferences = notice_preferences_for(request.user)
    return render(
        request,
        "worker/notices.html",
        {
            "page": page,
            "unread_count": unread_notice_count(request.user),
            "preferences_form": NoticePreferencesForm(
                initial={"reminder_emails": preferences.reminder_emails}
            ),
        },
    )


@login_required
@require_POST
def notice_read(request, pk):
    notice = get_object_or_404(notices_for(request.user), pk=pk)
    notice_mark_read(notice=notice, actor=request.user)
    return redirect(safe_next(request, "notices"))


@login_required
@require_POST
def notices_read_all(request):
    notices_mark_all_read(actor=request.user)
    return redirect("notices")


@login_required
@require_POST
def notice_preferences(request):
    form = NoticePreferencesForm(request.POST)
    form.is_valid()
    notice_preferences_update(
        actor=request.user, reminder_emails=form.cleaned_data.get("reminder_emails", False)
    )
    if form.cleaned_data.get("reminder_emails"):
        messages.success(request, _("Reminders will be sent by e-mail."))
    else:
        messages.success(request, _("Reminders will be shown here only, not e-mailed."))
    return redirect("notices")


@login_required
@require_http_methods(["GET", "POST"])
def competition_reminders(request, competition_pk):
    competition = get_object_or_404(competitions_managed_by(request.user), pk=competition_pk)
    current = reminder_settings_for(competition)
    initial = {field: getattr(current, field) for field in REMINDER_SETTINGS_FIELDS}
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reminder_settings_update(
                competition=competition, actor=request.user, data=form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The reminder settings are saved."))
            return redirect("competition-reminders", competition_pk=competition.pk)
    log = Paginator(reminder_log(request.user, competition), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "worker/competition_reminders.html",
        {"competition": competition, "form": form, "page": log},
    )
