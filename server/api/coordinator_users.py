"""Staff accounts for the city coordinator (账号管理): list, create, reset a password, deactivate, reactivate.

Coordinator only: anyone else gets 404. Request bodies hold passwords; the
app's access log writes the method and path only, and nothing here logs a body.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from common.enums import Role
from common.schemas.users import PasswordReset, StaffAccountCreate, StaffAccountOut
from server.api.deps import ContextDep, CoordinatorDep
from server.auth.accounts import (
    create_account,
    deactivate_account,
    list_accounts,
    reactivate_account,
    reset_password,
)

router = APIRouter(tags=["coordinator-users"])

UserIdPath = Annotated[int, Path(ge=1, le=2**53)]


@router.get("/coordinator/users", response_model=list[StaffAccountOut])
def get_users(
    _coordinator: CoordinatorDep,
    ctx: ContextDep,
    member: Annotated[str | None, Query(max_length=20, description="成员机构代码")] = None,
    county: Annotated[str | None, Query(pattern=r"^\d{6}$", description="区县代码")] = None,
    role: Annotated[Role | None, Query(description="角色")] = None,
    active: Annotated[bool | None, Query(description="只看在用(true)或已停用(false)")] = None,
) -> list[StaffAccountOut]:
    """Every staff account matching the filters."""
    with ctx.db.read() as session:
        return list_accounts(session, member_code=member, county_code=county, role=role, active=active)


@router.post(
    "/coordinator/users",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffAccountOut,
)
def post_user(body: StaffAccountCreate, coordinator: CoordinatorDep, ctx: ContextDep) -> StaffAccountOut:
    """Create a clerk (member and county), supervisor (member) or coordinator; 409 for a taken username."""
    with ctx.db.write() as session:
        return create_account(session, coordinator, body, now=ctx.clock.now())


@router.post("/coordinator/users/{user_id}/reset-password", response_model=StaffAccountOut)
def post_reset_password(
    user_id: UserIdPath, body: PasswordReset, coordinator: CoordinatorDep, ctx: ContextDep
) -> StaffAccountOut:
    """Set a new password; the account's lockout is cleared and its open sessions end."""
    with ctx.db.write() as session:
        return reset_password(session, coordinator, user_id, body.password, now=ctx.clock.now())


@router.post("/coordinator/users/{user_id}/deactivate", response_model=StaffAccountOut)
def post_deactivate(user_id: UserIdPath, coordinator: CoordinatorDep, ctx: ContextDep) -> StaffAccountOut:
    """Stop the account from logging in and end its sessions; 409 for the last active coordinator."""
    with ctx.db.write() as session:
        return deactivate_account(session, coordinator, user_id, now=ctx.clock.now())


@router.post("/coordinator/users/{user_id}/reactivate", response_model=StaffAccountOut)
def post_reactivate(user_id: UserIdPath, coordinator: CoordinatorDep, ctx: ContextDep) -> StaffAccountOut:
    """Let a deactivated account log in again with its old password; an active one is left as it is."""
    with ctx.db.write() as session:
        return reactivate_account(session, coordinator, user_id, now=ctx.clock.now())
