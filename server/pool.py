"""The insurance pool's structure: counties, members, and each member's branch per county."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from common.catalog import Catalog
from common.enums import Role
from server.auth.passwords import hash_password
from server.errors import BadInput, Conflict
from server.models import Branch, County, Member, StaffUser


def seed_pool(session: Session, catalog: Catalog, *, window_phones: dict[tuple[str, str], str] | None = None) -> None:
    """Create the counties, the 8 members and a branch of every member in every county.

    Idempotent: rows that exist are left as they are. Window phones default to a
    county switchboard-style number until the coordinator sets the real ones.
    """
    phones = window_phones or {}
    for county in catalog.counties:
        if session.get(County, county.code) is None:
            session.add(County(code=county.code, name=county.name))
    for member in catalog.members:
        if session.get(Member, member.code) is None:
            session.add(Member(code=member.code, short=member.short, name=member.name))
    session.flush()
    existing = {(b.member_code, b.county_code) for b in session.exec(select(Branch)).all()}
    for m_index, member in enumerate(catalog.members):
        for county in catalog.counties:
            if (member.code, county.code) in existing:
                continue
            phone = phones.get((member.code, county.code), f"0515-6{county.code[-3:]}{m_index + 1:02d}01")
            session.add(
                Branch(member_code=member.code, county_code=county.code, window_phone=phone, available=True, weight=1)
            )
    session.flush()


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str,
    now: datetime,
    member_code: str | None = None,
    county_code: str | None = None,
) -> StaffUser:
    """Add a staff user; a clerk needs a member and a county, a supervisor a member."""
    if role is Role.CLERK and not (member_code and county_code):
        raise BadInput("窗口经办人员必须指定所属机构和区县")
    if role is Role.SUPERVISOR and not member_code:
        raise BadInput("上级审批人员必须指定所属机构")
    if role not in (Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR):
        raise BadInput("只能创建窗口经办、上级审批或市级协调员账号")
    if len(password) < 8:
        raise BadInput("密码至少需要8位")
    if session.exec(select(StaffUser).where(StaffUser.username == username)).first() is not None:
        raise Conflict(f"用户名“{username}”已存在")
    if member_code and session.get(Member, member_code) is None:
        raise BadInput(f"没有代码为“{member_code}”的成员机构")
    if county_code and session.get(County, county_code) is None:
        raise BadInput(f"没有代码为“{county_code}”的区县")
    user = StaffUser(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role.value,
        member_code=member_code if role is not Role.COORDINATOR else None,
        county_code=county_code if role is Role.CLERK else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def branch_of(session: Session, member_code: str, county_code: str) -> Branch | None:
    """The member's window in the county."""
    return session.exec(
        select(Branch).where(Branch.member_code == member_code, Branch.county_code == county_code)
    ).first()
