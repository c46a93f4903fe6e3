"""The notices page, the reminder preference, and a competition's reminders
log and settings for its officials."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from core.models import AuditEntry
from tests import factories as f
from worker.models import Notice, NoticePreferences, ReminderClaim, ReminderSettings
from worker.reminders import reminder_time
from worker.selectors import notices_for, reminder_log, unread_notice_count


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries(request) -> int:
    request()  # the first request warms per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200
    return len(captured.captured_queries)


def notice(user, subject="Przypomnienie", **fields) -> Notice:
    return Notice.objects.create(
        user=user, template="reminder_draft_due", subject=subject, body="Treść", **fields
    )


class TestNotices:
    def test_a_person_sees_their_own_notices_only(self, owner, editor):
        mine = notice(owner, "Moje", url="https://example.org/a/")
        notice(editor, "Cudze")

        response = client_for(owner).get(reverse("notices"))

        assert response.status_code == 200
        assert list(response.context["page"].object_list) == [mine]
        assert response.context["unread_count"] == 1
        assert "Moje" in response.text and "Cudze" not in response.text
        assert 'href="https://example.org/a/"' in response.text

    def test_the_list_costs_the_same_queries_however_long(self, owner):
        notice(owner)
        client = client_for(owner)
        few = queries(lambda: client.get(reverse("notices")))
        for index in range(20):
            notice(owner, f"Przypomnienie {index}")
        assert queries(lambda: client.get(reverse("notices"))) == few

    def test_marking_read(self, owner, editor):
        first, second = notice(owner), notice(owner)
        client = client_for(owner)

        assert client.post(reverse("notice-read", args=[first.pk])).status_code == 302
        assert unread_notice_count(owner) == 1
        # Someone else's notice is not there for them.
        assert client_for(editor).post(reverse("notice-read", args=[second.pk])).status_code == 404
        client.post(reverse("notices-read-all"))
        assert unread_notice_count(owner) == 0
        assert client.get(reverse("notice-read", args=[second.pk])).status_code == 405

    def test_anonymous_people_are_sent_to_log_in(self):
        response = Client().get(reverse("notices"))
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert list(notices_for(None)) == []

    def test_turning_reminder_emails_off_and_on(self, owner):
        client = client_for(owner)

        client.post(reverse("notice-preferences"), {})
        assert NoticePreferences.objects.get(user=owner).reminder_emails is False
        client.post(reverse("notice-preferences"), {"reminder_emails": "on"})
        assert NoticePreferences.objects.get(user=owner).reminder_emails is True
        response = client.get(reverse("notices"))
        assert response.context["preferences_form"].initial == {"reminder_emails": True}


class TestCompetitionReminders:
    @pytest.fixture
    def url(self, competition):
        return reverse("competition-reminders", args=[competition.pk])

    @pytest.fixture
    def reminded(self, application, owner, editor, scan):
        with time_machine.travel(reminder_time(application.competition.submission_deadline, 7)):
            scan()
        return ReminderClaim.objects.all()

    def test_officials_see_who_was_reminded_of_what_and_whether_it_went_out(
        self, url, official, owner, reminded
    ):
        assert reminded.count() == 2
        response = client_for(official).get(url)

        assert response.status_code == 200
        rows = list(response.context["page"].object_list)
        assert {row.recipient for row in rows} == {claim.recipient for claim in reminded}
        assert owner.full_name in response.text
        with translation.override("pl"):
            assert capfirst(str(ReminderClaim.Kind.DRAFT_DUE.label)) in response.text
        assert all(row.outbox_message.status == "sent" for row in rows)

    def test_nobody_else_sees_the_log(self, url, owner, other_official, competition, reminded):
        assert client_for(owner).get(url).status_code == 404
        assert client_for(other_official).get(url).status_code == 404
        assert list(reminder_log(owner, competition)) == []

    def test_the_log_costs_the_same_queries_however_long(
        self, url, official, competition, group, owner, scan
    ):
        f.ready_application(competition=competition, group=group)
        with time_machine.travel(reminder_time(competition.submission_deadline, 7)):
            scan()
        client = client_for(official)
        few = queries(lambda: client.get(url))
        for _index in range(5):
            f.ready_application(competition=competition, group=f.MembershipFactory().group)
        with time_machine.travel(reminder_time(competition.submission_deadline, 1)):
            scan()
        assert ReminderClaim.objects.count() > 5
        assert queries(lambda: client.get(url)) == few

    def test_an_official_sets_the_offsets_and_the_scoring_deadline(
        self, url, official, competition
    ):
        client = client_for(official)
        deadline = (timezone.localtime() + timedelta(days=20)).replace(second=0, microsecond=0)
        data = {
            "draft_days": "14, 3, 1",
            "correction_days": "2",
            "scoring_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "review_days": "3, 1",
            "budget_update_days": "3, 1",
            "report_days": "7, 1",
            "report_overdue_notice": "on",
            "refund_days": "7, 1",
        }

        response = client.post(url, data)

        assert response.status_code == 302
        saved = ReminderSettings.objects.get(competition=competition)
        assert saved.draft_days == [14, 3, 1] and saved.correction_days == [2]
        assert saved.scoring_deadline == deadline
        assert saved.decline_lapsed_budget_update is False
        assert AuditEntry.objects.filter(
            transition="reminder_settings_update", actor=official
        ).exists()

    @pytest.mark.parametrize("days", ["0", "61", "7, 7", "siedem"])
    def test_bad_offsets_are_refused(self, url, official, competition, days):
        response = client_for(official).post(url, {"draft_days": days})
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not ReminderSettings.objects.filter(competition=competition).exists()

    def test_the_form_shows_the_defaults_before_anything_is_saved(self, url, official):
        response = client_for(official).get(url)
        assert 'value="7, 1"' in response.text
        assert not ReminderSettings.objects.exists()


@pytest.mark.parametrize(
    "model", ["outboxmessage", "reminderclaim", "remindersettings", "notice", "noticepreferences"]
)
def test_the_admin_lists_open(model, owner, application, scan):
    with time_machine.travel(reminder_time(application.competition.submission_deadline, 7)):
        scan()
    superuser = f.UserFactory(is_staff=True, is_superuser=True)
    client = client_for(superuser)
    listing = client.get(reverse(f"admin:worker_{model}_changelist"))
    assert listing.status_code == 200


def test_only_superusers_see_the_outgoing_mail(official):
    official.is_staff = True
    official.save()
    response = client_for(official).get(reverse("admin:worker_outboxmessage_changelist"))
    assert response.status_code == 403
