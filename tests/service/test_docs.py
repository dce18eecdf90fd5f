"""Docs that cannot rot: every configuration key is documented, and the README has its commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from compliance.gateway.routes import RouteConfig
from compliance.residency import ResidencyConfig
from flows.config import IngestConfig, NightlyConfig, PrivacyConfig, PromptsConfig, StepRoute
from flows.settings import BillingConfig, StorageConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "model",
    [
        ResidencyConfig,
        BillingConfig,
        StorageConfig,
        RouteConfig,
        StepRoute,
        NightlyConfig,
        IngestConfig,
        PromptsConfig,
        PrivacyConfig,
    ],
)
def test_every_configuration_key_is_in_the_reference(model: type[BaseModel]) -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name in model.model_fields if f"{name} =" not in reference]
    assert missing == []


def test_the_readme_opens_with_the_main_job_and_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    main, test = readme.index("<!-- command:main -->"), readme.index("<!-- command:test -->")
    assert main < test < readme.index("## ")
