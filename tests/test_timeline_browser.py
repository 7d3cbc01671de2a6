"""The timeline's chart page in headless Chromium, opened from disk with the network blocked:
no external requests or console errors, charts and data tables equal the JSON table,
escaped titles. Same browser setup and skip rules as tests/test_maps_browser.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_maps import write_probe
from test_maps_browser import Visit, browser  # noqa: F401 (the browser fixture)

from modeller.cli import main

REPO = Path(__file__).resolve().parent.parent
SPAN = "deepstate:2025-07-01..2025-08-15"


@pytest.fixture(scope="module")
def page(shared_data, tmp_path_factory) -> tuple[dict, Path]:
    """The page and JSON table as ``modeller timeline -f json`` writes them."""
    tmp = tmp_path_factory.mktemp("timeline-page")
    probe = write_probe(tmp)
    out = tmp / "out"
    args = ["timeline", str(REPO / "scenarios" / "full-donbas-withdrawal.yaml")]
    args += [str(REPO / "scenarios" / "land-swap.yaml"), str(probe)]
    args += ["--baselines", SPAN, "--every", "7d", "-f", "json", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "timeline.json").read_text(encoding="utf-8"))
    return doc, out / "timeline.html"


def _expected(doc: dict, scenario: str) -> dict[str, dict[str, float]]:
    """Per date, summed from the JSON rows: what the chart and its table must show."""
    out: dict[str, dict[str, float]] = {}
    for r in doc["rows"]:
        if r["scenario"] != scenario:
            continue
        d = out.setdefault(r["date"], dict.fromkeys(COLS, 0.0))
        if r["status"] == "ukraine":
            d["cedes_km2"] += r["lost_km2"]
            d["cedes_people"] += r["lost_people"]
            d["regains_km2"] += r["gained_km2"]
            d["regains_people"] += r["gained_people"]
        if r["status"] == "russia":
            d["baseline_russia_km2"] += r["baseline_km2"]
            d["baseline_russia_people"] += r["baseline_people"]
    return out


COLS = (
    "cedes_km2",
    "cedes_people",
    "regains_km2",
    "regains_people",
    "baseline_russia_km2",
    "baseline_russia_people",
)


def test_chart_page_is_offline_and_equals_the_table(browser, page):  # noqa: F811
    doc, path = page
    v = Visit(browser, path)
    try:
        v.assert_clean()
        sections = v.page.locator("section.scenario")
        assert sections.count() == len(doc["scenarios"]) == 3
        for i, sc in enumerate(doc["scenarios"]):
            section = sections.nth(i)
            assert section.get_attribute("data-scenario") == sc["id"]
            assert section.locator("h2.title").inner_text() == sc["title"]  # literally
            expected = _expected(doc, sc["id"])
            dates = sorted(expected)
            assert dates == ["2025-07-01", "2025-07-08", "2025-07-15", "2025-07-22"] + [
                "2025-07-29",
                "2025-08-05",
                "2025-08-12",
            ]
            # two charts (km², people), three series each, one point per date
            assert section.locator("svg.chart").count() == 2
            lines = section.locator("polyline.series")
            assert lines.count() == 6
            for j in range(6):
                assert lines.nth(j).get_attribute("data-n") == str(len(dates))
                points = lines.nth(j).get_attribute("points").split()
                assert len(points) == len(dates)
            # the data table: every figure equals the JSON rows' sums
            section.locator("details summary").click()
            cells = section.locator("table.t-series tbody tr")
            assert cells.count() == len(dates)
            for r, d in enumerate(dates):
                row = cells.nth(r)
                assert row.locator("th").inner_text() == d
                values = [
                    float(x)
                    for x in row.locator("td").evaluate_all("cs => cs.map(c => c.dataset.v)")
                ]
                for name, got in zip(COLS, values, strict=True):
                    assert got == pytest.approx(expected[d][name], rel=1e-6, abs=0.01), (
                        sc["id"],
                        d,
                        name,
                    )
        # Donbas withdrawal: Ukraine cedes land every week, regains none; the line moves
        donbas = _expected(doc, "full-donbas-withdrawal")
        assert all(x["cedes_km2"] > 5000 and x["regains_km2"] == 0 for x in donbas.values())
        ceded = [donbas[d]["cedes_km2"] for d in sorted(donbas)]
        assert ceded[0] > ceded[-1]  # the front advanced, so less was left to cede
        footer = v.page.locator("footer.prov").inner_text()
        assert "DeepStateMap" in footer and doc["data_version"] in footer
        assert v.page.locator("main img, header img").count() == 0
        v.shot("timeline")
        v.assert_clean()
    finally:
        v.close()
