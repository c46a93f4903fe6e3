"""A commission member's pages: dashboard, declaration, scoring with a draft,
autosave, submitting, declaring a conflict late, and the panel view."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import ApplicationSnapshot
from applications.services import snapshot_data
from competitions.models import Competition
from reviews.models import Conflict, Declaration, Review, Score

from . import factories as rf

FRAGMENT = "X-Grantownik-Fragment"


def snapshot_of(application):
    """The builders skip submitting; the page shows what was submitted."""
    return ApplicationSnapshot.objects.create(
        application=application, version=1, data=snapshot_data(application)
    )


@pytest.fixture
def review(in_review, ngo_member):
    snapshot_of(in_review[0])
    return rf.ReviewFactory(application=in_review[0], member=ngo_member)


@pytest.fixture
def member_client(client, ngo_member):
    client.force_login(ngo_member.user)
    return client


def _criteria(competition):
    return list(competition.criteria.all())


def _scores(review, relevance, budget, **extra):
    first, second = _criteria(review.application.competition)
    return {
        f"points_{first.pk}": relevance,
        f"note_{first.pk}": "Dobrze uzasadniona potrzeba.",
        f"points_{second.pk}": budget,
        f"note_{second.pk}": "",
        "comment": "Solidny projekt.",
        **extra,
    }


class TestDashboard:
    def test_lists_seat_declaration_and_assigned_reviews(self, member_client, review, reviewing):
        text = member_client.get(reverse("commission-dashboard")).content.decode()
        assert reviewing.title in text
        assert "podpisana" in text
        assert review.application.number in text
        assert review.application.title in text
        assert "0 z 2 kryteriów" in text
        assert reverse("review-score", args=[review.pk]) in text

    def test_an_unsigned_member_is_asked_to_sign_and_sees_no_application(
        self, client, unsigned_member, in_review, reviewing
    ):
        rf.ReviewFactory(application=in_review[0], member=unsigned_member)
        client.force_login(unsigned_member.user)
        text = client.get(reverse("commission-dashboard")).content.decode()
        assert "Podpisz deklarację bezstronności" in text
        assert reverse("declaration", args=[reviewing.pk]) in text
        for application in in_review:
            assert application.title not in text
            assert application.number not in text

    def test_the_nav_link_shows_for_members_only(self, client, ngo_member, outsider):
        client.force_login(ngo_member.user)
        assert reverse("commission-dashboard") in client.get(reverse("home")).content.decode()
        client.force_login(outsider)
        assert reverse("commission-dashboard") not in client.get(reverse("home")).content.decode()


class TestDeclaration:
    def test_lists_numbers_and_applicants_only_and_signs_with_a_conflict(
        self, client, unsigned_member, in_review, reviewing
    ):
        client.force_login(unsigned_member.user)
        url = reverse("declaration", args=[reviewing.pk])
        text = client.get(url).content.decode()
        assert "art. 24" in text
        for application in in_review:
            assert application.number in text
            assert application.group.name in text
            assert application.title not in text

        conflicted = in_review[1]
        response = client.post(
            url,
            {
                "confirm": "on",
                f"conflict_{conflicted.pk}": "on",
                f"ground_{conflicted.pk}": Conflict.Ground.RELATIVE,
                f"details_{conflicted.pk}": "Siostra prezeski.",
            },
        )

        assert response.status_code == 302
        declaration = Declaration.objects.get(member=unsigned_member)
        assert unsigned_member.user.full_name in declaration.statement
        conflict = Conflict.objects.get(member=unsigned_member)
        assert (conflict.application, conflict.ground) == (conflicted, Conflict.Ground.RELATIVE)
        signed = client.get(url).content.decode()
        assert "Podpisano tę deklarację" in signed
        assert conflicted.number in signed

    def test_without_the_confirmation_nothing_is_signed(self, client, unsigned_member, reviewing):
        client.force_login(unsigned_member.user)
        response = client.post(reverse("declaration", args=[reviewing.pk]), {})
        assert response.status_code == 422
        assert "Potwierdź oświadczenie" in response.content.decode()
        assert not Declaration.objects.filter(member=unsigned_member).exists()

    def test_a_conflict_needs_its_ground(self, client, unsigned_member, in_review, reviewing):
        client.force_login(unsigned_member.user)
        response = client.post(
            reverse("declaration", args=[reviewing.pk]),
            {"confirm": "on", f"conflict_{in_review[0].pk}": "on"},
        )
        assert response.status_code == 422
        assert "Wybierz podstawę tego konfliktu" in response.content.decode()
        assert not Declaration.objects.filter(member=unsigned_member).exists()

    def test_another_tie_needs_details_from_the_service(
        self, client, unsigned_member, in_review, reviewing
    ):
        client.force_login(unsigned_member.user)
        response = client.post(
            reverse("declaration", args=[reviewing.pk]),
            {
                "confirm": "on",
                f"conflict_{in_review[0].pk}": "on",
                f"ground_{in_review[0].pk}": Conflict.Ground.OTHER,
            },
        )
        assert response.status_code == 422
        assert in_review[0].number in response.content.decode()
        assert not Declaration.objects.filter(member=unsigned_member).exists()

    def test_not_offered_before_submissions_close(self, client, competition):
        member = rf.CommissionMemberFactory(competition=competition)
        client.force_login(member.user)
        response = client.get(reverse("declaration", args=[competition.pk]))
        assert response.status_code == 200
        assert "Podpisz deklarację</button>" not in response.content.decode()
        posted = client.post(reverse("declaration", args=[competition.pk]), {"confirm": "on"})
        assert posted.status_code == 302
        assert not Declaration.objects.filter(member=member).exists()

    def test_signing_twice_shows_the_signed_declaration(self, member_client, reviewing):
        response = member_client.post(
            reverse("declaration", args=[reviewing.pk]), {"confirm": "on"}
        )
        assert response.status_code == 200
        assert Declaration.objects.filter(member__competition=reviewing).count() == 1


class TestScoring:
    def test_the_form_shows_the_snapshot_and_each_criterion_with_guidance(
        self, member_client, review
    ):
        first = _criteria(review.application.competition)[0]
        first.guidance = "Czy projekt odpowiada na potrzeby mieszkańców?"
        first.save()
        text = member_client.get(reverse("review-score", args=[review.pk])).content.decode()
        assert "Sadzonki i ziemia" in text  # from the submitted snapshot
        assert "Czy projekt odpowiada na potrzeby mieszkańców?" in text
        assert 'max="20.00"' in text and 'max="35.00"' in text
        assert 'min="0"' in text
        assert "Zapisz wersję roboczą" in text

    def test_a_draft_is_saved_and_shown_again(self, member_client, review):
        url = reverse("review-score", args=[review.pk])
        response = member_client.post(url, {**_scores(review, "15", ""), "action": "save"})
        assert response.status_code == 302
        review.refresh_from_db()
        assert review.status == Review.Status.IN_PROGRESS
        assert review.comment == "Solidny projekt."
        assert list(review.scores.values_list("points", flat=True)) == [Decimal("15.00")]
        text = member_client.get(url).content.decode()
        assert 'value="15.00"' in text
        assert "Dobrze uzasadniona potrzeba." in text

    def test_autosave_answers_with_a_fragment(self, member_client, review):
        url = reverse("review-score", args=[review.pk])
        response = member_client.post(url, _scores(review, "12,5", "30"), HTTP_HX_REQUEST="true")
        assert response.status_code == 422  # a number input sends a dot, never a comma
        assert response[FRAGMENT] == "invalid"
        response = member_client.post(url, _scores(review, "12.5", "30"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert response[FRAGMENT] == "saved"
        assert "Zapisano" in response.content.decode()
        assert review.scores.count() == 2

    def test_points_above_the_maximum_are_refused(self, member_client, review):
        response = member_client.post(
            reverse("review-score", args=[review.pk]), _scores(review, "21", "10")
        )
        assert response.status_code == 422
        assert "20" in response.content.decode()
        assert not Score.objects.filter(review=review).exists()

    def test_submit_asks_first_then_locks_the_review(self, member_client, review):
        url = reverse("review-score", args=[review.pk])
        response = member_client.post(url, {**_scores(review, "18", "30"), "action": "submit"})
        assert response.url == reverse("review-submit", args=[review.pk])
        confirm = member_client.get(response.url).content.decode()
        assert "Wysłać ocenę?" in confirm
        assert "48" in confirm  # the total
        review.refresh_from_db()
        assert review.status == Review.Status.IN_PROGRESS

        member_client.post(reverse("review-submit", args=[review.pk]))

        review.refresh_from_db()
        assert review.status == Review.Status.SUBMITTED
        text = member_client.get(url).content.decode()
        assert "nie można jej już zmienić" in text
        assert "<form" not in text.split("Twoje oceny", 1)[1]
        # A post to the locked review changes nothing.
        refused = member_client.post(url, _scores(review, "1", "1"), follow=True)
        assert "Ta ocena ma status „złożona”" in refused.content.decode()
        assert sorted(review.scores.values_list("points", flat=True)) == [
            Decimal("18.00"),
            Decimal("30.00"),
        ]

    def test_submitting_an_incomplete_review_says_what_is_missing(self, member_client, review):
        member_client.post(reverse("review-score", args=[review.pk]), _scores(review, "10", ""))
        confirm = member_client.get(reverse("review-submit", args=[review.pk])).content.decode()
        assert "Nie każde kryterium jest ocenione" in confirm
        assert "Budżet" in confirm
        response = member_client.post(reverse("review-submit", args=[review.pk]), follow=True)
        assert "oceń każde kryterium" in response.content.decode()
        review.refresh_from_db()
        assert review.status == Review.Status.IN_PROGRESS

    def test_saving_after_scoring_closed_shows_a_message_and_changes_nothing(
        self, member_client, review, reviewing
    ):
        url = reverse("review-score", args=[review.pk])
        member_client.post(url, _scores(review, "10", "10"))
        rf.close_scoring(reviewing)

        response = member_client.post(url, _scores(review, "20", "35"), follow=True)

        assert "Ocenianie w tym konkursie jest zamknięte." in response.content.decode()
        assert sorted(review.scores.values_list("points", flat=True)) == [
            Decimal("10.00"),
            Decimal("10.00"),
        ]
        htmx = member_client.post(url, _scores(review, "20", "35"), HTTP_HX_REQUEST="true")
        assert htmx.status_code == 409
        assert htmx[FRAGMENT] == "conflict"

    def test_declaring_a_conflict_recuses_and_hides_the_application(
        self, member_client, review, second_member
    ):
        url = reverse("review-conflict", args=[review.pk])
        assert member_client.post(url, {"ground": "", "reason": ""}).status_code == 422
        review.refresh_from_db()
        assert review.status == Review.Status.ASSIGNED

        response = member_client.post(
            url, {"ground": Conflict.Ground.OTHER, "reason": "Znam prezesa."}, follow=True
        )

        assert "Konflikt został zapisany" in response.content.decode()
        review.refresh_from_db()
        assert review.status == Review.Status.RECUSED
        assert Review.objects.filter(application=review.application, member=second_member).exists()
        assert member_client.get(reverse("review-score", args=[review.pk])).status_code == 404
        application_url = reverse("member-application", args=[review.application_id])
        assert member_client.get(application_url).status_code == 404


class TestPanel:
    def test_closed_before_scoring_closes_then_shows_every_score(
        self, member_client, review, reviewing, second_member, in_review
    ):
        rf.scored(in_review[0], second_member, 17, 29, comment="Opinia Szymona")
        url = reverse("scoring-panel", args=[reviewing.pk])
        before = member_client.get(url).content.decode()
        assert "widoczne po zamknięciu oceniania" in before
        assert "Opinia Szymona" not in before
        assert second_member.user.full_name not in before

        rf.close_scoring(reviewing)
        after = member_client.get(url).content.decode()
        assert "Opinia Szymona" in after
        assert second_member.user.full_name in after
        assert "46,00" in after

    def test_panel_stays_open_after_the_decision(self, member_client, review, reviewing):
        rf.set_status(reviewing, Competition.Status.DECIDED)
        assert member_client.get(reverse("scoring-panel", args=[reviewing.pk])).status_code == 200
