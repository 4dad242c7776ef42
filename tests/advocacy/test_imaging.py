"""Decoding memory (issue 16): the cost is judged from the header, before any pixel is decoded."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from advocacy.imaging import clean_uploaded_image, comms_decode_budget, decode_cost, employee_decode_budget

ROOT = Path(__file__).resolve().parents[2]


def _png(size, mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 255).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(size, orientation=None) -> bytes:
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    Image.new("RGB", size, (90, 90, 90)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_it_refuses_the_36_megapixel_png_of_issue_16_before_decoding_it():
    data = _png((6000, 6000))
    assert len(data) < 200_000
    with pytest.raises(ValidationError) as refusal:
        clean_uploaded_image(io.BytesIO(data), max_pixels=40_000_000)
    assert refusal.value.code == "too_many_pixels"
    assert "6000×6000" in refusal.value.messages[0] and "million pixels at most" in refusal.value.messages[0]


def test_a_camera_sized_jpeg_is_decoded_at_a_reduced_scale():
    clean = clean_uploaded_image(io.BytesIO(_jpeg((6928, 5196))), max_pixels=40_000_000)
    assert (clean.width, clean.height) == (3464, 2598)
    assert decode_cost(width=clean.width, height=clean.height, mode="RGB", image_format="JPEG") <= comms_decode_budget()


def test_rotation_is_still_applied_and_counted():
    clean = clean_uploaded_image(io.BytesIO(_jpeg((400, 300), orientation=6)))
    assert (clean.width, clean.height) == (300, 400)
    assert decode_cost(width=10, height=10, mode="RGB", image_format="JPEG", rotated=True) > decode_cost(
        width=10, height=10, mode="RGB", image_format="JPEG"
    )


def test_employee_uploads_have_the_smaller_budget():
    assert employee_decode_budget() < comms_decode_budget()
    data = _png((4500, 4000))  # 18 MP: fits the comms budget, not the employee one
    assert clean_uploaded_image(io.BytesIO(data), max_pixels=40_000_000).width == 4500
    with pytest.raises(ValidationError, match="million pixels at most"):
        clean_uploaded_image(io.BytesIO(data), max_pixels=40_000_000, max_decode_bytes=employee_decode_budget())


@pytest.mark.django_db
def test_the_avatar_and_suggestion_forms_use_the_employee_budget(settings, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from advocacy.people.forms import ProfileForm
    from content_library.forms import SuggestionForm

    settings.EMPLOYEE_IMAGE_MAX_DECODE_MB = 8
    upload = _png((1800, 1500))  # 2.7 MP × 4 bytes ≈ 10.3 MB: over 8 MB, far under the comms budget
    profile = ProfileForm(
        {"digest_frequency": "weekly"}, {"avatar": SimpleUploadedFile("a.png", upload, "image/png")}, instance=alice
    )
    suggestion = SuggestionForm(
        {"url": "https://example.com/", "image_alt_text": "A chart"},
        {"image": SimpleUploadedFile("a.png", upload, "image/png")},
    )
    for form, field in ((profile, "avatar"), (suggestion, "image")):
        assert not form.is_valid()
        assert "million pixels at most" in " ".join(form.errors[field])


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="peak RSS is read from Linux /proc")
def test_the_worst_accepted_png_adds_at_most_150_mb_of_peak_rss(tmp_path):
    per_pixel = decode_cost(width=1, height=1, mode="RGB", image_format="PNG")
    side = int((comms_decode_budget() / per_pixel) ** 0.5)
    path = tmp_path / "worst.png"
    path.write_bytes(_png((side, side)))
    child = f"""
import io, json, django
django.setup()
from advocacy.imaging import clean_uploaded_image
data = open({str(path)!r}, "rb").read()
kb = lambda f: next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(f + ":"))
open("/proc/self/clear_refs", "w").write("5")
before = kb("VmRSS")
clean = clean_uploaded_image(io.BytesIO(data), max_pixels=40_000_000)
print(json.dumps({{"width": clean.width, "added_mb": (kb("VmHWM") - before) / 1024}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", child],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "advocacy.settings.test", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=True,
        timeout=120,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["width"] == side
    assert figures["added_mb"] <= 150, figures
