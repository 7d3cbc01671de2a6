"""The timeline's HTML page: one chart per scenario (hand-written inline SVG, no scripts,
no network), each with its data table, and a provenance footer. All user text is escaped.
"""

from __future__ import annotations

import json
from datetime import date as Date
from html import escape

import numpy as np

from .timeline_run import Table, provenance

SERIES = (  # key, label, colour (Okabe–Ito), dashed?
    ("cedes", "Ukraine cedes", "#d55e00", False),
    ("regains", "Ukraine regains", "#0072b2", False),
    ("baseline_russia", "Russian-held in the baseline (reference, right axis)", "#666666", True),
)
DASH = ' stroke-dasharray="5 4"'
UNITS = {"km2": "km²", "people": "people"}
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 720, 250, 70, 80, 26, 34


def series(table: Table) -> dict[str, dict]:
    """Per scenario and date: km² and people Ukraine cedes, regains; Russian-held baseline."""
    c = table.columns
    out: dict[str, dict] = {}
    for sc in table.scenarios:
        mine = c["scenario"] == sc["id"]
        dates = sorted(set(c["date"][mine].tolist()))
        index = {d: i for i, d in enumerate(dates)}
        where = np.array([index[d] for d in c["date"][mine]], dtype=int)
        is_ua = c["status"][mine] == "ukraine"
        is_ru = c["status"][mine] == "russia"
        s: dict[str, list] = {"dates": dates}
        for unit in ("km2", "people"):
            for key, col, mask in (
                ("cedes", "lost_", is_ua),
                ("regains", "gained_", is_ua),
                ("baseline_russia", "baseline_", is_ru),
            ):
                values = np.bincount(
                    where[mask], weights=c[col + unit][mine][mask], minlength=len(dates)
                )
                s[f"{key}_{unit}"] = values.tolist()
        out[sc["id"]] = s
    return out


def _fmt(x: float) -> str:
    return f"{x:,.0f}"


