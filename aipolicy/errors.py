"""Typed errors for configuration problems.

A configuration error always names the file, the line and the field so the security
team can fix it without guessing. Messages never carry request content.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    """One problem found in a YAML file: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class ConfigError(Exception):
    """A ruleset, catalog or rule file is invalid. Holds every problem found."""

    def __init__(self, problems: list[ConfigProblem] | tuple[ConfigProblem, ...]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, line: int | None, field: str, message: str) -> ConfigError:
        return cls([ConfigProblem(file, line, field, message)])
