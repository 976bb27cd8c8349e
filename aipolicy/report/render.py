"""A report as a terminal table, CSV files, JSON, and one self-contained HTML page.

The HTML page has no external assets (inline CSS and SVG charts), reads on a phone
(tables scroll sideways inside their card, charts scale) and prints (no shadows, page
breaks between sections). Every value from the logs is escaped.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path
from typing import Any

from .model import Report, Table

_HIGHLIGHT = {"banned": "bad", "unsanctioned": "warn"}


# ----------------------------------------------------------------------------- text
def text(report: Report, max_rows: int = 15) -> str:
    out = [_title(report), ""]
    h = report.headline
    now, before = h["period"], h["previous"]
    change = h["requests_change_percent"]
    out.append(f"requests {now['requests']:,} (previous period {before['requests']:,}"
               + (f", {change:+.1f} %" if change is not None else "") + ")"
               f"  users {now['users']:,}  apps {now['apps']:,}"
               f"  unsanctioned/banned {now['unsanctioned_or_banned']:,}"
               f"  blocked {now['blocked']:,}  redacted {now['redacted']:,}"
               f"  coached {now['coached']:,}  incidents {now['incidents']:,}")
    out.append("")
    for table in report.tables:
        out.append(f"== {table.title}" + (f" ({table.note})" if table.note else ""))
        out.append(_text_table(table, max_rows))
        out.append("")
    return "\n".join(out)


def _title(report: Report) -> str:
    lines = [f"AI usage report, {report.period.describe()} "
             f"(previous: {report.previous.describe()})",
             f"{report.lines:,} audit lines from {len(report.files)} file(s), "
             f"{report.malformed:,} malformed (skipped)"]
    if report.policy:
        p = report.policy
        lines.insert(0, f"{p.name}, version {p.version} — {p.review_status}")
    if report.pseudonymised:
        lines.append("user names are pseudonymised")
    return "\n".join(lines)


def _text_table(table: Table, max_rows: int) -> str:
    if not table.rows:
        return "  (none)"
    rows = [tuple(_cell(v) for v in r) for r in table.rows[:max_rows]]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(table.columns)]
    numeric = [all(isinstance(r[i], int | float) for r in table.rows[:max_rows])
               for i in range(len(table.columns))]

    def fmt(cells: tuple[str, ...]) -> str:
        return "  " + "  ".join(c.rjust(w) if n else c.ljust(w)
                                for c, w, n in zip(cells, widths, numeric, strict=True))

    lines = [fmt(tuple(table.columns)), fmt(tuple("-" * w for w in widths))]
    lines += [fmt(r) for r in rows]
    if len(table.rows) > max_rows:
        lines.append(f"  ... {len(table.rows) - max_rows} more rows (see --csv / --html)")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# ----------------------------------------------------------------------------- csv/json
def write_csv(report: Report, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in report.tables:
        path = directory / f"{table.id}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(table.columns)
            w.writerows([_csv_safe(v) for v in row] for row in table.rows)
        written.append(path)
    return written


def _csv_safe(value: Any) -> Any:
    """Values from the logs must not become spreadsheet formulas."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def as_json(report: Report) -> dict[str, Any]:
    return {
        "period": {"since": report.period.since.isoformat(),
                   "until": report.period.until.isoformat()},
        "previous_period": {"since": report.previous.since.isoformat(),
                            "until": report.previous.until.isoformat()},
        "files": list(report.files), "lines": report.lines, "malformed": report.malformed,
        "pseudonymised": report.pseudonymised,
        "policy": None if report.policy is None else {
            "name": report.policy.name, "version": report.policy.version,
            "owner": report.policy.owner, "contact": report.policy.contact,
            "url": report.policy.url, "next_review": report.policy.next_review.isoformat(),
            "review_overdue_days": report.policy.overdue_days},
        "headline": report.headline,
        "tables": {t.id: {"title": t.title, "note": t.note, "rows": t.as_dicts()}
                   for t in report.tables},
    }


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(as_json(report), indent=2, default=str), encoding="utf-8")


