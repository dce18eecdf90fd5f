"""The gateway's fail-closed privacy check: only masked text leaves the process.

Every request must have been built from masked text (``ModelRequest.masked``), and no message may
still carry a high-confidence identifier (valid IIN/BIN, Luhn card, valid IBAN, personal email,
KZ mobile number) — if one slipped through masking, the call is refused and audited as refused.
Reasons name types and counts, never values.

Every message is checked, system messages included (a caller of the OpenAI-compatible endpoint
writes its own). The system messages of our prompts are the same few strings on every call, so
their verdicts are remembered by content (``system_cache`` distinct texts, least recently used
first out): the check is a pure function of the text, so a remembered verdict is the verdict.
User messages hold the document and are always scanned.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Mapping

from compliance.gateway.calls import ModelRequest
from compliance.gateway.routes import RouteConfig
from compliance.masking.residual import residual_identifiers


class MaskedTextPolicy:
    def __init__(self, system_cache: int = 64) -> None:
        self._system_cache = system_cache
        self._verdicts: OrderedDict[str, Mapping[str, int]] = OrderedDict()

    async def check(self, request: ModelRequest, route_name: str, route: RouteConfig) -> str | None:
        if not request.masked:
            return "unmasked: the request was not built from masked text"
        found: Counter[str] = Counter()
        for message in request.messages:
            content = message.get("content", "")
            if message.get("role") == "system":
                found.update(self._system_verdict(content))
            else:
                found.update(residual_identifiers(content))
        if found:
            kinds = ",".join(f"{kind}={count}" for kind, count in sorted(found.items()))
            return f"residual_identifiers:{kinds}"
        return None

    def _system_verdict(self, content: str) -> Mapping[str, int]:
        verdict = self._verdicts.get(content)
        if verdict is not None:
            self._verdicts.move_to_end(content)
            return verdict
        verdict = residual_identifiers(content)
        if self._system_cache:
            self._verdicts[content] = verdict
            if len(self._verdicts) > self._system_cache:
                self._verdicts.popitem(last=False)
        return verdict
