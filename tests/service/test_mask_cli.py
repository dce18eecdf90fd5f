"""``nightshift mask``: values only in the human view, never in ``--json``."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

from typer.testing import CliRunner

from compliance.checksums import kz_check_digit
from service.cli import app

runner = CliRunner()


def _iin() -> str:
    for serial in range(10_000):
        first11 = f"9003254{serial:04d}"
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)
    raise AssertionError


IIN = _iin()
TEXT = f"Здравствуйте! Меня зовут Громов Ефрем, ИИН {IIN}. Горячая линия 1414 молчит."


def test_the_human_view_shows_types_placeholders_and_values() -> None:
    result = runner.invoke(app, ["mask", "-"], input=TEXT)
    assert result.exit_code == 0, result.output
    for shown in ("KZ_IIN", "[KZ_IIN_1]", IIN, "PERSON", "[PERSON_1]", "Громов Ефрем"):
        assert shown in result.stdout
    assert "Меня зовут [PERSON_1], ИИН [KZ_IIN_1]. Горячая линия 1414 молчит." in result.stdout


def test_json_has_masked_parts_spans_and_counts_but_no_values() -> None:
    result = runner.invoke(app, ["mask", "-", "--json"], input=TEXT)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"version", "masked", "entities", "counts"}
    assert report["masked"]["body"].endswith("ИИН [KZ_IIN_1]. Горячая линия 1414 молчит.")
    assert report["counts"] == {"PERSON": 1, "KZ_IIN": 1}
    iin = next(e for e in report["entities"] if e["type"] == "KZ_IIN")
    assert TEXT[iin["start"] : iin["end"]] == IIN
    assert set(iin) == {"type", "part", "start", "end", "placeholder"}
    assert IIN not in result.stdout and "Громов" not in result.stdout


def test_an_eml_file_is_masked_by_parts_with_the_sender_everywhere(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"] = "Громов Ефрем <e.gromov@example.kz>"
    message["To"] = "support@bank.example.kz"
    message["Subject"] = "Ефрем Громов: доступ заблокирован"
    message.set_content(f"ИИН {IIN}.\n\nС уважением,\nГромов Е.")
    message.add_attachment("ФИО: Громов Ефрем", filename="заявление.txt")
    path = tmp_path / "letter.eml"
    path.write_bytes(message.as_bytes())
    result = runner.invoke(app, ["mask", str(path), "--json"])
    assert result.exit_code == 0, result.output
    masked = json.loads(result.stdout)["masked"]
    assert masked["sender"] == "[PERSON_1] <[EMAIL_ADDRESS_1]>"
    assert masked["subject"] == "[PERSON_1]: доступ заблокирован"
    assert masked["body"].strip().endswith("С уважением,\n[PERSON_1]")
    assert masked["attachment:0"].strip() == "ФИО: [PERSON_1]"


def test_a_record_of_a_jsonl_file_is_picked_by_number(tmp_path: Path) -> None:
    path = tmp_path / "mail.jsonl"
    lines = [{"body": "Без данных."}, {"body": f"ИИН {IIN}", "from": "Orla Blackwood <o@b.kz>"}]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    result = runner.invoke(app, ["mask", str(path), "--record", "2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"] == {"PERSON": 1, "EMAIL_ADDRESS": 1, "KZ_IIN": 1}
    missing = runner.invoke(app, ["mask", str(path), "--record", "3"])
    assert missing.exit_code == 2
    assert "has 2 readable record(s)" in missing.output


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["mask", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "no such file" in " ".join(result.output.split())
