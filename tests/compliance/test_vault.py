"""Vault entries are bound to (document, content hash, masker version); entries sealed before
the masker version was bound still open, but only for the version they were made with."""

from __future__ import annotations

import json

import pytest

from compliance.errors import EncryptionError
from compliance.keys.encryption import KeyRing
from compliance.keys.vault import VaultRecord, legacy_vault_aad, open_record, seal_record

RECORD = VaultRecord(
    parts={"body": "Меня зовут [PERSON_1]."},
    mapping={"[PERSON_1]": "Айгерим Жумабаева"},
    counts={"PERSON": 1},
    version="mask.v1",
)


def test_an_entry_opens_only_for_its_own_masker_version(keyring: KeyRing) -> None:
    key, _ = keyring.new_data_key(b"document:7")
    sealed = seal_record(key, 7, "sha256:c", RECORD)

    assert open_record(key, 7, "sha256:c", "mask.v1", sealed) == RECORD
    with pytest.raises(EncryptionError):
        open_record(key, 7, "sha256:c", "mask.v2", sealed)  # moved to another version's row
    with pytest.raises(EncryptionError):
        open_record(key, 7, "sha256:other", "mask.v1", sealed)
    assert "Айгерим" not in repr(RECORD)


def test_an_entry_sealed_before_the_version_was_bound_still_opens_for_its_version(
    keyring: KeyRing,
) -> None:
    key, _ = keyring.new_data_key(b"document:7")
    body = json.dumps(
        {"parts": RECORD.parts, "mapping": RECORD.mapping, "counts": RECORD.counts, "v": "mask.v1"},
        ensure_ascii=False,
    ).encode()
    sealed = key.seal(body, legacy_vault_aad(7, "sha256:c"))

    assert open_record(key, 7, "sha256:c", "mask.v1", sealed) == RECORD
    with pytest.raises(EncryptionError, match=r"made by masker 'mask\.v1', not 'mask\.v2'"):
        open_record(key, 7, "sha256:c", "mask.v2", sealed)  # the row says another version
    with pytest.raises(EncryptionError):
        open_record(key, 8, "sha256:c", "mask.v1", sealed)
