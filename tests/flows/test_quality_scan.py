"""Poor-scan detection on attachment text."""

from __future__ import annotations

from collections import Counter

import pytest

from flows.quality.scan import looks_poorly_scanned, scan_noise
from sampledata import generate_records

CLEAN_RU = (
    "ВЫПИСКА ПО КАРТЕ 4400 43** **** 3084\nВладелец: Бекқожа Ерлан Маратович\n"
    "17.11.2026  QazBooks  -653 540 тенге\nСчёт KZ58 856K ZT28 3269 8254, договор CL-2025-42102."
)
CLEAN_EN = "Account agreement No. CL-2023-95982 between Example Bank JSC and the Client, IIN 9301."


@pytest.mark.parametrize(
    "noisy",
    [
        "Д0Г0В0Р банковского обслуживания № 12 от 20қараша, ФИО: Волков Олег Владимирович",
        "З А Я В Л Е Н И Е на перевыпуск платёжной кaрточки, дата pождeния 16.09.1986",
        "A P P L I C A T I O N for reissue of a payment ca rd, Docume nt: passport N12815505",
        "БАНКТІК ҚЫ3МЕТ К Ө Р С Е Т У ШАРТЫ, Клиенттің мекенжа йы: Ақтөбе қ.",
        "~~|^^ ¦¦ ¤¤ ©© ‡‡ ¶¶ §§ ¬¬ ®® ±± text ¦¦ ¤¤ ©© ‡‡ ¶¶ §§ ¬¬ ®® ±± more text",
    ],
)
def test_ocr_damage_is_a_poor_scan(noisy: str) -> None:
    assert looks_poorly_scanned(noisy)


@pytest.mark.parametrize("clean", [CLEAN_RU, CLEAN_EN, "Төле би көшесі, 5-үй, 12-пәтер"])
def test_clean_text_with_identifiers_is_not_a_poor_scan(clean: str) -> None:
    assert not looks_poorly_scanned(clean)


def test_a_word_with_several_misread_characters_counts_twice() -> None:
    assert scan_noise("Д0Г0В0Р и карточка").signs == 2
    assert scan_noise("договор и кaрточка").signs == 1
    assert not looks_poorly_scanned("договор и кaрточка")


def test_sample_attachments_with_ocr_noise_are_found_and_clean_ones_are_not() -> None:
    seen: Counter[tuple[bool, bool]] = Counter()
    for record in generate_records(400, seed=8):
        noisy = "ocr_noise" in record["labels"]["hard_cases"]
        for attachment in record["attachments"]:
            seen[(noisy, looks_poorly_scanned(attachment["text"]))] += 1
        seen[(False, looks_poorly_scanned(record["body"]))] += 1
    assert seen[(False, True)] == 0
    assert seen[(True, True)] >= 0.6 * (seen[(True, True)] + seen[(True, False)])
