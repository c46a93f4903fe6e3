"""Handing out private files: attachments and exports never sit where the web
server serves them, and leave only through views that have checked who asks."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


def private_file_response(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Stream the file as a download that no proxy keeps and no browser
    re-interprets. 404 when the storage has lost it."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from the storage.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
