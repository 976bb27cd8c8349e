"""spaCy named-entity recognition, offline, lean and cached.

Only the model's own ``tok2vec`` and ``ner`` run (tagger, parser, lemmatizer... are
excluded when loading), snippets are batched through ``nlp.pipe``, and results are kept
in an LRU owned by the engine: keyed by a keyed BLAKE2 hash of the snippet, holding only
offsets and labels, never text. A chat history re-sent every turn costs nothing the
second time. spaCy's string store would otherwise keep every token it has seen (memory
growth, and prompt fragments lingering): each batch runs inside ``nlp.memory_zone()``.

A large batch (``parallel_min_chars`` or more) is split across several copies of the model
in threads: spaCy and thinc release the GIL for much of the work, so a long prompt uses
every core a worker process may use. Each copy has its own vocabulary and string store
and is used by one thread at a time; small batches stay on the first copy.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from ..cores import usable_cores
from ..errors import ConfigError
from .pii_rules import NerSettings

# Everything in a spaCy core pipeline that NER does not need.
_EXCLUDE = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer",
            "trainable_lemmatizer", "entity_ruler", "textcat", "textcat_multilabel")


# The entity name of spans under ``other_labels`` (ORG, NORP...): never reported, but
# they tell the name lexicon that the words are not a person.
OTHER = "OTHER"


@dataclass(frozen=True)
class NerEntity:
    """An entity inside one snippet: offsets relative to the snippet, mapped entity name
    (or ``OTHER``)."""

    start: int
    end: int
    entity: str


def load_spacy_model(name: str, file: str = "rulesets/pii.yaml"):  # -> spacy.Language
    """Load an installed spaCy model package with only tok2vec + ner; never download."""
    import spacy  # heavy import, only when a detector is built

    if not spacy.util.is_package(name):
        raise ConfigError.single(
            file, None, "ner.model",
            f"spaCy model package {name!r} is not installed (it is never downloaded)",
        )
    nlp = spacy.load(name, exclude=list(_EXCLUDE))
    if "ner" not in nlp.pipe_names:
        raise ConfigError.single(file, None, "ner.model", f"model {name!r} has no 'ner' component")
    return nlp


def share_bounds(sizes: Sequence[int], parts: int) -> list[tuple[int, int]]:
    """Cut a list of items with these ``sizes`` into at most ``parts`` contiguous, non-empty
    index ranges of about equal total size (the model's cost follows the text's length)."""
    total = sum(sizes)
    bounds: list[tuple[int, int]] = []
    start, seen = 0, 0
    for i, size in enumerate(sizes):
        seen += size
        # close a share once it reaches its fair part of the total
        if i + 1 < len(sizes) and seen * parts >= total * (len(bounds) + 1) \
                and len(bounds) + 1 < parts:
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(sizes):
        bounds.append((start, len(sizes)))
    return bounds


class NerEngine:
    """Runs NER over snippets with a bounded result cache. Thread-safe."""

    def __init__(self, settings: NerSettings, file: str = "rulesets/pii.yaml") -> None:
        copies = settings.threads or usable_cores()
        # Every copy is loaded now: a worker's memory is known at start, and the first
        # long prompt does not pay for loading (about 0.7 s and 35 MB per copy).
        self._models = [load_spacy_model(settings.model, file) for _ in range(copies)]
        self._labels = {label: OTHER for label in settings.other_labels}
        self._labels.update(settings.labels)
        self._max_entries = settings.cache_entries
        self._parallel_min_chars = settings.parallel_min_chars
        self._cache: OrderedDict[bytes, tuple[NerEntity, ...]] = OrderedDict()
        self._hash_key = os.urandom(32)  # per instance: hashes mean nothing elsewhere
        # Held while the model runs: one batch at a time, so each copy has one user.
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(copies - 1, thread_name_prefix="aipolicy-ner") \
            if copies > 1 else None
        for nlp in self._models:
            self._pipe(nlp, ["Warm up the model with Jane Roe in Paris."])
        self.last_run_copies = 0  # model copies the most recent model run used

    @property
    def copies(self) -> int:
        """Model copies a large batch is split across."""
        return len(self._models)

    def _digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self._hash_key,
                               digest_size=16).digest()

    def _run_model(self, texts: Sequence[str]) -> list[tuple[NerEntity, ...]]:
        """The only place the model runs (tests count calls here). Called with the lock
        held; a large batch is split across the model copies, results kept in order."""
        pool = self._pool
        if pool is None or sum(map(len, texts)) < self._parallel_min_chars:
            self.last_run_copies = 1
            return self._pipe(self._models[0], texts)
        shares = share_bounds([len(t) for t in texts], len(self._models))
        self.last_run_copies = len(shares)
        futures = [pool.submit(self._pipe, nlp, texts[a:b])
                   for nlp, (a, b) in zip(self._models[1:], shares[1:], strict=False)]
        try:
            a, b = shares[0]
            out = self._pipe(self._models[0], texts[a:b])  # this thread takes the first
            for future in futures:
                out.extend(future.result())
        finally:
            wait(futures)  # no copy is still busy once the lock is released
        return out

    def _pipe(self, nlp, texts: Sequence[str]) -> list[tuple[NerEntity, ...]]:
        """One model copy over ``texts``; its strings are freed when the batch is done."""
        out: list[tuple[NerEntity, ...]] = []
        with nlp.memory_zone():
            for doc in nlp.pipe(texts, batch_size=64):
                out.append(tuple(
                    NerEntity(ent.start_char, ent.end_char, self._labels[ent.label_])
                    for ent in doc.ents if ent.label_ in self._labels
                ))
        return out

    def entities(self, texts: Sequence[str]) -> list[tuple[NerEntity, ...]]:
        """Entities for each snippet, from the cache where possible, in one model batch."""
        keys = [self._digest(t) for t in texts]
        results: list[tuple[NerEntity, ...] | None] = [None] * len(texts)
        with self._lock:
            missing: dict[bytes, list[int]] = {}
            for i, key in enumerate(keys):
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    results[i] = hit
                else:
                    missing.setdefault(key, []).append(i)
            if missing:
                order = list(missing)
                found = self._run_model([texts[missing[k][0]] for k in order])
                for key, ents in zip(order, found, strict=True):
                    for i in missing[key]:
                        results[i] = ents
                    if self._max_entries:
                        self._cache[key] = ents
                while len(self._cache) > self._max_entries:
                    self._cache.popitem(last=False)
        return [r if r is not None else () for r in results]

    @property
    def cache_size(self) -> int:
        return len(self._cache)
