"""The files a ruleset is built from, each read once.

A ruleset names other files: the catalog, the secret rules, the PII patterns (which name
the person-name lexicon) and custom term lists. Every loader reads through a
``Sources``:

* ``FileReader`` reads from disk, each file once, and keeps what it read (the bytes, and
  the file's modification stamp taken just before reading);
* ``FileReader.snapshot()`` is a ``Snapshot`` of those bytes: immutable, picklable, and a
  ``Sources`` itself.

``load_ruleset`` validates a ruleset from what its reader read and keeps the snapshot.
Scan workers build their detectors from that very snapshot and never open a file, so an
edit made after the main process validated a file cannot reach a worker unvalidated.
Paths are made absolute with string operations only (no symlink resolution), so the main
process and a worker name every file alike.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ConfigError

if TYPE_CHECKING:
    from .schema import Checker
    from .yamlsrc import Src

Stamp = tuple[int, int]  # (st_mtime_ns, st_size); (0, 0) when the file cannot be read


class Sources(Protocol):
    def read_text(self, path: str | Path) -> str:
        """The file's text (UTF-8, universal newlines); OSError or UnicodeDecodeError as
        ``Path.read_text`` raises them."""
        ...

    def include(self, path: str | Path) -> bool:
        """Take a file the ruleset names into its sources; False if there is none."""
        ...


def absolute(path: str | Path) -> str:
    return os.path.abspath(path)


def stamp(path: str | Path) -> Stamp:
    try:
        st = os.stat(path)
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def _text(data: bytes) -> str:
    # the same text Path.read_text(encoding="utf-8") gives: universal newlines
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class SourceFile:
    path: str  # absolute
    data: bytes
    stamp: Stamp  # taken before the bytes were read: a later edit always shows


@dataclass(frozen=True)
class Snapshot:
    """The bytes of every file one ruleset was built from; ``root`` is the ruleset file."""

    root: str
    files: tuple[SourceFile, ...]

    def _find(self, path: str | Path) -> SourceFile | None:
        key = absolute(path)
        return next((f for f in self.files if f.path == key), None)  # a handful of files

    def read_text(self, path: str | Path) -> str:
        found = self._find(path)
        if found is None:
            raise FileNotFoundError(errno.ENOENT, "not in the ruleset's snapshot", str(path))
        return _text(found.data)

    def include(self, path: str | Path) -> bool:
        return self._find(path) is not None

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(Path(f.path) for f in self.files)

    @property
    def size(self) -> int:
        return sum(len(f.data) for f in self.files)


class FileReader:
    """Reads files from disk, each once, and remembers what it read."""

    def __init__(self) -> None:
        self._files: dict[str, SourceFile] = {}

    def read_text(self, path: str | Path) -> str:
        return _text(self._read(path).data)

    def include(self, path: str | Path) -> bool:
        # read now, even if its loader runs later (in a scan worker): the bytes are fixed
        try:
            self._read(path)
        except OSError:
            return False
        return True

    def _read(self, path: str | Path) -> SourceFile:
        key = absolute(path)
        found = self._files.get(key)
        if found is None:
            before = stamp(key)
            found = SourceFile(key, Path(key).read_bytes(), before)
            self._files[key] = found
        return found

    def snapshot(self, root: str | Path) -> Snapshot:
        return Snapshot(absolute(root), tuple(self._files.values()))



def load_referenced[T](check: Checker, value: Any, src: Src, base: Path, sources: Sources,
                       default: Path, what: str,
                       load: Callable[[Path, Sources], T]) -> T | None:
    """A data file a ruleset names (``value``, relative to ``base``) or, when it names
    none, the shipped ``default``, loaded through ``sources``; problems (a missing file,
    the file's own) are added to ``check`` and give None."""
    if value is None:
        path = Path(absolute(default))
        if not sources.include(path):
            check.fail(src, f"the shipped {default.name} is missing")
            return None
    else:
        name = check.string(value, src)
        if name is None:
            return None
        path = Path(absolute(base / name))
        if not sources.include(path):
            check.fail(src, f"{what} file {name!r} not found next to the ruleset")
            return None
    try:
        return load(path, sources)
    except ConfigError as exc:
        check.problems.extend(exc.problems)
        return None
