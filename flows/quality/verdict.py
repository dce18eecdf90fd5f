"""What a step's quality gate says about one model answer."""

from __future__ import annotations

from dataclasses import dataclass

#: The longest reason a step result can store (``step_results.reason``).
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class Verdict:
    """The gate's answer: pass, or review for ``reasons``; ``escalate`` asks for the strong route.

    Reasons are codes with counts, category names or confidence numbers — never document text.
    """

    reasons: tuple[str, ...] = ()
    escalate: bool = False

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def reason(self) -> str | None:
        """The reasons joined with ``;`` (the first is the main one), or None when passed."""
        return join_reasons(self.reasons)


PASS = Verdict()


def join_reasons(reasons: tuple[str, ...] | list[str]) -> str | None:
    if not reasons:
        return None
    return ";".join(reasons)[:MAX_REASON_CHARS]
