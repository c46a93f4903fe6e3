"""A chair or member conflicted with an application sees nothing of it: not on
the progress page, not in the ranking, and cannot reopen its reviews."""

from django.urls import reverse

from reviews.models import Review
from reviews.selectors import competition_ranking, review_progress

from . import factories as rf


def test_a_conflicted_chair_neither_sees_nor_reopens_its_reviews(
    client, in_review, ngo_member, second_member
):
    chair = rf.signed_member(in_review[0].competition, is_chair=True)
    rf.ConflictFactory(member=chair, application=in_review[0])
    conflicted = rf.scored(in_review[0], ngo_member, 10, 10)
    other = rf.scored(in_review[1], second_member, 10, 10)

    rows = review_progress(chair.user, in_review[0].competition)
    assert {row.application_id for row in rows} == {in_review[1].pk}

    client.force_login(chair.user)
    response = client.post(reverse("review-reopen", args=[conflicted.pk]), {"comment": "x"})
    assert response.status_code == 404
    conflicted.refresh_from_db()
    assert conflicted.status == Review.Status.SUBMITTED
    assert other.status == Review.Status.SUBMITTED


def test_the_ranking_shows_a_member_no_line_of_a_conflicted_application(
    reviewing, in_review, ngo_member, second_member, official
):
    rf.scored(in_review[0], second_member, 10, 10)
    rf.scored(in_review[1], second_member, 10, 10)
    rf.ConflictFactory(member=ngo_member, application=in_review[0])
    rf.close_scoring(reviewing)

    seen = {row.application_id for row in competition_ranking(ngo_member.user, reviewing).rows}
    assert in_review[0].pk not in seen and in_review[1].pk in seen
    everything = {row.application_id for row in competition_ranking(official, reviewing).rows}
    assert in_review[0].pk in everything


def test_a_conflicted_chair_adopts_the_funding_line_for_the_others(
    reviewing, in_review, ngo_member, second_member
):
    from reviews.models import Recommendation
    from reviews.services import recommendations_from_proposal

    chair = rf.signed_member(reviewing, is_chair=True)
    rf.ConflictFactory(member=chair, application=in_review[0])
    rf.scored(in_review[0], second_member, 10, 10)
    rf.scored(in_review[1], second_member, 10, 10)
    rf.close_scoring(reviewing)

    recommendations_from_proposal(competition=reviewing, actor=chair.user)
    recommended = set(Recommendation.objects.values_list("application_id", flat=True))
    assert in_review[1].pk in recommended and in_review[0].pk not in recommended
