"""Audit entries: canonical JSON of hashes, counts, ids and usage — never text from the call."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from compliance.audit.entries import (
    FIELD_NAMES,
    canonical_json,
    decode_entry,
    encode_entry,
    format_time,
    schema_markdown,
)
from compliance.audit.errors import EntryError
from compliance.audit.observer import draft_entry, endpoint_host
from compliance.gateway.calls import Attempt, ModelRequest, Outcome
from tests.compliance.test_audit_helpers import START, draft

DOCS = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def test_canonical_json_sorts_keys_has_no_spaces_and_keeps_utf8() -> None:
    assert canonical_json({"b": 1, "a": {"d": [1, 2], "c": "Алматы"}}) == (
        '{"a":{"c":"Алматы","d":[1,2]},"b":1}'.encode()
    )


def test_canonical_json_refuses_nan() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        canonical_json({"x": float("nan")})


def test_an_entry_is_its_draft_plus_its_seq_in_canonical_form() -> None:
    data = encode_entry(draft(7), 41)
    assert json.loads(data) == draft(7) | {"seq": 41}
    assert decode_entry(data)["seq"] == 41
    assert data == canonical_json(json.loads(data))


def test_a_draft_with_a_missing_or_an_extra_field_is_refused() -> None:
    with pytest.raises(EntryError, match="missing fields \\['cost'\\]"):
        encode_entry({k: v for k, v in draft(1).items() if k != "cost"}, 0)
    with pytest.raises(EntryError, match="extra \\['prompt'\\]"):
        encode_entry(draft(1) | {"prompt": "text"}, 0)


@pytest.mark.parametrize(
    "data",
    [
        b'{"seq": 1}',  # spaces
        json.dumps(draft(1) | {"seq": 0}, ensure_ascii=True).encode(),  # not sorted, spaces
        b"[1,2]",
        b"\xff",
    ],
)
def test_bytes_that_are_not_a_canonical_entry_are_refused(data: bytes) -> None:
    with pytest.raises(EntryError):
        decode_entry(data)


def test_an_entry_holds_no_text_of_the_call_only_counts_of_what_was_masked() -> None:
    data = encode_entry(draft(3), 0)
    assert "Асель".encode() not in data and b"880101300123" not in data
    assert json.loads(data)["masked_counts"] == {"KZ_IIN": 1, "PERSON": 1}


def test_an_entry_records_usage_route_and_hashes_without_floats() -> None:
    entry = json.loads(encode_entry(draft(3), 0))
    assert entry["endpoint_host"] == "llm.bank.kz:8443"
    assert entry["region"] == "KZ"
    assert entry["cost"] == "0.018000"
    assert entry["latency_us"] == 812_500
    assert entry["tokens_in"] == 123
    assert entry["request_sha256"].startswith("sha256:")
    assert not any(isinstance(v, float) for v in entry.values())


def test_a_refused_attempt_has_no_status_no_hashes_and_its_reason() -> None:
    request = ModelRequest(step="draft", prompt_version="draft.v2", messages=(), path="online")
    refused = Attempt(1, "abroad", "gpt", Outcome.REFUSED, detail="residency: route region DE")
    entry = json.loads(encode_entry(draft_entry(request, refused, None, START), 0))
    assert entry["outcome"] == "refused"
    assert entry["http_status"] is entry["request_sha256"] is entry["endpoint_host"] is None
    assert entry["detail"] == "residency: route region DE"
    assert entry["cost"] == "0.000000"


def test_times_are_utc_with_microseconds_and_z() -> None:
    almaty = timezone(timedelta(hours=5))
    assert format_time(datetime(2026, 11, 27, 6, 0, 0, 12, tzinfo=almaty)) == (
        "2026-11-27T01:00:00.000012Z"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 11, 27))  # noqa: DTZ001


def test_the_endpoint_host_drops_credentials_and_path() -> None:
    assert endpoint_host("https://user:secret@gw.example.kz/v1") == "gw.example.kz"
    assert endpoint_host("http://127.0.0.1:8300/v1") == "127.0.0.1:8300"


def test_the_entry_schema_in_the_docs_is_the_one_in_the_code() -> None:
    assert schema_markdown() in DOCS.read_text(encoding="utf-8")
    assert {line.split("`")[1] for line in schema_markdown().splitlines()[2:]} == FIELD_NAMES


def test_the_example_entry_in_the_docs_is_a_canonical_entry() -> None:
    line = DOCS.read_text(encoding="utf-8").split('```\n{"attempt"', 1)[1].split("\n", 1)[0]
    assert decode_entry(('{"attempt"' + line).encode())["seq"] == 18231
