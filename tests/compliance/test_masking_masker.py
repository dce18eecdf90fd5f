"""The masker: one placeholder space per document, look-alikes kept, failures closed and quiet."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import re
import signal
import time
from collections.abc import Iterator

import pytest

from compliance.checksums import iban_check_digits, kz_check_digit, luhn_check_digit
from compliance.masking import Masker, MaskingError
from compliance.masking.pool import MaskingPool
from compliance.masking.recognizers import kz_ids
from compliance.masking.recognizers.builtin import is_role_mailbox


def _with_check_digit(head: str) -> str:
    for serial in range(10_000):
        first11 = f"{head}{serial:0{11 - len(head)}d}"
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise AssertionError(head)


IIN = _with_check_digit("8807154")  # born 15 July 1988, a woman
REQUEST = IIN[:11] + str((int(IIN[11]) + 3) % 10)
CARD = "5169490012345670"[:15]
CARD += str(luhn_check_digit(CARD))
IBAN = "KZ" + iban_check_digits("KZ", "601KZT0000123456") + "601KZT0000123456"
SENDER = "Громова Есения Тарасовна"


@pytest.fixture(scope="module")
def masker() -> Iterator[Masker]:
    loaded = Masker.load()
    yield loaded
    loaded.close()


def document() -> dict[str, str]:
    return {
        "sender": f"{SENDER} <esenia.gromova@example.kz>",
        "subject": f"Жалоба по заявке {REQUEST}",
        "body": (
            "Здравствуйте!\n\n"
            f"Прошу вернуть 150 000 тенге по договору KZ-77/2025-114 до 30.11.2026. "
            f"Карта {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}, счёт {IBAN}. "
            f"ИИН {IIN}. Горячая линия 1414 и 8 800 080 88 88 не ответили, "
            "карта **** **** **** 1234 тоже заблокирована. Телефон 8 (701) 234-56-78.\n\n"
            "С уважением,\nГромова Е.Т."
        ),
        "attachment:0": (
            f"ЗАЯВЛЕНИЕ\nФИО: {SENDER}\nИИН: {IIN}\nТелефон: +7 701 234 56 78\n"
            "Прошу передать Есении Тарасовне копию."
        ),
    }


def test_the_same_value_gets_the_same_placeholder_in_every_part(masker: Masker) -> None:
    result = masker.mask(document(), sender_name=SENDER)
    assert result.parts["body"].count("[KZ_IIN_1]") == 1
    assert "[KZ_IIN_1]" in result.parts["attachment:0"]
    assert "[PHONE_NUMBER_1]" in result.parts["body"]
    assert "[PHONE_NUMBER_1]" in result.parts["attachment:0"]  # +7 701 … = 8 (701) …
    assert result.counts["KZ_IIN"] == 1 and result.counts["PHONE_NUMBER"] == 1


def test_the_sender_is_one_person_in_every_form_and_part(masker: Masker) -> None:
    result = masker.mask(document(), sender_name=SENDER)
    assert result.parts["sender"] == "[PERSON_1] <[EMAIL_ADDRESS_1]>"
    assert result.parts["body"].endswith("С уважением,\n[PERSON_1]")
    assert "ФИО: [PERSON_1]" in result.parts["attachment:0"]
    assert "передать [PERSON_1] копию" in result.parts["attachment:0"]
    assert result.mapping["[PERSON_1]"] == SENDER
    assert result.counts["PERSON"] == 1


def test_no_planted_value_is_left_in_any_part(masker: Masker) -> None:
    result = masker.mask(document(), sender_name=SENDER)
    masked = " ".join(result.parts.values())
    compact = masked.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
    for value in (IIN, CARD, IBAN, "7012345678", "Громов", "Есени", "esenia"):
        assert value not in masked and value not in compact, value


def test_look_alikes_survive_masking(masker: Masker) -> None:
    result = masker.mask(document(), sender_name=SENDER)
    body = result.parts["body"]
    for kept in ("150 000 тенге", "KZ-77/2025-114", "30.11.2026", "1414", "8 800 080 88 88"):
        assert kept in body
    assert "**** **** **** 1234" in body
    assert result.parts["subject"] == f"Жалоба по заявке {REQUEST}"


def test_the_map_restores_every_placeholder_and_counts_carry_no_values(masker: Masker) -> None:
    parts = document()
    result = masker.mask(parts, sender_name=SENDER)
    assert set(result.counts) <= {"PERSON", "KZ_IIN", "PHONE_NUMBER", "EMAIL_ADDRESS",
                                  "CREDIT_CARD", "IBAN_CODE"}  # fmt: skip
    assert all(isinstance(n, int) for n in result.counts.values())
    for entity in result.entities:
        assert result.parts[entity.part].count(entity.placeholder) >= 1
        assert entity.placeholder in result.mapping
    assert result.version == masker.version == "mask.v2"


def test_the_result_does_not_print_its_values(masker: Masker) -> None:
    result = masker.mask(document(), sender_name=SENDER)
    assert IIN not in repr(result) and "Громова" not in repr(result)


def test_an_empty_part_is_masked_to_itself(masker: Masker) -> None:
    assert masker.mask({"subject": "", "body": "  "}).parts == {"subject": "", "body": "  "}


def test_a_batch_over_two_processes_masks_like_one(
    masker: Masker, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [(document(), SENDER), ({"body": f"ИИН {IIN}"}, None), ({"body": "нет данных"}, None)]
    alone = masker.mask_many(items)
    try:
        # The processes start in the background; meanwhile the batch is masked here.
        starting = masker.mask_many(items, workers=2)
        deadline = time.monotonic() + 120
        while masker.start_pool(2) is None:
            assert time.monotonic() < deadline, "the masking processes did not start"
            time.sleep(0.1)

        def not_here(*args: object) -> None:
            raise AssertionError("masked in this process, not in the pool")

        monkeypatch.setattr(masker, "_mask_in_batch", not_here)
        pooled = masker.mask_many(items, workers=2)
    finally:
        monkeypatch.undo()
        masker.close()
    for batch in (starting, pooled):
        assert [r.parts for r in batch] == [r.parts for r in alone]
        assert [r.mapping for r in batch] == [r.mapping for r in alone]


def test_a_dead_masking_process_costs_no_batch_and_the_processes_come_back(
    masker: Masker,
) -> None:
    items = [(document(), SENDER), ({"body": f"ИИН {IIN}"}, None)]
    alone = masker.mask_many(items)
    try:
        pool = _pool_up(masker)
        os.kill(pool.pids()[0], signal.SIGKILL)  # the OOM killer, an operator's kill -9
        deadline = time.monotonic() + 30
        while pool.healthy():  # the signal is delivered, and the process gone, a moment later
            assert time.monotonic() < deadline, "the killed masking process is still running"
            time.sleep(0.01)
        after = masker.mask_many(items, workers=2)  # masked here; the broken pool is dropped
        assert [r.parts for r in after] == [r.parts for r in alone]
        again = _pool_up(masker)  # new processes, started in the background
        assert again is not pool
        assert [r.parts for r in masker.mask_many(items, workers=2)] == [r.parts for r in alone]
    finally:
        masker.close()


def _pool_up(masker: Masker) -> MaskingPool:
    deadline = time.monotonic() + 120
    while (pool := masker.start_pool(2)) is None:
        assert time.monotonic() < deadline, "the masking processes did not start"
        time.sleep(0.1)
    return pool


def test_closing_while_the_processes_start_leaves_none_running(masker: Masker) -> None:
    assert masker.start_pool(2) is None
    masker.close()
    assert masker._pool is None and masker._starting is None
    assert multiprocessing.active_children() == []


def test_an_analyzer_failure_fails_closed_without_the_text(
    masker: Masker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str, language: str) -> list[object]:
        raise ValueError(f"cannot parse {text}")

    monkeypatch.setattr(masker._analyzer, "analyze", broken)
    with pytest.raises(MaskingError) as caught:
        masker.mask({"body": f"ИИН {IIN}, {SENDER}"}, sender_name=SENDER)
    message = str(caught.value)
    assert "body" in message and "ValueError" in message
    assert IIN not in message and "Громова" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_failure_in_a_batch_names_the_document_and_part(
    masker: Masker, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = masker._analyzer.analyze

    def fails_on_iins(text: str, language: str) -> list[object]:
        if IIN in text:
            raise RuntimeError(text)
        return list(real(text=text, language=language))

    monkeypatch.setattr(masker._analyzer, "analyze", fails_on_iins)
    items = [({"body": "нет данных"}, None), ({"subject": "тема", "body": f"ИИН {IIN}"}, None)]
    with pytest.raises(MaskingError) as caught:
        masker.mask_many(items)
    assert (caught.value.document_index, caught.value.part) == (1, "body")
    assert str(caught.value).startswith("document 1 of the batch: masking failed in part 'body'")
    assert IIN not in str(caught.value)


def test_a_masking_error_keeps_its_place_when_it_crosses_processes() -> None:
    error = MaskingError("masking failed in part 'body' (ValueError)", part="body").in_batch(4)
    copied = pickle.loads(pickle.dumps(error))
    assert (copied.part, copied.document_index, str(copied)) == ("body", 4, str(error))


def test_parts_that_are_not_text_are_refused(masker: Masker) -> None:
    with pytest.raises(MaskingError, match="not text"):
        masker.mask({"body": 880715400123})  # type: ignore[dict-item]


def test_a_broken_recognizer_stops_the_masker_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kz_ids, "TWELVE_DIGITS", re.compile(r"(?!x)x"))  # matches nothing
    with pytest.raises(MaskingError, match="KZ_IIN recognizer failed the load-time self-check"):
        Masker.load()


def test_no_log_line_carries_a_personal_value(
    masker: Masker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    Masker.load().mask(document(), sender_name=SENDER)
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    for value in (IIN, CARD, IBAN, "Громова", "Есения", "234-56-78", "esenia.gromova"):
        assert value not in logged


@pytest.mark.parametrize(
    ("address", "role"),
    [
        ("collections@zaim.example.kz", True),
        ("kense@akimat-esil.gov.kz", True),
        ("zhilye@akimat.example.kz", True),
        ("notary.office@notary.example.kz", True),
        ("dana.sultanova@zaim.example.kz", False),
        ("collections.kz@gmail.com", False),  # free mail is a person's, whatever its words
    ],
)
def test_mailboxes_of_a_function_are_left_alone(address: str, role: bool) -> None:
    assert is_role_mailbox(address) is role
