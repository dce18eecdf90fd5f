"""Envelope encryption: per-document data keys under a 0600 key-encryption key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from compliance.errors import EncryptionError
from compliance.keys.encryption import KeyRing, WrappedKey, create_key, remove_key


def test_a_sealed_blob_opens_with_its_own_data_key_and_aad(keyring: KeyRing) -> None:
    dek, wrapped = keyring.new_data_key(b"document:a")
    blob = dek.seal("Айгерим, ИИН 900101300123".encode(), b"document:a")
    again = keyring.unwrap(wrapped, b"document:a")
    assert again.open(blob, b"document:a").decode() == "Айгерим, ИИН 900101300123"


def test_a_blob_moved_to_another_row_does_not_open(keyring: KeyRing) -> None:
    dek, _ = keyring.new_data_key(b"document:a")
    blob = dek.seal(b"secret", b"document:a")
    with pytest.raises(EncryptionError, match="does not authenticate"):
        dek.open(blob, b"document:b")


def test_a_wrapped_key_moved_to_another_row_does_not_unwrap(keyring: KeyRing) -> None:
    _, wrapped = keyring.new_data_key(b"document:a")
    with pytest.raises(EncryptionError, match="does not authenticate"):
        keyring.unwrap(wrapped, b"document:b")


def test_a_tampered_blob_does_not_open(keyring: KeyRing) -> None:
    dek, _ = keyring.new_data_key(b"x")
    blob = bytearray(dek.seal(b"secret", b"x"))
    blob[-1] ^= 1
    with pytest.raises(EncryptionError):
        dek.open(bytes(blob), b"x")


def test_the_same_text_seals_to_different_bytes_each_time(keyring: KeyRing) -> None:
    dek, _ = keyring.new_data_key(b"x")
    assert dek.seal(b"same", b"x") != dek.seal(b"same", b"x")


def test_key_files_are_private_and_ensure_is_idempotent(tmp_path: Path) -> None:
    ring, created = KeyRing.ensure(tmp_path / "keys")
    again, created_again = KeyRing.ensure(tmp_path / "keys")
    assert created and not created_again
    assert ring.active_id == again.active_id
    files = list((tmp_path / "keys").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


def test_a_rotated_key_ring_still_opens_rows_sealed_under_the_old_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    old_ring, _ = KeyRing.ensure(keys)
    dek, wrapped = old_ring.new_data_key(b"d")
    blob = dek.seal(b"old row", b"d")
    new_id = create_key(keys)
    ring = KeyRing.load(keys)
    assert ring.active_id == new_id != old_ring.active_id
    assert ring.unwrap(wrapped, b"d").open(blob, b"d") == b"old row"


def test_a_missing_key_says_to_restore_it_from_backup(keyring: KeyRing) -> None:
    with pytest.raises(EncryptionError, match="restore it from the key backup"):
        keyring.unwrap(WrappedKey("kek-0000000000000000", b"\0" * 60), b"d")


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    KeyRing.ensure(tmp_path / "keys")
    key_file = next((tmp_path / "keys").glob("data-*.key"))
    os.chmod(key_file, 0o644)
    with pytest.raises(EncryptionError, match="chmod 600"):
        KeyRing.load(tmp_path / "keys")


def test_an_empty_home_has_no_key_and_says_to_run_init(tmp_path: Path) -> None:
    with pytest.raises(EncryptionError, match="nightshift init"):
        KeyRing.load(tmp_path / "keys")


def test_a_running_key_ring_wraps_new_keys_under_a_key_made_active_elsewhere(
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys"
    running, _ = KeyRing.ensure(keys)
    old = running.active_id

    new = create_key(keys)  # another process rotates
    dek, wrapped = running.new_data_key(b"d")

    assert (running.active_id, wrapped.key_id) == (new, new) and new != old
    assert KeyRing.load(keys).unwrap(wrapped, b"d") == dek


def test_a_running_key_ring_opens_rows_rewrapped_under_a_key_it_had_not_loaded(
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys"
    running, _ = KeyRing.ensure(keys)
    dek, wrapped = running.new_data_key(b"d")
    create_key(keys)
    rotated = KeyRing.load(keys)
    rewrapped = rotated.rewrap(wrapped, b"d", rotated.active_id)
    remove_key(keys, wrapped.key_id)  # the old key retired

    assert running.unwrap(rewrapped, b"d") == dek
    assert running.unwrap(wrapped, b"d") == dek  # loaded keys stay for rows read earlier


def test_a_rewrapped_key_is_bound_to_its_row_like_the_original(keyring: KeyRing) -> None:
    _, wrapped = keyring.new_data_key(b"document:a")
    rewrapped = keyring.rewrap(wrapped, b"document:a", keyring.active_id)
    assert rewrapped.wrapped != wrapped.wrapped
    with pytest.raises(EncryptionError, match="does not authenticate"):
        keyring.unwrap(rewrapped, b"document:b")
