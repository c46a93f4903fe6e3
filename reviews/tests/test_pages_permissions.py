"""Who sees what on the commission pages: a conflicted member, a member who has
not signed, members before scoring closes, applicants after the decision,
another operator's officials, outsiders. And the pages whose query count must
not grow with the data."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application, ApplicationSnapshot, Attachment
from applications.services import snapshot_data
from competitions.models import Competition
from reviews.models import CommissionMember, Decision, Review, Score
from reviews.services import competition_decide, decision_record, recommendation_record
from tests import factories as f

from . import factories as rf


def snapshot_of(application):
    return ApplicationSnapshot.objects.create(
        application=application, version=1, data=snapshot_data(application)
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _attachment(application):
    return Attachment.objects.create(
        application=application,
        file="private/plan.pdf",
        original_name="plan.pdf",
        content_type="application/pdf",
        size=10,
    )


def _review_pages(review, attachment=None):
    pages = [
        ("get", reverse("review-score", args=[review.pk])),
        ("post", reverse("review-score", args=[review.pk])),
        ("get", reverse("review-submit", args=[review.pk])),
        ("post", reverse("review-submit", args=[review.pk])),
        ("get", reverse("review-conflict", args=[review.pk])),
        ("post", reverse("review-conflict", args=[review.pk])),
        ("get", reverse("member-application", args=[review.application_id])),
    ]
    if attachment is not None:
        pages.append(
            (
                "get",
                reverse("member-attachment-download", args=[review.application_id, attachment.pk]),
            )
        )
    return pages


def _assert_not_found(client, pages):
    for method, url in pages:
        response = getattr(client, method)(url, {"reason": "x", "ground": "other"})
        assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize("how", ["declared", "group_member"])
def test_a_conflicted_member_gets_404_for_that_application(
    how, reviewing, in_review, ngo_member, expert
):
    review = rf.ReviewFactory(application=in_review[0], member=ngo_member)
    attachment = _attachment(in_review[0])
    client = _client(ngo_member.user)
    assert client.get(reverse("review-score", args=[review.pk])).status_code == 200
    if how == "declared":
        rf.ConflictFactory(member=ngo_member, application=in_review[0])
    else:
        f.MembershipFactory(group=in_review[0].group, user=ngo_member.user, role="editor")

    _assert_not_found(_client(ngo_member.user), _review_pages(review, attachment))

    dashboard = _client(ngo_member.user).get(reverse("commission-dashboard")).content.decode()
    assert in_review[0].title not in dashboard
    review.refresh_from_db()
    assert review.status == Review.Status.ASSIGNED
    assert not Score.objects.exists()


def test_an_expert_reads_every_application_except_a_conflicted_one(reviewing, in_review, expert):
    rf.ConflictFactory(member=expert, application=in_review[1])
    client = _client(expert.user)
    assert client.get(reverse("member-application", args=[in_review[0].pk])).status_code == 200
    assert client.get(reverse("member-application", args=[in_review[1].pk])).status_code == 404
    dashboard = client.get(reverse("commission-dashboard")).content.decode()
    assert reverse("member-application", args=[in_review[0].pk]) in dashboard
    assert reverse("member-application", args=[in_review[1].pk]) not in dashboard
    assert in_review[1].number not in dashboard


def test_a_member_who_has_not_signed_sees_no_application_content(
    reviewing, in_review, unsigned_member
):
    snapshot_of(in_review[0])
    review = rf.ReviewFactory(application=in_review[0], member=unsigned_member)
    attachment = _attachment(in_review[0])
    client = _client(unsigned_member.user)

    _assert_not_found(client, _review_pages(review, attachment))
    for page in ("commission-dashboard",):
        text = client.get(reverse(page)).content.decode()
        assert in_review[0].title not in text
        assert "Sadzonki i ziemia" not in text
    rf.close_scoring(reviewing)
    assert client.get(reverse("ranking", args=[reviewing.pk])).status_code == 404
    assert client.get(reverse("scoring-panel", args=[reviewing.pk])).status_code == 404
    declaration = client.get(reverse("declaration", args=[reviewing.pk])).content.decode()
    assert in_review[0].number in declaration
    assert in_review[0].title not in declaration


def test_members_do_not_see_each_others_scores_before_scoring_closes(
    reviewing, in_review, ngo_member, second_member
):
    mine = rf.ReviewFactory(application=in_review[0], member=ngo_member)
    theirs = rf.scored(in_review[0], second_member, "13.37", "28.91", comment="Zdanie Szymona")
    client = _client(ngo_member.user)

    assert client.get(reverse("review-score", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("review-submit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("review-progress", args=[reviewing.pk])).status_code == 404
    pages = [
        reverse("review-score", args=[mine.pk]),
        reverse("ranking", args=[reviewing.pk]),
        reverse("scoring-panel", args=[reviewing.pk]),
        reverse("member-application", args=[in_review[0].pk]),
        reverse("commission-dashboard"),
    ]
    for url in pages:
        text = client.get(url).content.decode()
        for secret in ("13,37", "13.37", "28,91", "42,28", "Zdanie Szymona"):
            assert secret not in text, (url, secret)

    rf.close_scoring(reviewing)
    assert (
        "Zdanie Szymona"
        in client.get(reverse("scoring-panel", args=[reviewing.pk])).content.decode()
    )


def test_an_applicant_never_sees_who_reviewed_them(
    reviewing, in_review, ngo_member, second_member, expert, official, owner
):
    # The chair is a reviewer too, and records the recommendation.
    chair = rf.signed_member(reviewing, user__full_name="Celina Przewodnicząca", is_chair=True)
    first, second = in_review
    rf.scored(first, ngo_member, 18, 30, comment="Mocny projekt.")
    rf.scored(first, chair, 16, 28)
    rf.scored(second, ngo_member, 10, 10)
    rf.scored(second, second_member, 12, 12)
    rf.close_scoring(reviewing)
    recommendation_record(application=first, actor=chair.user, amount="4000", comment="Polecamy")
    decision_record(application=first, actor=official, outcome="awarded", amount="4000")
    decision_record(application=second, actor=official, outcome="rejected", reason="Za mało pkt.")
    competition_decide(competition=reviewing, actor=official)
    client = _client(owner)

    reviews = client.get(reverse("application-reviews", args=[first.pk]))
    assert reviews.status_code == 200
    assert "Oceniający 1" in reviews.content.decode()
    assert "Mocny projekt." in reviews.content.decode()
    pages = [
        reverse("home"),
        reverse("application-list"),
        reverse("application-detail", args=[first.pk]),
        reverse("application-reviews", args=[first.pk]),
        reverse("application-formal-findings", args=[first.pk]),
        reverse("competition-detail", args=[reviewing.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for member in (ngo_member, second_member, expert, chair):
            assert member.user.full_name not in text, (url, member.user.full_name)
            assert member.user.email not in text, (url, member.user.email)
    for name in ("commission-dashboard",):
        assert reverse("commission-dashboard") not in client.get(reverse("home")).content.decode()
        assert client.get(reverse(name)).status_code == 200
    for name in ("ranking", "scoring-panel", "review-progress", "decisions", "commission-manage"):
        assert client.get(reverse(name, args=[reviewing.pk])).status_code == 404, name
    # Another group reads nothing of this application's reviews.
    other = f.MembershipFactory(user__full_name="Inny Wnioskodawca").user
    assert _client(other).get(reverse("application-reviews", args=[first.pk])).status_code == 404


def _official_pages(competition, application, member, review):
    pk = competition.pk
    return [
        ("get", reverse("formal-check-list", args=[pk])),
        ("get", reverse("formal-check", args=[application.pk])),
        ("post", reverse("formal-accept", args=[application.pk])),
        ("get", reverse("commission-manage", args=[pk])),
        ("post", reverse("commission-manage", args=[pk])),
        ("post", reverse("commission-member-update", args=[pk, member.pk])),
        ("post", reverse("commission-member-remove", args=[pk, member.pk])),
        ("post", reverse("review-settings", args=[pk])),
        ("post", reverse("review-start", args=[pk])),
        ("get", reverse("assignments", args=[pk])),
        ("post", reverse("assignments-auto", args=[pk])),
        ("post", reverse("assignments-manual", args=[pk])),
        ("get", reverse("review-progress", args=[pk])),
        ("get", reverse("review-reopen", args=[review.pk])),
        ("post", reverse("review-reopen", args=[review.pk])),
        ("post", reverse("scoring-close", args=[pk])),
        ("post", reverse("scoring-reopen", args=[pk])),
        ("get", reverse("ranking", args=[pk])),
        ("get", reverse("scoring-panel", args=[pk])),
        ("get", reverse("recommendations", args=[pk])),
        ("get", reverse("decisions", args=[pk])),
        ("post", reverse("decisions", args=[pk])),
        ("post", reverse("decisions-remaining", args=[pk])),
        ("post", reverse("decisions-fill", args=[pk])),
        ("post", reverse("competition-decide", args=[pk])),
        ("get", reverse("declaration", args=[pk])),
    ]


@pytest.mark.parametrize("who", ["other_official", "outsider", "owner"])
def test_people_outside_the_operator_and_the_commission_get_404(
    who, request, reviewing, commission, in_review, ngo_member, second_member
):
    review = rf.scored(in_review[0], ngo_member, 10, 10)
    rf.scored(in_review[1], second_member, 10, 10)
    rf.close_scoring(reviewing)
    client = _client(request.getfixturevalue(who))
    for method, url in _official_pages(reviewing, in_review[0], second_member, review):
        response = getattr(client, method)(url, {"comment": "x", "no_ngo_reason": "x"})
        assert response.status_code == 404, (who, method, url, response.status_code)
    assert Competition.objects.get(pk=reviewing.pk).status == Competition.Status.IN_REVIEW
    assert CommissionMember.objects.filter(competition=reviewing).count() == 4
    assert Review.objects.get(pk=review.pk).status == Review.Status.SUBMITTED
    assert not Decision.objects.exists()
    assert Application.objects.filter(status=Application.Status.IN_REVIEW).count() == 2


# Query counts: the same for one row as for many.


def _queries(client, url) -> int:
    client.get(url)  # caches that live for the process (content types, translations)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_member_dashboard_queries_do_not_grow(reviewing, in_review, ngo_member, operator):
    rf.ReviewFactory(application=in_review[0], member=ngo_member)
    client = _client(ngo_member.user)
    url = reverse("commission-dashboard")
    one = _queries(client, url)

    rf.scored(in_review[1], ngo_member, 10, 20)
    for _ in range(4):
        rf.ReviewFactory(application=rf.in_review_application(reviewing), member=ngo_member)
    other = rf.set_status(f.CompetitionFactory(operator=operator), Competition.Status.IN_REVIEW)
    f.CriterionFactory(competition=other)
    seat = rf.signed_member(other, user=ngo_member.user)
    for _ in range(3):
        rf.ReviewFactory(application=rf.in_review_application(other), member=seat)

    many = _queries(_client(ngo_member.user), url)
    assert many == one
    text = client.get(url).content.decode()
    assert text.count(reverse("review-score", args=[1]).rsplit("/", 2)[0]) >= 9


def test_progress_queries_do_not_grow(reviewing, commission, in_review, ngo_member, official):
    rf.ReviewFactory(application=in_review[0], member=ngo_member)
    client = _client(official)
    url = reverse("review-progress", args=[reviewing.pk])
    one = _queries(client, url)

    members = [rf.signed_member(reviewing) for _ in range(3)]
    for _ in range(4):
        application = rf.in_review_application(reviewing)
        for member in members:
            rf.scored(application, member, 10, 10)
    assert _queries(client, url) == one


@pytest.mark.parametrize("reader", ["official", "member"])
def test_ranking_queries_do_not_grow(
    reader, reviewing, commission, in_review, ngo_member, second_member, official
):
    rf.scored(in_review[0], ngo_member, 10, 20)
    rf.close_scoring(reviewing)
    client = _client(official if reader == "official" else ngo_member.user)
    url = reverse("ranking", args=[reviewing.pk])
    one = _queries(client, url)

    rf.scored(in_review[1], second_member, 12, 22)
    for n in range(5):
        application = rf.in_review_application(reviewing)
        rf.scored(application, ngo_member, n, 20)
        rf.scored(application, second_member, 15, n)
    assert _queries(client, url) == one
