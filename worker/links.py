"""Absolute links for e-mails and notices."""

import logging

from django.conf import settings
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)


def absolute(name: str, *args) -> str:
    """`SITE_URL` + the page's path. A page that does not exist (yet) links to
    the home page instead of breaking the notice."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        logger.warning("No page named %r; the notice links to the home page", name)
        path = reverse("home")
    return settings.SITE_URL + path
