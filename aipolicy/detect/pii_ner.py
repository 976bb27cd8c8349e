"""spaCy named-entity recognition, offline, lean and cached.

Only the model's own ``tok2vec`` and ``ner`` run (tagger, parser, lemmatizer... are
excluded when loading), snippets are batched through ``nlp.pipe``, and results are kept
in an LRU owned by the engine: keyed by a keyed BLAKE2 hash of the snippet, holding only
offsets and labels, never text. A chat history re-sent every turn costs nothing the
second time. spaCy's string store would otherwise keep every token it has seen (memory
growth, and prompt fragments lingering): each batch runs inside ``nlp.memory_zone()``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

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


class NerEngine:
    """Runs NER over snippets with a bounded result cache. Thread-safe."""

    def __init__(self, settings: NerSettings, file: str = "rulesets/pii.yaml") -> None:
        self._nlp = load_spacy_model(settings.model, file)
        self._labels = {label: OTHER for label in settings.other_labels}
        self._labels.update(settings.labels)
        self._max_entries = settings.cache_entries
        self._cache: OrderedDict[bytes, tuple[NerEntity, ...]] = OrderedDict()
        self._hash_key = os.urandom(32)  # per instance: hashes mean nothing elsewhere
        self._lock = threading.Lock()
        self._run_model(["Warm up the model with Jane Roe in Paris."])

    def _digest(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=self._hash_key,
                               digest_size=16).digest()

    def _run_model(self, texts: Sequence[str]) -> list[tuple[NerEntity, ...]]:
        """The only place the model runs (tests count calls here)."""
        out: list[tuple[NerEntity, ...]] = []
        with self._nlp.memory_zone():
            for doc in self._nlp.pipe(texts, batch_size=64):
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
