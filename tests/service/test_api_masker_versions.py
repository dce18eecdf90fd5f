"""Over HTTP after a masker-version bump: each output comes back with the real values of the map
it was made with, on ``POST /v1/process`` and ``GET /v1/documents/{id}`` alike."""

from __future__ import annotations

import json

import pytest

from compliance.masking import Masker
from tests.flows.masker_bump import BUMPED, BumpedMasker, two_people
from tests.service.api_fixtures import Api, api, api_factory, reuse_masker, shared_masker

__all__ = ["api", "api_factory", "reuse_masker", "shared_masker"]  # fixtures used here

AIGERIM, ERZHAN = "Айгерим Жумабаева", "Ержан Ахметов"
DANA, MARAT = "Дана Сейткали", "Марат Оспанов"


def test_outputs_made_before_a_bump_come_back_with_their_own_map(
    api: Api, shared_masker: Masker, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api.auth("client")
    old = two_people("a-1", AIGERIM, "aigerim.zh@example.kz", ERZHAN)
    first = api.client.post("/v1/process?steps=extract,categorize", json=old, headers=client)
    assert first.status_code == 200 and first.json()["fields"]["customer_name"] == AIGERIM

    monkeypatch.setattr(Masker, "version", BUMPED)  # the next release's masker, in place
    api.client.app.state.api.runtime._masker = BumpedMasker(shared_masker)  # type: ignore[attr-defined]
    sent_before = len(api.capture.bodies)
    again = api.client.post("/v1/process", json=old, headers=client).json()
    new = two_people("b-1", DANA, "dana.s@example.kz", MARAT)
    fresh = api.client.post("/v1/process", json=new, headers=client).json()
    views = [
        api.client.get(f"/v1/documents/{answer['document_id']}", headers=client).json()
        for answer in (again, fresh)
    ]

    assert again["fields"]["customer_name"] == AIGERIM  # v1's [PERSON_1], not v2's
    assert again["draft"]["reply"] and ERZHAN not in json.dumps(again["draft"], ensure_ascii=False)
    assert again["unknown_placeholders"] == [] == fresh["unknown_placeholders"]
    assert fresh["fields"]["customer_name"] == DANA
    assert [v["steps"]["extract"]["output"]["customer_name"] for v in views] == [AIGERIM, DANA]
    draft_prompt = json.loads(api.capture.bodies[sent_before])["messages"][-1]["content"]
    assert "Sender: [PERSON_1]" in draft_prompt and '"customer_name": "[PERSON_1]"' in draft_prompt
