"""How the queue's statements lead SQLite's planner, which plans without statistics.

SQLite picks indexes by rules, not by how many rows they narrow to; with
100,000 cases a wrong pick costs thousands of index lookups. These pieces
are the queue's (and the tab counts') means to steer it: whether the
caller's scope is narrowed by the scope indexes, terms that keep an index
prefix whole, and `+column`, which keeps SQLite off an index. PostgreSQL
plans with statistics and gets plain SQL from all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import ColumnElement
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import select

from common.enums import CaseStatus, Role
from server.actor import Actor
from server.models import Case, County


def scope_index_usable(actor: Actor, statuses: Sequence[str]) -> bool:
    """Whether the caller's scope, drafts left out, is narrowed by the scope indexes (member, county, ...).

    A clerk's or supervisor's non-draft cases are those of one member (and
    county): equalities SQLite reads from an index. Drafts are a creator's
    own and no index narrows them.
    """
    if CaseStatus.DRAFT.value in statuses:
        return False
    return (actor.role is Role.CLERK and bool(actor.member_code and actor.county_code)) or (
        actor.role is Role.SUPERVISOR and bool(actor.member_code)
    )


def planner_hints(actor: Actor, statuses: Sequence[str]) -> list[Any]:
    """Terms that only lead SQLite's planner to the scope index, repeated at the top of the WHERE.

    A supervisor's scope fixes the member but not the county, the index's
    second column: "any county", spelled out, keeps the index prefix whole.
    They only ever narrow to what the scope allows already. Like
    `case_scope`, they depend on the actor's fields alone (the queue keeps
    built statements by actor): the county list is a subquery, not a lookup.
    """
    if actor.role is Role.SUPERVISOR and scope_index_usable(actor, statuses):
        return [Case.county_code.in_(select(County.code))]
    return []


class _Unindexed(ColumnElement[Any]):
    """A column the SQLite planner may not use an index for: `+column`, SQLite's documented idiom.

    Other databases get the plain column: PostgreSQL plans with statistics.
    """

    inherit_cache = True
    _traverse_internals: ClassVar[list[Any]] = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


@compiles(_Unindexed)
def _compile_plain(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(_Unindexed, "sqlite")
def _compile_unindexed(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.column, **kw))


def plain_column(column: Any, scan: bool) -> Any:
    """`column`, or with `scan` the same column kept off SQLite's indexes (`+column`)."""
    return _Unindexed(column) if scan else column
