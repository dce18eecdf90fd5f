"""The sample generator: determinism, exact labels, valid identifiers, shares, writers, CLI."""

from __future__ import annotations

import csv
import datetime as dt
import email.policy
import itertools
import json
import mailbox
import re
from collections import Counter
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from compliance.checksums import is_luhn_valid, is_valid_iban, is_valid_kz_bin, is_valid_kz_iin
from sampledata import (
    CATEGORIES,
    DEPARTMENTS,
    HARD_CASES,
    LANGUAGES,
    generate_records,
    write_csv,
    write_eml_dir,
    write_jsonl,
    write_mbox,
)
from sampledata import cli as sample_cli
from sampledata.cli import sample_data_command
from sampledata.names import Person, transliterate

Record = dict[str, Any]

PII_TYPES = {
    "PERSON", "KZ_IIN", "KZ_BIN", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE",
    "ADDRESS", "DATE_OF_BIRTH", "ID_DOC",
}  # fmt: skip
LOOKALIKE_TYPES = {
    "REQUEST_NUMBER", "CONTRACT_NUMBER", "AMOUNT", "DEADLINE", "HOTLINE", "PARTIAL_CARD",
}  # fmt: skip
KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC = re.compile("[а-яёА-ЯЁәғқңөұүһіӘҒҚҢӨҰҮҺІ]")
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]  # fmt: skip
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря"]  # fmt: skip


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(generate_records(500, seed=11))


def _text(record: Record, field: str) -> str:
    match = re.fullmatch(r"attachments\[(\d+)\]\.text", field)
    if match:
        return str(record["attachments"][int(match.group(1))]["text"])
    return str(record[field])


def _all_text(record: Record) -> str:
    parts = [record["from"], record["subject"], record["body"]]
    return "\n".join(parts + [a["text"] for a in record["attachments"]])


def _spans(record: Record) -> list[dict[str, Any]]:
    return [*record["labels"]["pii"], *record["labels"]["lookalikes"]]


def _values(record: Record, kind: str) -> list[str]:
    return [s["value"] for s in _spans(record) if s["type"] == kind]


def _share(records: list[Record], predicate: Any) -> float:
    return sum(1 for r in records if predicate(r)) / len(records)


def _parse_amount(text: str) -> tuple[float, str]:
    currency = "USD" if "$" in text else "EUR" if "EUR" in text else "KZT"
    number = re.sub(r"[^\d.,]", "", text)
    if "." in number:
        number = number.replace(",", "")
    elif re.search(r",\d{2}$", number):
        number = number.replace(",", ".")
    else:
        number = number.replace(",", "")
    return float(number), currency


def _parse_deadline(text: str) -> str:
    numeric = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", text)
    if numeric:
        day, month, year = (int(g) for g in numeric.groups())
        return dt.date(year, month, day).isoformat()
    day_s, month_name, year_s = text.split()
    months = EN_MONTHS if month_name in EN_MONTHS else RU_MONTHS
    return dt.date(int(year_s), months.index(month_name) + 1, int(day_s)).isoformat()


# --- determinism -----------------------------------------------------------------------------


def test_the_same_count_and_seed_give_byte_identical_output() -> None:
    first = [json.dumps(r, ensure_ascii=False) for r in generate_records(200, seed=5)]
    second = [json.dumps(r, ensure_ascii=False) for r in generate_records(200, seed=5)]
    assert first == second


def test_a_different_seed_gives_different_records() -> None:
    bodies_a = [r["body"] for r in generate_records(20, seed=1)]
    bodies_b = [r["body"] for r in generate_records(20, seed=2)]
    assert bodies_a != bodies_b


def test_a_larger_count_starts_with_the_records_of_a_smaller_one() -> None:
    assert list(generate_records(30, seed=3)) == list(generate_records(60, seed=3))[:30]


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        next(generate_records(-1, seed=1))


# --- record shape ----------------------------------------------------------------------------


def test_external_ids_carry_the_seed_and_a_running_number(records: list[Record]) -> None:
    assert [r["external_id"] for r in records[:3]] == ["S11-000001", "S11-000002", "S11-000003"]


def test_received_at_is_iso_8601_with_the_almaty_offset_on_the_start_day(
    records: list[Record],
) -> None:
    for record in records:
        received = dt.datetime.fromisoformat(record["received_at"])
        assert record["received_at"].endswith("+05:00")
        assert received.date() == dt.date(2026, 11, 25)


def test_a_start_date_moves_the_receiving_day() -> None:
    record = next(generate_records(1, seed=1, start=dt.date(2027, 1, 4)))
    assert record["received_at"].startswith("2027-01-04T")


