"""The `no1window-server` command: init, serve, demo, user, sms outbox, audit verify, board, stats.

Every command reads the same settings as the server (NO1WINDOW_* variables and
`.env`). Bad input prints one clear line to stderr, exits non-zero and leaves
the database as it was (each change runs in one transaction).
"""

from __future__ import annotations

import argparse
import gc
import logging
import logging.config
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from common.catalog import Catalog, load_catalog
from server.app import build_context, create_app
from server.audit.chain import verify_chain
from server.auth.console import add_user_commands
from server.clock import local
from server.db import Database
from server.errors import DomainError
from server.models import Branch, County, Member, SmsMessage
from server.pool import seed_pool
from server.schema import (
    current_revision,
    head_revision,
    is_known_revision,
    upgrade_to_head,
)
from server.serving import default_workers
from server.settings import Settings
from server.sms.service import OutboxGateway

LOG_FORMAT = "%(asctime)s %(levelname)-7s [%(process)d] %(name)s: %(message)s"

# Handed to uvicorn, which applies it in every worker process too. uvicorn's own
# loggers keep no handlers and propagate to ours, so all lines share one format.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": LOG_FORMAT}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "uvicorn": {"level": "INFO", "handlers": [], "propagate": True},
        "uvicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        # The app logs each request itself, without the query string (personal data).
        "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        # Its "Context impl SQLiteImpl" lines on every schema check are noise in a server log.
        "alembic": {"level": "WARNING"},
    },
}

log = logging.getLogger("no1window.cli")


class CliError(Exception):
    """Refusal with a message for the administrator and an exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------- helpers


def open_database(settings: Settings) -> Database:
    """The configured database; the embedded SQLite file's directory is created if needed."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.effective_database_url)


@contextmanager
def opened(settings: Settings, *, at_head: bool = True) -> Iterator[Database]:
    """The configured database for one command (checked to be at the newest schema), closed afterwards."""
    database = open_database(settings)
    try:
        if at_head:
            require_schema(database)
        yield database
    finally:
        database.dispose()


def describe_url(url: str) -> str:
    """The database URL as safe to print (no password)."""
    return make_url(url).render_as_string(hide_password=True)


def require_schema(database: Database) -> None:
    """Refuse to work on a database that is not at this version's newest schema."""
    current, head = current_revision(database), head_revision()
    if current is None:
        raise CliError("the database is not initialised: run `no1window-server init` first")
    refuse_unknown_revision(current)
    if current != head:
        raise CliError(
            f"the database schema is at revision {current}, this version needs {head}: "
            "run `no1window-server init` (after a backup) to upgrade it"
        )


def refuse_unknown_revision(current: str | None) -> None:
    """A database migrated by a newer version of the server must not be touched by this one."""
    if current is not None and not is_known_revision(current):
        raise CliError(
            f"the database schema is at revision {current}, newer than this version knows ({head_revision()}): "
            "install the newer no1window version"
        )


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def pool_counts(session: Session) -> tuple[int, int, int]:
    """How many counties, members and branches exist."""
    return _count(session, County), _count(session, Member), _count(session, Branch)


def initialise(database: Database, catalog: Catalog, out: Callable[[str], None]) -> None:
    """Schema to head and the pool seeded; says what it did. Safe to repeat."""
    before = current_revision(database)
    refuse_unknown_revision(before)
    upgrade_to_head(database)
    after = current_revision(database)
    if before is None:
        out(f"Schema: created at revision {after}.")
    elif before != after:
        out(f"Schema: upgraded from revision {before} to {after}.")
    else:
        out(f"Schema: already at the newest revision ({after}).")
    with database.write() as session:
        had = pool_counts(session)
        seed_pool(session, catalog)
        added = [a - b for a, b in zip(pool_counts(session), had, strict=True)]
    counties, members, branches = had
    if any(added):
        out(f"Pool: added {added[0]} counties, {added[1]} members, {added[2]} branches.")
    else:
        out(f"Pool: already in place ({counties} counties, {members} members, {branches} branches).")


# -------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings, at_head=False) as database:
        print(f"Database: {describe_url(database.url)}")
        initialise(database, load_catalog(), print)
    return 0


