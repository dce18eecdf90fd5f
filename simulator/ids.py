"""Identifiers in OpenAI's styles, deterministic for a seed (``chatcmpl-…``, ``file-…``)."""

from __future__ import annotations

import random


class IdFactory:
    """Makes ids from a generator seeded with the simulator seed."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(f"ids:{seed}")

    def _hex(self, digits: int) -> str:
        return f"{self._random.getrandbits(digits * 4):0{digits}x}"

    def completion(self) -> str:
        return f"chatcmpl-sim{self._hex(20)}"

    def request(self) -> str:
        return f"req_sim{self._hex(24)}"

    def file(self) -> str:
        return f"file-sim{self._hex(16)}"

    def batch(self) -> str:
        return f"batch_sim{self._hex(16)}"

    def batch_request(self) -> str:
        return f"batch_req_sim{self._hex(16)}"