def test_every_record_is_addressed_to_support_and_has_the_ingest_keys(
    records: list[Record],
) -> None:
    keys = ["external_id", "received_at", "from", "to", "subject", "body", "attachments",
            "urgent", "labels"]  # fmt: skip
    for record in records:
        assert list(record) == keys
        assert record["to"] == "support@bank.example.kz"
        assert isinstance(record["urgent"], bool)


# --- spans -----------------------------------------------------------------------------------


def test_every_span_points_at_exactly_its_value(records: list[Record]) -> None:
    for record in records:
        for span in _spans(record):
            assert _text(record, span["field"])[span["start"] : span["end"]] == span["value"]


def test_spans_within_one_field_never_overlap(records: list[Record]) -> None:
    for record in records:
        by_field = sorted(_spans(record), key=lambda s: (s["field"], s["start"]))
        for left, right in itertools.pairwise(by_field):
            if left["field"] == right["field"]:
                assert left["end"] <= right["start"]


def test_all_documented_pii_and_lookalike_types_are_planted(records: list[Record]) -> None:
    assert {s["type"] for r in records for s in r["labels"]["pii"]} == PII_TYPES
    assert {s["type"] for r in records for s in r["labels"]["lookalikes"]} == LOOKALIKE_TYPES


def test_the_sender_display_name_is_a_person_span_in_from(records: list[Record]) -> None:
    for record in records:
        if record["labels"]["fields"]["customer_name"] is None:
            continue
        first = record["labels"]["pii"][0]
        assert (first["type"], first["field"], first["start"]) == ("PERSON", "from", 0)
        assert record["from"].startswith(first["value"] + " <")


def test_person_spans_name_their_script_and_both_scripts_occur(records: list[Record]) -> None:
    scripts: Counter[str] = Counter()
    for record in records:
        for span in record["labels"]["pii"]:
            if span["type"] == "PERSON":
                expected = "cyrillic" if CYRILLIC.search(span["value"]) else "latin"
                assert span["script"] == expected
                scripts[expected] += 1
    assert scripts["cyrillic"] > 100
    assert scripts["latin"] > 100


# --- identifiers -----------------------------------------------------------------------------


def test_every_planted_iin_is_valid(records: list[Record]) -> None:
    iins = [v for r in records for v in _values(r, "KZ_IIN")]
    assert iins
    assert all(is_valid_kz_iin(v) for v in iins)


def test_every_planted_bin_is_valid(records: list[Record]) -> None:
    bins = [v for r in records for v in _values(r, "KZ_BIN")]
    assert bins
    assert all(is_valid_kz_bin(v) for v in bins)


def test_every_planted_card_number_passes_luhn(records: list[Record]) -> None:
    cards = [v for r in records for v in _values(r, "CREDIT_CARD")]
    assert cards
    assert all(is_luhn_valid(v) and len(re.sub(r"\D", "", v)) == 16 for v in cards)


def test_every_planted_iban_is_a_valid_kazakh_iban(records: list[Record]) -> None:
    ibans = [v for r in records for v in _values(r, "IBAN_CODE")]
    assert ibans
    assert all(is_valid_iban(v) and v.startswith("KZ") for v in ibans)


def test_every_twelve_digit_lookalike_is_neither_a_valid_iin_nor_a_valid_bin(
    records: list[Record],
) -> None:
    twelve = [
        s["value"]
        for r in records
        for s in r["labels"]["lookalikes"]
        if re.fullmatch(r"\d{12}", s["value"])
    ]
    assert len(twelve) > 10
    assert not any(is_valid_kz_iin(v) or is_valid_kz_bin(v) for v in twelve)


def test_no_valid_iin_or_bin_hides_in_the_text_without_a_span(records: list[Record]) -> None:
    for record in records:
        labelled = {
            (s["field"], s["start"])
            for s in record["labels"]["pii"]
            if s["type"] in ("KZ_IIN", "KZ_BIN")
        }
        fields = ["subject", "body"] + [
            f"attachments[{i}].text" for i in range(len(record["attachments"]))
        ]
        for field in fields:
            for match in re.finditer(r"(?<!\d)\d{12}(?!\d)", _text(record, field)):
                if is_valid_kz_iin(match.group()) or is_valid_kz_bin(match.group()):
                    assert (field, match.start()) in labelled


def test_partial_cards_keep_at_most_the_bin_and_last_four_digits(records: list[Record]) -> None:
    partials = [v for r in records for v in _values(r, "PARTIAL_CARD")]
    assert partials
    assert all("*" in v and len(re.sub(r"\D", "", v)) <= 10 for v in partials)


