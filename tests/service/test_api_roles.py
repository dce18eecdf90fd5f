"""Roles are enforced on every route: the whole role × endpoint matrix, walked.

Every route of the app is in :data:`MATRIX` (a route missing from it fails the test), and every
one is called as six callers: no key, a wrong key, a revoked key, and a valid key of each role.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compliance.keys.callers import KeyLimits, Role
from tests.service.api_fixtures import (
    Api,
    api,
    api_factory,
    document,
    put_in_review,
    reuse_masker,
    shared_masker,
)

__all__ = ["api", "api_factory", "reuse_masker", "shared_masker"]  # fixtures used here

WHO = ("none", "bad", "revoked", "client", "auditor", "admin")
PUBLIC = frozenset(WHO)
CLIENT = frozenset({"client"})
AUDITOR = frozenset({"auditor"})
ADMIN = frozenset({"admin"})
READERS = frozenset({"client", "auditor", "admin"})
REVIEWERS = frozenset({"client", "admin"})

Call = tuple[str, Any]  # url, JSON body


@dataclass(frozen=True)
class Case:
    method: str
    template: str
    allowed: frozenset[str]
    make: Callable[[Api, str], Call]


_counter = itertools.count(1)


def _review_item(api: Api, who: str) -> Call:
    """A fresh review item per call (each allowed caller resolves one)."""
    response = api.client.post(
        "/v1/process?steps=extract",
        json=document(f"review-{next(_counter)}"),
        headers=api.auth("client"),
    )
    item = put_in_review(api, response.json()["document_id"], "extract")
    return f"/v1/review/{item}", {"decision": "accept", "note": "checked"}


def _victim_key(api: Api, who: str) -> Call:
    name = f"victim-{next(_counter)}"
    api.add_key(name, Role.CLIENT, KeyLimits())
    return f"/v1/keys/{api.key_ids[name]}", None


CHAT = {"model": "fast", "messages": [{"role": "user", "content": "Добрый день, подскажите."}]}

MATRIX = [
    Case("POST", "/v1/process", CLIENT, lambda a, w: ("/v1/process?steps=categorize", document())),
    Case("POST", "/v1/documents", CLIENT, lambda a, w: ("/v1/documents", [document("d-2")])),
    Case("GET", "/v1/documents/{document_id}", READERS, lambda a, w: ("/v1/documents/1", None)),
    Case("GET", "/v1/review", REVIEWERS, lambda a, w: ("/v1/review", None)),
    Case("POST", "/v1/review/{item_id}", REVIEWERS, _review_item),
    Case("GET", "/v1/models", CLIENT, lambda a, w: ("/v1/models", None)),
    Case("GET", "/v1/models/{model}", CLIENT, lambda a, w: ("/v1/models/fast", None)),
    Case("POST", "/v1/chat/completions", CLIENT, lambda a, w: ("/v1/chat/completions", CHAT)),
    Case("GET", "/v1/audit/entries", AUDITOR, lambda a, w: ("/v1/audit/entries?limit=5", None)),
    Case("GET", "/v1/audit/checkpoint", AUDITOR, lambda a, w: ("/v1/audit/checkpoint", None)),
    Case("GET", "/v1/audit/proof/{seq}", AUDITOR, lambda a, w: ("/v1/audit/proof/0", None)),
    Case(
        "GET",
        "/v1/audit/consistency",
        AUDITOR,
        lambda a, w: ("/v1/audit/consistency?first=1", None),
    ),
    Case(
        "POST",
        "/v1/keys",
        ADMIN,
        lambda a, w: ("/v1/keys", {"name": f"new-{next(_counter)}", "role": "client"}),
    ),
    Case("GET", "/v1/keys", ADMIN, lambda a, w: ("/v1/keys", None)),
    Case("DELETE", "/v1/keys/{key}", ADMIN, _victim_key),
    Case("GET", "/healthz", PUBLIC, lambda a, w: ("/healthz", None)),
    Case("GET", "/readyz", PUBLIC, lambda a, w: ("/readyz", None)),
    Case("GET", "/metrics", PUBLIC, lambda a, w: ("/metrics", None)),
]


def expected(case: Case, who: str) -> str:
    if who in case.allowed:
        return "2xx"
    return "401" if who in ("none", "bad", "revoked") else "403"


def test_every_route_is_in_the_matrix(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    routes = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert routes == {(case.method, case.template) for case in MATRIX}


def test_the_whole_role_by_endpoint_matrix(api: Api) -> None:
    # Data for the reads: document 1 processed, so there are results and audit entries.
    first = api.client.post("/v1/process", json=document(), headers=api.auth("client"))
    assert first.status_code == 200 and first.json()["document_id"] == 1

    wrong = []
    for case, who in itertools.product(MATRIX, WHO):
        url, body = case.make(api, who)
        response = api.client.request(case.method, url, json=body, headers=api.auth(who))
        status = response.status_code
        got = "2xx" if 200 <= status < 300 else str(status)
        if got != expected(case, who):
            wrong.append(f"{case.method} {case.template} as {who}: {status}")
        if status >= 400:
            error = response.json()["error"]
            assert error["message"] and error["type"], (case.template, who)
        if got == "401":
            assert response.headers["www-authenticate"] == "Bearer"
    assert wrong == []
