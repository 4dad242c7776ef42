import io

from PIL import Image, JpegImagePlugin

from content_library.renditions import RENDITIONS, crop_box, make_renditions, rendition_size

from .factories import image_bytes


def test_each_rendition_is_a_centre_crop_at_the_network_size():
    results = make_renditions(image_bytes("JPEG", size=(4000, 3000)))
    assert set(results) == set(RENDITIONS)
    for key, (content, width, height) in results.items():
        with Image.open(io.BytesIO(content)) as rendition:
            assert rendition.size == (width, height) == RENDITIONS[key]
            assert rendition.format == "JPEG"


def test_small_originals_are_cropped_but_never_enlarged():
    assert rendition_size(800, 600, (1200, 627)) == (800, 418)
    assert rendition_size(800, 600, (1080, 1080)) == (600, 600)
    assert crop_box(800, 600, (1080, 1080)) == (100, 0, 700, 600)


def test_transparent_images_are_flattened_onto_white():
    buffer = io.BytesIO()
    Image.new("RGBA", (2000, 1200), (0, 0, 0, 0)).save(buffer, "PNG")
    content, _, _ = make_renditions(buffer.getvalue())["thumb"]
    with Image.open(io.BytesIO(content)) as rendition:
        assert rendition.getpixel((10, 10)) == (255, 255, 255)


def test_jpeg_sources_are_decoded_at_a_reduced_scale(monkeypatch):
    drafts = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        drafts.append(size)
        return original(self, mode, size)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    make_renditions(image_bytes("JPEG", size=(6000, 4000)))
    # Every rendition needs at most 27% of the width, so a third is plenty; libjpeg then decodes at 1/2.
    assert drafts == [(2000, 1334)]
