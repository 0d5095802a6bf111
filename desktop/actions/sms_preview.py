"""What the customer's SMS will say, shown in a dialog before the clerk sends the action.

The wording comes from the same file the server sends from
(`resources/sms_templates.toml`, found through `common.resources`), and the
parameters are formatted as the server's services format them (premium with
two decimals, document kinds joined by "、", the clerk's note made a
sentence), so the preview is the message, not an approximation of it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from string import Formatter
from typing import Any

from common.enums import DocumentKind
from common.resources import resources_dir

# The same sentence ends as the server's supplement service: after them the template goes on by itself.
_SENTENCE_END = tuple("。!?!?.;;")
# Shown for a parameter only the server knows (e.g. the citizen's policy page when a PDF is uploaded).
SERVER_FILLED = "(由系统生成的链接)"


@dataclass(frozen=True)
class SmsTemplates:
    """The registered SMS texts by template name, with the signature put in front of each."""

    signature: str
    texts: Mapping[str, str]

    @classmethod
    def load(cls, path: Path | None = None) -> SmsTemplates:
        """Read `resources/sms_templates.toml` (or `path`)."""
        raw = tomllib.loads((path or resources_dir() / "sms_templates.toml").read_text(encoding="utf-8"))
        return cls(signature=raw.get("signature", ""), texts={k: v["text"] for k, v in raw["templates"].items()})

    def render(self, template: str, params: Mapping[str, Any]) -> str:
        """The full text; a parameter not given yet shows as an empty slot, so the preview can follow typing."""
        text = self.texts[template]
        names = {name for _, name, _, _ in Formatter().parse(text) if name}
        return self.signature + text.format(**{name: params.get(name, "") for name in names})


def as_sentence(message: str) -> str:
    """The clerk's note as a sentence of its own inside the SMS (empty stays empty)."""
    message = message.strip()
    if message and not message.endswith(_SENTENCE_END):
        return message + "。"
    return message


def kinds_text(kinds: Iterable[str]) -> str:
    """Document kinds as the SMS names them: "身份证人像面、机动车行驶证"."""
    return "、".join(DocumentKind(kind).label for kind in kinds)


def premium_text(premium: str) -> str:
    """The premium as the SMS shows it (two decimals), or the text as typed while it is not a number yet."""
    try:
        return f"{Decimal(premium.strip()):.2f}"
    except (InvalidOperation, ValueError):
        return premium.strip()


def supplement_sms(templates: SmsTemplates, number: str, kinds: Iterable[str], message: str) -> str:
    """The "please supplement" SMS."""
    return templates.render(
        "supplement_requested", {"number": number, "kinds": kinds_text(kinds), "message": as_sentence(message)}
    )


def payment_sms(templates: SmsTemplates, number: str, premium: str, link: str) -> str:
    """The payment-link SMS."""
    return templates.render("payment_link", {"number": number, "premium": premium_text(premium), "link": link.strip()})


def policy_sms(templates: SmsTemplates, policy_number: str, link: str | None) -> str:
    """The e-policy SMS; for an uploaded PDF the server fills in the citizen's policy page."""
    return templates.render(
        "e_policy", {"policy_number": policy_number.strip(), "link": link.strip() if link else SERVER_FILLED}
    )
