"""Masking a document: one placeholder space for all of its parts, values kept in a map.

>>> masker = Masker.load()                     # once per process: analyzer, natasha, checks
>>> result = masker.mask({"subject": s, "body": b, "attachment:0": a}, sender_name="Жанар Ахметова")
>>> result.parts["body"]                       # "... ИИН [KZ_IIN_1] ... [PERSON_1]"
>>> result.mapping                             # {"[KZ_IIN_1]": "880412300123", ...} -> the vault
>>> result.counts                              # {"KZ_IIN": 1, "PERSON": 1} -> the audit log

Every part goes through the Presidio analyzer (:mod:`.engine`); the names found anywhere, with
the sender's display name, form the document's :class:`~.names.NameBook`, whose people are then
found in every part (:mod:`.names`); overlaps are settled (:mod:`.spans`) and the placeholders
handed out in part order (:mod:`.placeholders`). Anything that goes wrong raises
:class:`~.errors.MaskingError`, whose message holds no text: masking fails closed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from compliance.masking.blas import use_one_blas_thread
from compliance.masking.engine import Analyzer, build_analyzer, language_of
from compliance.masking.entities import PERSON
from compliance.masking.errors import MaskingError
from compliance.masking.literals import placeholder_shaped
from compliance.masking.names import NameBook, is_person_like
from compliance.masking.placeholders import PlaceholderBook, value_key
from compliance.masking.pool import MaskingPool
from compliance.masking.recognizers import recognizers_for
from compliance.masking.recognizers.morphology import load_morphology
from compliance.masking.recognizers.name_rules import name_view
from compliance.masking.recognizers.persons import load_ner
from compliance.masking.recognizers.places import is_place_name
from compliance.masking.selfcheck import check_masker
from compliance.masking.spans import Detection, settle

VERSION = "mask.v2"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MaskedEntity:
    """Where a value was masked: ``part``'s original text ``[start:end]`` became ``placeholder``."""

    entity_type: str
    part: str
    start: int
    end: int
    placeholder: str


