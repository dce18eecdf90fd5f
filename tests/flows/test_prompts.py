"""Prompt and schema files: checked at load, versioned, rendered with document text only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from flows.prompts import DEFAULT_DIRECTORY, PLACEHOLDERS, PromptError, PromptRegistry
from tests.flows.test_steps_support import simple_view


@pytest.fixture
def prompt_dir(tmp_path: Path) -> Path:
    """A copy of the shipped prompts to break or extend."""
    target = tmp_path / "prompts"
    (target / "schemas").mkdir(parents=True)
    for path in DEFAULT_DIRECTORY.glob("*.toml"):
        shutil.copy(path, target / path.name)
    for path in (DEFAULT_DIRECTORY / "schemas").glob("*.json"):
        shutil.copy(path, target / "schemas" / path.name)
    return target


def write_schema(directory: Path, name: str, schema: dict[str, Any]) -> None:
    (directory / "schemas" / name).write_text(json.dumps(schema), encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def extract_schema(directory: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (directory / "schemas" / "extract.v1.json").read_text(encoding="utf-8")
    )
    return schema


def test_the_shipped_prompts_load_one_version_per_step() -> None:
    registry = PromptRegistry.load()
    assert registry.versions() == ["categorize.v1", "draft.v1", "extract.v1"]
    for step in ("extract", "categorize", "draft"):
        prompt = registry.active(step)
        assert prompt.version == f"{step}.v1"
        assert prompt.schema_version == f"{step}.v1"


def test_the_shipped_schemas_are_valid_draft_2020_12() -> None:
    for path in (DEFAULT_DIRECTORY / "schemas").glob("*.json"):
        Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_adding_extract_v2_makes_it_active_for_extract_only(prompt_dir: Path) -> None:
    v2 = (prompt_dir / "extract.v1.toml").read_text(encoding="utf-8")
    v2 = v2.replace('version = "extract.v1"', 'version = "extract.v2"')
    (prompt_dir / "extract.v2.toml").write_text(v2, encoding="utf-8")

    registry = PromptRegistry.load(prompt_dir)

    assert registry.active("extract").version == "extract.v2"
    assert registry.active("extract").schema_version == "extract.v1"
    assert registry.active("categorize").version == "categorize.v1"
    assert registry.active("draft").version == "draft.v1"


def test_a_pinned_version_stays_active_after_a_newer_one_is_added(prompt_dir: Path) -> None:
    v2 = (prompt_dir / "extract.v1.toml").read_text(encoding="utf-8")
    (prompt_dir / "extract.v2.toml").write_text(
        v2.replace('version = "extract.v1"', 'version = "extract.v2"'), encoding="utf-8"
    )
    registry = PromptRegistry.load(prompt_dir, pinned={"extract": "extract.v1"})
    assert registry.active("extract").version == "extract.v1"


def test_pinning_a_version_that_does_not_exist_is_refused(prompt_dir: Path) -> None:
    with pytest.raises(PromptError, match=r"extract\.v9"):
        PromptRegistry.load(prompt_dir, pinned={"extract": "extract.v9"})


def test_two_files_with_the_same_version_are_refused_naming_the_file(prompt_dir: Path) -> None:
    shutil.copy(prompt_dir / "draft.v1.toml", prompt_dir / "draft.v1-copy.toml")
    with pytest.raises(PromptError) as error:
        PromptRegistry.load(prompt_dir)
    assert error.value.path.name in {"draft.v1-copy.toml", "draft.v1.toml"}
    assert "draft.v1" in str(error.value)
    assert "also declared" in str(error.value)


def test_an_unknown_placeholder_is_refused_naming_the_file(prompt_dir: Path) -> None:
    edit(prompt_dir / "categorize.v1.toml", "Subject: {subject}", "Subject: {labels}")
    with pytest.raises(PromptError) as error:
        PromptRegistry.load(prompt_dir)
    assert error.value.path.name == "categorize.v1.toml"
    assert "{labels}" in str(error.value)


def test_a_placeholder_in_the_system_message_is_refused(prompt_dir: Path) -> None:
    edit(prompt_dir / "draft.v1.toml", "You write a short", "You write for {sender} a short")
    with pytest.raises(PromptError, match=r"draft\.v1\.toml.*system"):
        PromptRegistry.load(prompt_dir)


def test_a_format_spec_in_a_template_is_refused(prompt_dir: Path) -> None:
    edit(prompt_dir / "extract.v1.toml", "{body}", "{body!r}")
    with pytest.raises(PromptError, match=r"extract\.v1\.toml"):
        PromptRegistry.load(prompt_dir)


def test_a_schema_that_is_not_valid_json_schema_is_refused_naming_it(prompt_dir: Path) -> None:
    schema = extract_schema(prompt_dir)
    schema["properties"]["amount"]["type"] = "money"
    write_schema(prompt_dir, "extract.v1.json", schema)
    with pytest.raises(PromptError) as error:
        PromptRegistry.load(prompt_dir)
    assert error.value.path.name == "extract.v1.json"
    assert "Draft 2020-12" in str(error.value)


def test_a_schema_that_allows_extra_properties_is_refused(prompt_dir: Path) -> None:
    schema = extract_schema(prompt_dir)
    del schema["additionalProperties"]
    write_schema(prompt_dir, "extract.v1.json", schema)
    with pytest.raises(PromptError, match=r"extract\.v1\.json.*additionalProperties"):
        PromptRegistry.load(prompt_dir)


def test_a_schema_with_an_optional_property_is_refused(prompt_dir: Path) -> None:
    schema = extract_schema(prompt_dir)
    schema["required"].remove("deadline")
    write_schema(prompt_dir, "extract.v1.json", schema)
    with pytest.raises(PromptError, match="not required: deadline"):
        PromptRegistry.load(prompt_dir)


def test_a_nullable_enum_without_null_is_refused(prompt_dir: Path) -> None:
    schema = extract_schema(prompt_dir)
    schema["properties"]["currency"]["enum"].remove(None)
    write_schema(prompt_dir, "extract.v1.json", schema)
    with pytest.raises(PromptError, match="/properties/currency"):
        PromptRegistry.load(prompt_dir)


def test_a_schema_whose_id_does_not_match_its_file_is_refused(prompt_dir: Path) -> None:
    schema = extract_schema(prompt_dir)
    schema["$id"] = "urn:nightshift:schema:extract.v7"
    write_schema(prompt_dir, "extract.v1.json", schema)
    with pytest.raises(PromptError, match=r"extract\.v1\.json.*\$id"):
        PromptRegistry.load(prompt_dir)


def test_a_missing_schema_file_is_refused(prompt_dir: Path) -> None:
    (prompt_dir / "schemas" / "draft.v1.json").unlink()
    with pytest.raises(PromptError, match="schema file not found"):
        PromptRegistry.load(prompt_dir)


def test_a_version_that_does_not_match_its_step_is_refused(prompt_dir: Path) -> None:
    edit(prompt_dir / "draft.v1.toml", 'version = "draft.v1"', 'version = "extract.v3"')
    with pytest.raises(PromptError, match=r"draft\.v1\.toml.*extract\.v3"):
        PromptRegistry.load(prompt_dir)


def test_a_prompt_using_the_schema_of_another_step_is_refused(prompt_dir: Path) -> None:
    edit(prompt_dir / "extract.v1.toml", 'schema = "extract.v1.json"', 'schema = "draft.v1.json"')
    with pytest.raises(PromptError, match=r"extract\.v1\.toml.*another step"):
        PromptRegistry.load(prompt_dir)


def test_a_schema_path_outside_the_schema_folder_is_refused(prompt_dir: Path) -> None:
    edit(prompt_dir / "draft.v1.toml", 'schema = "draft.v1.json"', 'schema = "../draft.v1.json"')
    with pytest.raises(PromptError, match="file name in schemas/"):
        PromptRegistry.load(prompt_dir)


def test_the_user_message_carries_subject_body_attachments_and_sender() -> None:
    view = simple_view(
        "Прошу вернуть {двойное} списание.",
        subject="Двойное списание",
        attachments=[("выписка.txt", "ВЫПИСКА ПО КАРТЕ")],
    )
    system, user = PromptRegistry.load().active("extract").render(view, {})
    assert system["role"] == "system" and user["role"] == "user"
    for text in (
        "Двойное списание",
        "Прошу вернуть {двойное} списание.",
        "выписка.txt",
        "ВЫПИСКА ПО КАРТЕ",
        "Айгерим Сарсенова",
    ):
        assert text in user["content"]
        assert text not in system["content"]


def test_the_draft_prompt_shows_earlier_outputs_and_the_customer_language() -> None:
    view = simple_view("Good afternoon, my card was charged twice, please help me.")
    previous = {"categorize": {"category": "payment_complaint"}}
    _, user = PromptRegistry.load().active("draft").render(view, previous)
    assert "payment_complaint" in user["content"]
    assert "Customer's language: en" in user["content"]


def test_the_output_schema_is_sent_without_its_file_metadata() -> None:
    output = PromptRegistry.load().active("categorize").output_schema
    assert output.name == "categorize_v1"
    assert output.version == "categorize.v1"
    assert "$id" not in output.schema and "$schema" not in output.schema
    assert output.schema["additionalProperties"] is False


def test_the_steps_doc_names_every_prompt_version_and_placeholder() -> None:
    doc = (DEFAULT_DIRECTORY.parents[1] / "docs" / "steps.md").read_text(encoding="utf-8")
    for version in PromptRegistry.load().versions():
        assert f"`{version}`" in doc
    for placeholder in PLACEHOLDERS:
        assert f"`{{{placeholder}}}`" in doc
