"""Write a PAC file that sends only the catalog's AI hosts to the proxy.

    .venv/bin/python deploy/pac/make_pac.py --proxy HOST:PORT [--proxy HOST:PORT ...]
        [--ruleset rulesets/default.yaml] [--out FILE]

The hosts come from the catalog the ruleset names (every app's domains and the hosts of
its path entries), so the PAC file cannot drift from what the proxy treats as AI, plus
the sign-in hosts the ruleset's tenant restriction decrypts (`tenants`, `sign_in: true`):
sent DIRECT they would never get the tenant header. Regenerate it whenever the catalog
or the `tenants` section changes. Exit 2 when the ruleset is invalid.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from aipolicy.catalog import Catalog
from aipolicy.errors import ConfigError
from aipolicy.paths import DEFAULT_RULESET
from aipolicy.ruleset import Ruleset, load_ruleset

TEMPLATE = Path(__file__).with_name("ai-only.pac.in")
_PROXY = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}")


def ai_hosts(catalog: Catalog, extra: Iterable[str] = ()) -> list[str]:
    """Every host name the PAC file must send to the proxy (the catalog's, and ``extra``),
    without redundant subdomains."""
    hosts: set[str] = {h.lower().rstrip(".") for h in extra}
    for app in catalog:
        hosts.update(d.lower().rstrip(".") for d in app.domains)
        hosts.update(h.lower().rstrip(".") for h, _prefix in app.paths)
    return sorted(h for h in hosts if not _under_another(h, hosts))


def proxied_hosts(ruleset: Ruleset) -> list[str]:
    """The catalog's hosts and the sign-in hosts decrypted for tenant headers."""
    return ai_hosts(ruleset.catalog,
                    ruleset.tenants.sign_in_hosts if ruleset.tenants else ())


def _under_another(host: str, hosts: set[str]) -> bool:
    labels = host.split(".")
    return any(".".join(labels[i:]) in hosts for i in range(1, len(labels)))


def render(hosts: Iterable[str], proxies: Iterable[str], source: str) -> str:
    proxies = list(proxies)
    if not proxies:
        raise ValueError("at least one proxy is needed")
    for proxy in proxies:
        if not _PROXY.fullmatch(proxy):
            raise ValueError(f"proxy {proxy!r} is not HOST:PORT")
    entries = ",\n".join(f"    {json.dumps(h)}: true" for h in hosts)
    return (TEMPLATE.read_text(encoding="utf-8")
            .replace("@SOURCE@", source)
            .replace("@PROXIES@", "; ".join(f"PROXY {p}" for p in proxies))
            .replace("@HOSTS@", entries))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proxy", action="append", required=True, metavar="HOST:PORT",
                        help="proxy address; repeat for fail-over, tried in order")
    parser.add_argument("--ruleset", type=Path, default=DEFAULT_RULESET)
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        ruleset = load_ruleset(args.ruleset)
    except ConfigError as exc:
        print(f"make_pac: invalid ruleset:\n{exc}", file=sys.stderr)
        return 2
    catalog = ruleset.catalog
    source = f"{args.ruleset.name}, catalog version {catalog.version}"
    try:
        text = render(proxied_hosts(ruleset), args.proxy, source)
    except ValueError as exc:
        print(f"make_pac: {exc}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
