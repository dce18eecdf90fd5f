"""Prompts and JSON Schemas as versioned files, checked once at load.

    registry = PromptRegistry.load()                 # flows/prompts/*.toml + schemas/*.json
    prompt = registry.active("extract")              # highest version unless pinned
    messages = prompt.render(view, previous)         # (system, user)
    request_output = prompt.output_schema            # compliance.gateway.calls.OutputSchema

See ``docs/steps.md`` for what each step asks and why.
"""

from flows.prompts.registry import (
    DEFAULT_DIRECTORY,
    Prompt,
    PromptError,
    PromptRegistry,
    strict_mode_problem,
)
from flows.prompts.render import MAX_ATTACHMENT_CHARS, PLACEHOLDERS, render_values

__all__ = [
    "DEFAULT_DIRECTORY",
    "MAX_ATTACHMENT_CHARS",
    "PLACEHOLDERS",
    "Prompt",
    "PromptError",
    "PromptRegistry",
    "render_values",
    "strict_mode_problem",
]
