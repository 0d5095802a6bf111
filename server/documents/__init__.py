"""Uploaded documents: inspecting what citizens and clerks upload, and storing the bytes."""

from server.documents.inspection import (
    PDFIUM_LOCK,
    InspectedFile,
    UploadRejected,
    inspect_upload,
)
from server.documents.store import (
    DocumentCorrupted,
    DocumentNotFound,
    DocumentStore,
    LocalDirectoryStore,
)

__all__ = [
    "PDFIUM_LOCK",
    "DocumentCorrupted",
    "DocumentNotFound",
    "DocumentStore",
    "InspectedFile",
    "LocalDirectoryStore",
    "UploadRejected",
    "inspect_upload",
]