def app_factory() -> FastAPI:
    """The application, built in each uvicorn worker from the environment's settings."""
    app = create_app(build_context(Settings()))
    # Everything built so far (modules, routes, schemas, the catalog) lives as long as the process:
    # frozen, it is left out of the collector's full passes, which otherwise walk it again and again
    # while requests allocate.
    gc.freeze()
    return app


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from server.serving import serve  # only this command needs uvicorn; keeps the others quick to start

    logging.config.dictConfig(LOG_CONFIG)
    # Checked at head here; each worker opens its own.
    with opened(settings) as database:
        target = describe_url(database.url)
    log.info(
        "serving %s on http://%s:%d with %d worker(s)",
        target,
        args.host,
        args.port,
        args.workers,
    )
    # An import string and a factory (server.serving.APP_FACTORY), so that every worker builds its own app.
    return serve(host=args.host, port=args.port, workers=args.workers, log_config=LOG_CONFIG)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from server.demo import DemoRefused, demo_logins, fill_demo, format_logins

    with opened(settings, at_head=False) as database:
        print(f"Database: {describe_url(database.url)}")
        initialise(database, load_catalog(), print)
        # Demo citizens' phone numbers are made up: their messages must stay in the outbox.
        ctx = build_context(settings, database=database, sms_gateway=OutboxGateway())
        try:
            logins = fill_demo(ctx)
        except DemoRefused as refusal:
            print(refusal.message)
            if not refusal.already_loaded:
                return 1
            logins = demo_logins()
        else:
            print(f"Demo data: {len(logins.cases)} cases filled in.")
        print(format_logins(logins))
    return 0


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    # The action (server/auth/console.py) checks its input before it changes anything.
    with opened(settings) as database:
        return int(args.user_action(args, database))


def cmd_sms_outbox(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as database, database.read() as session:
        query = select(SmsMessage)
        if args.phone:
            query = query.where(SmsMessage.phone == args.phone)
        newest = query.order_by(SmsMessage.id.desc())  # type: ignore[union-attr]
        messages = session.exec(newest.limit(args.limit)).all()
    if not messages:
        print("No messages.")
        return 0
    for message in messages:
        when = local(message.created_at).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{when}  {message.phone}  {message.template:<20}  {message.text}")
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    with opened(settings) as database, database.read() as session:
        report = verify_chain(session)
    if report.ok:
        print(f"OK: {report.checked} events")
        return 0
    print(f"FAILED at event {report.first_bad_seq}: {report.problem} ({report.checked} events before it verify)")
    return 1


def cmd_board(args: argparse.Namespace, settings: Settings) -> int:
    from server.stats.board_console import print_board

    with opened(settings) as database:
        print_board(build_context(settings, database=database), every_window=args.every_window)
    return 0


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    from server.stats.console import parse_range, print_stats

    # A typo fails before the database opens.
    date_from, date_to = parse_range(args.date_from, args.date_to)
    with opened(settings) as database:
        ctx = build_context(settings, database=database)
        print_stats(ctx, date_from, date_to, xlsx=args.xlsx)
    return 0


# ---------------------------------------------------------------------- parser


def _port(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError("a port is 1-65535")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _mobile(value: str) -> str:
    if not re.fullmatch(r"1[3-9][0-9]{9}", value):
        raise argparse.ArgumentTypeError("a mobile number is 11 digits starting with 13-19")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="no1window-server",
        description="盐城保险业“1号窗口” server administration.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser("init", help="create or upgrade the schema and seed the pool (safe to repeat)").set_defaults(
        handler=cmd_init
    )

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument(
        "--workers", type=_positive, default=default_workers(), help="worker processes (default: one per CPU)"
    )
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("demo", help="fill a fresh database with demo users and cases").set_defaults(handler=cmd_demo)

    add_user_commands(commands).set_defaults(handler=cmd_user)

    sms = commands.add_parser("sms", help="text messages").add_subparsers(
        dest="sms_command", metavar="ACTION", required=True
    )
    outbox = sms.add_parser("outbox", help="list the newest messages, newest first")
    outbox.add_argument("--phone", type=_mobile)
    outbox.add_argument("--limit", type=_positive, default=20)
    outbox.set_defaults(handler=cmd_sms_outbox)

    audit = commands.add_parser("audit", help="the audit trail").add_subparsers(
        dest="audit_command", metavar="ACTION", required=True
    )
    audit.add_parser("verify", help="check the event hash chain").set_defaults(handler=cmd_audit_verify)

    board = commands.add_parser("board", help="the city board: waiting cases, same-day rates, each window's open cases")
    board.add_argument("--all", dest="every_window", action="store_true", help="list every window, not only busy ones")
    board.set_defaults(handler=cmd_board)
    stats = commands.add_parser("stats", help="underwritten vehicles and the other statistics over a date range")
    day: dict[str, Any] = {"required": True, "metavar": "YYYY-MM-DD"}
    stats.add_argument("--from", dest="date_from", help="first local date", **day)
    stats.add_argument("--to", dest="date_to", help="last local date (included)", **day)
    stats.add_argument(
        "--xlsx",
        type=Path,
        metavar="PATH",
        help="also write the Excel workbook to PATH",
    )
    stats.set_defaults(handler=cmd_stats)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage and the problem
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        print(f"error: bad settings: {problems}", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args, settings))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `... | head` closed the pipe: stop quietly, and keep Python's exit flush from complaining again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