def _ticks(top: float) -> list[float]:
    """Round, whole-number axis ticks from 0 to at least ``top`` (at most 6 of them)."""
    step = max(1.0, 10 ** np.floor(np.log10(max(top, 1.0) / 4)))
    for m in (1, 2, 5, 10):
        if top / (step * m) <= 5:
            step *= m
            break
    return [i * step for i in range(int(top // step) + 2)]


def chart(s: dict, unit: str, title: str, cid: str) -> str:
    """One SVG line chart: cedes and regains on the left axis, the reference on the right."""
    days = [Date.fromisoformat(d).toordinal() for d in s["dates"]]
    x0, x1 = min(days), max(days) if len(days) > 1 else min(days) + 1
    left = max(max(s[f"cedes_{unit}"]), max(s[f"regains_{unit}"]), 1.0)
    right = max(max(s[f"baseline_russia_{unit}"]), 1.0)
    lt, rt = _ticks(left), _ticks(right)
    ltop, rtop = lt[-1], rt[-1]
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def px(d: int) -> float:
        return PAD_L + (d - x0) / (x1 - x0) * pw

    def py(v: float, top: float) -> float:
        return PAD_T + ph - v / top * ph

    parts = [
        f'<svg class="chart" id="{cid}" role="img" aria-labelledby="{cid}-t" '
        f'viewBox="0 0 {W} {H}" width="{W}" height="{H}">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<text class="ax" x="4" y="{PAD_T - 4}">{UNITS[unit]}</text>',
        f'<text class="ax ref" x="{W - 4}" y="{PAD_T - 4}" text-anchor="end">'
        f"Russian-held, {UNITS[unit]}</text>",
    ]
    for v in lt:
        y = py(v, ltop)
        parts.append(
            f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="ax" x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(v)}</text>'
        )
    for v in rt:
        y = py(v, rtop)
        parts.append(f'<text class="ax ref" x="{W - PAD_R + 6}" y="{y + 4:.1f}">{_fmt(v)}</text>')
    years = range(Date.fromordinal(x0).year, Date.fromordinal(x1).year + 1)
    for year in years:
        for month in (1, 7):
            d = Date(year, month, 1).toordinal()
            if x0 <= d <= x1:
                label = f"{year}" if month == 1 else f"VII {year}"
                parts.append(
                    f'<text class="ax" x="{px(d):.1f}" y="{H - 10}" '
                    f'text-anchor="middle">{label}</text>'
                )
    for key, label, colour, dashed in SERIES:
        values = s[f"{key}_{unit}"]
        top = rtop if key == "baseline_russia" else ltop
        pts = " ".join(f"{px(d):.1f},{py(v, top):.1f}" for d, v in zip(days, values, strict=True))
        dash = DASH if dashed else ""
        parts.append(
            f'<polyline class="series s-{key}" data-series="{key}" data-n="{len(values)}" '
            f'fill="none" stroke="{colour}" stroke-width="2"{dash} points="{pts}">'
            f"<title>{escape(label)}</title></polyline>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    items = []
    for _, label, colour, dashed in SERIES:
        dash = DASH if dashed else ""
        items.append(
            f'<li><svg width="26" height="10" aria-hidden="true"><line x1="0" x2="26" y1="5" '
            f'y2="5" stroke="{colour}" stroke-width="3"{dash}/></svg> {escape(label)}</li>'
        )
    return f'<ul class="legend">{"".join(items)}</ul>'


def _data_table(sid: str, s: dict) -> str:
    head = (
        "<tr><th scope='col'>Date</th><th scope='col'>Ukraine cedes, km²</th>"
        "<th scope='col'>Ukraine cedes, people</th><th scope='col'>Ukraine regains, km²</th>"
        "<th scope='col'>Ukraine regains, people</th>"
        "<th scope='col'>Russian-held in the baseline, km²</th>"
        "<th scope='col'>Russian-held in the baseline, people</th></tr>"
    )
    body = []
    keys = ("cedes_km2", "cedes_people", "regains_km2", "regains_people")
    keys += ("baseline_russia_km2", "baseline_russia_people")
    for i, d in enumerate(s["dates"]):
        cells = "".join(f'<td data-v="{s[k][i]:.4f}">{_fmt(s[k][i])}</td>' for k in keys)
        body.append(f"<tr><th scope='row'>{d}</th>{cells}</tr>")
    return (
        f"<details><summary>Data table ({len(s['dates'])} dates)</summary>"
        f'<table class="t-series" data-scenario="{escape(sid)}"><thead>{head}</thead>'
        f"<tbody>{''.join(body)}</tbody></table></details>"
    )


CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:0 16px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
.chart{max-width:100%;height:auto;background:#fff}
.grid{stroke:#e3e3e3}.ax{font-size:11px;fill:#555}.ax.ref{fill:#777}
.legend{list-style:none;padding:0;display:flex;gap:18px;flex-wrap:wrap;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:.5em 0}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}th[scope=col]{background:#f4f4f4}
footer{margin:3em 0 2em;font-size:12px;color:#555;border-top:1px solid #ddd;padding-top:1em}
.sr{position:absolute;left:-9999px}
"""


def render(table: Table) -> str:
    """The whole page as one string (self-contained: inline CSS and SVG, no scripts)."""
    prov = provenance(table)
    data = series(table)
    sections = []
    for i, sc in enumerate(table.scenarios):
        s = data[sc["id"]]
        if not s["dates"]:
            continue
        first, last = s["dates"][0], s["dates"][-1]
        sections.append(
            f'<section class="scenario" data-scenario="{escape(sc["id"])}">'
            f'<h2 class="title">{escape(sc["title"])}</h2>'
            f'<p class="summary">{escape(sc.get("summary") or "")}</p>'
            f'<p class="meta">scenario <code>{escape(sc["id"])}</code> · hash '
            f"<code>{escape(sc['hash'])}</code> · {len(s['dates'])} baselines, {first} … {last}</p>"
            + chart(s, "km2", f"{sc['title']}: km² Ukraine cedes and regains", f"c{i}-km2")
            + chart(s, "people", f"{sc['title']}: people Ukraine cedes and regains", f"c{i}-people")
            + _data_table(sc["id"], s)
            + "</section>"
        )
    sources = "".join(
        f"<li>{escape(x)}</li>" for x in prov["data_sources"] + prov["baseline_sources"]
    )
    dates = [b["date"] for b in prov["baselines"] if b["date"]]
    span = f"{min(dates)} … {max(dates)}" if dates else "none"
    payload = json.dumps(data).replace("</", "<\\/")
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>Timeline: what each proposal would have meant, {span}</title>"
        f"<style>{CSS}</style></head><body><header><h1>What each proposal would have meant, "
        f"day by day</h1><p>Ukraine cedes: land Ukraine holds in that day's baseline that the "
        f"scenario gives to another status; regains: the reverse. People are pre-war residents "
        f"(1 January 2022). Baselines: {len(prov['baselines'])} dated DeepState maps, {span}. "
        "Charts: km² and people on the left axis; the baseline's own Russian-held total "
        "(dashed) on the right axis, for reference.</p>"
        f"{_legend()}</header><main>{''.join(sections)}</main>"
        f'<footer class="prov"><p>Generated by modeller {escape(prov["tool"]["version"])} '
        f"on {escape(prov['generated'])}; embedded data {escape(prov['data_version'])}.</p>"
        f"<p>Method: {escape(prov['method'])}</p><p>Sources:</p><ul>{sources}</ul></footer>"
        f'<script type="application/json" id="timeline-data">{payload}</script>'
        "</body></html>"
    )