# ----------------------------------------------------------------------------- html
_CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--accent:#0969da;
--bad:#cf222e;--warn:#9a6700;--prev:#8c959f}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1100px;margin:0 auto;padding:16px}
header{background:#fff;border-bottom:1px solid var(--line);max-width:none}
header .in{max-width:1100px;margin:0 auto}h1{font-size:1.4rem;margin:0 0 4px}
h2{font-size:1.1rem;margin:0 0 8px}.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px;
margin:12px 0}.card{background:#fff;border:1px solid var(--line);border-radius:8px;
padding:10px 12px}.card b{display:block;font-size:1.35rem}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px;
margin:12px 0;break-inside:avoid}.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;
white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.bad td{color:var(--bad);font-weight:600}tr.warn td{color:var(--warn)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;
background:#ddf4ff;color:var(--accent)}.badge.bad{background:#ffebe9;color:var(--bad)}
svg{width:100%;height:auto;display:block}svg text{font:11px system-ui,sans-serif;
fill:var(--muted)}.legend span{display:inline-block;margin-right:12px}
.sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
@media print{body{background:#fff}section,.card{border-color:#999;box-shadow:none}
header{border:0}section{page-break-inside:avoid}}
"""


def html_page(report: Report, max_rows: int = 50) -> str:
    esc = html.escape
    h = report.headline
    now, before = h["period"], h["previous"]
    change = h["requests_change_percent"]
    cards = [("Requests", f"{now['requests']:,}",
              f"previous {before['requests']:,}" + (f" ({change:+.1f} %)"
                                                     if change is not None else "")),
             ("Users", f"{now['users']:,}", f"previous {before['users']:,}"),
             ("AI apps", f"{now['apps']:,}", f"previous {before['apps']:,}"),
             ("Unsanctioned / banned", f"{now['unsanctioned_or_banned']:,}",
              f"previous {before['unsanctioned_or_banned']:,}"),
             ("Blocked", f"{now['blocked']:,}", f"previous {before['blocked']:,}"),
             ("Redacted", f"{now['redacted']:,}", f"previous {before['redacted']:,}"),
             ("Coached", f"{now['coached']:,}", f"previous {before['coached']:,}"),
             ("Incidents", f"{now['incidents']:,}", f"previous {before['incidents']:,}")]
    policy = ""
    if report.policy:
        p = report.policy
        badge = "bad" if p.overdue_days else ""
        policy = (f'<p><strong>{esc(p.name)}</strong>, version {esc(p.version)}, owner '
                  f'{esc(p.owner)} · <span class="badge {badge}">{esc(p.review_status)}'
                  f'</span> · <a href="{esc(p.url)}">policy</a> · {esc(p.contact)}</p>')
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        "<title>AI usage report</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<header><div class=in><h1>AI usage report</h1>{policy}'
        f'<p class=muted>{esc(report.period.describe())} · compared with '
        f'{esc(report.previous.describe())} · {report.lines:,} audit lines, '
        f'{report.malformed:,} malformed (skipped)'
        + (" · user names pseudonymised" if report.pseudonymised else "")
        + f' · generated {report.generated:%Y-%m-%d %H:%M} UTC</p></div></header><main>',
        '<div class=cards role=list>'
        + "".join(f'<div class=card role=listitem><span class=muted>{esc(t)}</span>'
                  f'<b>{esc(v)}</b><span class=muted>{esc(s)}</span></div>'
                  for t, v, s in cards) + "</div>",
    ]
    charts = {"apps": _bar_chart(report.table("apps"), "name", "requests", "app"),
              "trend": _trend_chart(report.table("trend")),
              "findings": _findings_chart(report.table("findings"))}
    for table in report.tables:
        chart = charts.get(table.id, "")
        parts.append(f'<section aria-labelledby="t-{table.id}"><h2 id="t-{table.id}">'
                     f'{esc(table.title)}</h2>'
                     + (f'<p class=muted>{esc(table.note)}</p>' if table.note else "")
                     + chart + _html_table(table, max_rows) + "</section>")
    parts.append("</main></body></html>")
    return "".join(parts)


def _html_table(table: Table, max_rows: int) -> str:
    esc = html.escape
    if not table.rows:
        return "<p class=muted>None in this period.</p>"
    numeric = [all(isinstance(r[i], int | float) for r in table.rows)
               for i in range(len(table.columns))]
    status_col = table.columns.index("status") if "status" in table.columns else None
    head = "".join(f'<th scope=col class="{"n" if n else ""}">{esc(c.replace("_", " "))}</th>'
                   for c, n in zip(table.columns, numeric, strict=True))
    body = []
    for row in table.rows[:max_rows]:
        cls = _HIGHLIGHT.get(row[status_col], "") if status_col is not None else ""
        cells = "".join(f'<td class="{"n" if n else ""}">{esc(_cell(v))}</td>'
                        for v, n in zip(row, numeric, strict=True))
        body.append(f'<tr class="{cls}">{cells}</tr>')
    more = ""
    if len(table.rows) > max_rows:
        more = (f"<p class=muted>{len(table.rows) - max_rows} more rows in "
                f"{esc(table.id)}.csv</p>")
    return (f'<div class=scroll><table><thead><tr>{head}</tr></thead><tbody>'
            f'{"".join(body)}</tbody></table></div>{more}')


def _bar_chart(table: Table, label: str, value: str, key: str, top: int = 10) -> str:
    rows = table.as_dicts()[:top]
    if not rows:
        return ""
    width, bar_h, gap, left = 640, 18, 6, 170
    peak = max(r[value] for r in rows) or 1
    height = len(rows) * (bar_h + gap) + gap
    out = [f'<svg viewBox="0 0 {width} {height}" role=img aria-label="'
           f'{html.escape(table.title)}: top {len(rows)} by {value}">']
    for i, r in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1.0, (width - left - 70) * r[value] / peak)
        color = {"banned": "var(--bad)", "unsanctioned": "var(--warn)"}.get(
            r.get("status", ""), "var(--accent)")
        name = html.escape(str(r.get(label) or r.get(key))[:26])
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor=end>{name}</text>'
                   f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                   f'fill="{color}" rx=3><title>{name}: {r[value]:,}</title></rect>'
                   f'<text x="{left + w + 6:.1f}" y="{y + 13}">{r[value]:,}</text>')
    out.append("</svg>")
    return "".join(out)


def _findings_chart(table: Table) -> str:
    totals: dict[str, int] = {}
    for r in table.as_dicts():
        totals[r["type"]] = totals.get(r["type"], 0) + r["found"]
    rows = tuple((t, n) for t, n in sorted(totals.items(), key=lambda x: (-x[1], x[0])))
    return _bar_chart(Table("f", "Findings by type", ("type", "found"), rows),
                      "type", "found", "type")


def _trend_chart(table: Table) -> str:
    rows = table.as_dicts()
    if not rows:
        return ""
    width, height, pad = 640, 200, 32
    peak = max(max(r["requests"], r["previous_period_requests"]) for r in rows) or 1
    step = (width - 2 * pad) / max(1, len(rows) - 1)

    def points(field: str) -> str:
        scale = (height - 2 * pad) / peak
        return " ".join(f"{pad + i * step:.1f},{height - pad - scale * r[field]:.1f}"
                        for i, r in enumerate(rows))

    first, last = rows[0]["day"], rows[-1]["day"]
    return (f'<svg viewBox="0 0 {width} {height}" role=img aria-label="Requests per day, '
            f'this period against the previous one">'
            f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
            f'stroke="var(--line)"/>'
            f'<polyline fill=none stroke="var(--prev)" stroke-dasharray="4 3" stroke-width=2 '
            f'points="{points("previous_period_requests")}"/>'
            f'<polyline fill=none stroke="var(--accent)" stroke-width=2 '
            f'points="{points("requests")}"/>'
            f'<text x="{pad}" y="{height - 10}">{html.escape(first)}</text>'
            f'<text x="{width - pad}" y="{height - 10}" text-anchor=end>'
            f'{html.escape(last)}</text><text x="{pad}" y="14">peak {peak:,}/day</text>'
            f'</svg><p class="legend muted"><span><i class=sw style="background:'
            f'var(--accent)"></i>this period</span><span><i class=sw style="background:'
            f'var(--prev)"></i>previous period</span></p>')

