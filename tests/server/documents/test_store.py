"""LocalDirectoryStore: content-addressed, atomic, and closed to path tricks."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from server.documents import store as store_module
from server.documents.store import (
    DocumentCorrupted,
    DocumentNotFound,
    DocumentStore,
    LocalDirectoryStore,
)

CONTENT = b"\xff\xd8\xff pretend this is an ID card photo"
DIGEST = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> LocalDirectoryStore:
    return LocalDirectoryStore(tmp_path / "documents")


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_is_a_document_store(store: LocalDirectoryStore) -> None:
    assert isinstance(store, DocumentStore)


def test_round_trip(store: LocalDirectoryStore) -> None:
    key = store.put(CONTENT, suffix=".jpg")
    assert store.exists(key)
    assert store.open(key) == CONTENT


def test_key_is_the_content_digest(store: LocalDirectoryStore) -> None:
    key = store.put(CONTENT, suffix=".jpg")
    assert key == f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg"
    assert _files(store.root) == [store.root / DIGEST[:2] / DIGEST[2:4] / f"{DIGEST}.jpg"]


def test_empty_suffix_is_allowed(store: LocalDirectoryStore) -> None:
    key = store.put(CONTENT, suffix="")
    assert key.endswith(DIGEST)
    assert store.open(key) == CONTENT


def test_storing_the_same_content_twice_is_idempotent(store: LocalDirectoryStore) -> None:
    first = store.put(CONTENT, suffix=".jpg")
    second = store.put(CONTENT, suffix=".jpg")
    assert first == second
    assert len(_files(store.root)) == 1
    assert store.open(first) == CONTENT


def test_different_content_gets_different_keys(store: LocalDirectoryStore) -> None:
    assert store.put(CONTENT, suffix=".jpg") != store.put(CONTENT + b"!", suffix=".jpg")
    assert len(_files(store.root)) == 2


def test_write_leaves_no_temporary_files(store: LocalDirectoryStore) -> None:
    store.put(CONTENT, suffix=".jpg")
    store.put(b"%PDF-1.7 another", suffix=".pdf")
    assert not [path for path in _files(store.root) if path.name.startswith(".tmp")]
    assert len(_files(store.root)) == 2


def test_crash_before_rename_leaves_neither_half_file_nor_temp(
    store: LocalDirectoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def power_cut(source: str, target: str) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(store_module.os, "replace", power_cut)
    with pytest.raises(OSError, match="disk went away"):
        store.put(CONTENT, suffix=".jpg")
    assert _files(store.root) == []
    monkeypatch.undo()
    assert not store.exists(f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg")


def test_rename_puts_the_complete_file_in_place(store: LocalDirectoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever is renamed into place must already hold every byte.
    renamed: list[bytes] = []
    real_replace = os.replace

    def checking_replace(source: str, target: str) -> None:
        renamed.append(Path(source).read_bytes())
        real_replace(source, target)

    monkeypatch.setattr(store_module.os, "replace", checking_replace)
    store.put(CONTENT, suffix=".jpg")
    assert renamed == [CONTENT]


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        f"{DIGEST[:2]}/{DIGEST[2:4]}/../../../{DIGEST}.jpg",
        f"{DIGEST[:2]}\\{DIGEST[2:4]}\\{DIGEST}.jpg",
        f"/{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg",
        f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg/..",
        f"00/00/{DIGEST}.jpg",  # directories must match the digest
        f"{DIGEST}.jpg",
        "",
    ],
)
def test_keys_escaping_or_not_made_by_the_store_are_refused(store: LocalDirectoryStore, key: str) -> None:
    store.put(CONTENT, suffix=".jpg")
    with pytest.raises(ValueError):
        store.open(key)
    with pytest.raises(ValueError):
        store.exists(key)
    with pytest.raises(ValueError):
        store.delete(key)


@pytest.mark.parametrize("suffix", ["../x", "/jpg", "jpg", ".j/pg", ".JPG", ".toolongsuffix"])
def test_unsafe_suffixes_are_refused(store: LocalDirectoryStore, suffix: str) -> None:
    with pytest.raises(ValueError):
        store.put(CONTENT, suffix=suffix)
    assert not store.root.exists() or _files(store.root) == []


def test_delete_removes_and_tolerates_missing(store: LocalDirectoryStore) -> None:
    key = store.put(CONTENT, suffix=".jpg")
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(DocumentNotFound):
        store.open(key)
    store.delete(key)  # already gone: no error


def test_open_detects_bytes_changed_on_disk(store: LocalDirectoryStore) -> None:
    key = store.put(CONTENT, suffix=".jpg")
    (store.root / key).write_bytes(b"tampered")
    with pytest.raises(DocumentCorrupted):
        store.open(key)


def test_check_reports_writable_store_with_free_space(tmp_path: Path) -> None:
    ok, message = LocalDirectoryStore(tmp_path / "new", min_free_bytes=0).check()
    assert ok
    assert "free" in message
    assert _files(tmp_path) == []  # the probe cleans up after itself


def test_check_fails_when_space_runs_low(tmp_path: Path) -> None:
    ok, message = LocalDirectoryStore(tmp_path, min_free_bytes=2**62).check()
    assert not ok
    assert "low on space" in message


def test_check_fails_when_root_is_not_a_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "documents"
    blocker.write_bytes(b"a file where the directory should be")
    ok, message = LocalDirectoryStore(blocker).check()
    assert not ok
    assert "not writable" in message
