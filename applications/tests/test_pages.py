"""Application pages: visibility, check and submit, detail, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Application, BudgetLine
from applications.rules import submission_problems
from applications.services import application_submit
from tests import factories as f


def pdf_file(name="statut.pdf", size=2000):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def pdf_upload():
    return pdf_file()


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def _pages_of(application):
    pk = application.pk
    line = application.budget_lines.first()
    return [
        ("get", reverse("application-detail", args=[pk]), {}),
        ("get", reverse("application-edit", args=[pk]), {}),
        ("get", reverse("application-check", args=[pk]), {}),
        ("get", reverse("application-submitted", args=[pk]), {}),
        ("get", reverse("application-withdraw", args=[pk]), {}),
        ("post", reverse("application-section-save", args=[pk, "basic"]), {"title": "Cudzy"}),
        ("post", reverse("application-part-add", args=[pk, "budget"]), {}),
        ("get", reverse("application-part-edit", args=[pk, "budget", line.pk]), {}),
        ("post", reverse("application-part-delete", args=[pk, "budget", line.pk]), {}),
        ("post", reverse("application-attachment-add", args=[pk]), {}),
        ("get", reverse("application-attachment-download", args=[pk, 1]), {}),
        ("post", reverse("application-submit", args=[pk]), {}),
        ("post", reverse("application-withdraw", args=[pk]), {}),
    ]


def test_another_groups_application_is_not_found_on_every_page(
    client, application, other_group_owner
):
    client.force_login(other_group_owner)
    for method, url, data in _pages_of(application):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    application.refresh_from_db()
    assert application.title == "Ogród sąsiedzki na Zabłociu"
    assert application.status == Application.Status.DRAFT
    assert application.budget_lines.count() == 3


def test_another_groups_attachment_download_is_not_found(
    client, application, owner, other_group_owner, pdf_upload
):
    from applications.services import attachment_add

    attachment = attachment_add(application=application, actor=owner, upload=pdf_upload)
    url = reverse("application-attachment-download", args=[application.pk, attachment.pk])
    client.force_login(other_group_owner)
    assert client.get(url).status_code == 404
    # Not through another application of one's own either.
    mine = f.ready_application(
        competition=application.competition,
        group=f.GroupFactory(),
    )
    f.MembershipFactory(group=mine.group, user=other_group_owner)
    other_url = reverse("application-attachment-download", args=[mine.pk, attachment.pk])
    assert client.get(other_url).status_code == 404


def test_anonymous_is_sent_to_log_in(client, application):
    response = client.get(reverse("application-detail", args=[application.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_blocking_list_shows_every_problem_at_once(owner_client, competition, group):
    application = f.ApplicationFactory(competition=competition, group=group, title="")
    problems = submission_problems(application)
    assert len(problems) >= 9

    response = owner_client.get(reverse("application-check", args=[application.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    for problem in problems:
        assert str(problem.message) in text
    # Each problem links to its field in the editor.
    edit = reverse("application-edit", args=[application.pk])
    assert f'href="{edit}#id_title"' in text
    assert f'href="{edit}#id_description"' in text
    assert f'href="{edit}#section-budget"' in text
    assert "Złóż wniosek</button>" not in text
    assert f"{len(problems)} spraw" in text


def test_problems_link_to_group_fields(owner_client, competition):
    member = f.MembershipFactory(group__kind="informal", group__krs="", group__patron_name="")
    owner_client.force_login(member.user)
    application = f.ready_application(competition=competition, group=member.group)

    text = owner_client.get(reverse("application-check", args=[application.pk])).content.decode()

    assert reverse("group-detail", args=[member.group_id]) + "#informal-members" in text
    assert reverse("group-edit", args=[member.group_id]) + "#id_patron_name" in text


def test_complete_application_can_be_submitted_and_shows_its_number(
    owner_client, application, mailoutbox
):
    check = owner_client.get(reverse("application-check", args=[application.pk]))
    assert "Wniosek jest kompletny" in check.content.decode()

    response = owner_client.post(reverse("application-submit", args=[application.pk]))

    assert response.status_code == 302
    assert response.url == reverse("application-submitted", args=[application.pk])
    page = owner_client.get(response.url).content.decode()
    assert "DL/2026/001" in page
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    from core.templatetags.grantownik import warsaw

    assert warsaw(application.last_submitted_at) in page


def test_submit_in_the_wrong_state_shows_a_message_and_changes_nothing(
    owner_client, application, owner
):
    application_submit(application=application, actor=owner)
    application.refresh_from_db()
    before = (application.status, application.number, application.last_submitted_at)

    response = owner_client.post(reverse("application-submit", args=[application.pk]), follow=True)

    text = response.content.decode()
    assert "Ten wniosek został już złożony" in text
    application.refresh_from_db()
    assert (application.status, application.number, application.last_submitted_at) == before
    assert application.snapshots.count() == 1


def test_submit_after_the_deadline_is_refused_with_the_deadline_in_warsaw_time(
    owner_client, application, competition
):
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    import time_machine
    from django.utils import timezone

    # 15:00 on a day soon, as a clock in Warsaw shows it (the session stays valid).
    day = timezone.localdate() + timedelta(days=3)
    competition.submission_deadline = datetime.combine(
        day, time(15, 0), tzinfo=ZoneInfo("Europe/Warsaw")
    )
    competition.save()
    with time_machine.travel(competition.submission_deadline + timedelta(minutes=1), tick=False):
        response = owner_client.post(reverse("application-submit", args=[application.pk]))

    text = response.content.decode()
    assert response.status_code == 422
    assert "Wniosek nie został złożony" in text
    assert "Nabór zakończył się" in text
    assert "15:00" in text
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_detail_shows_status_snapshot_and_history(owner_client, application, owner):
    application_submit(application=application, actor=owner)
    # The draft row changes no more, but even if it did the page shows what was submitted.
    Application.objects.filter(pk=application.pk).update(title="Zmieniony później")

    text = owner_client.get(reverse("application-detail", args=[application.pk])).content.decode()

    assert "Złożony" in text
    assert "DL/2026/001" in text
    assert "Złożona wersja 1" in text
    assert "Sadzonki i ziemia" in text
    assert "4\xa0000,00\xa0zł" in text
    assert "wersja robocza → złożony" in text
    assert owner.full_name in text
    assert 'href="' + reverse("application-edit", args=[application.pk]) not in text


def test_withdraw_asks_first_then_withdraws(owner_client, application):
    url = reverse("application-withdraw", args=[application.pk])
    assert "Wycofać wniosek?" in owner_client.get(url).content.decode()

    response = owner_client.post(url, {"comment": "Zmiana planów"}, follow=True)

    assert "Wniosek został wycofany." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    again = owner_client.post(url, {}, follow=True)
    assert "Nie można tego teraz zrobić" in again.content.decode()


def test_start_an_application_for_my_group(owner_client, competition, group):
    response = owner_client.post(
        reverse("application-start", args=[competition.pk]), {"group": group.pk}
    )
    application = Application.objects.get(group=group)
    assert response.url == reverse("application-edit", args=[application.pk])


def test_start_for_someone_elses_group_is_not_found(owner_client, competition):
    stranger = f.GroupFactory()
    response = owner_client.post(
        reverse("application-start", args=[competition.pk]), {"group": stranger.pk}
    )
    assert response.status_code == 404
    assert not Application.objects.filter(group=stranger).exists()


def test_start_in_a_closed_competition_says_why(owner_client, group):
    closed = f.CompetitionFactory(status="closed")
    response = owner_client.post(
        reverse("application-start", args=[closed.pk]), {"group": group.pk}, follow=True
    )
    assert "Ten konkurs nie przyjmuje wniosków." in response.content.decode()
    assert not Application.objects.filter(group=group).exists()


def test_officials_see_submitted_applications_not_drafts(
    client, official, application, owner, competition, group
):
    draft = f.ApplicationFactory(competition=competition, group=group, title="Szkic grupy")
    application_submit(application=application, actor=owner)
    client.force_login(official)

    listing = client.get(reverse("official-competitions")).content.decode()
    assert competition.title in listing
    page = client.get(reverse("official-applications", args=[competition.pk])).content.decode()
    assert "DL/2026/001" in page
    assert draft.title not in page
    assert client.get(reverse("application-detail", args=[draft.pk])).status_code == 404
    detail = client.get(reverse("application-detail", args=[application.pk]))
    assert detail.status_code == 200


def test_applicants_do_not_see_official_pages(owner_client, competition):
    assert owner_client.get(reverse("official-competitions")).status_code == 403


def _query_count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches that live for the process (content types)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_my_applications_query_count_does_not_grow(
    owner_client, django_assert_num_queries, competition, group
):
    url = reverse("application-list")
    f.ApplicationFactory(competition=competition, group=group)
    with_one = _query_count(owner_client, url)

    f.ApplicationFactory.create_batch(11, competition=competition, group=group)
    other = f.CompetitionFactory()
    f.ApplicationFactory.create_batch(3, competition=other, group=group)

    with django_assert_num_queries(with_one):
        response = owner_client.get(url)
    assert len(response.context["applications"]) == 15


def _add_rows(application, competition, owner, n):
    from django.db.models import Max

    start = application.budget_lines.aggregate(Max("pk"))["pk__max"] or 0
    for i in range(n):
        BudgetLine.objects.create(
            application=application,
            name=f"Pozycja {start + i}",
            quantity=Decimal("1"),
            unit_cost=Decimal("10.00"),
            own_financial=Decimal("10.00"),
        )
        f.FormQuestionFactory(competition=competition, label=f"Pytanie {start + i}")


@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_application_detail_query_count_does_not_grow(
    owner_client, django_assert_num_queries, application, owner, competition, submitted
):
    from applications.services import application_withdraw

    url = reverse("application-detail", args=[application.pk])
    if submitted:
        application_submit(application=application, actor=owner)
    with_one = _query_count(owner_client, url)

    _add_rows(application, competition, owner, 12)
    if submitted:
        # More history rows too.
        application_withdraw(application=application, actor=owner, comment="Rezygnacja")

    with django_assert_num_queries(with_one):
        response = owner_client.get(url)
    assert response.status_code == 200


def test_application_editor_query_count_does_not_grow(
    owner_client, django_assert_num_queries, application, owner, competition
):
    url = reverse("application-edit", args=[application.pk])
    with_one = _query_count(owner_client, url)
    _add_rows(application, competition, owner, 12)
    with django_assert_num_queries(with_one):
        owner_client.get(url)


def test_starting_an_application_with_a_malformed_group_is_404_not_500(client, competition, owner):
    from django.urls import reverse

    client.force_login(owner)
    response = client.post(reverse("application-start", args=[competition.pk]), {"group": "abc"})
    assert response.status_code == 404
