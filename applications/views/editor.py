"""The application editor: one page of sections, each saved on its own.

Section forms autosave through htmx (`section_save`); rows of the budget,
schedule and results are added, changed and deleted one at a time
(`part_*`), and the server answers with the re-rendered table and its sums.
Every view also works as a plain form post, so the editor is usable without
JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from competitions.models import FormQuestion
from core.errors import NotPermitted, RuleViolation, WrongState
from core.files import private_file_response
from core.views import apply_domain_errors, login_required

from .. import services
from ..forms import (
    PART_FORMS,
    SECTION_FORMS,
    AttachmentForm,
    QuestionsSectionForm,
    part_initial,
)
from ..models import Application
from ..rules import budget_totals
from ..selectors import application_detail
from .common import fragment, require_applicant

SECTIONS = [
    ("basic", gettext_lazy("Basic data")),
    ("description", gettext_lazy("Project description")),
    ("target_group", gettext_lazy("Target group")),
    ("schedule", gettext_lazy("Schedule")),
    ("results", gettext_lazy("Planned results")),
    ("budget", gettext_lazy("Budget")),
    ("questions", gettext_lazy("Additional questions")),
    ("attachments", gettext_lazy("Attachments")),
]
# Where each form of the editor lives: its section's anchor and status line.
FORM_SECTION = {
    "basic": "basic",
    "description": "description",
    "target_group": "target_group",
    "amount": "budget",
    "questions": "questions",
    "budget": "budget",
    "schedule": "schedule",
    "indicators": "results",
    "attachments": "attachments",
}
PART_ROWS = {"budget": "budget_lines", "schedule": "schedule_items", "indicators": "indicators"}


def _editable_application(request, pk) -> Application:
    """The application if this person may edit it now; 404 if they may not see it."""
    application = application_detail(request.user, pk)
    require_applicant(request.user, application)
    return application


def _edit_url(application, section: str) -> str:
    return f"{reverse('application-edit', args=[application.pk])}#section-{section}"


def _section_form(application, name: str, data=None):
    form_class = SECTION_FORMS[name]
    if form_class is QuestionsSectionForm:
        answers = {a.question_id: a.value for a in application.answers.all()}
        return QuestionsSectionForm(
            data, questions=application.competition.questions.all(), answers=answers
        )
    initial = {field: getattr(application, field) for field in form_class.base_fields}
    return form_class(data, initial=initial)


def _file_questions(application) -> list[FormQuestion]:
    return [q for q in application.competition.questions.all() if q.kind == FormQuestion.Kind.FILE]


def part_block_context(application, kind: str, *, form=None, editing=None, focus=None) -> dict:
    """The table of one kind of row, with an add form and perhaps one row open."""
    _model, form_class = PART_FORMS[kind]
    rows = list(getattr(application, PART_ROWS[kind]).all())
    context = {
        "application": application,
        "kind": kind,
        "rows": rows,
        "editing": editing,
        "focus": focus,
        "status_id": f"status-{FORM_SECTION[kind]}",
    }
    if editing is not None:
        context["edit_form"] = form or form_class(
            prefix=f"{kind}-{editing.pk}", initial=part_initial(editing, form_class)
        )
        context["add_form"] = form_class(prefix=f"new-{kind}")
    else:
        context["add_form"] = form or form_class(prefix=f"new-{kind}")
    if kind == "budget":
        context["totals"] = budget_totals(rows)
    # Keyboard focus after htmx swaps the table: into the row being edited, or
    # back to the add form after adding, so a run of lines needs no mouse.
    if editing is not None:
        _focus_after_swap(context["edit_form"])
    elif focus == "add":
        _focus_after_swap(context["add_form"])
    return context


def _focus_after_swap(form) -> None:
    first = next(iter(form.fields.values()), None)
    if first is not None:
        first.widget.attrs["data-focus-after-swap"] = True


def attachments_context(application, *, form=None) -> dict:
    questions = _file_questions(application)
    attachments = list(application.attachments.all())
    by_question = {}
    for attachment in attachments:
        if attachment.question_id:
            by_question.setdefault(attachment.question_id, []).append(attachment)
    return {
        "application": application,
        "attachments": attachments,
        "file_questions": [(q, by_question.get(q.pk, [])) for q in questions],
        "attachment_form": form or AttachmentForm(prefix="attachment", file_questions=questions),
        "max_size": settings.ATTACHMENT_MAX_BYTES,
        "status_id": "status-attachments",
    }


def _edit_page(request, application, *, bound=None, status=200):
    """The whole editor; `bound` is a form (by name) posted without JavaScript."""
    bound = bound or {}
    forms = {name: bound.get(name) or _section_form(application, name) for name in SECTION_FORMS}
    context = {
        "application": application,
        "competition": application.competition,
        "sections": SECTIONS,
        "forms": forms,
        "budget": part_block_context(application, "budget", form=bound.get("budget")),
        "schedule": part_block_context(application, "schedule", form=bound.get("schedule")),
        "indicators": part_block_context(application, "indicators", form=bound.get("indicators")),
        **attachments_context(application, form=bound.get("attachments")),
        "has_questions": bool(forms["questions"].fields),
    }
    return render(request, "applications/edit.html", context, status=status)


@login_required
def application_edit(request, pk):
    application = _editable_application(request, pk)
    if not application.is_editable:
        messages.info(
            request,
            _("The application cannot be changed now: its status is “%(status)s”.")
            % {"status": application.get_status_display()},
        )
        return redirect("application-detail", pk=application.pk)
    return _edit_page(request, application)


def _refusal(request, application, exc, *, status_id: str):
    """A service said no because of the state (409) or the role (403)."""
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.messages[0]) from exc
    if request.htmx:
        response = fragment(
            request,
            "applications/editor/_status.html",
            {"refused": exc.messages, "status_id": status_id},
            marker="conflict",
            status=409,
        )
        # Only the status line changes; the form keeps what was typed.
        response["HX-Reswap"] = "none"
        return response
    for message in exc.messages:
        messages.error(request, message)
    return redirect("application-detail", pk=application.pk)


@login_required
@require_POST
def section_save(request, pk, section):
    if section not in SECTION_FORMS:
        raise Http404
    application = _editable_application(request, pk)
    status_id = f"status-{FORM_SECTION[section]}"
    form = _section_form(application, section, request.POST)
    saved = False
    if form.is_valid():
        try:
            if isinstance(form, QuestionsSectionForm):
                services.answers_save(
                    application=application, actor=request.user, answers=form.answers()
                )
            else:
                services.application_update(
                    application=application, actor=request.user, data=form.cleaned_data
                )
            saved = True
        except RuleViolation as exc:
            aliases = {
                f"questions.{q.pk}": name for name, q in getattr(form, "questions", {}).items()
            }
            apply_domain_errors(form, exc, aliases)
        except (WrongState, NotPermitted) as exc:
            return _refusal(request, application, exc, status_id=status_id)
    if request.htmx:
        return fragment(
            request,
            "applications/editor/_status.html",
            {
                "form": form,
                "saved_at": timezone.now() if saved else None,
                "section": section,
                "status_id": status_id,
                "with_field_errors": True,
            },
            marker="saved" if saved else "invalid",
            status=200 if saved else 422,
        )
    if saved:
        messages.success(request, _("Saved."))
        return redirect(_edit_url(application, FORM_SECTION[section]))
    return _edit_page(request, application, bound={section: form})


def _find_row(application, kind: str, part_pk: int):
    row = next((r for r in getattr(application, PART_ROWS[kind]).all() if r.pk == part_pk), None)
    if row is None:
        raise Http404
    return row


def _part_response(request, application, kind, *, saved, form=None, editing=None, focus=None):
    """After a row was saved or refused: the re-read table (htmx) or the page."""
    if saved:
        application = application_detail(request.user, application.pk)
    block = part_block_context(application, kind, form=form, editing=editing, focus=focus)
    return fragment(
        request,
        "applications/editor/_part_block.html",
        {
            "application": application,
            "competition": application.competition,
            "block": block,
            "fragment": True,
            "saved_at": timezone.now() if saved else None,
        },
        marker="saved" if saved else "invalid",
        status=200 if saved else 422,
    )


@login_required
@require_POST
def part_add(request, pk, kind):
    if kind not in PART_FORMS:
        raise Http404
    application = _editable_application(request, pk)
    model, form_class = PART_FORMS[kind]
    form = form_class(request.POST, prefix=f"new-{kind}")
    status_id = f"status-{FORM_SECTION[kind]}"
    saved = False
    if form.is_valid():
        try:
            services.part_save(
                application=application, actor=request.user, model=model, data=form.cleaned_data
            )
            saved = True
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        except (WrongState, NotPermitted) as exc:
            return _refusal(request, application, exc, status_id=status_id)
    if request.htmx:
        return _part_response(
            request, application, kind, saved=saved, form=None if saved else form, focus="add"
        )
    if saved:
        messages.success(request, _("Saved."))
        return redirect(_edit_url(application, FORM_SECTION[kind]))
    return _edit_page(request, application, bound={kind: form})


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request, pk, kind, part_pk):
    if kind not in PART_FORMS:
        raise Http404
    application = _editable_application(request, pk)
    row = _find_row(application, kind, part_pk)
    model, form_class = PART_FORMS[kind]
    prefix = f"{kind}-{row.pk}"
    if request.method == "GET":
        form = form_class(prefix=prefix, initial=part_initial(row, form_class))
        if request.htmx:
            block = part_block_context(application, kind, form=form, editing=row)
            return fragment(
                request,
                "applications/editor/_part_block.html",
                {
                    "application": application,
                    "competition": application.competition,
                    "block": block,
                },
                marker="open",
            )
        return render(
            request,
            "applications/part_form.html",
            {"application": application, "kind": kind, "form": form, "row": row},
        )
    form = form_class(request.POST, prefix=prefix)
    saved = False
    if form.is_valid():
        try:
            services.part_save(
                application=application,
                actor=request.user,
                model=model,
                data=form.cleaned_data,
                instance=row,
            )
            saved = True
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        except (WrongState, NotPermitted) as exc:
            return _refusal(request, application, exc, status_id=f"status-{FORM_SECTION[kind]}")
    if request.htmx:
        return _part_response(
            request,
            application,
            kind,
            saved=saved,
            form=None if saved else form,
            editing=None if saved else row,
            focus=row.pk,
        )
    if saved:
        messages.success(request, _("Saved."))
        return redirect(_edit_url(application, FORM_SECTION[kind]))
    return render(
        request,
        "applications/part_form.html",
        {"application": application, "kind": kind, "form": form, "row": row},
    )


@login_required
@require_POST
def part_delete(request, pk, kind, part_pk):
    if kind not in PART_FORMS:
        raise Http404
    application = _editable_application(request, pk)
    row = _find_row(application, kind, part_pk)
    try:
        services.part_delete(application=application, actor=request.user, instance=row)
    except (WrongState, NotPermitted) as exc:
        return _refusal(request, application, exc, status_id=f"status-{FORM_SECTION[kind]}")
    if request.htmx:
        return _part_response(request, application, kind, saved=True, focus="heading")
    messages.success(request, _("Deleted."))
    return redirect(_edit_url(application, FORM_SECTION[kind]))


def _attachments_response(request, application, *, saved, form=None):
    if saved:
        application = application_detail(request.user, application.pk)
    context = attachments_context(application, form=form)
    context["saved_at"] = timezone.now() if saved else None
    context["fragment"] = True
    return fragment(
        request,
        "applications/editor/_attachments_block.html",
        context,
        marker="saved" if saved else "invalid",
        status=200 if saved else 422,
    )


@login_required
@require_POST
def attachment_add(request, pk):
    application = _editable_application(request, pk)
    form = AttachmentForm(
        request.POST,
        request.FILES,
        prefix="attachment",
        file_questions=_file_questions(application),
    )
    saved = False
    if form.is_valid():
        try:
            services.attachment_add(
                application=application,
                actor=request.user,
                upload=form.cleaned_data["file"],
                question=form.chosen_question(),
                description=form.cleaned_data.get("description") or "",
            )
            saved = True
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        except (WrongState, NotPermitted) as exc:
            return _refusal(request, application, exc, status_id="status-attachments")
    if request.htmx:
        return _attachments_response(
            request, application, saved=saved, form=None if saved else form
        )
    if saved:
        messages.success(request, _("The file was attached."))
        return redirect(_edit_url(application, "attachments"))
    return _edit_page(request, application, bound={"attachments": form})


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    application = _editable_application(request, pk)
    attachment = next((a for a in application.attachments.all() if a.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    try:
        services.attachment_delete(
            application=application, actor=request.user, attachment=attachment
        )
    except RuleViolation as exc:
        messages.error(request, exc.messages[0])
        return redirect(_edit_url(application, "attachments"))
    except (WrongState, NotPermitted) as exc:
        return _refusal(request, application, exc, status_id="status-attachments")
    if request.htmx:
        return _attachments_response(request, application, saved=True)
    messages.success(request, _("The file was removed."))
    return redirect(_edit_url(application, "attachments"))


@login_required
def attachment_download(request, pk, attachment_pk):
    """Files live in private storage; this is the only way out, and it asks the
    selector first, so another group's file is as invisible as its application."""
    application = application_detail(request.user, pk)
    attachment = next((a for a in application.attachments.all() if a.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
