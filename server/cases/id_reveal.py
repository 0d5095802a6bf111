"""Showing a case's full ID number on purpose, and recording that it was shown (DESIGN.md §6).

Lists and the case detail only ever carry the masked number; a clerk who
needs the whole number (to key it into the insurer's core system, say) asks
for it here, and every such view becomes an event in the case's trail.

The view writes its event straight onto the hash chain instead of through
`history.record`, deliberately leaving the case's version (and updated_at)
alone: looking at a case does not change it, and bumping the version would
make the clerk's own next action, sent with the version they just loaded,
fail as stale, and make every other desktop reload the case for nothing.
The event still reaches the change feed and the audit trail like any other.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from common.enums import Action
from server.actor import Actor
from server.audit.chain import append_event
from server.cases.scope import load_case
from server.models import Event


def reveal_id_number(session: Session, actor: Actor, case_id: int, *, now: datetime) -> tuple[str, Event]:
    """The full ID number of a case in the actor's scope, and the event recording the view.

    NotFound when the case is outside the scope. The event's payload holds
    the case version only: never the number itself.
    """
    case = load_case(session, actor, case_id)
    event = append_event(
        session,
        created_at=now,
        case_id=case.id,
        action=Action.REVEAL_ID.value,
        status_after=case.status,
        actor_role=actor.role.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        member_code=case.member_code,
        county_code=case.county_code,
        payload={"version": case.version},
    )
    return case.owner_id_number, event
