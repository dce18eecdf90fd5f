"""The audit signing key lives in the key directory (0600) and rotates without losing the past."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from compliance.audit.errors import AuditKeyError
from compliance.audit.keys import ACTIVE_FILE, AuditKeys, rotate_key
from compliance.audit.verify import verify_log
from storage.repositories.audit import AuditRepository
from tests.compliance.test_audit_helpers import fill, make_log


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_first_key_is_created_private_with_its_public_verifier_key(tmp_path: Path) -> None:
    keys = AuditKeys.ensure(tmp_path / "keys")

    signer = keys.active
    private = tmp_path / "keys" / f"audit-{signer.verifier.hex_id}.key"
    public = tmp_path / "keys" / f"audit-{signer.verifier.hex_id}.pub"
    assert mode(tmp_path / "keys") == 0o700
    assert mode(private) == 0o600
    assert private.read_text().startswith(f"PRIVATE+KEY+{signer.name}+")
    assert public.read_text() == signer.verifier.text() + "\n"
    assert AuditKeys.ensure(tmp_path / "keys").active.verifier == signer.verifier


def test_a_signing_key_other_users_can_read_is_refused(tmp_path: Path) -> None:
    signer = AuditKeys.ensure(tmp_path / "keys").active
    os.chmod(tmp_path / "keys" / f"audit-{signer.verifier.hex_id}.key", 0o644)
    with pytest.raises(AuditKeyError, match="chmod 600"):
        AuditKeys.load(tmp_path / "keys")


def test_a_missing_active_key_says_how_to_recover(tmp_path: Path) -> None:
    signer = AuditKeys.ensure(tmp_path / "keys").active
    (tmp_path / "keys" / f"audit-{signer.verifier.hex_id}.key").unlink()
    with pytest.raises(AuditKeyError, match="rotate-key"):
        AuditKeys.load(tmp_path / "keys")


def test_rotation_retires_the_old_signer_and_keeps_its_verifier_key(tmp_path: Path) -> None:
    old = AuditKeys.ensure(tmp_path / "keys").active

    new, retired = rotate_key(tmp_path / "keys")

    keys = AuditKeys.load(tmp_path / "keys")
    assert retired == old.verifier
    assert keys.active.verifier == new.verifier != old.verifier
    assert new.name == old.name
    assert set(keys.verifiers) == {old.verifier, new.verifier}
    assert not (tmp_path / "keys" / f"audit-{old.verifier.hex_id}.key").exists()
    assert (tmp_path / "keys" / ACTIVE_FILE).read_text().strip() == new.verifier.hex_id


def test_checkpoints_signed_before_a_rotation_still_verify(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    keys_dir = tmp_path / "keys"
    fill(make_log(sessions, keys_dir, every_entries=5), 12)
    rotate_key(keys_dir)
    fill(make_log(sessions, keys_dir, every_entries=5), 12)

    report = verify_log(sessions, AuditKeys.load(keys_dir).verifiers)

    with sessions() as session:
        signers = {row.key_id for row in AuditRepository(session).checkpoints()}
    assert report.ok, report
    assert len(signers) == 2
