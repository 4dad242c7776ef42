import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from advocacy.branding.models import Branding
from tests.branding.test_services import _png_with_metadata

pytestmark = pytest.mark.django_db


def _post(client, **overrides):
    data = {"organisation_name": "Example Corp", "programme_name": "Voices", "accent_colour": "#7a3fb0"}
    data.update(overrides)
    return client.post(reverse("branding:edit"), data)


def test_comms_save_branding_and_every_page_shows_it(client, casey, django_capture_on_commit_callbacks):
    client.force_login(casey)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, logo=SimpleUploadedFile("logo.png", _png_with_metadata(), "image/png"))
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert "<title>Home · Voices</title>" in html
    assert 'class="brand-logo"' in html and 'alt="Example Corp"' in html
    assert reverse("branding:css") + "?v=" in html
    css = client.get(reverse("branding:css")).content.decode()
    assert "--accent: #7a3fb0;" in css


def test_a_light_accent_is_refused_next_to_the_field_and_nothing_changes(client, casey):
    client.force_login(casey)
    response = _post(client, accent_colour="#ffee00")
    assert response.status_code == 200
    html = response.content.decode()
    assert "contrast of" in html and "WCAG AA" in html
    assert 'href="#id_accent_colour"' in html  # the error summary links to the field
    assert not Branding.objects.exists()


def test_a_broken_logo_is_refused_with_the_reason(client, casey):
    client.force_login(casey)
    response = _post(client, logo=SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\nnot really", "image/png"))
    assert response.status_code == 200
    assert "The image is damaged or incomplete" in response.content.decode()
    assert not Branding.objects.exists()


def test_the_login_page_names_the_organisation(client, casey, django_capture_on_commit_callbacks):
    client.force_login(casey)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)
    client.logout()
    html = client.get(reverse("login")).content.decode()
    assert "Voices at Example Corp" in html


def test_emails_carry_the_branding(client, casey, django_capture_on_commit_callbacks):
    client.force_login(casey)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)
    html = render_to_string("email/base.html", {})
    assert "Voices" in html and "#7a3fb0" in html and "Example Corp" in html
    assert not mail.outbox


def test_an_employee_cannot_see_the_style_guide_but_comms_can(client, alice, casey):
    client.force_login(alice)
    assert client.get(reverse("branding:styleguide")).status_code == 403
    client.force_login(casey)
    html = client.get(reverse("branding:styleguide")).content.decode()
    for component in (
        "page-header",
        "stat-value",
        "avatar-initials",
        "pill-good",
        "progress",
        "empty-state",
        "message success",
        "tabs",
        "data-confirm",
        "data-table",
        "error-summary",
        "has-error",
    ):
        assert component in html, component
