"""What the applying group reads of the review: the reviews of its own
application, without names, once the competition is decided."""

from django.shortcuts import get_object_or_404, render

from applications.selectors import applications_visible_to
from core.views import login_required

from ..selectors import reviews_for_applicant


@login_required
def application_reviews(request, pk):
    # The selector answers 404 to anyone outside the applying group.
    reviews = reviews_for_applicant(request.user, pk)
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    return render(
        request,
        "reviews/applicant/reviews.html",
        {"application": application, "reviews": reviews},
    )
