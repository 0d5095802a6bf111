"""Sending a counter intake: create the draft, upload each scan, submit with the signed consent.

Three kinds of request, any of which may fail halfway (the network at a
county counter is not always good). `IntakeSubmission` remembers how far it
got, so 重试 carries on from there: the draft is created once (and its
create request carries an idempotency key, so a lost answer does not make a
second case), no file is uploaded twice, and the submit carries its own key.
It runs in a worker thread; the dialog reads its state only between runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from common.schemas.cases import CaseDetail
from desktop.actions.uploads import PendingUploads
from desktop.api.client import ApiClient, new_idempotency_key

Progress = Callable[[int, int], None]


class IntakeSubmission:
    """One walk-in customer's case on its way to the server; see the module docstring."""

    def __init__(self) -> None:
        self.create_key = new_idempotency_key()
        self.submit_key = new_idempotency_key()
        self.draft: CaseDetail | None = None
        self.uploads = PendingUploads()
        self.uploading: tuple[str, Path] | None = None
        """The file whose upload failed last (kind, path), to point at it."""

    @property
    def created(self) -> bool:
        """Whether the draft exists on the server (its data can no longer change here)."""
        return self.draft is not None

    def run(
        self,
        api: ApiClient,
        payload: dict[str, Any],
        files: list[tuple[str, Path]],
        *,
        consent_version: str,
        progress: Progress,
    ) -> CaseDetail:
        """Do what is left: create, upload, submit. Progress counts bytes of the files (create and submit: 1 each)."""
        sizes = {path: path.stat().st_size for _kind, path in files}
        total = sum(sizes.values()) + 2
        done = 0

        def report(extra: int = 0) -> None:
            progress(min(done + extra, total), total)

        if self.draft is None:
            data = api.post_json("/staff/intake", payload, idempotency_key=self.create_key)
            self.draft = CaseDetail.model_validate(data)
        done += 1
        report()
        for kind, path in files:
            if (kind, str(path)) not in self.uploads.done:
                self.uploading = (kind, path)
                self.uploads.upload(
                    api,
                    self.draft.id,
                    [(kind, path)],
                    lambda sent, whole, size=sizes[path]: report(int(size * sent / whole) if whole else 0),
                )
            done += sizes[path]
            report()
        self.uploading = None
        data = api.post_json(
            f"/staff/cases/{self.draft.id}/submit",
            {"consent": True, "consent_version": consent_version},
            idempotency_key=self.submit_key,
        )
        done += 1
        report()
        return CaseDetail.model_validate(data)
