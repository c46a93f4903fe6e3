"""The admin site: every page opens, states are never edited by hand, and
publishing goes through the service with its rules and audit row."""

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Application
from competitions.models import Competition, Operator, StaffMembership
from competitions.services import publication_problems
from core.management.commands import load_demo
from core.models import AuditEntry, User
from tests import factories as f

OUR_APPS = ("core", "competitions", "applications")


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@example.org", "x", full_name="Administrator")


@pytest.fixture
def official_admin(official):
    """The conftest official, allowed into the admin with every permission."""
    official.is_staff = True
    official.is_superuser = True
    official.save()
    return official


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def draft_competition(operator, **fields) -> Competition:
    fields = {
        "status": Competition.Status.DRAFT,
        "published_at": None,
        "submission_deadline": timezone.now() + timedelta(days=30),
        **fields,
    }
    return f.CompetitionFactory(operator=operator, **fields)


def test_every_model_of_ours_is_registered():
    missing = [
        model.__name__
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


def test_every_admin_page_opens(demo, superuser, client):
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        name = model.__name__
        assert client.get(url(model, "changelist")).status_code == 200, name
        if model_admin.search_fields:
            assert client.get(url(model, "changelist"), {"q": "Zielon"}).status_code == 200, name
        add = client.get(url(model, "add"))
        assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)
        obj = model._default_manager.order_by("pk").last()
        if obj is not None:
            assert client.get(url(model, "change", obj.pk)).status_code == 200, name


def test_every_admin_list_opens_for_an_official(demo, client):
    # Officials' lists are filtered by their operators: every filter must work.
    client.force_login(User.objects.get(email=load_demo.OFFICIAL_ADMIN.email))
    for model in admin.site._registry:
        if model._meta.app_label in OUR_APPS:
            response = client.get(url(model, "changelist"), {"q": "a"})
            assert response.status_code == 200, model.__name__


def test_status_is_never_a_form_field(demo, superuser, client):
    client.force_login(superuser)
    draft = Competition.objects.get(status=Competition.Status.DRAFT)
    application = Application.objects.filter(status=Application.Status.SUBMITTED).get()

    competition_page = client.get(url(Competition, "change", draft.pk))
    application_page = client.get(url(Application, "change", application.pk))

    assert 'name="_save"' in competition_page.text
    assert 'name="status"' not in competition_page.text
    assert application.get_status_display() in application_page.text
    assert 'name="status"' not in application_page.text
    assert 'name="_save"' not in application_page.text