# --- fields ----------------------------------------------------------------------------------


def test_non_null_text_fields_appear_verbatim_in_the_record(records: list[Record]) -> None:
    for record in records:
        fields, text = record["labels"]["fields"], _all_text(record)
        for name in ("request_number", "contract_number", "customer_name"):
            if fields[name] is not None:
                assert fields[name] in text


def test_request_and_contract_numbers_match_their_lookalike_spans(records: list[Record]) -> None:
    for record in records:
        fields = record["labels"]["fields"]
        for name, kind in (("request_number", "REQUEST_NUMBER"), ("contract_number",
                                                                  "CONTRACT_NUMBER")):  # fmt: skip
            values = set(_values(record, kind))
            assert values == ({fields[name]} if fields[name] is not None else set())


def test_the_amount_field_is_the_number_written_in_every_amount_span(records: list[Record]) -> None:
    with_amount = 0
    for record in records:
        fields = record["labels"]["fields"]
        parsed = {_parse_amount(v) for v in _values(record, "AMOUNT")}
        if fields["amount"] is None:
            assert parsed == set() and fields["currency"] is None
        else:
            with_amount += 1
            assert parsed == {(float(fields["amount"]), fields["currency"])}
    assert with_amount > 50


def test_the_deadline_field_is_the_iso_date_written_in_every_deadline_span(
    records: list[Record],
) -> None:
    with_deadline = 0
    for record in records:
        deadline = record["labels"]["fields"]["deadline"]
        parsed = {_parse_deadline(v) for v in _values(record, "DEADLINE")}
        assert parsed == ({deadline} if deadline else set())
        with_deadline += deadline is not None
    assert with_deadline > 30


def test_departments_follow_the_category(records: list[Record]) -> None:
    for record in records:
        labels = record["labels"]
        assert labels["fields"]["department"] == DEPARTMENTS[labels["category"]]


def test_problem_type_is_set_exactly_when_a_reply_is_needed(records: list[Record]) -> None:
    for record in records:
        labels = record["labels"]
        needs_reply = labels["category"] != "no_reply_needed"
        assert (labels["fields"]["problem_type"] is not None) == needs_reply


# --- mix -------------------------------------------------------------------------------------


def test_all_categories_and_languages_appear_in_500_records(records: list[Record]) -> None:
    assert {r["labels"]["category"] for r in records} == set(CATEGORIES)
    assert {r["labels"]["language"] for r in records} == set(LANGUAGES)


def test_language_shares_are_near_35_25_25_15_percent(records: list[Record]) -> None:
    shares = Counter(r["labels"]["language"] for r in records)
    for lang, intended in {"ru": 0.35, "kk": 0.25, "en": 0.25, "mixed": 0.15}.items():
        assert abs(shares[lang] / len(records) - intended) < 0.06


def test_about_a_tenth_of_records_need_no_reply(records: list[Record]) -> None:
    assert 0.06 < _share(records, lambda r: r["labels"]["category"] == "no_reply_needed") < 0.15


def test_about_a_tenth_of_records_are_urgent(records: list[Record]) -> None:
    assert 0.06 < _share(records, lambda r: r["labels"]["urgent"]) < 0.15


def test_about_one_in_twenty_records_has_two_topics(records: list[Record]) -> None:
    assert 0.02 < _share(records, lambda r: r["labels"]["second_category"]) < 0.09


def test_about_a_quarter_of_records_have_a_hard_case_and_every_hard_case_occurs(
    records: list[Record],
) -> None:
    assert 0.18 < _share(records, lambda r: r["labels"]["hard_cases"]) < 0.34
    assert {t for r in records for t in r["labels"]["hard_cases"]} == set(HARD_CASES)


def test_most_bodies_are_between_400_bytes_and_1_5_kilobytes(records: list[Record]) -> None:
    assert _share(records, lambda r: 400 <= len(r["body"].encode()) <= 1500) > 0.65


def test_a_second_category_is_a_different_category_that_needs_a_reply(
    records: list[Record],
) -> None:
    for record in records:
        labels = record["labels"]
        if labels["second_category"] is not None:
            assert labels["second_category"] not in (labels["category"], "no_reply_needed")


def test_no_reply_needed_records_are_never_urgent(records: list[Record]) -> None:
    for record in records:
        if record["labels"]["category"] == "no_reply_needed":
            assert not record["labels"]["urgent"]


