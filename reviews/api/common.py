"""What the competition-level resources of the review share: the competition
from the URL, seen only by its operator's officials and its commission."""

from drf_spectacular.utils import OpenApiParameter

from competitions.models import Competition
from core.api import ApiViewMixin

from .. import selectors

COMPETITION_PK = OpenApiParameter("competition_pk", int, OpenApiParameter.PATH)


class CompetitionResourceMixin(ApiViewMixin):
    """A resource under `competitions/{competition_pk}/`: a competition you have
    no business with (neither its official nor on its commission) is 404."""

    filter_backends = []
    pagination_class = None

    def competition(self) -> Competition:
        if not hasattr(self, "_competition"):
            self._competition = selectors.competition_for(
                self.request.user, self.kwargs["competition_pk"]
            )
        return self._competition
