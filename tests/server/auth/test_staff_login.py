"""Staff log in to the desktop app with username and password; repeated failures lock the account."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response

from common.enums import Role
from server.auth import staff_login
from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.clock import FixedClock
from server.context import AppContext
from server.models import StaffUser
from tests.server.factories import PASSWORD, citizen_headers, make_staff, staff_headers

SESSIONS = "/api/v1/staff/sessions"
CURRENT = "/api/v1/staff/sessions/current"
ME = "/api/v1/staff/me"
WRONG_PASSWORD = "not-the-password"
# Upper bound on any wait in the concurrency tests; reached only when the behaviour is wrong.
TIMEOUT = 10.0


def log_in(client: TestClient, username: str = "clerk1", password: str = PASSWORD) -> Response:
    return client.post(SESSIONS, json={"username": username, "password": password})


@pytest.fixture
def clerk(ctx: AppContext) -> StaffUser:
    """A clerk of 人保财险 at the 亭湖区 window."""
    return make_staff(ctx, "clerk1", Role.CLERK, member_code="picc", county_code="320902", display_name="李娜")


def set_user(ctx: AppContext, user_id: int | None, **values: object) -> None:
    with ctx.db.write() as session:
        user = session.get(StaffUser, user_id)
        assert user is not None
        for name, value in values.items():
            setattr(user, name, value)


# --- the happy path -----------------------------------------------------------------


def test_a_clerk_logs_in_and_sees_who_they_are(client: TestClient, ctx: AppContext, clerk: StaffUser) -> None:
    response = log_in(client)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token"]
    assert datetime.fromisoformat(body["expires_at"]) == ctx.clock.now() + timedelta(hours=12)
    expected_user = {
        "id": clerk.id,
        "username": "clerk1",
        "display_name": "李娜",
        "role": "clerk",
        "role_label": "窗口经办",
        "member_code": "picc",
        "member_name": "人保财险",
        "county_code": "320902",
        "county_name": ctx.catalog.county_names["320902"],
    }
    assert body["user"] == expected_user

    me = client.get(ME, headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json() == expected_user


def test_a_coordinator_belongs_to_no_member_or_county(client: TestClient, ctx: AppContext) -> None:
    make_staff(ctx, "coord", Role.COORDINATOR, member_code=None, county_code=None)

    user = log_in(client, "coord").json()["user"]

    assert (user["role_label"], user["member_name"], user["county_name"]) == ("市级协调员", None, None)


def test_logging_out_ends_the_token(client: TestClient, clerk: StaffUser) -> None:
    headers = staff_headers(client, "clerk1")

    assert client.delete(CURRENT, headers=headers).status_code == 204

    assert client.get(ME, headers=headers).status_code == 401


def test_a_staff_token_expires_after_its_lifetime(
    client: TestClient, ctx: AppContext, clock: FixedClock, clerk: StaffUser
) -> None:
    headers = staff_headers(client, "clerk1")
    lifetime = ctx.settings.staff_token_ttl_seconds

    clock.advance(seconds=lifetime - 1)
    assert client.get(ME, headers=headers).status_code == 200
    clock.advance(seconds=1)
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "登录已过期,请重新登录"


def test_a_request_without_a_token_is_refused(client: TestClient) -> None:
    assert client.get(ME).status_code == 401


def test_a_citizen_token_is_refused_on_staff_endpoints(client: TestClient, ctx: AppContext) -> None:
    headers = citizen_headers(client, ctx)

    assert client.get(ME, headers=headers).status_code == 401
    assert client.delete(CURRENT, headers=headers).status_code == 401


# --- wrong credentials tell nothing about which usernames exist ----------------------


def test_wrong_username_and_wrong_password_get_the_same_answer(client: TestClient, clerk: StaffUser) -> None:
    unknown = log_in(client, "nobody", PASSWORD)
    wrong_password = log_in(client, "clerk1", WRONG_PASSWORD)

    assert unknown.status_code == wrong_password.status_code == 401
    assert unknown.json() == wrong_password.json()
    assert unknown.json()["detail"] == "用户名或密码不正确"


def test_an_unknown_username_costs_a_password_verification_too(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []

    def spy(password_hash: str, password: str) -> bool:
        verified.append(password)
        return verify_password(password_hash, password)

    monkeypatch.setattr(staff_login, "verify_password", spy)

    assert log_in(client, "nobody", "some-password").status_code == 401
    assert verified == ["some-password"]


def test_an_inactive_account_is_refused_like_a_wrong_password(
    client: TestClient, ctx: AppContext, clerk: StaffUser
) -> None:
    set_user(ctx, clerk.id, active=False)

    response = log_in(client)

    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码不正确"


def test_a_deactivated_users_token_stops_working(client: TestClient, ctx: AppContext, clerk: StaffUser) -> None:
    headers = staff_headers(client, "clerk1")

    set_user(ctx, clerk.id, active=False)

    assert client.get(ME, headers=headers).status_code == 401


# --- lockout ------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    client: TestClient, clock: FixedClock, clerk: StaffUser
) -> None:
    statuses = [log_in(client, password=WRONG_PASSWORD).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 401]

    fifth = log_in(client, password=WRONG_PASSWORD)
    assert fifth.status_code == 423
    assert fifth.json()["detail"] == "账号已锁定,请15分钟后再试"
    assert fifth.headers["Retry-After"] == "900"

    # Locked means locked, even for the right password.
    assert log_in(client).status_code == 423

    clock.advance(minutes=14)
    still_locked = log_in(client)
    assert still_locked.status_code == 423
    assert still_locked.json()["detail"] == "账号已锁定,请1分钟后再试"

    clock.advance(minutes=1)
    assert log_in(client).status_code == 201


def test_when_the_lock_ends_the_account_has_its_full_tries_again(
    client: TestClient, clock: FixedClock, clerk: StaffUser
) -> None:
    for _ in range(5):
        log_in(client, password=WRONG_PASSWORD)
    clock.advance(minutes=15)

    statuses = [log_in(client, password=WRONG_PASSWORD).status_code for _ in range(5)]

    assert statuses == [401, 401, 401, 401, 423]


def test_a_successful_login_resets_the_failure_count(client: TestClient, clerk: StaffUser) -> None:
    for _ in range(4):
        log_in(client, password=WRONG_PASSWORD)
    assert log_in(client).status_code == 201

    statuses = [log_in(client, password=WRONG_PASSWORD).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 401]


def test_a_lock_only_affects_its_own_account(client: TestClient, ctx: AppContext, clerk: StaffUser) -> None:
    make_staff(ctx, "clerk2")
    for _ in range(5):
        log_in(client, password=WRONG_PASSWORD)

    assert log_in(client, "clerk2").status_code == 201


# --- password hashes ----------------------------------------------------------------


def test_an_old_weak_password_hash_is_upgraded_at_login(client: TestClient, ctx: AppContext, clerk: StaffUser) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    set_user(ctx, clerk.id, password_hash=weak)
    assert needs_rehash(weak)

    assert log_in(client).status_code == 201

    with ctx.db.read() as session:
        upgraded = session.get(StaffUser, clerk.id)
    assert upgraded is not None and upgraded.password_hash != weak
    assert not needs_rehash(upgraded.password_hash)
    assert verify_password(upgraded.password_hash, PASSWORD)


# --- the password check holds no transaction ------------------------------------------


class HeldCheck:
    """A password verifier whose first check waits until the test lets it go; later checks run at once."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.checked: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, password_hash: str, password: str) -> bool:
        with self._lock:
            first = not self.checked
            self.checked.append(password)
        if first:
            self.started.set()
            assert self.release.wait(TIMEOUT), "the held password check was never released"
        return verify_password(password_hash, password)


