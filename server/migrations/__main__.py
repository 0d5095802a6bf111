"""Developer tool: autogenerate the next revision from the models.

    python -m server.migrations "add rating to cases"

Migrates a scratch SQLite database to the current head, compares it with the
models and writes ``versions/NNNN_<slug>.py``. Review it (types, indexes,
server defaults, data moves) before committing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from server.db import Database
from server.schema import alembic_config, upgrade_to_head


def next_revision_id(script: ScriptDirectory) -> str:
    """One more than the highest four-digit revision id."""
    numbers = [int(r.revision) for r in script.walk_revisions() if re.fullmatch(r"\d{4}", r.revision)]
    return f"{max(numbers, default=0) + 1:04d}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.migrations", description=__doc__.splitlines()[0])
    parser.add_argument("message", help="what the revision changes, in a few words")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        database = Database(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            upgrade_to_head(database)
            with database.engine.begin() as connection:
                config = alembic_config(connection)
                rev_id = next_revision_id(ScriptDirectory.from_config(config))
                script = command.revision(config, message=args.message, autogenerate=True, rev_id=rev_id)
        finally:
            database.dispose()
    written = script if not isinstance(script, list) else script[0]
    print(f"wrote {written.path if written else '?'}; review it before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
