import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from advocacy.branding.contrast import contrast_ratio
from advocacy.branding.models import Branding
from advocacy.branding.selectors import branding_current
from advocacy.branding.services import accent_colour_check, branding_update

pytestmark = pytest.mark.django_db


def _png_with_metadata() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (120, 40), "#123456")
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret author notes")
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def test_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_it_accepts_an_accent_that_reaches_aa_against_white():
    assert accent_colour_check("#1F5FBF") == "#1f5fbf"


def test_it_refuses_a_light_accent_and_says_the_ratio():
    with pytest.raises(ValidationError) as refused:
        accent_colour_check("#ffcc00")
    assert refused.value.code == "contrast"
    assert "1.5" in refused.value.messages[0] and "4.5:1" in refused.value.messages[0]


def test_it_refuses_a_colour_that_is_not_hex():
    with pytest.raises(ValidationError) as refused:
        accent_colour_check("blue")
    assert refused.value.code == "format"


def test_it_saves_branding_and_the_current_branding_follows(django_capture_on_commit_callbacks, casey):
    assert branding_current().programme_name == "Advocacy"
    with django_capture_on_commit_callbacks(execute=True):
        branding_update(by=casey, organisation_name="Example Corp", programme_name="Voices", accent_colour="#7a3fb0")
    current = branding_current()
    assert (current.organisation_name, current.programme_name, current.accent_colour) == (
        "Example Corp",
        "Voices",
        "#7a3fb0",
    )
    assert not current.is_default_accent


def test_a_refused_colour_keeps_what_was_saved(django_capture_on_commit_callbacks, casey):
    with django_capture_on_commit_callbacks(execute=True):
        branding_update(by=casey, organisation_name="Example Corp", programme_name="Voices", accent_colour="#7a3fb0")
    with pytest.raises(ValidationError):
        branding_update(by=casey, organisation_name="Other", programme_name="Other", accent_colour="#eeeeee")
    row = Branding.objects.get()
    assert (row.organisation_name, row.accent_colour) == ("Example Corp", "#7a3fb0")


def test_the_logo_is_re_encoded_without_its_metadata(django_capture_on_commit_callbacks, casey):
    upload = SimpleUploadedFile("../../evil name.png", _png_with_metadata(), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        row = branding_update(
            by=casey, organisation_name="Example", programme_name="Voices", accent_colour="#1f5fbf", logo=upload
        )
    stored = row.logo.read()
    assert b"secret author notes" not in stored
    assert "evil" not in row.logo.name and row.logo.name.startswith("branding/")
    assert branding_current().logo_url.endswith(row.logo.name)


def test_a_script_disguised_as_a_logo_is_refused(casey):
    upload = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)></svg>", "image/png")
    with pytest.raises(ValidationError) as refused:
        branding_update(
            by=casey, organisation_name="Example", programme_name="Voices", accent_colour="#1f5fbf", logo=upload
        )
    assert refused.value.code == "not_image"
    assert not Branding.objects.exists()


def test_current_branding_is_read_once_then_cached(django_assert_num_queries):
    cache.clear()
    # The branding row, once; then the cache answers.
    with django_assert_num_queries(1):
        branding_current()
        branding_current()
