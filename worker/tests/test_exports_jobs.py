"""Background exports: the task builds the file (called directly, as an eager
run would), the job row records its progress and the file, the download is
the operator's alone and expires."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from competitions.models import StaffMembership
from core.errors import WrongState
from core.roles import forget_roles
from tests import factories as f
from worker.exports import builders, services
from worker.exports.models import ExportJob
from worker.exports.services import export_job_start, exports_purge_expired
from worker.exports.tasks import build_export, purge_expired_exports

from .test_exports_data import known_competition, polish


@pytest.fixture
def known(operator, official):
    return known_competition(operator=operator, official=official)


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """Start a job as the view does; returns it with the task it queued on
    commit (not sent: the test runs the task itself)."""

    def start_job(competition, kind, actor):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            job = export_job_start(competition=competition, kind=kind, actor=actor)
        assert len(callbacks) == 1
        return job

    return start_job


@pytest.fixture
def done_job(known, official, start):
    job = start(known.competition, "decisions", official)
    assert build_export(job.pk) == "done"
    job.refresh_from_db()
    return job


def login(client, user):
    client.force_login(user)
    return client


class TestTask:
    def test_builds_the_file_and_records_it(self, known, official, start):
        job = start(known.competition, "decisions", official)
        assert (job.status, job.progress, job.operator_id) == (
            "queued",
            0,
            known.competition.operator_id,
        )
        assert job.language == "pl"
        assert build_export(job.pk) == "done"
        job.refresh_from_db()
        assert (job.status, job.progress, job.error) == ("done", 100, "")
        assert job.filename == f"decyzje-dl-2026-{known.competition.pk}.xlsx"
        assert job.file.name.startswith(f"exports/{known.competition.operator_id}/")
        assert default_storage.exists(job.file.name)
        assert job.size == default_storage.size(job.file.name)
        assert job.expires_at == job.finished_at + timedelta(hours=24)
        with job.file.open("rb") as handle:
            book = load_workbook(BytesIO(handle.read()))
        assert book.sheetnames == ["Decyzje"]
        assert book["Decyzje"]["B2"].value == "DL/2026/001"

    def test_records_progress_while_it_runs(self, known, official, start, monkeypatch):
        monkeypatch.setattr(builders, "PROGRESS_EVERY", 1)
        seen = []
        reporter = services._progress_reporter

        def spy(job_id):
            report = reporter(job_id)

            def recorded(done, total):
                report(done, total)
                seen.append(
                    ExportJob.objects.values_list(
                        "status", "progress", "rows_done", "rows_total"
                    ).get(pk=job_id)
                )

            return recorded

        monkeypatch.setattr(services, "_progress_reporter", spy)
        job = start(known.competition, "scoring_matrix", official)
        build_export(job.pk)
        # Five matrix rows and eight score comments.
        assert seen[0] == ("running", 7, 1, 13)
        assert ("running", 53, 7, 13) in seen
        assert seen[-1] == ("running", 99, 13, 13)
        job.refresh_from_db()
        assert (job.status, job.progress) == ("done", 100)

    def test_runs_once_however_often_it_is_delivered(self, done_job):
        name = done_job.file.name
        assert build_export(done_job.pk) == "skipped"
        done_job.refresh_from_db()
        assert (done_job.status, done_job.file.name) == ("done", name)

    def test_a_worker_lost_mid_job_is_taken_over_later(self, known, official, start):
        job = start(known.competition, "formal", official)
        ExportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
        assert build_export(job.pk) == "skipped"
        ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
        assert build_export(job.pk) == "done"

    def test_fails_cleanly_when_the_official_lost_access(self, known, official, start):
        job = start(known.competition, "grants", official)
        StaffMembership.objects.filter(user=official).delete()
        forget_roles(official)
        assert build_export(job.pk) == "failed"
        job.refresh_from_db()
        assert job.status == "failed"
        assert job.error
        assert not job.file

    def test_scores_are_not_queued_before_scoring_closes(self, operator, official):
        known = known_competition(operator=operator, official=official, decide=False)
        from reviews.models import ReviewSettings

        ReviewSettings.objects.filter(competition=known.competition).update(scoring_closed_at=None)
        with pytest.raises(WrongState):
            export_job_start(competition=known.competition, kind="decisions", actor=official)
        assert not ExportJob.objects.exists()


class TestDownload:
    def test_the_official_downloads_it(self, client, done_job, official):
        response = login(client, official).get(reverse("export-download", args=[done_job.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == builders.XLSX_MIME
        assert done_job.filename in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        book = load_workbook(BytesIO(b"".join(response.streaming_content)))
        assert book.sheetnames == ["Decyzje"]

    def test_a_colleague_of_the_same_operator_too(self, client, done_job, operator):
        colleague = f.StaffMembershipFactory(operator=operator).user
        response = login(client, colleague).get(reverse("export-download", args=[done_job.pk]))
        assert response.status_code == 200

    def test_another_operator_gets_404(self, client, done_job, other_official, api):
        for name in ("export-download", "export-status"):
            response = login(client, other_official).get(reverse(name, args=[done_job.pk]))
            assert response.status_code == 404
        for name in ("api-export-detail", "api-export-download"):
            assert api(other_official).get(reverse(name, args=[done_job.pk])).status_code == 404

    def test_an_applicant_or_a_commission_member_gets_404(self, client, done_job, known):
        member = known.first.group.memberships.first()
        owner = member.user if member else f.MembershipFactory(group=known.first.group).user
        for user in (owner, known.nina.user):
            response = login(client, user).get(reverse("export-download", args=[done_job.pk]))
            assert response.status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, done_job, api):
        for name in ("export-download", "export-status"):
            response = client.get(reverse(name, args=[done_job.pk]))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))
        assert api(None).get(reverse("api-export-download", args=[done_job.pk])).status_code == 401

    def test_not_before_it_is_ready(self, client, known, official, start):
        job = start(known.competition, "decisions", official)
        response = login(client, official).get(reverse("export-download", args=[job.pk]))
        assert response.status_code == 409

    def test_it_expires(self, client, done_job, official, api):
        login(client, official)
        url = reverse("export-download", args=[done_job.pk])
        with time_machine.travel(done_job.expires_at - timedelta(seconds=1), tick=False):
            assert client.get(url).status_code == 200
        with time_machine.travel(done_job.expires_at, tick=False):
            assert client.get(url).status_code == 410
            assert (
                api(official).get(reverse("api-export-download", args=[done_job.pk])).status_code
                == 410
            )
            page = client.get(reverse("export-status", args=[done_job.pk]))
            expired = polish(
                "This file has expired. Prepare it again from the competition's exports.",
                html=True,
            )
            assert expired in page.content.decode()

    def test_expired_files_are_deleted(self, done_job):
        name = done_job.file.name
        with time_machine.travel(done_job.expires_at - timedelta(seconds=1), tick=False):
            assert exports_purge_expired() == 0
        with time_machine.travel(done_job.expires_at + timedelta(minutes=5), tick=False):
            assert purge_expired_exports() == 1
        done_job.refresh_from_db()
        assert (done_job.status, done_job.file.name) == ("expired", "")
        assert not default_storage.exists(name)


class TestPages:
    def test_a_large_export_goes_to_the_background(
        self, client, known, official, settings, django_capture_on_commit_callbacks
    ):
        settings.EXPORT_SYNC_MAX_ROWS = 1
        login(client, official)
        url = reverse("export-decisions", args=[known.competition.pk])
        page = client.get(url)
        assert page.status_code == 200
        assert page["Content-Type"].startswith("text/html")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(url)
        assert len(callbacks) == 1
        job = ExportJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("export-status", args=[job.pk])
        assert (job.kind, job.requested_by, job.competition) == (
            "decisions",
            official,
            known.competition,
        )

    def test_the_status_page_follows_the_job(self, client, known, official, start):
        job = start(known.competition, "decisions", official)
        login(client, official)
        url = reverse("export-status", args=[job.pk])
        page = client.get(url).content.decode()
        assert 'hx-trigger="every 2s"' in page
        fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert fragment.lstrip().startswith('<div id="export-job"')
        build_export(job.pk)
        done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        assert "hx-trigger" not in done
        assert reverse("export-download", args=[job.pk]) in done

    def test_the_exports_page_lists_the_jobs(self, client, done_job, official, known):
        page = login(client, official).get(
            reverse("competition-exports", args=[known.competition.pk])
        )
        assert page.status_code == 200
        text = page.content.decode()
        assert reverse("export-status", args=[done_job.pk]) in text
        for name in (
            "export-decisions",
            "export-scoring-matrix",
            "export-formal",
            "export-grants",
            "minutes",
            "public-results-360giving",
        ):
            assert reverse(name, args=[known.competition.pk]) in text


class TestApi:
    def test_start_follow_and_download(
        self, api, known, official, django_capture_on_commit_callbacks
    ):
        client = api(official)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(
                reverse("api-export-list"),
                {"competition": known.competition.pk, "kind": "grants"},
                format="json",
            )
        assert response.status_code == 202, response.content
        assert len(callbacks) == 1
        body = response.json()
        assert (body["status"], body["kind"], body["download_url"]) == ("queued", "grants", None)
        build_export(body["id"])
        detail = client.get(reverse("api-export-detail", args=[body["id"]])).json()
        assert (detail["status"], detail["progress"]) == ("done", 100)
        assert detail["download_url"].endswith(reverse("api-export-download", args=[body["id"]]))
        download = client.get(reverse("api-export-download", args=[body["id"]]))
        assert download.status_code == 200
        book = load_workbook(BytesIO(b"".join(download.streaming_content)))
        assert book.sheetnames == ["Dotacje", "Transze"]
        listed = client.get(reverse("api-export-list")).json()
        assert [job["id"] for job in listed["results"]] == [body["id"]]

    def test_only_the_operators_competitions(self, api, known, other_official):
        response = api(other_official).post(
            reverse("api-export-list"),
            {"competition": known.competition.pk, "kind": "grants"},
            format="json",
        )
        assert response.status_code == 404
        assert api(other_official).get(reverse("api-export-list")).json()["count"] == 0

    def test_anonymous_gets_401(self, api, known):
        assert api(None).get(reverse("api-export-list")).status_code == 401
        response = api(None).post(
            reverse("api-export-list"),
            {"competition": known.competition.pk, "kind": "grants"},
            format="json",
        )
        assert response.status_code == 401

    def test_scores_before_scoring_closes_is_409(self, api, operator, official):
        known = known_competition(operator=operator, official=official, decide=False)
        from reviews.models import ReviewSettings

        ReviewSettings.objects.filter(competition=known.competition).update(scoring_closed_at=None)
        response = api(official).post(
            reverse("api-export-list"),
            {"competition": known.competition.pk, "kind": "decisions"},
            format="json",
        )
        assert response.status_code == 409


def test_an_export_the_broker_cannot_take_fails_with_a_message_instead_of_waiting(
    known, official, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from worker.exports import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.build_export, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_start(competition=known.competition, kind="grants", actor=official)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "spróbuj" in job.error.lower() or "try again" in job.error.lower()
