"""Which store a deployment uses: ``sqlite`` (a file in the data directory),
``sqlite:///absolute/path.db`` or ``redis://[:password@]host:port/db``
(``rediss://`` for TLS)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .base import StateStore

DEFAULT_FILE = "state.db"


@dataclass(frozen=True)
class StoreUrl:
    kind: str  # sqlite | redis
    path: Path | None = None  # sqlite
    url: str | None = None  # redis

    def describe(self) -> str:
        """For logs: never the password of a Redis URL."""
        if self.kind == "sqlite":
            return f"sqlite {self.path}"
        parts = urlsplit(self.url or "")
        return f"redis {parts.hostname}:{parts.port or 6379}{parts.path or ''}"


def parse_store_url(value: str, data_dir: Path) -> StoreUrl:
    """Raises ValueError with a message that never repeats a password."""
    if value in ("", "sqlite"):
        return StoreUrl("sqlite", path=data_dir / DEFAULT_FILE)
    if value.startswith("sqlite:"):
        raw = value.removeprefix("sqlite:").removeprefix("//")
        if not raw:
            raise ValueError("sqlite store URL needs a path: sqlite:///var/lib/aipolicy/state.db")
        path = Path(raw)
        return StoreUrl("sqlite", path=path if path.is_absolute() else data_dir / path)
    parts = urlsplit(value)
    if parts.scheme in ("redis", "rediss"):
        if not parts.hostname:
            raise ValueError("redis store URL needs a host: redis://host:6379/0")
        try:
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            raise ValueError("redis store URL has an invalid port") from None
        return StoreUrl("redis", url=value)
    raise ValueError("store must be 'sqlite', 'sqlite:///path.db' or 'redis://host:port/db'")


def open_store(url: StoreUrl, *, prefix: str = "aipolicy") -> StateStore:
    if url.kind == "sqlite":
        from .sqlite import SqliteStore

        assert url.path is not None
        return SqliteStore(url.path)
    from .redis_store import RedisStore

    assert url.url is not None
    return RedisStore(url.url, prefix=prefix)
