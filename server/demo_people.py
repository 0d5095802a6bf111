"""Who and what the demo's past is made of: the windows and their clerks, vehicles, owners, words.

Everything is made up: owners' names are common name parts put together,
their ID numbers and phones are generated (valid check characters, numbers
in the demo's 139 0001 range), vehicle models are "示例牌" ones. Premiums are
round figures of the usual size for each category, not a tariff.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from common.enums import VehicleCategory
from server.demo_cases import TINGHU, YANDU, resident_id
from server.demo_pictures import DemoOwner

DAFENG, XIANGSHUI, SHEYANG, JIANHU, DONGTAI = (
    "320904",
    "320921",
    "320924",
    "320925",
    "320981",
)

# The clerks of the other windows with a past: username, display name, member, county.
WINDOW_CLERKS: tuple[tuple[str, str, str, str], ...] = (
    ("pingan_yandu", "孙经办", "pingan", YANDU),
    ("chinalife_dafeng", "李经办", "chinalife", DAFENG),
    ("cic_dongtai", "赵经办", "cic", DONGTAI),
    ("sunshine_sheyang", "吴经办", "sunshine", SHEYANG),
    ("zijin_jianhu", "郑经办", "zijin", JIANHU),
    ("dajia_xiangshui", "冯经办", "dajia", XIANGSHUI),
)
# The windows with a past, by their clerk's username, and how busy each is (亭湖区, the city centre, most).
WINDOW_WEIGHTS = {
    "picc_tinghu": 5,
    "cpic_tinghu": 4,
    "pingan_yandu": 3,
    "chinalife_dafeng": 3,
    "cic_dongtai": 2,
    "sunshine_sheyang": 2,
    "zijin_jianhu": 2,
    "dajia_xiangshui": 2,
}


@dataclass(frozen=True)
class VehicleKind:
    """A category as the demo files it: its share of cases, a made-up model, premium and engine."""

    share: int
    model: str
    premium: Decimal
    displacement_cc: int | None = None
    power_kw: Decimal | None = None


# Shares after the pool's first year (motorcycles most, then trucks); buses and tractors are few.
VEHICLES: dict[VehicleCategory, VehicleKind] = {
    # Filed online as `CaseFiler.online` files them: 示例电摩 DM1200, 1.2 kW.
    VehicleCategory.MOTORCYCLE: VehicleKind(56, "示例电摩 DM1200", Decimal("120.00")),
    VehicleCategory.NONOPERATING_TRUCK: VehicleKind(15, "示例牌 DM1041 轻型厢式货车", Decimal("1470.00"), 2771),
    VehicleCategory.OPERATING_TRUCK: VehicleKind(13, "示例牌 DM4250 半挂牵引车", Decimal("4480.00"), 11596),
    VehicleCategory.SPECIAL: VehicleKind(7, "示例牌 DM5250 混凝土搅拌运输车", Decimal("3710.00"), 9726),
    VehicleCategory.OPERATING_BUS: VehicleKind(4, "示例牌 DM6100 城市客车", Decimal("2250.00"), 6700),
    VehicleCategory.TRACTOR: VehicleKind(5, "示例牌 DM504 轮式拖拉机", Decimal("90.00"), power_kw=Decimal("36.80")),
}

REJECTIONS = (
    "车辆已在其他保险公司投保交强险,保险期间尚未届满",
    "行驶证显示该车已注销登记,不能投保交强险,请到车管所核实",
    "上传的身份证与车主姓名不一致,请车主本人申请",
    "车架号与合格证不符,请核对后重新申请",
)
PRAISE = (
    "",
    "",
    "办理很快,窗口服务态度好",
    "不用跑窗口,手机上就办好了",
    "电话核实很耐心",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
# fmt: off
GIVEN = ("建国", "秀英", "志强", "桂兰", "海燕", "文华", "立新", "春梅",
         "国庆", "玉兰", "永刚", "红霞", "德明", "丽娟", "宏伟", "晓东")
# fmt: on


class People:
    """Made-up vehicle owners, each with a mobile number of their own."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0

    def owner(self, county: str = TINGHU) -> tuple[DemoOwner, str]:
        """A new owner registered in `county`, and their phone (nobody else's: an ordinary applicant)."""
        self.count += 1
        n, rng = self.count, self.rng
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        birth = date(rng.randint(1956, 2002), rng.randint(1, 12), rng.randint(1, 28))
        # The sequence number alone tells the first 900 owners apart; GB 11643: odd for a man.
        sequence = 100 + n % 900
        id_number = resident_id(birth, sequence, county)
        return DemoOwner(name, f"DEMO OWNER {n}", id_number, "男" if sequence % 2 else "女"), f"1390001{n:04d}"
