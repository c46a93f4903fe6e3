"""The demo data: loaded through the services, valid by every rule, loaded once."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from stdnum.pl import nip, regon

from applications.models import ApplicantGroup, Application
from applications.rules import submission_problems
from applications.selectors import application_history, application_parts_prefetch
from competitions.models import Competition, FormQuestion, Operator
from core.management.commands import load_demo
from core.models import AuditEntry, User


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load()


def open_competition() -> Competition:
    return Competition.objects.get(operator__slug=load_demo.CENTRE_SLUG, number_prefix="DL")


def applications_of(competition):
    return {
        a.group.kind: a
        for a in competition.applications.select_related("group").prefetch_related(
            *application_parts_prefetch()
        )
    }


def test_the_open_competition_is_published_with_realistic_rules(demo):
    competition = open_competition()

    assert competition.status == Competition.Status.PUBLISHED
    assert competition.title.startswith("Działaj Lokalnie")
    assert competition.operator.name == "Fundacja Wspólne Podwórko (ośrodek Działaj Lokalnie)"
    window = competition.submission_deadline - competition.published_at
    assert timedelta(days=competition.min_submission_days) <= window <= timedelta(days=31)
    assert competition.min_submission_days == 21
    assert (competition.grant_min, competition.grant_max) == (1000, 6000)
    assert competition.budget_total == 60000
    assert (competition.own_contribution_min_pct, competition.own_financial_min_pct) == (25, 5)
    assert competition.admin_costs_max_pct == 10
    assert timezone.localdate(competition.submission_deadline) < competition.implementation_start
    criteria = list(competition.criteria.all())
    assert len(criteria) == 4
    assert all(c.guidance for c in criteria)
    assert sum(c.max_points for c in criteria) == 100
    correctable = {item.correctable for item in competition.checklist_items.all()}
    assert correctable == {True, False}
    kinds = {q.kind for q in competition.questions.all()}
    assert {
        FormQuestion.Kind.LONG_TEXT,
        FormQuestion.Kind.CHOICE,
        FormQuestion.Kind.NUMBER,
        FormQuestion.Kind.YES_NO,
    } <= kinds
    publish = AuditEntry.objects.get(transition="publish", object_id=competition.pk)
    assert publish.actor.email == load_demo.OFFICIAL_ADMIN.email


def test_a_second_competition_is_still_a_draft(demo):
    draft = Competition.objects.get(operator__slug=load_demo.CITY_SLUG)

    assert draft.status == Competition.Status.DRAFT
    assert draft.criteria.exists()
    assert draft.operator.name == "Urząd Miasta Zielonki – Biuro ds. NGO"


def test_one_application_is_submitted_with_its_number_and_snapshot(demo):
    competition = open_competition()
    submitted = applications_of(competition)[ApplicantGroup.Kind.NGO]

    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.number == f"DL/{competition.year}/001"
    assert submitted.snapshots.count() == 1
    entry = application_history(submitted).get()
    assert (entry.transition, entry.actor.email) == ("submit", load_demo.NGO_OWNER.email)
    confirmations = [m for m in mail.outbox if load_demo.NGO_OWNER.email in m.to]
    assert any(submitted.number in m.body for m in confirmations)


def test_the_complete_draft_would_pass_every_submission_rule(demo):
    drafts = applications_of(open_competition())
    complete = drafts[ApplicantGroup.Kind.ORDINARY_ASSOCIATION]
    started = drafts[ApplicantGroup.Kind.INFORMAL]

    assert complete.status == Application.Status.DRAFT
    assert submission_problems(complete) == []
    assert started.status == Application.Status.DRAFT
    assert submission_problems(started) != []


def test_groups_of_every_kind_with_valid_registration_numbers(demo):
    groups = {g.kind: g for g in ApplicantGroup.objects.prefetch_related("informal_members")}

    assert set(groups) == set(ApplicantGroup.Kind.values)
    ngo = groups[ApplicantGroup.Kind.NGO]
    assert len(ngo.krs) == 10 and ngo.krs.isdigit()
    assert nip.is_valid(ngo.nip) and regon.is_valid(ngo.regon)
    assert {m.role for m in ngo.memberships.all()} == {"owner", "editor"}
    informal = groups[ApplicantGroup.Kind.INFORMAL]
    assert sum(m.is_adult for m in informal.informal_members.all()) >= 3
    assert informal.patron_name == ngo.name
    for operator in Operator.objects.exclude(nip=""):
        assert nip.is_valid(operator.nip)


def test_every_account_logs_in_with_the_demo_password(demo):
    for person in load_demo.PEOPLE:
        user = authenticate(email=person.email, password=load_demo.DEMO_PASSWORD)
        assert user is not None, person.email
        assert user.full_name == person.full_name


def test_the_coordinator_may_use_the_admin_site(demo, client):
    coordinator = User.objects.get(email=load_demo.OFFICIAL_ADMIN.email)
    assert coordinator.is_staff
    assert coordinator.staff_memberships.get().is_admin

    client.force_login(coordinator)
    response = client.get("/admin/competitions/competition/")

    assert response.status_code == 200
    assert open_competition().title in response.text


def test_loading_again_changes_nothing(demo):
    before = {m: m.objects.count() for m in (User, Operator, Competition, Application)}

    output = load()

    assert "already loaded" in output
    assert {m: m.objects.count() for m in before} == before


def test_reset_loads_it_afresh(demo):
    old = open_competition()
    counts = {m: m.objects.count() for m in (User, ApplicantGroup, Competition, Application)}

    load("--reset")

    new = open_competition()
    assert new.pk != old.pk
    assert {m: m.objects.count() for m in counts} == counts
    assert new.applications.get(status=Application.Status.SUBMITTED).number.endswith("/001")


def test_the_password_is_printed(db):
    assert load_demo.DEMO_PASSWORD in load()


def test_the_spring_edition_is_decided_with_grants_and_a_scored_commission(demo):
    from payouts.models import Grant
    from reviews.models import CommissionMember, Review

    spring = Competition.objects.get(number_prefix="DLW")
    assert spring.status == Competition.Status.DECIDED
    statuses = sorted(spring.applications.values_list("status", flat=True))
    assert statuses == ["awarded", "awarded", "rejected"]
    assert Grant.objects.filter(competition=spring).count() == 2
    members = CommissionMember.objects.filter(competition=spring)
    assert members.count() == 5 and members.filter(is_chair=True).count() == 1
    assert members.filter(affiliation="official").count() == 2
    assert members.filter(affiliation="ngo_representative").count() == 3
    assert not Review.objects.filter(application__competition=spring).exclude(status="submitted")
    assert (
        sum(g.amount_awarded for g in Grant.objects.filter(competition=spring))
        <= spring.budget_total
    )