def test_urgent_records_say_so_in_their_text(records: list[Record]) -> None:
    marker = re.compile(r"срочн|шұғыл|urgent|сегодня|бүгін|today", re.IGNORECASE)
    for record in records:
        if record["labels"]["urgent"] and "typos" not in record["labels"]["hard_cases"]:
            assert marker.search(_all_text(record))


def test_kazakh_records_use_kazakh_specific_letters(records: list[Record]) -> None:
    for record in records:
        if record["labels"]["language"] == "kk":
            assert KAZAKH_LETTERS.search(record["subject"] + _all_text(record))


def test_english_records_contain_no_cyrillic(records: list[Record]) -> None:
    for record in records:
        if record["labels"]["language"] == "en":
            assert not CYRILLIC.search(_all_text(record))


def test_mixed_records_mix_latin_and_cyrillic_words_outside_personal_data(
    records: list[Record],
) -> None:
    for record in records:
        if record["labels"]["language"] != "mixed":
            continue
        text = record["subject"] + "\n" + record["body"]
        text += "".join(a["text"] for a in record["attachments"])
        for value in {s["value"] for s in record["labels"]["pii"]}:
            text = text.replace(value, " ")
        text = re.sub(r"https?://\S+|\S+@\S+", " ", text)
        assert re.search("[A-Za-z]{2,}", text) and CYRILLIC.search(text)


# --- hard cases ------------------------------------------------------------------------------


def _tagged(records: list[Record], tag: str) -> list[Record]:
    found = [r for r in records if tag in r["labels"]["hard_cases"]]
    assert found
    return found


def test_html_remnants_wrap_the_body_in_tags_and_break_lines_with_br(
    records: list[Record],
) -> None:
    for record in _tagged(records, "html_remnants"):
        body = record["body"]
        assert body.startswith(("<div", "<html>")) and body.endswith(("</div>", "</html>"))
        assert "\n" not in body or "<br" in body


def test_near_empty_bodies_put_the_letter_in_an_attachment(records: list[Record]) -> None:
    letters = {"обращение.txt", "өтініш.txt", "letter.txt"}
    for record in _tagged(records, "near_empty_body"):
        assert len(record["body"]) < 150
        assert record["attachments"][0]["filename"] in letters
        assert len(record["attachments"][0]["text"]) > len(record["body"])


def test_ocr_noise_comes_as_a_scanned_attachment(records: list[Record]) -> None:
    for record in _tagged(records, "ocr_noise"):
        assert any("скан" in a["filename"] or "scan" in a["filename"]
                   for a in record["attachments"])  # fmt: skip


def test_forwarded_chains_carry_a_forwarded_header_and_a_fwd_subject(
    records: list[Record],
) -> None:
    for record in _tagged(records, "forwarded_chain"):
        assert re.search(r"Forwarded message|Пересылаемое|Қайта жіберілген", record["body"])
        assert record["subject"].startswith(("Fwd: ", "Fw: ", "FW: "))


def test_quoted_replies_quote_the_bank_with_angle_brackets(records: list[Record]) -> None:
    for record in _tagged(records, "quoted_reply"):
        assert re.search(r"(\n|<br>|<br />)> ", record["body"])
        assert record["subject"].startswith("Re: ")


def test_long_signatures_end_with_a_legal_disclaimer(records: list[Record]) -> None:
    pattern = re.compile(r"КОНФИДЕНЦИАЛЬНОСТЬ|ҚҰПИЯЛЫЛЫҚ|CONFIDENTIALITY")
    for record in _tagged(records, "long_signature"):
        if "typos" not in record["labels"]["hard_cases"]:
            assert pattern.search(_all_text(record))


# --- names -----------------------------------------------------------------------------------


def test_a_russian_name_declines_to_the_dative() -> None:
    man = Person("Пётр", "Иванов", "Сергеевич", False, "ru", "Петру")
    woman = Person("Анна", "Иванова", "Сергеевна", True, "ru", "Анне")
    assert man.dative() == "Иванову Петру Сергеевичу"
    assert woman.dative() == "Ивановой Анне Сергеевне"


def test_initials_follow_russian_and_english_conventions() -> None:
    assert Person("Жанар", "Ахметова", "Қанатқызы", True, "kz", "Жанар").initials() == (
        "Ахметова Ж.Қ."
    )
    assert Person("Anna", "Smith", None, True, "en", "Anna").initials() == "A. Smith"


def test_kazakh_names_transliterate_passport_style() -> None:
    assert transliterate("Ержан") == "Yerzhan"
    assert transliterate("Айгерім Сәрсенбаева") == "Aigerim Sarsenbayeva"


