"""OpenAI's Files API, in memory: upload (multipart), list, retrieve, content, delete.

The multipart body is parsed here (a few lines) so the simulator needs no form-parsing
dependency.

A file keeps its content, byte for byte, until it is deleted or expires. Expiry follows
OpenAI's ``expires_after`` (``anchor: "created_at"``, ``seconds`` from 3600 to 2592000), given
at upload (``expires_after[anchor]`` / ``expires_after[seconds]`` form fields) or, for a
batch's output and error files, as the batch's ``output_expires_after``. The seconds are
simulated: they take ``seconds × batch_time_scale`` real seconds. A file past its expiry is
gone: listing skips it, every other call answers 404. Files without an expiry stay (OpenAI
expires ``purpose=batch`` files after 30 days by default; the simulator does not).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response

from simulator.errors import SimulatorHTTPError, not_found
from simulator.ids import IdFactory

PURPOSES = frozenset(
    ("assistants", "batch", "fine-tune", "vision", "user_data", "evals", "batch_output")
)
EXPIRY_MIN_S = 3600
EXPIRY_MAX_S = 2592000


@dataclass(frozen=True)
class StoredFile:
    id: str
    filename: str
    purpose: str
    created_at: int
    content: bytes
    expires_at: int | None = None
    gone_at: float | None = None  # the wall-clock time it expires (fractional, scaled)

    def as_object(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "expires_at": self.expires_at,
            "status_details": None,
        }


class FileStore:
    """Files by id, in upload order."""

    def __init__(
        self, ids: IdFactory, wall_clock: Callable[[], float], time_scale: float = 1.0
    ) -> None:
        self._ids = ids
        self._wall_clock = wall_clock
        self._time_scale = time_scale
        self._files: dict[str, StoredFile] = {}

    def add(
        self, filename: str, purpose: str, content: bytes, expires_after_s: int | None = None
    ) -> StoredFile:
        """Store a file; with ``expires_after_s`` it is gone that many simulated s later."""
        now = self._wall_clock()
        expires_at = gone_at = None
        if expires_after_s is not None:
            real_s = expires_after_s * self._time_scale
            gone_at = now + real_s
            expires_at = int(now) + math.ceil(real_s)
        stored = StoredFile(
            self._ids.file(), filename, purpose, int(now), bytes(content), expires_at, gone_at
        )
        self._files[stored.id] = stored
        return stored

    def get(self, file_id: str, param: str = "file_id") -> StoredFile:
        self._drop_expired()
        stored = self._files.get(file_id)
        if stored is None:
            raise not_found("file", file_id, param)
        return stored

    def all(self, purpose: str | None = None) -> list[StoredFile]:
        self._drop_expired()
        return [f for f in self._files.values() if purpose is None or f.purpose == purpose]

    def _drop_expired(self) -> None:
        now = self._wall_clock()
        for file_id in [
            f.id for f in self._files.values() if f.gone_at is not None and f.gone_at <= now
        ]:
            del self._files[file_id]

    def delete(self, file_id: str) -> None:
        self.get(file_id)
        del self._files[file_id]


@dataclass(frozen=True)
class FormPart:
    name: str
    filename: str | None
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> dict[str, FormPart]:
    """The parts of a ``multipart/form-data`` body, by field name."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise SimulatorHTTPError(400, "Expected a multipart/form-data body with a boundary.")
    parts: dict[str, FormPart] = {}
    for chunk in body.split(b"--" + match.group(1).encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):
            break
        head, separator, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        disposition = _header(head.decode("utf-8", errors="replace"), "content-disposition")
        name = _parameter(disposition, "name")
        if separator and name is not None:
            filename = _parameter(disposition, "filename")
            parts[name] = FormPart(name, filename, data.removesuffix(b"\r\n"))
    return parts


def _header(head: str, wanted: str) -> str:
    for line in head.split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip().lower() == wanted:
            return value.strip()
    return ""


def _parameter(header: str, key: str) -> str | None:
    match = re.search(rf'(?:^|;)\s*{key}=(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', header)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def files_router(store: FileStore) -> APIRouter:
    router = APIRouter(prefix="/v1/files", tags=["files"])

    @router.post("")
    async def upload_file(request: Request) -> dict[str, Any]:
        parts = parse_multipart(request.headers.get("content-type", ""), await request.body())
        upload, purpose = parts.get("file"), parts.get("purpose")
        if upload is None:
            raise SimulatorHTTPError(400, "Missing the 'file' part.", param="file")
        purpose_text = purpose.data.decode("utf-8").strip() if purpose else ""
        if purpose_text not in PURPOSES:
            allowed = ", ".join(sorted(PURPOSES))
            message = f"Invalid purpose '{purpose_text}'; use one of: {allowed}."
            raise SimulatorHTTPError(400, message, param="purpose")
        expires = {
            key: part.data.decode("utf-8").strip()
            for key, part in (
                ("anchor", parts.get("expires_after[anchor]")),
                ("seconds", parts.get("expires_after[seconds]")),
            )
            if part is not None
        }
        seconds = expiry_seconds(expires, "expires_after") if expires else None
        stored = store.add(upload.filename or "upload", purpose_text, upload.data, seconds)
        return stored.as_object()

    @router.get("")
    async def list_files(purpose: str | None = None) -> dict[str, Any]:
        return list_page([f.as_object() for f in reversed(store.all(purpose))])

    @router.get("/{file_id}")
    async def retrieve_file(file_id: str) -> dict[str, Any]:
        return store.get(file_id).as_object()

    @router.get("/{file_id}/content")
    async def file_content(file_id: str) -> Response:
        return Response(store.get(file_id).content, media_type="application/octet-stream")

    @router.delete("/{file_id}")
    async def delete_file(file_id: str) -> dict[str, Any]:
        store.delete(file_id)
        return {"id": file_id, "object": "file", "deleted": True}

    return router


def expiry_seconds(policy: Mapping[str, object], param: str) -> int:
    """The seconds of an OpenAI expiry policy ``{anchor: "created_at", seconds}``; 400 else."""
    if policy.get("anchor") != "created_at":
        raise SimulatorHTTPError(400, "The only supported anchor is 'created_at'.", param=param)
    raw = policy.get("seconds")
    try:
        seconds = int(str(raw))
    except ValueError:
        seconds = -1
    if isinstance(raw, bool) or not EXPIRY_MIN_S <= seconds <= EXPIRY_MAX_S:
        message = f"seconds must be an integer from {EXPIRY_MIN_S} to {EXPIRY_MAX_S}, got {raw!r}."
        raise SimulatorHTTPError(400, message, param=f"{param}.seconds")
    return seconds


def list_page(data: list[dict[str, Any]]) -> dict[str, Any]:
    """OpenAI's cursor-page shape, everything on one page."""
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": False,
    }
