"""Where the project's own files are, relative to the installed package."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RULESETS = PROJECT_ROOT / "rulesets"
DEFAULT_RULESET = RULESETS / "default.yaml"
ADDONS = PROJECT_ROOT / "addons"
ENTRY_ADDON = ADDONS / "aipolicy_addons.py"
CERTS = PROJECT_ROOT / "certs"
DATA = PROJECT_ROOT / "data"  # default data directory: the state store, incident queue
