"""Caller-key management over HTTP (admin keys only), the same operations as ``nightshift keys``.

``POST /v1/keys`` answers the secret **once** (201): it is kept only as a keyed hash.
``document_scope`` (``own``, the default, or ``all``) says which documents a client key sees:
those it sent, or every one (a review desk).
``GET /v1/keys`` lists keys without secrets; ``DELETE /v1/keys/{id or name}`` revokes a key at
once for every process (revoking twice is harmless; an admin may revoke its own key).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from compliance.keys.callers import (
    MAX_RPM,
    MAX_TPM,
    CallerKeys,
    DocumentScope,
    DuplicateKeyName,
    InvalidKeyRequest,
    KeyLimits,
    Role,
    UnknownKey,
)
from service.api.errors import ApiError
from service.api.support import AdminCaller, api_state

router = APIRouter(tags=["keys"])

SHOWN_ONCE = "store this secret now: it is kept only as a keyed hash and cannot be shown again"


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Unique: 1-64 letters, digits, '.', '_' or '-'.",
    )
    role: Role
    rpm: int = Field(default=0, ge=0, le=MAX_RPM, description="Requests/min; 0 = no limit.")
    tpm: int = Field(default=0, ge=0, le=MAX_TPM, description="Tokens/min; 0 = no limit.")
    daily_tokens: int = Field(default=0, ge=0, le=10**15, description="0 = no limit.")
    monthly_budget: Decimal = Field(
        default=Decimal(0),
        ge=0,
        lt=Decimal("1e12"),
        decimal_places=6,
        description="Money per calendar month in the billing currency; 0 = no limit.",
    )
    document_scope: DocumentScope = Field(
        default=DocumentScope.OWN,
        description="Documents a client key sees: `own` (those it sent) or `all` (every one, "
        "e.g. a review desk). Admin and auditor keys read every document as their role allows.",
    )


def _create(keys: CallerKeys, body: KeyCreate, currency: str) -> dict[str, Any]:
    try:
        limits = KeyLimits(body.rpm, body.tpm, body.daily_tokens, body.monthly_budget)
        caller, secret = keys.create(body.name, body.role, limits, body.document_scope)
    except DuplicateKeyName:
        raise ApiError(
            409, "a caller key with this name exists (revoked keys keep their name)"
        ) from None
    except InvalidKeyRequest:
        raise ApiError(
            400,
            "the key name or a limit is not acceptable: names are 1-64 letters, digits, . _ - "
            "and not 12 hex digits; limits are whole numbers >= 0",
        ) from None
    return {
        "key_id": caller.key_id,
        "name": caller.name,
        "role": caller.role.value,
        "limits": caller.limits.as_dict(),
        "document_scope": caller.document_scope.value,
        "currency": currency,
        "secret": secret,
        "note": SHOWN_ONCE,
    }


@router.post("/v1/keys", status_code=201, summary="Create a caller key (the secret is shown once)")
async def create_key(body: KeyCreate, caller: AdminCaller, request: Request) -> dict[str, Any]:
    state = api_state(request)
    return await run_in_threadpool(_create, state.keys, body, state.settings.billing.currency)


@router.get("/v1/keys", summary="Every caller key (never a secret)")
async def list_keys(caller: AdminCaller, request: Request) -> list[dict[str, Any]]:
    state = api_state(request)
    infos = await run_in_threadpool(state.keys.list)
    return [info.as_dict() | {"currency": state.settings.billing.currency} for info in infos]


def _revoke(keys: CallerKeys, key: str) -> dict[str, Any]:
    try:
        revoked = keys.revoke(key)
    except UnknownKey:
        raise ApiError(404, "no caller key has this id or name; GET /v1/keys lists them") from None
    info = keys.find(revoked.key_id)
    assert info is not None
    return info.as_dict()


@router.delete("/v1/keys/{key}", summary="Revoke a caller key by id or name")
async def revoke_key(
    key: Annotated[str, Path(max_length=64)], caller: AdminCaller, request: Request
) -> dict[str, Any]:
    return await run_in_threadpool(_revoke, api_state(request).keys, key)
