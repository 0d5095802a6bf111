"""Pictures for the demo's documents, drawn with Pillow and marked "示例 / DEMO" all over.

Never a real document: a card-shaped or page-shaped drawing with a made-up
name and number, no emblem, no photo, and a stamp across it saying it is a
sample. Chinese text needs a CJK font; where none is installed the pictures
are drawn with Latin text instead ("DEMO ID FRONT"), so the demo works on a
bare server too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from common.enums import DocumentKind

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

INK = (40, 40, 48)
STAMP = (210, 30, 30)


@dataclass(frozen=True)
class DemoOwner:
    """A made-up vehicle owner, in Chinese and in Latin letters (for machines without a CJK font)."""

    name: str
    latin_name: str
    id_number: str
    sex: str  # "男" / "女"

    @property
    def birth(self) -> date:
        digits = self.id_number[6:14]
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


@dataclass(frozen=True)
class DemoVehicle:
    vin: str
    engine_number: str
    brand_model: str
    plate: str | None = None


def find_cjk_font(dirs: tuple[Path, ...] = FONT_DIRS) -> Path | None:
    """A Noto CJK (or other CJK) font file, preferring the regular sans; None if there is none."""
    found: list[Path] = []
    for directory in dirs:
        if directory.is_dir():
            found += [
                p
                for p in directory.rglob("*")
                if p.suffix.lower() in (".ttc", ".otf", ".ttf") and "cjk" in p.name.lower()
            ]
    if not found:
        return None
    # Sans regular reads best at small sizes; the rest in a stable order.
    return min(found, key=lambda p: ("sans" not in p.name.lower(), "regular" not in p.name.lower(), str(p)))


class DemoPictures:
    """Draws demo document pictures as JPEG (and the e-policy as PDF)."""

    def __init__(self, font_path: Path | None) -> None:
        self.font_path = font_path
        self.chinese = font_path is not None

    @classmethod
    def on_this_machine(cls) -> DemoPictures:
        return cls(find_cjk_font())

    def font(self, size: int) -> Font:
        return _font(self.font_path, size)

    def say(self, chinese: str, latin: str) -> str:
        """The Chinese text when it can be drawn, else the Latin one."""
        return chinese if self.chinese else latin

    # --- the documents -------------------------------------------------------------

    def document(self, kind: DocumentKind, owner: DemoOwner, vehicle: DemoVehicle) -> bytes:
        """A JPEG picture of `kind` for this owner and vehicle."""
        drawers = {
            DocumentKind.ID_FRONT: self._id_front,
            DocumentKind.ID_BACK: self._id_back,
            DocumentKind.CERTIFICATE_OF_CONFORMITY: self._certificate,
            DocumentKind.PURCHASE_INVOICE: self._invoice,
            DocumentKind.VEHICLE_LICENSE: self._vehicle_license,
            DocumentKind.OTHER: self._other,
        }
        image = drawers[kind](owner, vehicle)
        self._stamp(image)
        return _jpeg(image)

    def e_policy_pdf(
        self, *, case_number: str, policy_number: str, owner: DemoOwner, vehicle: DemoVehicle, member: str
    ) -> bytes:
        """A one-page PDF that looks like an e-policy and says it is none."""
        image, draw = _page(1240, 1754)
        y = self._heading(
            draw, 1240, self.say("机动车交通事故责任强制保险单(电子保单)", "COMPULSORY MOTOR INSURANCE E-POLICY")
        )
        rows = [
            (self.say("保单号", "Policy no."), policy_number),
            (self.say("申请编号", "Case no."), case_number),
            (self.say("承保机构", "Insurer"), member if self.chinese else "DEMO INSURER"),
            (self.say("被保险人", "Insured"), self._name(owner)),
            (self.say("车架号", "VIN"), vehicle.vin),
            (self.say("厂牌型号", "Make/model"), vehicle.brand_model if self.chinese else "DEMO MOTORCYCLE"),
        ]
        self._rows(draw, rows, x=110, y=y + 40, size=40, gap=80)
        self._stamp(image)
        buffer = io.BytesIO()
        image.save(buffer, "PDF", resolution=150)
        return buffer.getvalue()

    def _id_front(self, owner: DemoOwner, vehicle: DemoVehicle) -> Image.Image:
        image, draw = _card()
        draw.rectangle((610, 90, 800, 330), outline=(150, 150, 160), width=3, fill=(228, 230, 236))
        draw.text((705, 210), self.say("无照片", "NO PHOTO"), font=self.font(26), fill=(120, 120, 130), anchor="mm")
        birth = owner.birth
        rows = [
            (self.say("姓名", "NAME"), self._name(owner)),
            (self.say("性别", "SEX"), self.say(owner.sex, "M" if owner.sex == "男" else "F")),
            (self.say("出生", "BORN"), self.say(f"{birth.year}年{birth.month}月{birth.day}日", birth.isoformat())),
            (self.say("住址", "ADDR"), self.say("盐城市示例路1号(虚构)", "1 DEMO ROAD, YANCHENG (FICTIONAL)")),
        ]
        self._rows(draw, rows, x=50, y=75, size=30, gap=60)
        draw.text((50, 385), self.say("公民身份号码", "ID NO."), font=self.font(28), fill=INK)
        draw.text((50, 422), owner.id_number, font=self.font(40), fill=INK)
        draw.text(
            (428, 30), self.say("身份证人像面 示例", "DEMO ID FRONT"), font=self.font(24), fill=STAMP, anchor="mm"
        )
        return image

    def _id_back(self, owner: DemoOwner, vehicle: DemoVehicle) -> Image.Image:
        image, draw = _card()
        draw.text(
            (428, 120), self.say("居民身份证(示例)", "DEMO RESIDENT CARD"), font=self.font(52), fill=INK, anchor="mm"
        )
        issued = date(2020, 5, 1)
        rows = [
            (self.say("签发机关", "ISSUED BY"), self.say("示例公安局(虚构)", "DEMO BUREAU (FICTIONAL)")),
            (self.say("有效期限", "VALID"), f"{issued:%Y.%m.%d}-{issued.replace(year=2040):%Y.%m.%d}"),
        ]
        self._rows(draw, rows, x=90, y=300, size=32, gap=80)
        draw.text((428, 30), self.say("身份证国徽面 示例", "DEMO ID BACK"), font=self.font(24), fill=STAMP, anchor="mm")
        return image

    def _certificate(self, owner: DemoOwner, vehicle: DemoVehicle) -> Image.Image:
        image, draw = _page(1400, 990)
        y = self._heading(draw, 1400, self.say("机动车整车出厂合格证(示例)", "DEMO CERTIFICATE OF CONFORMITY"))
        rows = [
            (self.say("车辆识别代号", "VIN"), vehicle.vin),
            (self.say("发动机号", "Engine no."), vehicle.engine_number),
            (self.say("车辆型号", "Model"), vehicle.brand_model if self.chinese else "DEMO MOTORCYCLE"),
            (self.say("制造日期", "Made"), "2026-01-15"),
        ]
        self._rows(draw, rows, x=100, y=y + 40, size=38, gap=90)
        return image

    def _invoice(self, owner: DemoOwner, vehicle: DemoVehicle) -> Image.Image:
        image, draw = _page(1400, 860)
        y = self._heading(draw, 1400, self.say("机动车销售统一发票(示例)", "DEMO VEHICLE SALES INVOICE"))
        rows = [
            (self.say("购买方", "Buyer"), self._name(owner)),
            (self.say("身份证号码", "ID no."), owner.id_number),
            (self.say("车辆识别代号", "VIN"), vehicle.vin),
            (self.say("价税合计", "Total"), self.say("¥4,299.00(示例)", "CNY 4,299.00 (DEMO)")),
        ]
        self._rows(draw, rows, x=100, y=y + 40, size=38, gap=90)
        return image

    def _vehicle_license(self, owner: DemoOwner, vehicle: DemoVehicle) -> Image.Image:
        image, draw = _page(1300, 880, paper=(236, 242, 234))
        y = self._heading(draw, 1300, self.say("机动车行驶证(示例)", "DEMO VEHICLE LICENSE"))
        plate = vehicle.plate or ""
        rows = [
            (self.say("号牌号码", "Plate"), plate if self.chinese else plate[1:] or "-"),
            (self.say("所有人", "Owner"), self._name(owner)),
            (self.say("车辆识别代号", "VIN"), vehicle.vin),
            (self.say("发动机号码", "Engine no."), vehicle.engine_number),
        ]
        self._rows(draw, rows, x=100, y=y + 40, size=38, gap=90)
        return image

    def _other(self, owner: DemoOwner, vehicle: DemoVehicle) -> Image.Image:
        image, draw = _page(1200, 850)
        y = self._heading(draw, 1200, self.say("补充材料(示例)", "DEMO SUPPLEMENTARY DOCUMENT"))
        draw.text(
            (100, y + 60),
            self.say("情况说明:本材料为演示数据。", "Statement: demo data only."),
            font=self.font(38),
            fill=INK,
        )
        return image

    # --- drawing helpers -----------------------------------------------------------

    def _name(self, owner: DemoOwner) -> str:
        return self.say(owner.name, owner.latin_name)

    def _heading(self, draw: ImageDraw.ImageDraw, width: int, title: str) -> int:
        draw.text((width // 2, 90), title, font=self.font(52), fill=INK, anchor="mm")
        draw.line((80, 150, width - 80, 150), fill=INK, width=3)
        return 160

    def _rows(
        self, draw: ImageDraw.ImageDraw, rows: list[tuple[str, str]], *, x: int, y: int, size: int, gap: int
    ) -> None:
        label_font, value_font = self.font(size - 4), self.font(size)
        label_width = max(int(draw.textlength(label, font=label_font)) for label, _ in rows) + 30
        for n, (label, value) in enumerate(rows):
            draw.text((x, y + n * gap), label, font=label_font, fill=(90, 90, 100))
            draw.text((x + label_width, y + n * gap), value, font=value_font, fill=INK)

    def _stamp(self, image: Image.Image) -> None:
        """The unmistakable mark: a translucent diagonal "示例 DEMO" and a footer line."""
        width, height = image.size
        stamp = _stamp_layer(self.font_path, self.say("示例 DEMO", "DEMO SAMPLE"), max(40, min(width, height) // 5))
        image.paste(stamp, ((width - stamp.width) // 2, (height - stamp.height) // 2), stamp)
        footer = self.say("演示数据,非真实证件 · DEMO ONLY, NOT A REAL DOCUMENT", "DEMO ONLY - NOT A REAL DOCUMENT")
        ImageDraw.Draw(image).text(
            (width // 2, height - 28), footer, font=self.font(max(16, width // 50)), fill=STAMP, anchor="mm"
        )


class SketchPictures(DemoPictures):
    """Small, generic pictures for the demo's past cases: the document's name and the stamp.

    The demo files several hundred documents for its months of history. Drawn
    full size and for each owner, they would take most of its running time to
    draw, inspect and store; small ones leave the upload's check no thumbnail
    to shrink, and one picture per kind is stored once (the store is content
    addressed). They name no one: a past case's papers are not what the
    demo is for. Same stamp, same rule: never mistaken for a real document.
    """

    SIZE = (320, 200)

    def document(self, kind: DocumentKind, owner: DemoOwner, vehicle: DemoVehicle) -> bytes:
        """The small JPEG of `kind` (the same for every owner and vehicle)."""
        return _sketch(self.font_path, kind, self.SIZE)


@cache
def _sketch(font_path: Path | None, kind: DocumentKind, size: tuple[int, int]) -> bytes:
    pictures = DemoPictures(font_path)
    width, height = size
    image = Image.new("RGB", size, (248, 247, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((3, 3, width - 4, height - 4), outline=(150, 150, 160), width=2)
    title = pictures.say(f"{kind.label}(示例)", f"DEMO {kind.value.upper().replace('_', ' ')}")
    draw.text((width // 2, 30), title, font=pictures.font(17 if pictures.chinese else 14), fill=INK, anchor="mm")
    note = pictures.say("往期演示材料,不含任何人的信息", "PAST DEMO CASE, NOBODY'S DATA")
    draw.text((width // 2, 62), note, font=pictures.font(13), fill=(90, 90, 100), anchor="mm")
    stamp = _stamp_layer(font_path, pictures.say("示例 DEMO", "DEMO SAMPLE"), 40)
    image.paste(stamp, ((width - stamp.width) // 2, (height - stamp.height) // 2 + 14), stamp)
    footer = pictures.say("演示数据,非真实证件 · DEMO ONLY", "DEMO ONLY - NOT A REAL DOCUMENT")
    draw.text((width // 2, height - 16), footer, font=pictures.font(12), fill=STAMP, anchor="mm")
    return _jpeg(image)


@cache
def _stamp_layer(font_path: Path | None, text: str, size: int) -> Image.Image:
    """The stamp's text, translucent and turned 20°; cached, since rotating is the slow part."""
    font = _font(font_path, size)
    left, top, right, bottom = font.getbbox(text)
    layer = Image.new("RGBA", (int(right - left) + 20, int(bottom - top) + 20), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((10 - left, 10 - top), text, font=font, fill=(*STAMP, 90))
    return layer.rotate(20, resample=Image.Resampling.BICUBIC, expand=True)


@cache
def _font(path: Path | None, size: int) -> Font:
    if path is None:
        return ImageFont.load_default(size)
    if path.suffix.lower() == ".ttc":
        # A collection holds the JP, KR, SC, TC faces: pick Simplified Chinese for Yancheng.
        for index in range(10):
            try:
                face = ImageFont.truetype(str(path), size, index=index)
            except OSError:
                break
            if " SC" in " ".join(face.getname()):
                return face
    return ImageFont.truetype(str(path), size)


def _card() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A card of ID-card proportions (85.6 × 54 mm) with rounded corners on a table-grey background."""
    image = Image.new("RGB", (856, 540), (205, 205, 200))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((6, 6, 850, 534), radius=36, fill=(244, 241, 230), outline=(170, 170, 160), width=3)
    return image, draw


def _page(
    width: int, height: int, paper: tuple[int, int, int] = (252, 252, 248)
) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width - 40, height - 60), outline=(120, 120, 130), width=3)
    return image, draw


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
