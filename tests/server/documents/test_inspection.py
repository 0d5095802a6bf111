"""inspect_upload: only real JPEG/PNG/PDF get through, images leave without metadata."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib

import pypdfium2
import pytest
from PIL import Image, PngImagePlugin

from server.documents import inspection
from server.documents.inspection import (
    PDFIUM_LOCK,
    InspectedFile,
    UploadRejected,
    inspect_upload,
)

ORIENTATION = 0x0112
GPS_IFD = 0x8825
RED = (220, 30, 30)
BLUE = (30, 30, 220)


# --- sample files, made here -------------------------------------------------


def _two_colour(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows where the picture's left went."""
    image = Image.new(mode, size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def _exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (33.0, 21.0, 7.5), 3: "E", 4: (120.0, 9.0, 3.2)}
    return exif


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _noise_jpeg() -> bytes:
    """A JPEG with enough entropy that cutting it loses real image data."""
    return _save(Image.effect_noise((600, 400), 80).convert("RGB"), "JPEG", quality=95)


def _pdf(*colours: tuple[int, int, int]) -> bytes:
    pages = [Image.new("RGB", (595, 842), colour) for colour in colours]
    return _save(pages[0], "PDF", save_all=True, append_images=pages[1:], resolution=72)


def _png_header(width: int, height: int) -> bytes:
    """A PNG that only claims its size: a decompression bomb costs nothing to make."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _close(pixel: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, expected))


def _rejected(data: bytes, **kwargs: object) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(data, **kwargs)
    assert re.search(r"[\u4e00-\u9fff]", caught.value.message_zh), "message must be Chinese"
    return caught.value


# --- JPEG ----------------------------------------------------------------------


@pytest.fixture
def phone_photo() -> bytes:
    """Shot sideways (orientation 6: rotate 90° clockwise to view) with GPS."""
    return _save(_two_colour((400, 200)), "JPEG", quality=95, exif=_exif_with_gps(orientation=6))


def test_phone_photo_is_stored_upright(phone_photo: bytes) -> None:
    result = inspect_upload(phone_photo)
    stored = _open(result.content)
    assert stored.size == (200, 400)
    assert (result.width, result.height) == (200, 400)
    # The picture's left edge (red) is now at the top.
    assert _close(stored.getpixel((100, 50)), RED)
    assert _close(stored.getpixel((100, 350)), BLUE)


def test_phone_photo_loses_all_exif_and_gps(phone_photo: bytes) -> None:
    assert Image.open(io.BytesIO(phone_photo)).getexif().get_ifd(GPS_IFD)  # the sample has GPS
    result = inspect_upload(phone_photo)
    stored = Image.open(io.BytesIO(result.content))
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(GPS_IFD) == {}
    assert b"Exif\x00\x00" not in result.content
    assert b"PhoneMaker" not in result.content


def test_jpeg_result_describes_stored_bytes(phone_photo: bytes) -> None:
    result = inspect_upload(phone_photo)
    assert isinstance(result, InspectedFile)
    assert (result.content_type, result.extension, result.pages) == ("image/jpeg", ".jpg", None)
    assert Image.open(io.BytesIO(result.content)).format == "JPEG"
    assert result.size == len(result.content)
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    assert result.original_sha256 == hashlib.sha256(phone_photo).hexdigest()
    assert result.sha256 != result.original_sha256


def test_thumbnail_is_jpeg_with_longest_side_as_asked(phone_photo: bytes) -> None:
    thumb = _open(inspect_upload(phone_photo).thumbnail)
    assert thumb.format == "JPEG"
    assert thumb.size == (160, 320)
    assert _close(thumb.getpixel((80, 20)), RED)  # thumbnail is upright too
    assert _open(inspect_upload(phone_photo, thumbnail_size=100).thumbnail).size == (50, 100)


def test_thumbnail_never_enlarges_a_small_picture() -> None:
    small = _save(_two_colour((120, 80)), "JPEG")
    assert _open(inspect_upload(small).thumbnail).size == (120, 80)


def test_cmyk_jpeg_is_stored_as_rgb() -> None:
    result = inspect_upload(_save(_two_colour((64, 32)).convert("CMYK"), "JPEG"))
    stored = _open(result.content)
    assert stored.mode == "RGB"
    assert _close(stored.getpixel((8, 16)), RED)


def test_multi_picture_jpeg_from_phone_is_accepted_as_jpeg() -> None:
    frames = [_two_colour((80, 60)), Image.new("RGB", (80, 60), "green")]
    mpo = _save(frames[0], "MPO", save_all=True, append_images=frames[1:], exif=_exif_with_gps())
    assert Image.open(io.BytesIO(mpo)).format == "MPO"
    result = inspect_upload(mpo)
    stored = _open(result.content)
    assert (result.content_type, stored.format, stored.size) == ("image/jpeg", "JPEG", (80, 60))
    assert dict(stored.getexif()) == {}


# --- PNG -----------------------------------------------------------------------


def test_png_stays_png_without_metadata() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at home")
    source = _save(_two_colour((640, 320), "RGBA"), "PNG", pnginfo=text, exif=_exif_with_gps())
    result = inspect_upload(source)
    stored = _open(result.content)
    assert (result.content_type, result.extension, stored.format) == ("image/png", ".png", "PNG")
    assert stored.mode == "RGBA"
    assert (result.width, result.height) == (640, 320)
    assert "Comment" not in stored.info
    assert dict(stored.getexif()) == {}
    assert b"taken at home" not in result.content
    assert _open(result.thumbnail).size == (320, 160)


def test_palette_png_keeps_its_transparency() -> None:
    image = Image.new("P", (40, 40), 0)
    image.putpalette([255, 255, 255, 200, 0, 0])
    image.paste(1, (0, 0, 20, 40))
    stored = _open(inspect_upload(_save(image, "PNG", transparency=0)).content)
    assert stored.convert("RGBA").getpixel((30, 10))[3] == 0
    assert stored.convert("RGBA").getpixel((10, 10)) == (200, 0, 0, 255)


def test_sixteen_bit_greyscale_scan_is_not_washed_out() -> None:
    scan = Image.new("I;16", (32, 32), 32768)
    stored = _open(inspect_upload(_save(scan, "PNG")).content)
    assert stored.mode == "L"
    assert stored.getpixel((5, 5)) == 128


# --- PDF -----------------------------------------------------------------------


def test_pdf_is_kept_byte_for_byte_with_pages_counted() -> None:
    source = _pdf(RED, BLUE)
    result = inspect_upload(source)
    assert result.content == source
    assert (result.content_type, result.extension) == ("application/pdf", ".pdf")
    assert result.pages == 2
    assert (result.width, result.height) == (None, None)
    assert result.sha256 == result.original_sha256 == hashlib.sha256(source).hexdigest()
    assert result.size == len(source)


def test_pdf_thumbnail_renders_page_one() -> None:
    thumb = _open(inspect_upload(_pdf(RED, BLUE)).thumbnail)
    assert thumb.format == "JPEG"
    assert abs(max(thumb.size) - 320) <= 1
    assert thumb.height > thumb.width  # A4 portrait
    assert _close(thumb.getpixel((thumb.width // 2, thumb.height // 2)), RED)


def test_pdfium_is_only_called_under_the_shared_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    # PDFium crashes when two threads call it at once; every use must hold the lock.
    held_when_opened: list[bool] = []
    real_document = pypdfium2.PdfDocument

    def recording_document(*args: object, **kwargs: object) -> pypdfium2.PdfDocument:
        held_when_opened.append(PDFIUM_LOCK.locked())
        return real_document(*args, **kwargs)

    monkeypatch.setattr(inspection.pypdfium2, "PdfDocument", recording_document)
    assert inspect_upload(_pdf(RED)).pages == 1
    assert held_when_opened == [True]
    assert not PDFIUM_LOCK.locked()


def test_pdf_without_pages_is_rejected() -> None:
    empty = pypdfium2.PdfDocument.new()
    buffer = io.BytesIO()
    empty.save(buffer)
    empty.close()
    assert _rejected(buffer.getvalue()).reason == "corrupt_pdf"


def test_garbage_behind_pdf_header_is_rejected() -> None:
    assert _rejected(b"%PDF-1.7\n this is no pdf at all \n%%EOF").reason == "corrupt_pdf"


# --- rejections ----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("身份证正面.jpg 其实是文本".encode(), id="renamed-text"),
        pytest.param(b"<!DOCTYPE html><html><body>hi</body></html>", id="html"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 200, id="exe"),
        pytest.param(_save(Image.new("P", (20, 20)), "GIF"), id="gif"),
        pytest.param(_save(Image.new("RGB", (20, 20)), "BMP"), id="bmp"),
        pytest.param(b"\x00\x00\x00\x18ftypheic" + b"\0" * 100, id="heic"),
    ],
)
def test_other_file_types_are_refused(data: bytes) -> None:
    error = _rejected(data)
    assert error.reason == "unsupported_type"
    assert error.message_zh == "仅支持 JPG、PNG 图片或 PDF 文件,请重新选择"


def test_empty_file_is_refused() -> None:
    assert _rejected(b"").reason == "empty"


def test_truncated_jpeg_is_refused() -> None:
    whole = _noise_jpeg()
    error = _rejected(whole[: len(whole) // 2])
    assert error.reason == "corrupt_image"
    assert "损坏" in error.message_zh


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20, id="jpeg-magic-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 20, id="png-magic-garbage"),
    ],
)
def test_files_that_only_look_like_images_are_refused(data: bytes) -> None:
    assert _rejected(data).reason == "corrupt_image"


def test_file_over_ten_megabytes_is_refused_before_decoding() -> None:
    error = _rejected(b"\xff\xd8\xff" + bytes(11 * 1024 * 1024))
    assert error.reason == "too_large"
    assert "10 MB" in error.message_zh


def test_size_limit_is_inclusive_and_configurable() -> None:
    data = _save(_two_colour((64, 64)), "PNG")
    assert inspect_upload(data, max_bytes=len(data)).size > 0
    assert _rejected(data, max_bytes=len(data) - 1).reason == "too_large"


@pytest.mark.parametrize(
    ("width", "height"),
    [
        pytest.param(8000, 7500, id="60MP-over-our-limit"),
        pytest.param(20000, 20000, id="400MP-over-pillow-limit"),
    ],
)
def test_pixel_bombs_are_refused_without_decoding(width: int, height: int) -> None:
    error = _rejected(_png_header(width, height))
    assert error.reason == "too_many_pixels"
    assert "尺寸过大" in error.message_zh


def test_pixel_limit_is_configurable() -> None:
    data = _save(_two_colour((100, 100)), "PNG")
    assert inspect_upload(data, max_pixels=10_000).width == 100
    assert _rejected(data, max_pixels=9_999).reason == "too_many_pixels"
