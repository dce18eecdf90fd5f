"""Errors raised while masking (an extension of :mod:`compliance.errors`)::

    NightshiftError
    └── ComplianceError
        └── MaskingError     a document could not be masked; nothing may be sent to a model

Messages name the part and the stage that failed and the type of the underlying error — never
the text, a detected value or the message of the underlying error (it may quote the text).
"""

from __future__ import annotations

from typing import Any

from compliance.errors import ComplianceError


class MaskingError(ComplianceError):
    """A document could not be masked; masking fails closed, so no model call may follow.

    ``part`` names the part that failed (when one did); ``document_index`` is the position of
    the document in a :meth:`~compliance.masking.Masker.mask_many` batch.
    """

    def __init__(
        self, message: str, *, part: str | None = None, document_index: int | None = None
    ) -> None:
        super().__init__(message)
        self.part = part
        self.document_index = document_index

    def in_batch(self, index: int) -> MaskingError:
        """The same error, placed at ``index`` of a batch."""
        return MaskingError(
            f"document {index} of the batch: {self.args[0]}", part=self.part, document_index=index
        )

    def __reduce__(self) -> tuple[Any, ...]:  # keep the attributes across worker processes
        return (_rebuild, (self.args[0], self.part, self.document_index))


def _rebuild(message: str, part: str | None, document_index: int | None) -> MaskingError:
    return MaskingError(message, part=part, document_index=document_index)
