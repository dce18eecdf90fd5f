"""Checkpoints are C2SP signed notes that Go's sumdb/note reads, and we read Go's.

The PeterNeumann key, text and signature are the example of ``golang.org/x/mod/sumdb/note``
(Ed25519 is deterministic, so signing must reproduce the published note byte for byte).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from compliance.audit.errors import NoteError
from compliance.audit.note import Checkpoint, Signer, Verifier, open_checkpoint, open_note

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
    "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ROOT = bytes(range(32))


def test_signing_reproduces_the_published_go_note_byte_for_byte() -> None:
    signer = Signer.parse(GO_SIGNER)
    assert signer.sign(GO_TEXT) == GO_NOTE
    assert signer.verifier.text() == GO_VERIFIER
    assert signer.private_text() == GO_SIGNER


def test_the_published_go_note_opens_with_the_go_verifier_key() -> None:
    text, signer = open_note(GO_NOTE, [Verifier.parse(GO_VERIFIER)])
    assert text == GO_TEXT
    assert signer.name == "PeterNeumann"


def test_the_key_id_is_sha256_of_name_newline_type_byte_and_public_key() -> None:
    verifier = Verifier.parse(GO_VERIFIER)
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + verifier.public_key).digest()[:4]
    assert verifier.key_id == expected == bytes.fromhex("c74f20a3")


def test_a_note_whose_text_changed_is_rejected() -> None:
    with pytest.raises(NoteError, match="does not verify"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), [Verifier.parse(GO_VERIFIER)])


def test_a_note_signed_only_by_an_unknown_key_is_rejected_and_names_the_key() -> None:
    stranger = Signer.generate("PeterNeumann")
    with pytest.raises(NoteError, match=f"unknown key PeterNeumann\\+{stranger.verifier.hex_id}"):
        open_note(stranger.sign(GO_TEXT), [Verifier.parse(GO_VERIFIER)])


def test_signatures_by_unknown_keys_are_ignored_when_a_known_one_verifies() -> None:
    other = Signer.generate("witness.example/w1").sign(GO_TEXT)
    cosigned = GO_NOTE + other.split("\n\n", 1)[1].split("\n", 1)[0] + "\n"
    text, _ = open_note(cosigned, [Verifier.parse(GO_VERIFIER)])
    assert text == GO_TEXT


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT,  # no signature block
        GO_TEXT + "\n",  # an empty signature block
        GO_NOTE[:-1],  # no final newline
        GO_NOTE.replace("— ", "-- "),  # not an em dash
        GO_NOTE.replace("PeterNeumann x08", "PeterNeumann !x08"),  # not base64
        GO_NOTE.replace("your problem,", "your\tproblem,"),  # a control character
    ],
)
def test_malformed_notes_are_rejected(note: str) -> None:
    with pytest.raises(NoteError):
        open_note(note, [Verifier.parse(GO_VERIFIER)])


@pytest.mark.parametrize(
    "key",
    [
        GO_VERIFIER.replace("c74f20a3", "c74f20a4"),  # the id does not match the key
        GO_VERIFIER.replace("+ARpc", "+AhRpc"),  # not type 0x01
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # a space
        "PeterNeumann+c74f20a3",  # no key
    ],
)
def test_malformed_verifier_keys_are_refused(key: str) -> None:
    with pytest.raises(NoteError):
        Verifier.parse(key)


def test_a_checkpoint_note_is_origin_size_root_and_time() -> None:
    signer = Signer.generate("bank.example/nightshift")
    moment = datetime(2026, 11, 27, 1, 0, 0, 5, tzinfo=UTC)
    note = signer.sign(Checkpoint("bank.example/nightshift", 42, ROOT, moment).text())

    checkpoint, by = open_checkpoint(note, [signer.verifier])

    assert note.startswith(
        f"bank.example/nightshift\n42\n{base64.b64encode(ROOT).decode()}\n"
        "time 2026-11-27T01:00:00.000005Z\n\n— bank.example/nightshift "
    )
    assert checkpoint == Checkpoint("bank.example/nightshift", 42, ROOT, moment)
    assert by == signer.verifier


def test_a_checkpoint_without_extension_lines_parses() -> None:
    assert Checkpoint.parse(f"log\n0\n{base64.b64encode(ROOT).decode()}\n").tree_size == 0


@pytest.mark.parametrize("size", ["-1", "01", "x", ""])
def test_a_checkpoint_with_a_malformed_size_is_refused(size: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(f"log\n{size}\n{base64.b64encode(ROOT).decode()}\n")


def test_a_checkpoint_whose_origin_is_not_its_key_name_is_refused() -> None:
    signer = Signer.generate("log-a")
    note = signer.sign(Checkpoint("log-b", 1, ROOT).text())
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, [signer.verifier])


def test_the_example_checkpoint_in_the_docs_verifies_with_the_example_key() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text()
    note = docs.split("```\nnightshift/audit\n", 1)[1].split("```", 1)[0]
    key = docs.split("signed by the (example) verifier key `", 1)[1].split("`", 1)[0]
    checkpoint, _ = open_checkpoint("nightshift/audit\n" + note, [Verifier.parse(key)])
    assert checkpoint.tree_size == 18232