# --- writers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def few() -> list[Record]:
    return list(generate_records(40, seed=21))


def _parse_eml(data: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def _assert_same_mail(message: EmailMessage, record: Record) -> None:
    assert message["Subject"] == record["subject"]
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content() == record["body"] + "\n"
    sender = message["From"].addresses[0]
    assert f"{sender.display_name} <{sender.addr_spec}>" == record["from"]
    parts = [(p.get_filename(), p.get_content()) for p in message.iter_attachments()]
    assert parts == [(a["filename"], a["text"] + "\n") for a in record["attachments"]]


def test_jsonl_round_trips_every_record(tmp_path: Path, few: list[Record]) -> None:
    path = tmp_path / "s.jsonl"
    assert write_jsonl(few, path) == len(few)
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == few


def test_csv_round_trips_subject_body_and_labels(tmp_path: Path, few: list[Record]) -> None:
    path = tmp_path / "s.csv"
    write_csv(few, path)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["subject"], r["body"]) for r in rows] == [(r["subject"], r["body"]) for r in few]
    assert [json.loads(r["labels"]) for r in rows] == [r["labels"] for r in few]
    assert [json.loads(r["urgent"]) for r in rows] == [r["urgent"] for r in few]


def test_eml_files_parse_back_to_the_same_mail(tmp_path: Path, few: list[Record]) -> None:
    write_eml_dir(few, tmp_path / "eml")
    for record in few:
        message = _parse_eml((tmp_path / "eml" / f"{record['external_id']}.eml").read_bytes())
        _assert_same_mail(message, record)
        assert message["Message-ID"] == f"<{record['external_id']}@samples.nightshift.invalid>"


def test_eml_files_carry_no_labels(tmp_path: Path, few: list[Record]) -> None:
    write_eml_dir(few[:5], tmp_path)
    for path in tmp_path.glob("*.eml"):
        assert b"labels" not in path.read_bytes()
        assert b"hard_cases" not in path.read_bytes()


def test_mbox_parses_back_to_the_same_mails_in_order(tmp_path: Path, few: list[Record]) -> None:
    path = tmp_path / "s.mbox"
    write_mbox(few, path)
    write_mbox(few, path)  # writing again replaces, never appends
    box = mailbox.mbox(path, create=False)
    try:
        messages = [_parse_eml(box.get_bytes(key)) for key in box.iterkeys()]
    finally:
        box.close()
    assert len(messages) == len(few)
    for message, record in zip(messages, few, strict=True):
        _assert_same_mail(message, record)


# --- CLI -------------------------------------------------------------------------------------


@pytest.fixture
def app() -> typer.Typer:
    local = typer.Typer()

    @local.callback()
    def main() -> None:
        """Test harness."""

    local.command("sample-data")(sample_data_command)
    return local


def test_cli_writes_jsonl_and_prints_the_summary_as_json(tmp_path: Path, app: typer.Typer) -> None:
    out = tmp_path / "s.jsonl"
    result = CliRunner().invoke(app, ["sample-data", "--count", "60", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["count"] == 60 and sum(summary["by_language"].values()) == 60
    assert set(summary) >= {"by_category", "urgent", "two_topic", "pii_spans_by_type"}
    assert len(out.read_text(encoding="utf-8").splitlines()) == 60


@pytest.mark.parametrize("fmt", ["csv", "eml", "mbox"])
def test_cli_writes_the_other_formats(tmp_path: Path, app: typer.Typer, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    args = ["sample-data", "--count", "5", "--format", fmt, "--out", str(out), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["format"] == fmt
    assert (len(list(out.iterdir())) == 5) if fmt == "eml" else out.stat().st_size > 0


def test_cli_without_json_prints_a_readable_summary(tmp_path: Path, app: typer.Typer) -> None:
    args = ["sample-data", "--count", "20", "--out", str(tmp_path / "s.jsonl")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Wrote 20 synthetic e-mails" in result.stdout and "by category" in result.stdout


def test_cli_progress_goes_to_stderr_and_never_with_json(
    tmp_path: Path, app: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sample_cli, "PROGRESS_FROM", 1)
    args = ["sample-data", "--count", "10", "--out", str(tmp_path / "s.jsonl")]
    shown = CliRunner().invoke(app, args)
    quiet = CliRunner().invoke(app, [*args, "--json"])
    assert "generating" in shown.stderr and "generating" not in shown.stdout
    assert quiet.stderr == ""


def test_cli_refuses_an_unknown_format(tmp_path: Path, app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["sample-data", "--format", "xml", "--out", str(tmp_path)])
    assert result.exit_code == 2
