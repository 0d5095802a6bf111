"""Where document bytes live: a content-addressed store behind a small protocol.

The database keeps each document's metadata and storage key; the bytes go to a
``DocumentStore``. The default is ``LocalDirectoryStore``, a directory on disk
(``NO1WINDOW_DATA_DIR``); another backend (object storage) only has to honour
the same protocol.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Final, Protocol, runtime_checkable

DEFAULT_MIN_FREE_BYTES: Final = 500 * 1024 * 1024

# A key is "ab/cd/<64 hex><suffix>"; anything else is refused before it gets
# near the file system, which is what keeps "../" and absolute paths out.
_KEY_PATTERN: Final = re.compile(
    r"(?P<a>[0-9a-f]{2})/(?P<b>[0-9a-f]{2})/(?P<digest>[0-9a-f]{64})(?P<suffix>\.[a-z0-9]{1,8})?"
)
_SUFFIX_PATTERN: Final = re.compile(r"(\.[a-z0-9]{1,8})?")
_TEMP_PREFIX: Final = ".tmp-"


class DocumentNotFound(LookupError):
    """No document is stored under the key."""


class DocumentCorrupted(Exception):
    """The stored bytes no longer match the digest their key names."""


@runtime_checkable
class DocumentStore(Protocol):
    """Stores document bytes under keys derived from their content."""

    def put(self, content: bytes, *, suffix: str) -> str:
        """Store ``content`` and return its key; storing it again returns the same key."""
        ...

    def open(self, key: str) -> bytes:
        """Return the bytes under ``key``; ``DocumentNotFound`` if there are none."""
        ...

    def exists(self, key: str) -> bool:
        """Whether bytes are stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Remove the bytes under ``key``; a missing key is not an error."""
        ...

    def check(self) -> tuple[bool, str]:
        """Health: (usable?, a short English explanation for operators)."""
        ...


class LocalDirectoryStore:
    """Document bytes as files under ``root``, named by their SHA-256.

    Keys look like ``ab/cd/abcd….jpg`` (two directory levels keep directories
    small). Writes go to a temporary file in the target directory and are
    renamed into place with ``os.replace``, so a reader or a crash never sees a
    half-written file. Identical content shares one file: ``delete`` removes it
    for every record using that key, so the caller deletes only unreferenced keys.
    """

    def __init__(self, root: Path, *, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES) -> None:
        self._root = Path(root)
        self._min_free_bytes = min_free_bytes

    @property
    def root(self) -> Path:
        """The directory holding the documents."""
        return self._root

    def put(self, content: bytes, *, suffix: str) -> str:
        """Store ``content`` atomically; ``suffix`` is like ".jpg" (or "")."""
        if not _SUFFIX_PATTERN.fullmatch(suffix):
            raise ValueError(f"invalid suffix {suffix!r}: expected e.g. '.jpg'")
        digest = hashlib.sha256(content).hexdigest()
        key = f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"
        target = self._path(key)
        if target.is_file():
            # Same name means same bytes: nothing to write.
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, content)
        return key

    def open(self, key: str) -> bytes:
        """Read the bytes under ``key`` and verify they still match its digest."""
        path = self._path(key)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise DocumentNotFound(key) from None
        if hashlib.sha256(content).hexdigest() != _KEY_PATTERN.fullmatch(key)["digest"]:
            raise DocumentCorrupted(key)
        return content

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key`` (``ValueError`` for a malformed key)."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file under ``key``, if any."""
        self._path(key).unlink(missing_ok=True)

    def check(self) -> tuple[bool, str]:
        """Whether the root can be written and has at least ``min_free_bytes`` free."""
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self._root, prefix=_TEMP_PREFIX) as probe:
                probe.write(b"probe")
            free = shutil.disk_usage(self._root).free
        except OSError as exc:
            return False, f"document store {self._root} is not writable: {exc}"
        free_text = f"{free / 1024**3:.1f} GiB free"
        if free < self._min_free_bytes:
            return False, f"document store {self._root} is low on space: {free_text}"
        return True, f"document store {self._root} writable, {free_text}"

    def _path(self, key: str) -> Path:
        """The file for ``key``; ``ValueError`` unless it is a well-formed key."""
        match = _KEY_PATTERN.fullmatch(key) if isinstance(key, str) else None
        if match is None or match["a"] + match["b"] != match["digest"][:4]:
            raise ValueError(f"invalid document key {key!r}")
        return self._root / match["a"] / match["b"] / f"{match['digest']}{match['suffix'] or ''}"


def _write_atomically(target: Path, content: bytes) -> None:
    """Write via a temporary sibling and ``os.replace``; never leave it behind."""
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=_TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as temp:
            temp.write(content)
            temp.flush()
            # Data on disk before the rename makes it visible.
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """Persist the rename itself; POSIX only (Windows cannot open directories)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
