"""What a usage report holds: typed tables and headline figures, no rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    id: str  # file name of its CSV, key in the JSON
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    note: str = ""

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Period:
    since: dt.datetime
    until: dt.datetime  # exclusive

    @property
    def days(self) -> float:
        return (self.until - self.since).total_seconds() / 86400

    def previous(self) -> Period:
        return Period(self.since - (self.until - self.since), self.since)

    def describe(self) -> str:
        end = self.until - dt.timedelta(microseconds=1)
        return f"{self.since:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True)
class PolicyStatus:
    """The policy the report is read against, and where its review cycle stands."""

    name: str
    version: str
    owner: str
    contact: str
    url: str
    next_review: dt.date
    today: dt.date

    @property
    def overdue_days(self) -> int:
        return max(0, (self.today - self.next_review).days)

    @property
    def review_status(self) -> str:
        if self.overdue_days:
            return f"review overdue by {self.overdue_days} day(s) (due {self.next_review})"
        return f"next review {self.next_review}"


@dataclass(frozen=True)
class Report:
    period: Period
    previous: Period
    files: tuple[str, ...]
    lines: int  # non-empty lines read, all files
    malformed: int  # not a JSON object, or without a valid time
    headline: dict[str, Any]  # figures for the period and the previous one
    tables: tuple[Table, ...]
    policy: PolicyStatus | None = None
    pseudonymised: bool = False
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)