def test_a_published_competition_is_read_only(demo, superuser, client):
    client.force_login(superuser)
    published = Competition.objects.get(status=Competition.Status.PUBLISHED)

    page = client.get(url(Competition, "change", published.pk))
    client.post(url(Competition, "change", published.pk), {"title": "Zmieniony tytuł"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    published.refresh_from_db()
    assert published.title.startswith("Działaj Lokalnie")


def test_publishing_from_the_admin_goes_through_the_service(official_admin, operator, client):
    competition = draft_competition(operator)
    f.CriterionFactory(competition=competition)
    client.force_login(official_admin)

    response = client.post(
        url(Competition, "changelist"),
        {"action": "publish", "_selected_action": [competition.pk]},
        follow=True,
    )

    competition.refresh_from_db()
    assert competition.status == Competition.Status.PUBLISHED
    assert competition.published_at is not None
    entry = AuditEntry.objects.get(transition="publish", object_id=competition.pk)
    assert (entry.from_state, entry.to_state, entry.actor) == ("draft", "published", official_admin)
    assert [level for level, _ in messages_of(response)] == ["success"]


def test_a_refused_publication_reports_each_rule(official_admin, operator, client):
    competition = draft_competition(
        operator, submission_deadline=timezone.now() + timedelta(days=5)
    )
    client.force_login(official_admin)

    response = client.post(
        url(Competition, "changelist"),
        {"action": "publish", "_selected_action": [competition.pk]},
        follow=True,
    )

    competition.refresh_from_db()
    assert competition.status == Competition.Status.DRAFT
    assert not AuditEntry.objects.filter(object_id=competition.pk).exists()
    with translation.override("pl"):
        expected = [m for msgs in publication_problems(competition).values() for m in msgs]
    assert len(expected) >= 2  # no criteria, and a window shorter than 21 days
    reported = messages_of(response)
    assert {level for level, _ in reported} == {"error"}
    for message in expected:
        assert any(message in text and str(competition) in text for _, text in reported)


def test_someone_who_is_not_the_operators_official_cannot_publish(superuser, operator, client):
    competition = draft_competition(operator)
    f.CriterionFactory(competition=competition)
    client.force_login(superuser)

    response = client.post(
        url(Competition, "changelist"),
        {"action": "publish", "_selected_action": [competition.pk]},
        follow=True,
    )

    competition.refresh_from_db()
    assert competition.status == Competition.Status.DRAFT
    assert [level for level, _ in messages_of(response)] == ["error"]


def test_closing_before_the_deadline_is_refused(official_admin, competition, client):
    client.force_login(official_admin)

    response = client.post(
        url(Competition, "changelist"),
        {"action": "close", "_selected_action": [competition.pk]},
        follow=True,
    )

    competition.refresh_from_db()
    assert competition.status == Competition.Status.PUBLISHED
    assert [level for level, _ in messages_of(response)] == ["error"]


def test_the_audit_log_is_read_only(demo, superuser, client):
    client.force_login(superuser)
    entry = AuditEntry.objects.first()

    assert client.get(url(AuditEntry, "changelist")).status_code == 200
    assert client.get(url(AuditEntry, "change", entry.pk)).status_code == 200
    assert client.get(url(AuditEntry, "add")).status_code == 403
    assert client.post(url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    client.post(url(AuditEntry, "change", entry.pk), {"transition": "forged"})
    entry.refresh_from_db()
    assert entry.transition != "forged"
    changelist = client.get(url(AuditEntry, "changelist"))
    assert "delete_selected" not in changelist.text


def test_applications_cannot_be_added_changed_or_deleted(demo, superuser, client):
    client.force_login(superuser)
    application = Application.objects.filter(status=Application.Status.SUBMITTED).get()

    assert client.get(url(Application, "add")).status_code == 403
    assert (
        client.post(url(Application, "delete", application.pk), {"post": "yes"}).status_code == 403
    )
    client.post(url(Application, "change", application.pk), {"title": "Podmieniony"})
    application.refresh_from_db()
    assert application.title != "Podmieniony"


def test_an_official_sees_only_their_operators_competitions_and_no_drafts(demo, client):
    coordinator = User.objects.get(email=load_demo.OFFICIAL_ADMIN.email)
    client.force_login(coordinator)
    other = Competition.objects.get(operator__slug=load_demo.CITY_SLUG)
    own = Competition.objects.get(operator__slug=load_demo.CENTRE_SLUG, number_prefix="DL")

    competitions = client.get(url(Competition, "changelist"))
    applications = client.get(url(Application, "changelist"))

    assert own.title in competitions.text
    assert other.title not in competitions.text
    assert client.get(url(Competition, "change", other.pk)).status_code == 302
    submitted = own.applications.get(status=Application.Status.SUBMITTED)
    assert submitted.number in applications.text
    for draft in own.applications.filter(status=Application.Status.DRAFT):
        assert client.get(url(Application, "change", draft.pk)).status_code == 302


def test_an_operator_admin_manages_their_own_staff(demo, client):
    coordinator = User.objects.get(email=load_demo.OFFICIAL_ADMIN.email)
    newcomer = User.objects.get(email=load_demo.NGO_REPRESENTATIVES[0].email)
    centre = Operator.objects.get(slug=load_demo.CENTRE_SLUG)
    city = Operator.objects.get(slug=load_demo.CITY_SLUG)
    client.force_login(coordinator)

    added = client.post(
        url(StaffMembership, "add"),
        {"user": newcomer.pk, "operator": centre.pk, "job_title": "Wolontariusz"},
    )
    elsewhere = client.post(
        url(StaffMembership, "add"),
        {"user": newcomer.pk, "operator": city.pk, "job_title": "Wolontariusz"},
    )

    assert added.status_code == 302
    assert elsewhere.status_code == 200  # the form refuses an operator they do not administer
    assert list(newcomer.staff_memberships.values_list("operator__slug", flat=True)) == [
        load_demo.CENTRE_SLUG
    ]


def test_an_official_without_the_admin_flag_cannot_change_staff(demo, client):
    officer = User.objects.get(email=load_demo.OFFICIAL.email)
    officer.is_staff = True
    officer.save()
    officer.groups.add(*User.objects.get(email=load_demo.OFFICIAL_ADMIN.email).groups.all())
    membership = officer.staff_memberships.get()
    client.force_login(officer)

    assert client.get(url(StaffMembership, "add")).status_code == 403
    client.post(
        url(StaffMembership, "change", membership.pk),
        {"user": officer.pk, "operator": membership.operator_id, "is_admin": "on"},
    )
    membership.refresh_from_db()
    assert not membership.is_admin


def test_an_official_cannot_hand_out_admin_rights(demo, client):
    coordinator = User.objects.get(email=load_demo.OFFICIAL_ADMIN.email)
    applicant = User.objects.get(email=load_demo.NGO_OWNER.email)
    client.force_login(coordinator)

    response = client.post(
        url(User, "change", applicant.pk),
        {
            "email": applicant.email,
            "full_name": "Agnieszka Wójcik-Nowak",
            "language": "pl",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "staff_memberships-TOTAL_FORMS": "0",
            "staff_memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.full_name == "Agnieszka Wójcik-Nowak"
    assert not applicant.is_staff
    assert not applicant.is_superuser
