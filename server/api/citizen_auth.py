"""Citizen login: ask for an SMS code, exchange it for a token, log out."""

from __future__ import annotations

from fastapi import APIRouter, status

from common.schemas.auth import CitizenLoginRequest, CitizenSessionOut, LoginCodeRequest, LoginCodeSent
from server.api.deps import CitizenDep, ClientAddressDep, ContextDep, RawTokenDep
from server.auth.citizen_login import log_in_citizen, request_login_code
from server.auth.tokens import revoke_token

router = APIRouter(tags=["citizen-auth"])


@router.post("/citizen/login-codes", status_code=status.HTTP_202_ACCEPTED, response_model=LoginCodeSent)
def post_login_code(body: LoginCodeRequest, ctx: ContextDep, client_address: ClientAddressDep) -> LoginCodeSent:
    """Send a login code to the phone by SMS; 429 with Retry-After when asked too often."""
    with ctx.db.write() as session:
        return request_login_code(
            session,
            phone=body.phone,
            client_address=client_address,
            now=ctx.clock.now(),
            settings=ctx.settings,
            sms=ctx.sms,
        )


@router.post("/citizen/sessions", status_code=status.HTTP_201_CREATED, response_model=CitizenSessionOut)
def post_citizen_session(body: CitizenLoginRequest, ctx: ContextDep) -> CitizenSessionOut:
    """Log in with the phone and the code it received."""
    with ctx.db.write() as session:
        return log_in_citizen(session, phone=body.phone, code=body.code, now=ctx.clock.now(), settings=ctx.settings)


@router.delete("/citizen/sessions/current", status_code=status.HTTP_204_NO_CONTENT)
def delete_citizen_session(_citizen: CitizenDep, raw: RawTokenDep, ctx: ContextDep) -> None:
    """Log out: the token stops working at once."""
    with ctx.db.write() as session:
        revoke_token(session, raw, now=ctx.clock.now())
