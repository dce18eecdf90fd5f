"""extract's gate: identifiers must come from the document; the deadline must be a date."""

from __future__ import annotations

import pytest

from flows.prompts import PromptRegistry
from flows.steps import check_extract, normalize_identifier, run_step
from storage.models import StepStatus
from tests.flows.test_steps_support import (
    EXTRACT_OK,
    ScriptedModel,
    make_context,
    make_gateway,
    simple_view,
)

BODY = "Добрый день! По заявке REQ-2026-367272 и договору KZ-75/2023-235 прошу вернуть 278 000 KZT."
VIEW = simple_view(BODY, attachments=[("акт.txt", "Акт сверки по договору CL 2025 42102")])


def test_identifiers_written_in_the_document_pass() -> None:
    output = {
        **EXTRACT_OK,
        "request_number": "REQ-2026-367272",
        "contract_number": "KZ-75/2023-235",
    }
    assert check_extract(output, VIEW, {}).passed


@pytest.mark.parametrize(
    "written",
    ["req 2026 367272", "REQ–2026–367272", "REQ2026367272", "R\u0415Q-2026-367272"],
)
def test_identifiers_compare_without_case_spaces_or_dashes(written: str) -> None:
    assert check_extract({**EXTRACT_OK, "request_number": written}, VIEW, {}).passed


def test_an_identifier_from_an_attachment_passes() -> None:
    assert check_extract({**EXTRACT_OK, "contract_number": "CL-2025-42102"}, VIEW, {}).passed


def test_cyrillic_look_alike_letters_in_an_identifier_pass() -> None:
    cyrillic_kz = "КZ-75/2023-235".replace("К", "\u041a")
    assert normalize_identifier(cyrillic_kz) == normalize_identifier("KZ-75/2023-235")
    assert check_extract({**EXTRACT_OK, "contract_number": cyrillic_kz}, VIEW, {}).passed


def test_a_request_number_not_in_the_document_goes_to_review() -> None:
    verdict = check_extract({**EXTRACT_OK, "request_number": "REQ-2026-999999"}, VIEW, {})
    assert verdict.reason == "invented_field:request_number"
    assert not verdict.escalate


def test_both_invented_identifiers_are_reported() -> None:
    output = {**EXTRACT_OK, "request_number": "SR-1", "contract_number": "KZ-99/2020-001"}
    assert check_extract(output, VIEW, {}).reason == (
        "invented_field:request_number;invented_field:contract_number"
    )


@pytest.mark.parametrize("deadline", ["25.11.2026", "2026-02-30", "tomorrow", "2026-11-25T10:00"])
def test_a_deadline_that_is_not_an_iso_date_goes_to_review(deadline: str) -> None:
    verdict = check_extract({**EXTRACT_OK, "deadline": deadline}, VIEW, {})
    assert verdict.reason == "invalid_field:deadline"


def test_an_iso_deadline_passes() -> None:
    assert check_extract({**EXTRACT_OK, "deadline": "2026-11-25"}, VIEW, {}).passed


async def test_an_invented_identifier_keeps_the_output_for_the_reviewer() -> None:
    answer = {**EXTRACT_OK, "request_number": "REQ-2026-000001"}
    model = ScriptedModel({"small-model": [answer]})
    async with make_gateway(model.transport()) as gateway:
        outcome = await run_step(make_context(gateway), PromptRegistry.load(), "extract", VIEW, {})
    assert (outcome.status, outcome.reason) == (StepStatus.REVIEW, "invented_field:request_number")
    assert outcome.output == answer
    assert model.models_called() == ["small-model"]
