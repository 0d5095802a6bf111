"""Who is acting: a citizen (by verified phone), a staff user, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from common.enums import Role
from common.validators import mask_phone


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as services see it."""

    role: Role
    user_id: int | None = None
    phone: str | None = None
    display_name: str = ""
    member_code: str | None = None
    county_code: str | None = None

    def __post_init__(self) -> None:
        # Scope rules test the role with `is`; "clerk" equals Role.CLERK and hashes alike, so a plain
        # string here would pass for the role in a dict key (the queue keeps plans by actor) and fail in the rule.
        if not isinstance(self.role, Role):
            object.__setattr__(self, "role", Role(self.role))

    @property
    def label(self) -> str:
        """How the actor appears in the case timeline (never a full phone number)."""
        if self.role is Role.CITIZEN:
            return f"申请人({mask_phone(self.phone or '')})"
        if self.role is Role.SYSTEM:
            return "系统"
        return f"{self.display_name}({self.role.label})"

    @property
    def idempotency_owner(self) -> str:
        """The namespace an Idempotency-Key is unique in."""
        return f"citizen:{self.phone}" if self.role is Role.CITIZEN else f"user:{self.user_id}"


SYSTEM = Actor(role=Role.SYSTEM)
