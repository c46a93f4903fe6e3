"""The commission's minutes (protokół) as a printable page and as a Word
document, from one template: the page shows it, the document converts it
with the project's small HTML-to-DOCX converter."""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from payouts.docx import DOCX_MIME, html_to_docx

from .selectors import Minutes

__all__ = ["DOCX_MIME", "minutes_docx", "minutes_filename", "minutes_html"]


def minutes_html(minutes: Minutes, *, request=None) -> str:
    """The minutes alone, as a complete HTML document."""
    return render_to_string("exports/minutes_document.html", {"minutes": minutes}, request=request)


def minutes_title(minutes: Minutes) -> str:
    return _("Minutes of the commission: %(competition)s") % {
        "competition": minutes.competition.title
    }


def minutes_docx(minutes: Minutes, *, language: str) -> bytes:
    with translation.override(language):
        return html_to_docx(minutes_html(minutes), title=minutes_title(minutes))


def minutes_filename(minutes: Minutes, *, language: str) -> str:
    competition = minutes.competition
    with translation.override(language):
        name = pgettext("file name", "minutes")
        stem = slugify(f"{name}-{competition.number_prefix}-{competition.year}-{competition.pk}")
    return f"{stem}.docx"
