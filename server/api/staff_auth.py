"""Staff login for the desktop app: log in, who am I, log out."""

from __future__ import annotations

from fastapi import APIRouter, status

from common.schemas.auth import StaffLoginRequest, StaffSessionOut, StaffUserOut
from server.api.deps import ContextDep, RawTokenDep, StaffDep
from server.auth.staff_login import log_in_staff, staff_profile
from server.auth.tokens import revoke_token

router = APIRouter(tags=["staff-auth"])


@router.post("/staff/sessions", status_code=status.HTTP_201_CREATED, response_model=StaffSessionOut)
def post_staff_session(body: StaffLoginRequest, ctx: ContextDep) -> StaffSessionOut:
    """Log in; 401 for wrong credentials, 423 with Retry-After while the account is locked."""
    # Given the database rather than a session: the password check must run outside any write transaction.
    return log_in_staff(
        ctx.db, username=body.username, password=body.password, now=ctx.clock.now(), settings=ctx.settings
    )


@router.get("/staff/me", response_model=StaffUserOut)
def get_me(staff: StaffDep, ctx: ContextDep) -> StaffUserOut:
    """The logged-in staff user."""
    assert staff.user_id is not None  # StaffDep only yields stored users
    with ctx.db.read() as session:
        return staff_profile(session, user_id=staff.user_id)


@router.delete("/staff/sessions/current", status_code=status.HTTP_204_NO_CONTENT)
def delete_staff_session(_staff: StaffDep, raw: RawTokenDep, ctx: ContextDep) -> None:
    """Log out: the token stops working at once."""
    with ctx.db.write() as session:
        revoke_token(session, raw, now=ctx.clock.now())
