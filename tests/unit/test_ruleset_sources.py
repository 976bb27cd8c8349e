"""A ruleset's files are read once; a scan worker builds from exactly those bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aipolicy.errors import ConfigError
from aipolicy.inspect import Inspector
from aipolicy.ruleset import load_ruleset
from aipolicy.sources import FileReader, Snapshot, stamp

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "fixtures" / "rulesets" / "e2e.yaml"


@pytest.fixture
def ruleset(tmp_path: Path) -> Path:
    """The e2e ruleset next to its own copies of the rule files, with a terms_file."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets", rules, ignore=shutil.ignore_patterns("*.md"))
    (rules / "codenames.txt").write_text("# code names\nKingfisher\n")
    path = rules / "policy.yaml"
    path.write_text(E2E.read_text().replace("../../../rulesets/", "")
                    .replace("person: contextual", "person: 'off'")  # no model to load
                    .replace("terms: [Bluebird, Project Nightjar]",
                             "terms: [Bluebird]\n      terms_file: codenames.txt"))
    return path


def test_every_named_file_is_in_the_snapshot(ruleset: Path) -> None:
    rs = load_ruleset(ruleset)
    names = {p.name for p in rs.source_files}
    assert names == {"policy.yaml", "catalog.yaml", "pii.yaml", "pii_fields.yaml",
                     "person_names.txt", "secrets.yaml", "codenames.txt", "activities.yaml",
                     "normalize.yaml",
                     "confusables.txt"}
    assert all(p.is_absolute() for p in rs.source_files)
    assert rs.sources.root == str(ruleset)
    for f in rs.sources.files:
        assert f.data == Path(f.path).read_bytes() and f.stamp == stamp(f.path)


def test_a_ruleset_built_from_its_snapshot_ignores_later_edits(ruleset: Path) -> None:
    rs = load_ruleset(ruleset)
    rules = ruleset.parent
    (rules / "codenames.txt").write_text("Heron\n")
    ruleset.write_text("mode: [")  # broken
    (rules / "secrets.yaml").unlink()
    again = load_ruleset(rs.sources.root, rs.sources)
    assert again.policy == rs.policy
    inspector = Inspector(again.inspection, again.sources)
    found = {f.type for f in inspector.scan(["Kingfisher and Bluebird, not Heron; key "
                                             "AKIAZ3MHQ7TXKRV4PWUN"])}
    assert found == {"project-codenames", "aws-access-key-id"}
    assert inspector.scan(["Heron"]) == []
    # the files changed on disk: a reload would see it
    assert any(stamp(p) != f.stamp for p, f in zip(rs.source_files, rs.sources.files,
                                                   strict=True))


def test_a_file_missing_from_the_snapshot_is_a_config_error(ruleset: Path) -> None:
    rs = load_ruleset(ruleset)
    partial = Snapshot(rs.sources.root, tuple(f for f in rs.sources.files
                                              if not f.path.endswith("pii.yaml")))
    with pytest.raises(ConfigError) as info:
        load_ruleset(partial.root, partial)
    assert "pii.yaml" in str(info.value) and "not found" in str(info.value)


def test_the_reader_reads_each_file_once(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(b"one\r\ntwo\n")
    reader = FileReader()
    assert reader.read_text(f) == "one\ntwo\n"  # universal newlines, as Path.read_text
    f.write_text("changed")
    assert reader.read_text(f) == "one\ntwo\n" and reader.include(f)
    assert not reader.include(tmp_path / "absent.txt") and not reader.include(tmp_path)
    snapshot = reader.snapshot(f)
    assert snapshot.read_text(f) == "one\ntwo\n" and snapshot.paths == (f,)
    with pytest.raises(FileNotFoundError):
        snapshot.read_text(tmp_path / "other.txt")


def test_the_pii_field_file_comes_from_the_snapshot(ruleset: Path) -> None:
    """pii_fields.yaml is read once with the rest: a worker builds the field reading from
    the validated bytes, even after the file is gone from disk."""
    rs = load_ruleset(ruleset)
    (ruleset.parent / "pii_fields.yaml").unlink()
    again = load_ruleset(rs.sources.root, rs.sources)
    found = Inspector(again.inspection, again.sources).scan(["name,ssn\nAda,536221984\n"])
    assert [f.type for f in found] == ["US_SSN"]
