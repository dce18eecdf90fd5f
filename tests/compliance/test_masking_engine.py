"""The analyzer's shortcuts change nothing: the lean call gives Presidio's own results, and the
e-mail, IBAN and IP recognizers that first look for a trigger find what Presidio's find."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from presidio_analyzer import RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IbanRecognizer, IpRecognizer

from compliance.masking import Masker
from compliance.masking.engine import language_of
from compliance.masking.entities import IP_ADDRESS
from compliance.masking.recognizers.builtin import (
    OfflineEmailRecognizer,
    TriggeredIbanRecognizer,
    TriggeredIpRecognizer,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pii_sets"))
from independent import independent_records
from scoring import items_of

ADDRESSES = [
    "сервер 10.0.0.1 недоступен",
    "IP: 192.168.001.254/24, шлюз 8.8.8.8.",
    "from 2001:0db8:85a3:0000:0000:8a2e:0370:7334 at 10:30",
    "v6 2001:db8::1, fe80::1ff:fe23:4567:890a%eth0 и ::1",
    "mapped ::ffff:192.0.2.128 and 64:ff9b::192.0.2.33, any ::",
    "1:2:3:4:5:6:7::, ::2:3:4:5:6:7:8, 1::8, 1:2::7:8, 1:2:3::6:7:8 and 1:2:3:4:5:6:1.2.3.4",
    "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/64",
    "время 10:30:45, счёт 1.234.567.89, версия 2.0.1, дата 12.03.1988",
    "IBAN DE89 3704 0044 0532 0130 00, GB82WEST12345698765432, kz86125KZT5004100100",
    "write to a.smith@example.com or to Жанар <zh@mail.kz>; not user@@host",
    "a.b@c.kz",
    "(zh.akhmetova@example.kz),ivan@mail.ru;x@y.kz. Next: <p.q-r@s-t.example>",
    "e-mail:\u00a0erlan_k@inbox.kz\u00a0or\u2003erlan.k@gmail.com\n\tlast@x.kz",
    "@@, name@, @domain.kz, müller@straße.de, тест@пример.рф, a@b@c.kz",
]


def _texts() -> list[str]:
    parts = [
        text for parts, _ in items_of(independent_records("handwritten")) for text in parts.values()
    ]
    return [*ADDRESSES, *(text for text in parts if text.strip())]


def _key(results: list[RecognizerResult]) -> list[tuple[str, int, int, float]]:
    return sorted((r.entity_type, r.start, r.end, r.score) for r in results)


@pytest.fixture(scope="module")
def masker() -> Iterator[Masker]:
    loaded = Masker.load()
    yield loaded
    loaded.close()


@pytest.mark.parametrize(
    ("triggered", "presidio"),
    [
        (
            TriggeredIpRecognizer(supported_entity=IP_ADDRESS),
            IpRecognizer(supported_entity=IP_ADDRESS),
        ),
        (TriggeredIbanRecognizer(), IbanRecognizer()),
        (OfflineEmailRecognizer(), None),
    ],
    ids=["ip", "iban", "email"],
)
def test_a_triggered_recognizer_finds_what_presidios_finds(triggered: Any, presidio: Any) -> None:
    found = 0
    for text in _texts():
        entities = triggered.supported_entities
        expected = (
            presidio.analyze(text, entities, None)
            if presidio is not None
            else EmailRecognizer.analyze(triggered, text, entities, None)
        )
        got = triggered.analyze(text, entities, None)
        assert _key(got) == _key(expected), text[:60]
        found += len(got)
    assert found >= 10


def test_the_ip_trigger_finds_every_ip_form() -> None:
    recognizer = TriggeredIpRecognizer(supported_entity=IP_ADDRESS)
    for text in ADDRESSES[:7]:
        assert recognizer.analyze(text, [IP_ADDRESS], None), text


def test_the_lean_analyzer_gives_the_engines_results(masker: Masker) -> None:
    analyzer = masker._analyzer
    assert analyzer._lean
    for text in _texts():
        language = language_of(text)
        expected = analyzer.engine.analyze(text=text, language=language)
        assert _key(analyzer.analyze(text, language)) == _key(expected), text[:60]