@dataclass(frozen=True)
class MaskResult:
    """A masked document. ``mapping`` holds personal data: it belongs in the vault only."""

    parts: dict[str, str]
    mapping: dict[str, str]
    counts: dict[str, int]
    version: str
    entities: tuple[MaskedEntity, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:  # the default would print the values in ``mapping``
        return f"MaskResult(version={self.version!r}, counts={self.counts!r})"


class Masker:
    """Finds personal data in a document's texts and replaces it with stable placeholders."""

    version: str = VERSION

    def __init__(self, analyzer: Analyzer, public_numbers: tuple[str, ...] = ()) -> None:
        self._analyzer = analyzer
        self._public_numbers = public_numbers
        self._pool: MaskingPool | None = None
        self._starting: threading.Thread | None = None
        self._pool_lock = threading.Lock()

    @classmethod
    def load(cls, *, public_numbers: Iterable[str] = ()) -> Masker:
        """Build the analyzer and load natasha (heavy: once per process), then self-check.

        ``public_numbers`` are the organisation's own phone numbers (hotlines), never masked.
        """
        numbers = tuple(public_numbers)
        ner = load_ner()
        load_morphology()
        use_one_blas_thread()
        analyzer = build_analyzer(
            lambda language: recognizers_for(language, ner=ner, public_numbers=numbers)
        )
        masker = cls(analyzer, numbers)
        check_masker(masker)
        log.info("masker %s loaded", cls.version)
        return masker

    def mask(self, parts: Mapping[str, str], *, sender_name: str | None = None) -> MaskResult:
        """Mask all ``parts`` of one document with one placeholder space."""
        _check_input(parts, sender_name)
        found = {
            name: [*placeholder_shaped(text), *self._analyze(name, text)]
            for name, text in parts.items()
        }
        views = {name: name_view(text) for name, text in parts.items()}
        book = _name_book(parts, views, found, sender_name)
        settled = {
            name: settle(_with_people(views[name], detections, book))
            for name, detections in found.items()
        }
        return _render(parts, settled, book, self.version)

    def mask_many(
        self, items: Sequence[tuple[Mapping[str, str], str | None]], workers: int = 1
    ) -> list[MaskResult]:
        """Mask a batch; ``workers`` > 1 spreads it over that many processes (kept for reuse).

        The processes start in the background on the first such call (about 2 s: each loads
        its own models); until they are up, batches are masked here, so nobody waits for them.
        Safe to call from several threads at once.

        The first document that cannot be masked raises :class:`MaskingError` with its
        ``document_index``; mask the others again without it, or one by one with :meth:`mask`.
        """
        pool = self.start_pool(workers) if workers > 1 and items else None
        if pool is not None:
            try:
                return pool.mask_many(items)
            except BrokenProcessPool:  # a masking process died (killed, out of memory)
                log.warning("a masking process died; this batch is masked here, restarting them")
                self._drop_pool(pool)
        return [self._mask_in_batch(index, *item) for index, item in enumerate(items)]

    def _drop_pool(self, pool: MaskingPool) -> None:
        """Forget a broken pool (the next batch starts new processes) and stop what is left."""
        with self._pool_lock:
            if self._pool is pool:
                self._pool = None
        pool.close()

    def start_pool(self, workers: int) -> MaskingPool | None:
        """Start ``workers`` masking processes in the background (no-op if they run or are
        starting); returns the pool once it is up, else None."""
        with self._pool_lock:
            if self._pool is not None and self._pool.workers == workers:
                return self._pool
            if self._starting is None:
                self._starting = threading.Thread(
                    target=self._start_pool, args=(workers,), name="masking-pool", daemon=True
                )
                self._starting.start()
            return None

    @property
    def processes(self) -> int:
        """How many masking processes are up (0: masking happens in the calling process)."""
        pool = self._pool
        return pool.workers if pool is not None else 0

    def _start_pool(self, workers: int) -> None:
        try:
            pool = MaskingPool(workers, self._public_numbers)
        except Exception:  # the batches go on in-process; say why once
            log.exception("masking processes could not start; masking in-process")
            return  # _starting stays set: no retry storm
        with self._pool_lock:
            old, self._pool, self._starting = self._pool, pool, None
        if old is not None:
            old.close()

    def _mask_in_batch(
        self, index: int, parts: Mapping[str, str], sender_name: str | None
    ) -> MaskResult:
        try:
            return self.mask(parts, sender_name=sender_name)
        except MaskingError as exc:
            raise exc.in_batch(index) from None

    def close(self) -> None:
        """Stop the worker processes of :meth:`mask_many`, if any (waits for a start under way)."""
        starting = self._starting
        if starting is not None:
            starting.join()
        with self._pool_lock:
            pool, self._pool, self._starting = self._pool, None, None
        if pool is not None:
            pool.close()

    def _analyze(self, part: str, text: str) -> list[Detection]:
        if not text.strip():
            return []
        try:
            results = self._analyzer.analyze(text=text, language=language_of(text))
        except Exception as exc:
            raise MaskingError(
                f"masking failed in part {part!r} ({type(exc).__name__}); nothing was sent. "
                "Check the recognizers with `nightshift mask` on a copy of the document.",
                part=part,
            ) from None
        return [Detection(r.entity_type, r.start, r.end, r.score) for r in results]


def _check_input(parts: Mapping[str, str], sender_name: str | None) -> None:
    if not isinstance(parts, Mapping):
        raise MaskingError("parts must be a mapping of part name to text")
    for name, text in parts.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise MaskingError(f"part {str(name)[:40]!r} is not text; expected str -> str")
    if sender_name is not None and not isinstance(sender_name, str):
        raise MaskingError("sender_name must be text or None")


def _name_book(
    parts: Mapping[str, str],
    views: Mapping[str, str],
    found: Mapping[str, list[Detection]],
    sender_name: str | None,
) -> NameBook:
    """The document's people, read in the name view (Title case) and kept as written."""
    book = NameBook()
    sender_view = name_view(sender_name) if sender_name else None
    if sender_name and sender_view and is_person_like(sender_view):
        book.add(sender_view, sender_name)
    mentions = [
        (views[name][d.start : d.end], parts[name][d.start : d.end])
        for name, detections in found.items()
        for d in detections
        if d.entity_type == PERSON
    ]
    for seen, written in sorted(mentions, key=lambda m: -len(m[0].split())):
        book.add(seen, written)
    for view in views.values():
        book.learn_neighbours(view)
    return book


def _with_people(view: str, detections: list[Detection], book: NameBook) -> list[Detection]:
    others = [d for d in detections if d.entity_type != PERSON]
    named = [
        Detection(PERSON, d.start, d.end, d.score, book.person_of(view[d.start : d.end]))
        for d in detections
        if d.entity_type == PERSON
    ]
    mentioned = [
        Detection(PERSON, s, e, 0.85, person)
        for s, e, person in book.find(view)
        if not is_place_name(view, s, e)  # "ул. Кунаева" is a street, whoever Кунаев is
    ]
    return [*others, *named, *mentioned]


def _render(
    parts: Mapping[str, str],
    settled: Mapping[str, list[Detection]],
    book: NameBook,
    version: str,
) -> MaskResult:
    placeholders = PlaceholderBook()
    masked: dict[str, str] = {}
    entities: list[MaskedEntity] = []
    for name, text in parts.items():
        pieces: list[str] = []
        cursor = 0
        for d in settled.get(name, []):
            tag = placeholders.placeholder_for(d.entity_type, *_key_and_value(text, d, book))
            pieces += [text[cursor : d.start], tag]
            cursor = d.end
            entities.append(MaskedEntity(d.entity_type, name, d.start, d.end, tag))
        masked[name] = "".join(pieces) + text[cursor:]
    return MaskResult(masked, placeholders.mapping, placeholders.counts(), version, tuple(entities))


def _key_and_value(text: str, detection: Detection, book: NameBook) -> tuple[str, str]:
    value = text[detection.start : detection.end]
    if detection.entity_type == PERSON and detection.person is not None:
        return f"#{detection.person}", book.people[detection.person].display
    return value_key(detection.entity_type, value), value
