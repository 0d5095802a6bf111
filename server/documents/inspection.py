"""Inspect an uploaded file: decide its type by content, sanitise it, thumbnail it.

Citizens upload ID cards and vehicle documents from phones; the bytes and the
declared name/type are untrusted. ``inspect_upload`` accepts only JPEG, PNG
and PDF, proven by a real decode, and returns what may be stored:

* images are re-encoded with every piece of metadata dropped (phone photos
  carry GPS positions in EXIF) after the EXIF orientation has been applied,
  so the stored picture is upright without needing the tag;
* PDFs are kept byte for byte (rewriting them risks losing content), but must
  open in PDFium and have at least one page.

Everything here is synchronous and CPU-bound.
"""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from dataclasses import dataclass
from typing import Final

import pypdfium2
from PIL import Image, ImageCms, ImageOps

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS: Final = 50_000_000
DEFAULT_THUMBNAIL_SIZE: Final = 320

JPEG_QUALITY: Final = 90
THUMBNAIL_QUALITY: Final = 80

# PDFium keeps process-wide state and crashes when called from two threads at
# once, even on different documents (pypdfium2 docs, "Incompatibility with
# Threading"). The library is a process global, so the lock guarding it is too;
# any other server code calling pypdfium2 must hold this same lock.
PDFIUM_LOCK: Final = threading.Lock()

_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_PDF_MAGIC: Final = b"%PDF-"

_MSG_EMPTY: Final = "文件为空,请重新选择"
_MSG_UNSUPPORTED: Final = "仅支持 JPG、PNG 图片或 PDF 文件,请重新选择"
_MSG_CORRUPT_IMAGE: Final = "图片已损坏,无法识别,请重新拍摄"
_MSG_CORRUPT_PDF: Final = "PDF 文件已损坏或已加密,无法打开,请重新选择"
_MSG_TOO_MANY_PIXELS: Final = "图片尺寸过大,请缩小后重新上传"


class UploadRejected(Exception):
    """An upload that cannot be accepted; the HTTP layer turns it into a 4xx.

    ``message_zh`` is shown to the citizen or clerk as is; ``reason`` is a short
    English code for logs and clients: ``too_large``, ``empty``,
    ``unsupported_type``, ``corrupt_image``, ``corrupt_pdf``, ``too_many_pixels``.
    """

    def __init__(self, message_zh: str, reason: str) -> None:
        super().__init__(message_zh, reason)
        self.message_zh = message_zh
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.reason}: {self.message_zh}"


@dataclass(frozen=True)
class InspectedFile:
    """An accepted upload, ready to be stored.

    ``content`` is what to store (the re-encoded image or the original PDF) and
    ``sha256`` its hex digest; ``original_sha256`` is the digest of the bytes as
    uploaded. ``extension`` includes the dot (".jpg", ".png", ".pdf").
    ``width``/``height`` are the upright image's pixels (None for PDFs);
    ``pages`` is the PDF's page count (None for images). ``thumbnail`` is a
    JPEG whose longest side is at most the requested thumbnail size.
    """

    content: bytes
    content_type: str
    extension: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    pages: int | None
    thumbnail: bytes
    original_sha256: str


def inspect_upload(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    thumbnail_size: int = DEFAULT_THUMBNAIL_SIZE,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> InspectedFile:
    """Check an uploaded file by its content and return the sanitised result.

    Accepts JPEG (including phones' multi-picture MPO JPEGs), PNG and PDF;
    anything else, an empty or over-large file, an image that does not decode
    fully, an image of more than ``max_pixels`` pixels, or a PDF PDFium cannot
    open raises ``UploadRejected``.

    This decodes and re-encodes images and renders a PDF page: CPU-bound,
    synchronous work taking up to a second or so. An async caller must run it
    in a thread pool (e.g. ``await anyio.to_thread.run_sync(...)``), never on
    the event loop. It is safe to call from several threads at once.
    """
    if thumbnail_size <= 0:
        raise ValueError("thumbnail_size must be positive")
    if not data:
        raise UploadRejected(_MSG_EMPTY, "empty")
    if len(data) > max_bytes:
        raise UploadRejected(f"文件超过 {max_bytes / (1024 * 1024):g} MB,请压缩后重新上传", "too_large")
    if data.startswith(_JPEG_MAGIC):
        return _inspect_image(data, "JPEG", thumbnail_size, max_pixels)
    if data.startswith(_PNG_MAGIC):
        return _inspect_image(data, "PNG", thumbnail_size, max_pixels)
    if data.startswith(_PDF_MAGIC):
        return _inspect_pdf(data, thumbnail_size)
    raise UploadRejected(_MSG_UNSUPPORTED, "unsupported_type")


# --- images -------------------------------------------------------------------

# Pillow format names accepted per magic; a JPEG with a multi-picture index
# (many phone cameras) opens as "MPO" and is still a JPEG for our purposes.
_ACCEPTED_FORMATS: Final = {"JPEG": {"JPEG", "MPO"}, "PNG": {"PNG"}}
_OUTPUT: Final = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}


def _inspect_image(data: bytes, kind: str, thumbnail_size: int, max_pixels: int) -> InspectedFile:
    """Decode, check, straighten and re-encode a JPEG or PNG."""
    image = _decode_image(data, kind, max_pixels)
    image = _upright(image)
    image = _normalise_mode(image, kind)
    content = _encode_image(image, kind)
    content_type, extension = _OUTPUT[kind]
    return InspectedFile(
        content=content,
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        width=image.width,
        height=image.height,
        pages=None,
        thumbnail=_thumbnail_jpeg(image, thumbnail_size),
        original_sha256=hashlib.sha256(data).hexdigest(),
    )


