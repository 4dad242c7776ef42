"""HR's import pages: upload, preview with per-row errors, start, progress JSON, history."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advocacy.people.models import PeopleImport, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, harper):
    client.force_login(harper)
    return client


def _upload(client, text, name="people.csv", **extra):
    upload = SimpleUploadedFile(name, text if isinstance(text, bytes) else text.encode(), content_type="text/csv")
    return client.post(reverse("people:import_new"), {"file": upload, **extra})


def test_a_bad_file_is_refused_on_the_upload_page_with_the_reason(hr_client):
    response = _upload(hr_client, b"\xff\xfe\x00garbage", name="people.csv")
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode() and 'id="error-summary"' in response.content.decode()
    assert PeopleImport.objects.count() == 0


def test_the_preview_lists_each_bad_row_and_offers_to_create_missing_teams(hr_client, engineering):
    response = _upload(
        hr_client,
        "name,email,team\nNina,nina@example.test,Engineering\nOmar,omar@,Engineering\nPia,pia@example.test,Finance\n",
    )
    people_import = PeopleImport.objects.get()
    assert response["Location"] == reverse("people:import_detail", args=[people_import.pk])
    page = hr_client.get(response["Location"]).content.decode()
    assert "2 rows need fixing" in page
    assert "“omar@” is not an email address" in page and "no team “Finance”" in page
    assert "Nina" not in page  # only the rows with errors are listed
    assert "Create this team when importing" in page
    hr_client.post(reverse("people:import_create_teams", args=[people_import.pk]))
    people_import.refresh_from_db()
    assert (people_import.create_teams, people_import.error_rows) == (True, 1)
    started = hr_client.post(reverse("people:import_start", args=[people_import.pk]))
    assert started.status_code == 302
    assert PeopleImport.objects.get().status == PeopleImport.Status.PREVIEW
    assert not User.objects.filter(email="nina@example.test").exists()


def test_a_valid_import_runs_and_reports_its_progress_as_json(
    hr_client, engineering, celery_eager, django_capture_on_commit_callbacks
):
    _upload(hr_client, "name,email,team,roles\nNina,nina@example.test,Engineering,HR\nOmar,omar@example.test,,\n")
    people_import = PeopleImport.objects.get()
    page = hr_client.get(reverse("people:import_detail", args=[people_import.pk])).content.decode()
    assert "Every row is valid: 2 to create" in page
    status_url = reverse("people:import_status", args=[people_import.pk])
    assert json.loads(hr_client.get(status_url).content)["status"] == "preview"
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_start", args=[people_import.pk]))
    status = json.loads(hr_client.get(status_url).content)
    assert status | {"message": ""} == {
        "status": "done",
        "status_label": "Done",
        "percent": 100,
        "processed": 2,
        "total": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "message": "",
        "finished": True,
    }
    page = hr_client.get(reverse("people:import_detail", args=[people_import.pk])).content.decode()
    assert 'value="100"' in page and "js/people_import_progress.js" in page
    assert "2 people created by this import have not signed in yet" in page
    history = hr_client.get(reverse("people:import_list")).content.decode()
    assert "people.csv" in history and "Done" in history


def test_hr_invites_everyone_an_import_created(
    hr_client, engineering, celery_eager, django_capture_on_commit_callbacks
):
    from django.core import mail

    _upload(hr_client, "name,email\nNina,nina@example.test\nOmar,omar@example.test\n")
    people_import = PeopleImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_start", args=[people_import.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("people:import_invite", args=[people_import.pk]), follow=True)
    assert "2 invitations sent" in response.content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == ["nina@example.test", "omar@example.test"]
    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("people:import_invite", args=[people_import.pk]), follow=True)
    assert "0 invitations sent; 2 skipped" in response.content.decode()


def test_the_sample_file_downloads_and_imports_cleanly(hr_client):
    response = hr_client.get(reverse("people:import_sample"))
    data = b"".join(response.streaming_content)
    assert data.startswith(b"name,email,team,roles,manager")
    _upload(hr_client, data, create_teams="on")
    people_import = PeopleImport.objects.get()
    assert (people_import.total_rows, people_import.error_rows) == (6, 0)


def test_a_discarded_import_cannot_be_started(hr_client):
    _upload(hr_client, "name,email\nNina,nina@example.test\n")
    people_import = PeopleImport.objects.get()
    hr_client.post(reverse("people:import_discard", args=[people_import.pk]))
    response = hr_client.post(reverse("people:import_start", args=[people_import.pk]), follow=True)
    assert "already been started or discarded" in response.content.decode()
    assert PeopleImport.objects.get().status == PeopleImport.Status.DISCARDED
