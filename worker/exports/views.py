"""Pages and downloads of the exports.

Officials of the competition's operator download the spreadsheets and the
minutes; anyone else gets 404 (as if the competition were not there), and an
anonymous visitor is sent to log in. A small export is built while the
official waits and streamed from a temporary file; a large one (or any, on
request) becomes a background job with a page that follows its progress.
The public results need no login once the competition is decided.
"""

import tempfile
from decimal import Decimal

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from competitions.models import Competition
from core.errors import DomainError
from core.files import private_file_response
from core.roles import roles_for
from core.views import login_required
from reviews.selectors import DECIDED_STATES

from . import giving360, public, selectors
from .builders import EXPORTS, FORMAL, GRANTS, XLSX_MIME, build_xlsx
from .minutes import DOCX_MIME, minutes_docx, minutes_filename
from .services import (
    export_job_for,
    export_job_start,
    export_jobs_visible_to,
    sync_row_limit,
)

URL_NAMES = {
    "decisions": "export-decisions",
    "scoring_matrix": "export-scoring-matrix",
    "formal": "export-formal",
    "grants": "export-grants",
}


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


def _results_open(competition: Competition) -> tuple[bool, str]:
    try:
        selectors.require_results_open(competition)
    except DomainError as exc:
        return False, str(exc)
    return True, ""


@login_required
@require_GET
def competition_exports(request, pk):
    competition = selectors.competition_for_official(request.user, pk)
    return _exports_page(request, competition)


def _exports_page(request, competition: Competition, *, error: str = "", status: int = 200):
    results_open, reason = _results_open(competition)
    exports = [
        {
            "kind": kind,
            "label": export.label,
            "url_name": URL_NAMES[kind],
            "ready": results_open or kind in (FORMAL, GRANTS),
            "reason": reason,
        }
        for kind, export in EXPORTS.items()
    ]
    jobs = export_jobs_visible_to(request.user).filter(competition=competition)[:10]
    return render(
        request,
        "exports/competition.html",
        {
            "competition": competition,
            "exports": exports,
            "jobs": jobs,
            "results_open": results_open,
            "decided": competition.status in DECIDED_STATES,
            "sync_limit": sync_row_limit(),
            "error": error,
        },
        status=status,
    )


def _xlsx_view(kind: str):
    export = EXPORTS[kind]

    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        competition = selectors.competition_for_official(request.user, pk)
        if request.method == "POST":
            try:
                job = export_job_start(competition=competition, kind=kind, actor=request.user)
            except DomainError as exc:
                return _exports_page(request, competition, error=str(exc), status=409)
            messages.success(request, _("The export is being prepared."))
            return redirect("export-status", job.pk)
        rows = export.size(competition)
        if rows > sync_row_limit():
            return render(
                request,
                "exports/start.html",
                {"competition": competition, "label": export.label, "rows": rows},
            )
        # Not a `with`: the response streams the file and closes it.
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            filename = build_xlsx(kind, user=request.user, competition=competition, target=handle)
        except DomainError as exc:
            handle.close()
            return _exports_page(request, competition, error=str(exc), status=409)
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        # The temporary file has no name on disk; it disappears when the
        # response closes it.
        return _private(
            FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_MIME)
        )

    view.__name__ = f"export_{kind}"
    return view


export_decisions = _xlsx_view("decisions")
export_scoring_matrix = _xlsx_view("scoring_matrix")
export_formal = _xlsx_view("formal")
export_grants = _xlsx_view("grants")


@login_required
@require_GET
def export_status(request, pk):
    job = export_job_for(request.user, pk)
    context = {"job": job, "available": job.is_available()}
    if getattr(request, "htmx", False):
        return _private(render(request, "exports/_job.html", context))
    return _private(render(request, "exports/job.html", context))


@login_required
@require_GET
def export_download(request, pk):
    job = export_job_for(request.user, pk)
    if job.status in (job.Status.QUEUED, job.Status.RUNNING):
        return HttpResponse(_("The file is not ready yet."), status=409)
    if job.status == job.Status.FAILED:
        return HttpResponse(_("The export failed."), status=409)
    if not job.is_available():
        return HttpResponse(_("This file has expired."), status=410)
    return private_file_response(job.file, filename=job.filename, content_type=XLSX_MIME)


# The minutes.


@login_required
@require_GET
def minutes(request, pk):
    competition = get_object_or_404(Competition.objects.select_related("operator"), pk=pk)
    try:
        record = selectors.minutes(request.user, competition)
    except DomainError as exc:
        if roles_for(request.user).is_official_of(competition.operator_id):
            return _exports_page(request, competition, error=str(exc), status=409)
        return HttpResponse(str(exc), status=409)
    if request.GET.get("format") == "docx":
        language = request.user.language or translation.get_language()
        return _private(
            HttpResponse(
                minutes_docx(record, language=language),
                content_type=DOCX_MIME,
                headers={
                    "Content-Disposition": (
                        f'attachment; filename="{minutes_filename(record, language=language)}"'
                    )
                },
            )
        )
    return _private(
        render(
            request,
            "exports/minutes.html",
            {
                "minutes": record,
                "is_official": roles_for(request.user).is_official_of(competition.operator_id),
            },
        )
    )


# The public results.


def _open_data(response):
    # Open data: any page may read it, and it changes only when a grant does.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def public_results(request, pk):
    competition = selectors.public_competition(pk)
    results = selectors.public_results(competition)
    return render(
        request,
        "exports/public_results.html",
        {
            "competition": competition,
            "results": results,
            "total": sum((r.amount_awarded for r in results), Decimal("0.00")),
        },
    )


def _stem(competition: Competition) -> str:
    return f"results-{competition.number_prefix}-{competition.year}-{competition.pk}".lower()


@require_GET
def public_results_csv(request, pk):
    competition = selectors.public_competition(pk)
    body = public.results_csv(competition, selectors.public_results(competition))
    # The byte order mark makes Excel read the file as UTF-8 (Polish letters).
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_stem(competition)}.csv"'
    return _open_data(response)


@require_GET
def public_results_json(request, pk):
    competition = selectors.public_competition(pk)
    document = public.results_document(competition, selectors.public_results(competition))
    return _open_data(
        JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    )


@require_GET
def public_results_360giving(request, pk):
    competition = selectors.public_competition(pk)
    results = selectors.public_results(competition)
    if not results:
        # A 360Giving package holds at least one grant.
        raise Http404
    data = giving360.package(
        competition,
        results,
        programme_url=request.build_absolute_uri(reverse("public-results", args=[pk])),
        data_url=request.build_absolute_uri(),
    )
    response = HttpResponse(giving360.dumps(data), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{_stem(competition)}-360giving.json"'
    return _open_data(response)
