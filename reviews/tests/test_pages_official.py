"""The official's (and the chair's) pages: the commission, starting the review,
assignments, progress, closing the scoring, the ranking, the recommendation,
the decisions with the budget computed by the server, and deciding."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Application
from competitions.models import Competition
from reviews.models import (
    CommissionMember,
    Decision,
    Recommendation,
    Review,
    ReviewSettings,
)
from tests import factories as f

from . import factories as rf


@pytest.fixture
def official_client(client, official):
    client.force_login(official)
    return client


def _competition_status(competition):
    return Competition.objects.get(pk=competition.pk).status


class TestCommission:
    def test_lists_members_with_their_declarations(self, official_client, commission, reviewing):
        unsigned = rf.CommissionMemberFactory(
            competition=reviewing, user__full_name="Niepodpisany Nowak"
        )
        text = official_client.get(
            reverse("commission-manage", args=[reviewing.pk])
        ).content.decode()
        for member in [*commission, unsigned]:
            assert member.user.full_name in text
        assert text.count("podpisana") >= 4
        assert "jeszcze niepodpisana" in text

    def test_adds_an_existing_person_by_e_mail(self, official_client, competition):
        person = f.UserFactory(email="Nowa.Czlonkini@example.org", full_name="Nowa Członkini")
        response = official_client.post(
            reverse("commission-manage", args=[competition.pk]),
            {
                "email": "nowa.czlonkini@example.org",
                "affiliation": CommissionMember.Affiliation.NGO_REPRESENTATIVE,
                "is_chair": "on",
            },
        )
        assert response.status_code == 302
        member = CommissionMember.objects.get(competition=competition)
        assert (member.user, member.is_chair) == (person, True)

    def test_an_unknown_e_mail_or_a_wrong_capacity_is_refused_on_the_field(
        self, official_client, competition, outsider
    ):
        url = reverse("commission-manage", args=[competition.pk])
        unknown = official_client.post(
            url, {"email": "nikt@example.org", "affiliation": "ngo_representative"}
        )
        assert unknown.status_code == 422
        assert "Żadne konto nie używa tego adresu" in unknown.content.decode()
        not_staff = official_client.post(url, {"email": outsider.email, "affiliation": "official"})
        assert not_staff.status_code == 422
        assert 'href="#id_affiliation_0"' in not_staff.content.decode()
        assert not CommissionMember.objects.filter(competition=competition).exists()

    def test_removes_an_unsigned_member_but_not_a_signed_one(
        self, official_client, reviewing, ngo_member
    ):
        unsigned = rf.CommissionMemberFactory(competition=reviewing)
        official_client.post(reverse("commission-member-remove", args=[reviewing.pk, unsigned.pk]))
        assert not CommissionMember.objects.filter(pk=unsigned.pk).exists()

        response = official_client.post(
            reverse("commission-member-remove", args=[reviewing.pk, ngo_member.pk]), follow=True
        )
        assert "pozostaje w dokumentacji" in response.content.decode()
        assert CommissionMember.objects.filter(pk=ngo_member.pk).exists()

    def test_start_review_asks_why_there_is_no_ngo_representative(
        self, official_client, competition, operator, group
    ):
        closed = rf.set_status(competition, Competition.Status.CLOSED)
        accepted = rf.in_review_application(
            closed, group=group, status=Application.Status.FORMALLY_ACCEPTED
        )
        for name in ("Urzędnik Pierwszy", "Urzędniczka Druga"):
            staff = f.StaffMembershipFactory(operator=operator, user__full_name=name).user
            rf.signed_member(closed, user=staff, affiliation=CommissionMember.Affiliation.OFFICIAL)
        url = reverse("review-start", args=[closed.pk])
        page = official_client.get(reverse("commission-manage", args=[closed.pk])).content.decode()
        assert "Rozpocznij ocenę" in page
        assert "id_no_ngo_reason" in page

        refused = official_client.post(url, {"no_ngo_reason": ""})

        assert refused.status_code == 422
        assert "nie ma przedstawiciela organizacji" in refused.content.decode()
        assert _competition_status(closed) == Competition.Status.CLOSED

        official_client.post(url, {"no_ngo_reason": "Żadna organizacja nie zgłosiła kandydata."})

        assert _competition_status(closed) == Competition.Status.IN_REVIEW
        assert Application.objects.get(pk=accepted.pk).status == Application.Status.IN_REVIEW
        assert ReviewSettings.objects.get(competition=closed).no_ngo_reason.startswith("Żadna")

    def test_start_review_with_open_formal_checks_says_which(
        self, official_client, competition, group, commission
    ):
        closed = rf.set_status(competition, Competition.Status.CLOSED)
        waiting = rf.in_review_application(closed, group=group, status=Application.Status.SUBMITTED)
        response = official_client.post(reverse("review-start", args=[closed.pk]), {})
        assert response.status_code == 422
        assert waiting.number in response.content.decode()
        assert _competition_status(closed) == Competition.Status.CLOSED


class TestAssignments:
    def test_the_plan_is_shown_as_members_by_applications_and_applied(
        self, official_client, reviewing, commission, in_review, expert
    ):
        url = reverse("assignments", args=[reviewing.pk])
        text = official_client.get(url).content.decode()
        for application in in_review:
            assert application.number in text
        assert "Nina Organizacja" in text
        assert "Szymon Społecznik" in text
        assert expert.user.full_name not in text.split("<table", 1)[1].split("</table>", 1)[0]
        assert text.count(">nowe<") == 4

        response = official_client.post(
            reverse("assignments-auto", args=[reviewing.pk]), follow=True
        )

        assert "Przydzielono 4" in response.content.decode()
        assert Review.objects.filter(application__competition=reviewing).count() == 4
        assert "Każdy wniosek ma swoich oceniających." in response.content.decode()

    def test_an_impossible_plan_says_why_and_offers_no_apply(
        self, official_client, reviewing, commission, in_review, ngo_member, second_member
    ):
        for member in (ngo_member, second_member):
            rf.ConflictFactory(member=member, application=in_review[0])
        text = official_client.get(reverse("assignments", args=[reviewing.pk])).content.decode()
        assert "Żaden plan nie jest możliwy" in text
        assert in_review[0].number in text
        assert reverse("assignments-auto", args=[reviewing.pk]) not in text

        response = official_client.post(
            reverse("assignments-auto", args=[reviewing.pk]), follow=True
        )
        assert in_review[0].number in response.content.decode()
        assert not Review.objects.filter(application__competition=reviewing).exists()

    def test_manual_assignment_checks_the_rules(
        self, official_client, reviewing, commission, in_review, expert, ngo_member
    ):
        url = reverse("assignments-manual", args=[reviewing.pk])
        refused = official_client.post(
            url, {"application": in_review[0].pk, "member": expert.pk}, follow=True
        )
        assert expert.user.full_name in refused.content.decode()
        assert not Review.objects.exists()

        official_client.post(url, {"application": in_review[0].pk, "member": ngo_member.pk})

        assert Review.objects.get().member == ngo_member

    def test_before_the_review_starts_there_is_nothing_to_assign(
        self, official_client, competition
    ):
        text = official_client.get(reverse("assignments", args=[competition.pk])).content.decode()
        assert "po rozpoczęciu oceny" in text


class TestProgressAndClosing:
    def test_statuses_only_never_points(
        self, official_client, reviewing, commission, in_review, ngo_member, second_member
    ):
        rf.scored(in_review[0], ngo_member, "13.37", "28.91", comment="Tajny komentarz")
        rf.ReviewFactory(application=in_review[0], member=second_member)
        text = official_client.get(reverse("review-progress", args=[reviewing.pk])).content.decode()
        assert "Nina Organizacja" in text
        assert "Złożona" in text
        assert "Przydzielona" in text
        for secret in ("13,37", "13.37", "28,91", "42,28", "Tajny komentarz"):
            assert secret not in text

    def test_closing_with_open_reviews_lists_them_and_changes_nothing(
        self, official_client, reviewing, commission, in_review, second_member
    ):
        rf.ReviewFactory(application=in_review[0], member=second_member)
        response = official_client.post(reverse("scoring-close", args=[reviewing.pk]), follow=True)
        assert "Szymon Społecznik" in response.content.decode()
        assert not ReviewSettings.objects.filter(
            competition=reviewing, scoring_closed_at__isnull=False
        ).exists()

    def test_closing_opens_the_ranking_and_a_review_can_be_reopened_before(
        self, official_client, reviewing, commission, in_review, ngo_member, second_member
    ):
        first = rf.scored(in_review[0], ngo_member, 15, 30)
        rf.scored(in_review[1], second_member, 10, 20)
        reopen = reverse("review-reopen", args=[first.pk])
        progress = official_client.get(reverse("review-progress", args=[reviewing.pk]))
        assert reopen in progress.content.decode()
        assert official_client.post(reopen, {"comment": ""}).status_code == 422
        official_client.post(reopen, {"comment": "Brak uzasadnienia punktów."})
        first.refresh_from_db()
        assert first.status == Review.Status.IN_PROGRESS
        rf.set_status(first, Review.Status.SUBMITTED)

        response = official_client.post(reverse("scoring-close", args=[reviewing.pk]))

        assert response.url == reverse("ranking", args=[reviewing.pk])
        assert ReviewSettings.objects.get(competition=reviewing).scoring_closed

    def test_a_chair_who_is_not_an_official_follows_the_progress(
        self, client, reviewing, in_review
    ):
        chair = rf.signed_member(reviewing, user__full_name="Celina Przewodnicząca", is_chair=True)
        client.force_login(chair.user)
        response = client.get(reverse("review-progress", args=[reviewing.pk]))
        assert response.status_code == 200
        assert "Zamknij ocenianie" not in response.content.decode()
        assert client.post(reverse("scoring-close", args=[reviewing.pk])).status_code == 404


class TestRanking:
    def test_not_open_before_scoring_closes(self, official_client, reviewing, commission):
        text = official_client.get(reverse("ranking", args=[reviewing.pk])).content.decode()
        assert "widoczne po zamknięciu oceniania" in text

    def test_shows_the_statistics_and_the_tie_break(
        self, official_client, reviewing, commission, in_review, ngo_member, second_member
    ):
        # Both means are 30.00 and the own contributions equal: the earlier
        # submission (the first application) ranks higher.
        rf.scored(in_review[0], ngo_member, 15, 30)
        rf.scored(in_review[0], second_member, 5, 10)
        rf.scored(in_review[1], ngo_member, 10, 20)
        rf.scored(in_review[1], second_member, 10, 20)
        rf.close_scoring(reviewing)

        response = official_client.get(reverse("ranking", args=[reviewing.pk]))

        text = response.content.decode()
        rows = response.context["rows"]
        assert [r["result"].application_id for r in rows] == [a.pk for a in in_review]
        assert "30,00" in text  # the mean
        assert "15,00" in text  # the standard deviation of 45 and 15
        assert "Trafność" in text and "Budżet" in text
        assert "tak (30,00 pkt różnicy)" in text  # disagreement: 30 > 30% of 55
        assert "poniżej" in text  # threshold 33 points
        assert rows[0]["tie"] is None
        assert in_review[0].number in rows[1]["tie"]
        assert "wcześniej" in rows[1]["tie"]


@pytest.fixture
def closed_scoring(reviewing, commission, in_review, ngo_member, second_member):
    rf.scored(in_review[0], ngo_member, 18, 30)
    rf.scored(in_review[0], second_member, 16, 28)
    rf.scored(in_review[1], ngo_member, 15, 25)
    rf.scored(in_review[1], second_member, 17, 27)
    rf.close_scoring(reviewing)
    return in_review


class TestRecommendationsAndDecisions:
    def test_the_chair_records_the_recommendation(self, official_client, reviewing, closed_scoring):
        url = reverse("recommendations", args=[reviewing.pk])
        text = official_client.get(url).content.decode()
        assert "finansowany" in text
        first, second = closed_scoring
        response = official_client.post(
            url,
            {
                f"r{first.pk}-amount": "4000,00",
                f"r{first.pk}-comment": "Bardzo dobry.",
                f"r{second.pk}-amount": "3500",
                f"r{second.pk}-comment": "",
            },
        )
        assert response.status_code == 302
        assert Recommendation.objects.get(application=second).amount == Decimal("3500.00")

    def test_members_who_do_not_chair_have_no_recommendation_page(
        self, client, reviewing, closed_scoring, ngo_member
    ):
        client.force_login(ngo_member.user)
        assert client.get(reverse("recommendations", args=[reviewing.pk])).status_code == 404
        assert client.get(reverse("decisions", args=[reviewing.pk])).status_code == 404

    def test_the_remaining_budget_is_computed_by_the_server(
        self, official_client, reviewing, closed_scoring
    ):
        first, second = closed_scoring
        page = official_client.get(reverse("decisions", args=[reviewing.pk])).content.decode()
        assert "52\xa0000,00\xa0zł" in page  # 60 000 minus two proposals of 4 000
        assert "nie zapisano" in page

        response = official_client.post(
            reverse("decisions-remaining", args=[reviewing.pk]),
            {
                f"d{first.pk}-outcome": "awarded",
                f"d{first.pk}-amount": "3 000,50".replace(" ", ""),
                f"d{second.pk}-outcome": "reserve",
                f"d{second.pk}-amount": "4000",
            },
            HTTP_HX_REQUEST="true",
        )

        text = response.content.decode()
        assert "3\xa0000,50\xa0zł" in text
        assert "56\xa0999,50\xa0zł" in text
        assert not Decision.objects.exists()

    def test_saving_decisions_then_deciding(
        self, official_client, reviewing, closed_scoring, statuses
    ):
        first, second = closed_scoring
        url = reverse("decisions", args=[reviewing.pk])
        refused = official_client.post(
            reverse("competition-decide", args=[reviewing.pk]), follow=True
        )
        assert "Najpierw zapisz decyzję" in refused.content.decode()
        assert _competition_status(reviewing) == Competition.Status.IN_REVIEW

        response = official_client.post(
            url,
            {
                f"d{first.pk}-outcome": "awarded",
                f"d{first.pk}-amount": "4000",
                f"d{second.pk}-outcome": "rejected",
                f"d{second.pk}-reason": "",
            },
        )
        assert response.status_code == 422  # not funding needs a reason
        assert Decision.objects.get().application == first

        official_client.post(
            url,
            {
                f"d{first.pk}-outcome": "awarded",
                f"d{first.pk}-amount": "4000",
                f"d{second.pk}-outcome": "reserve",
            },
        )
        decided = official_client.post(
            reverse("competition-decide", args=[reviewing.pk]), follow=True
        )

        assert "rozstrzygnięty" in decided.content.decode()
        assert _competition_status(reviewing) == Competition.Status.DECIDED
        assert statuses(first, second) == [Application.Status.AWARDED, Application.Status.RESERVE]

    def test_deciding_over_the_budget_is_refused(
        self, official_client, reviewing, closed_scoring, official
    ):
        from reviews.services import decision_record

        Competition.objects.filter(pk=reviewing.pk).update(budget_total=Decimal("5000.00"))
        for application in closed_scoring:
            decision_record(
                application=application, actor=official, outcome="awarded", amount="3000"
            )
        response = official_client.post(
            reverse("competition-decide", args=[reviewing.pk]), follow=True
        )
        assert "1\xa0000,00\xa0zł" in response.content.decode()
        assert _competition_status(reviewing) == Competition.Status.IN_REVIEW

    def test_decisions_wait_for_scoring_to_close(self, official_client, reviewing, commission):
        text = official_client.get(reverse("decisions", args=[reviewing.pk])).content.decode()
        assert "widoczne po zamknięciu oceniania" in text
        response = official_client.post(reverse("decisions-fill", args=[reviewing.pk]), follow=True)
        assert "Ocenianie jest nadal otwarte" in response.content.decode()
        assert not Decision.objects.exists()