def log_in_while(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, change: Callable[[], None], password: str = PASSWORD
) -> Response:
    """A login whose password check is held while `change()` runs; the login's answer.

    `change` must finish while the check is held: it cannot if the login holds a transaction that
    it has to wait for (the write lock on SQLite, the account's row lock on PostgreSQL).
    """
    check = HeldCheck()
    monkeypatch.setattr(staff_login, "verify_password", check)
    with ThreadPoolExecutor(max_workers=2) as pool:
        login = pool.submit(log_in, client, password=password)
        try:
            assert check.started.wait(TIMEOUT), "the login never reached its password check"
            pool.submit(change).result(timeout=TIMEOUT)
        finally:
            check.release.set()
        return login.result(timeout=TIMEOUT)


def stored_user(ctx: AppContext, user_id: int | None) -> StaffUser:
    with ctx.db.read() as session:
        user = session.get(StaffUser, user_id)
    assert user is not None
    return user


def test_a_write_completes_while_a_login_checks_its_password(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, ctx: AppContext, clerk: StaffUser
) -> None:
    # A write to the very account logging in, so it would wait on PostgreSQL's row lock as well as SQLite's.
    response = log_in_while(client, monkeypatch, lambda: set_user(ctx, clerk.id, display_name="李娜娜"))

    assert response.status_code == 201, response.text
    assert response.json()["user"]["display_name"] == "李娜娜"