def _decode_image(data: bytes, kind: str, max_pixels: int) -> Image.Image:
    """Open with the one decoder the magic bytes named and decode every pixel."""
    try:
        image = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (about 179 MP, or 89 MP if warnings are errors).
        raise UploadRejected(_MSG_TOO_MANY_PIXELS, "too_many_pixels") from None
    except Exception as exc:
        # Pillow raises many exception types on hostile input (OSError,
        # SyntaxError, ValueError, struct.error, ...); all mean "not usable".
        raise UploadRejected(_MSG_CORRUPT_IMAGE, "corrupt_image") from exc
    if image.format not in _ACCEPTED_FORMATS[kind]:
        raise UploadRejected(_MSG_UNSUPPORTED, "unsupported_type")
    # The header gives the size before any pixel is decoded: refuse a bomb
    # before load() allocates memory for it.
    if image.width * image.height > max_pixels:
        raise UploadRejected(_MSG_TOO_MANY_PIXELS, "too_many_pixels")
    try:
        # A truncated file raises here: LOAD_TRUNCATED_IMAGES is left False.
        image.load()
    except Exception as exc:
        raise UploadRejected(_MSG_CORRUPT_IMAGE, "corrupt_image") from exc
    return image


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation so the pixels themselves are upright."""
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:
        # A malformed EXIF block must not cost the citizen the upload: the
        # picture is fine, only its orientation hint is unreadable.
        log.warning("unreadable EXIF orientation; keeping pixels as decoded", exc_info=True)
        upright = image
    return upright if upright is not None else image


def _normalise_mode(image: Image.Image, kind: str) -> Image.Image:
    """Bring the pixels into a mode the output format stores faithfully.

    Colour-managed RGB/CMYK pictures are converted to sRGB here because the
    ICC profile, like all metadata, is not written to the stored file.
    """
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        image = _to_srgb(image, icc)
    if kind == "JPEG":
        # JPEG input is L, RGB or CMYK; browsers and Qt render CMYK JPEGs
        # inconsistently, so CMYK is stored as RGB.
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if image.mode in ("1", "L", "LA", "RGB", "RGBA", "P"):
        return image
    if image.mode.startswith("I") or image.mode == "F":
        # 16-bit greyscale (scanners): convert() would clip to white, so scale
        # 0..65535 down to 0..255 first.
        return image.convert("I").point(lambda v: v / 256).convert("L")
    return image.convert("RGBA" if "A" in image.getbands() else "RGB")


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Convert from the embedded ICC profile to sRGB; on any failure keep pixels."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image,
            source,
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except Exception:
        log.warning("unusable ICC profile; storing pixels without colour conversion", exc_info=True)
        return image
    return converted if converted is not None else image


def _encode_image(image: Image.Image, kind: str) -> bytes:
    """Re-encode with no metadata: no EXIF, XMP, ICC, text chunks or DPI."""
    transparency = image.info.get("transparency") if image.mode == "P" else None
    # Some Pillow versions copy image.info (EXIF included) into the output, so
    # the copy saved carries no info at all; palette transparency is pixel
    # meaning, not metadata, and is passed back explicitly.
    image = image.copy()
    image.info = {}
    buffer = io.BytesIO()
    if kind == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif transparency is not None:
        image.save(buffer, "PNG", transparency=transparency)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _thumbnail_jpeg(image: Image.Image, size: int) -> bytes:
    """A JPEG whose longest side is at most ``size`` (never enlarged)."""
    thumb = image.copy()
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
    return _to_jpeg(_flatten(thumb), THUMBNAIL_QUALITY)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB or L pixels for JPEG, transparent areas shown on white."""
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGBA"), mask=image.getchannel("A"))
        return background
    return image if image.mode in ("L", "RGB") else image.convert("RGB")


def _to_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# --- PDFs ---------------------------------------------------------------------


def _inspect_pdf(data: bytes, thumbnail_size: int) -> InspectedFile:
    """Open the PDF in PDFium, count pages and render page 1 as the thumbnail."""
    with PDFIUM_LOCK:
        pages, first_page = _read_pdf(data, thumbnail_size)
    digest = hashlib.sha256(data).hexdigest()
    return InspectedFile(
        content=data,
        content_type="application/pdf",
        extension=".pdf",
        size=len(data),
        sha256=digest,
        width=None,
        height=None,
        pages=pages,
        thumbnail=_to_jpeg(first_page, THUMBNAIL_QUALITY),
        original_sha256=digest,
    )


def _read_pdf(data: bytes, thumbnail_size: int) -> tuple[int, Image.Image]:
    """Page count and a rendering of page 1; the caller holds ``PDFIUM_LOCK``."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        # Also covers password-protected files: nobody could review them.
        raise UploadRejected(_MSG_CORRUPT_PDF, "corrupt_pdf") from exc
    try:
        pages = len(document)
        if pages < 1:
            raise UploadRejected(_MSG_CORRUPT_PDF, "corrupt_pdf")
        page = document[0]
        try:
            width, height = page.get_size()
            if width <= 0 or height <= 0:
                raise UploadRejected(_MSG_CORRUPT_PDF, "corrupt_pdf")
            # Scale from the page size so rendering cost stays fixed however
            # large the page claims to be.
            bitmap = page.render(scale=thumbnail_size / max(width, height))
            try:
                # to_pil() shares the bitmap's memory; convert() copies it out
                # before the bitmap is closed.
                rendering = bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
        finally:
            page.close()
    except pypdfium2.PdfiumError as exc:
        raise UploadRejected(_MSG_CORRUPT_PDF, "corrupt_pdf") from exc
    finally:
        document.close()
    return pages, rendering