def test_an_account_deactivated_during_the_check_is_refused_and_no_failure_is_counted(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, ctx: AppContext, clerk: StaffUser
) -> None:
    response = log_in_while(client, monkeypatch, lambda: set_user(ctx, clerk.id, active=False))

    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码不正确"
    assert stored_user(ctx, clerk.id).failed_logins == 0


def test_an_account_locked_during_the_check_is_refused_as_locked(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, ctx: AppContext, clerk: StaffUser
) -> None:
    until = ctx.clock.now() + timedelta(minutes=10)

    response = log_in_while(client, monkeypatch, lambda: set_user(ctx, clerk.id, locked_until=until))

    assert response.status_code == 423
    assert response.json()["detail"] == "账号已锁定,请10分钟后再试"
    assert response.headers["Retry-After"] == "600"


def test_the_old_password_fails_and_counts_once_the_password_is_reset_during_the_check(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, ctx: AppContext, clerk: StaffUser
) -> None:
    reset = hash_password("the-new-password")

    response = log_in_while(client, monkeypatch, lambda: set_user(ctx, clerk.id, password_hash=reset))

    assert response.status_code == 401
    user = stored_user(ctx, clerk.id)
    assert (user.failed_logins, user.password_hash) == (1, reset)


def test_a_hash_upgraded_by_another_login_during_the_check_still_lets_the_password_in(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, ctx: AppContext, clerk: StaffUser
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    set_user(ctx, clerk.id, password_hash=weak)
    upgraded = hash_password(PASSWORD)

    response = log_in_while(client, monkeypatch, lambda: set_user(ctx, clerk.id, password_hash=upgraded))

    assert response.status_code == 201, response.text
    assert stored_user(ctx, clerk.id).password_hash == upgraded


def test_parallel_wrong_passwords_lock_the_account_once_and_lose_no_count(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    ctx: AppContext,
    clerk: StaffUser,
) -> None:
    attempts = 8
    # Every check waits for all the others: all read the account unlocked and count nothing before
    # any of them records its failure, the hardest case for the counting.
    together = threading.Barrier(attempts, timeout=TIMEOUT)

    def check_together(password_hash: str, password: str) -> bool:
        together.wait()
        return verify_password(password_hash, password)

    monkeypatch.setattr(staff_login, "verify_password", check_together)
    caplog.set_level(logging.INFO, logger=staff_login.__name__)

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        responses = list(pool.map(lambda _: log_in(client, password=WRONG_PASSWORD), range(attempts)))

    # Four counted failures, the fifth locks, the rest find the account locked.
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [401] * 4 + [423] * 4
    assert all(r.headers["Retry-After"] == "900" for r in responses if r.status_code == 423)
    locks = [r for r in caplog.records if r.getMessage().endswith("account locked")]
    assert len(locks) == 1
    user = stored_user(ctx, clerk.id)
    assert (user.failed_logins, user.locked_until) == (0, ctx.clock.now() + timedelta(minutes=15))


def test_a_password_hash_that_changes_at_every_check_is_refused_without_counting(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, ctx: AppContext, clerk: StaffUser
) -> None:
    # The same password hashed afresh each time: every check turns out to be against a stale hash.
    hashes = [hash_password(PASSWORD) for _ in range(3)]
    checked: list[str] = []

    with ThreadPoolExecutor(max_workers=1) as pool:

        def check_then_change(password_hash: str, password: str) -> bool:
            checked.append(password)
            # From another thread, with a deadline: it would wait for ever on a lock the login held.
            pool.submit(set_user, ctx, clerk.id, password_hash=hashes[len(checked) - 1]).result(timeout=TIMEOUT)
            return verify_password(password_hash, password)

        monkeypatch.setattr(staff_login, "verify_password", check_then_change)

        response = log_in(client)

    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码不正确"
    assert len(checked) == 3
    assert stored_user(ctx, clerk.id).failed_logins == 0
