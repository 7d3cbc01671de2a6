"""Words on the map pages: rounding, dates, baseline captions, news spellings (no browser)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modeller.maps import words


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (0.4, "under 1"), (6238.46, "6,240"), (114_350.9, "114,000"), (152.2, "152")],
)
def test_km2_keeps_three_significant_figures(value, text):
    assert words.km2(value) == text


def test_signed_changes_carry_their_sign():
    assert words.signed_km2(-6238.5) == "−6,240"
    assert words.signed_km2(1600.6) == "+1,600"
    assert words.signed_km2(0.0) == "0"


def test_dates_use_month_names():
    assert words.day("2025-08-15") == "15 Aug 2025"
    assert words.day(None) == "undated"


@pytest.mark.parametrize(
    ("baseline", "caption"),
    [
        ({"name": "deepstate:2025-08-15", "date": "2025-08-15"}, "DeepStateMap, 15 Aug 2025"),
        (
            {"name": "contact-line", "date": "2025-08-15"},
            "Approximate line authored from public reporting, 15 Aug 2025",
        ),
        ({"name": "1991", "date": "1991-12-01"}, "Ukraine's 1991 borders"),
    ],
)
def test_the_baseline_caption_says_what_the_baseline_is(baseline, caption):
    assert words.baseline_caption(baseline).startswith(caption)


def test_places_are_spelled_as_the_news_spells_them():
    assert words.place("Slovyansk") == "Sloviansk"
    assert words.place("Kostyantynivka") == "Kostiantynivka"
    assert words.place("Zaporizhzhya") == "Zaporizhzhia"
    assert words.place("Pokrovs'k") == "Pokrovsk"  # GeoNames' soft-sign apostrophe dropped
    assert words.place("Kramatorsk") == "Kramatorsk"


def test_headline_names_what_changes_hands_or_says_nothing_does():
    row = {
        "ukraine_cedes_km2": 6238.4,
        "ukraine_cedes_people": 666_298.0,
        "ukraine_regains_km2": 0.0,
        "ukraine_regains_people": 0.0,
    }
    assert words.headline(row).startswith("Ukraine cedes 6,240 km² (about ")
    assert "regains" not in words.headline(row)
    nothing = dict.fromkeys(row, 0.0)
    assert words.headline(nothing) == "No land changes hands between Ukraine and Russia"


@pytest.mark.parametrize(
    "low, high, text",
    [
        ("34,400,000", "34,600,000", "34.4–34.6 M"),
        ("1,210,000", "1,245,000", "1.210–1.245 M"),
        ("1,090,000", "1,100,000", "1.09–1.10 M"),  # one number of decimals for both ends
        ("980,000", "1,050,000", "980,000–1,050,000"),  # not both in millions: as written
        ("1,000,500", "1,200,000", "1,000,500–1,200,000"),  # not whole thousands: as written
        ("2,000,000", "3,000,000", "2–3 M"),
    ],
)
def test_a_range_in_millions_is_written_in_millions(low, high, text):
    assert words.millions(low, high) == text


def test_the_headlines_people_are_said_to_be_pre_war_residents():
    """'about 730,000 people' beside a 2025 front line read as people living there now."""
    row = {
        "ukraine_cedes_km2": 6238.4,
        "ukraine_cedes_people": 666_298.0,
        "ukraine_regains_km2": 1490.0,
        "ukraine_regains_people": 25_000.0,
    }
    said = words.headline(row)
    assert said.count("pre-invasion residents") == 2 and " people" not in said, said
    # a range beside its figure, not in brackets within brackets
    ranged = {**row, "ukraine_cedes_people_low": 650_000.0, "ukraine_cedes_people_high": 670_000.0}
    said = words.headline(ranged)
    form = r"Ukraine cedes 6,240 km² \(about [\d,]+ pre-invasion residents, [\d,]+–[\d,]+\); "
    assert re.match(form, said) and said.count("(") == said.count(")") == 2, said


def test_nothing_is_said_as_nothing_everywhere():
    """A figure of overlay noise (1e-9 km², -0.0 %) was "under 1 km² (-0.0% of Ukraine)" on a
    page, "0 km² (-0.0%)" in the terminal and -0.0 in the JSON."""
    from modeller import document
    from modeller.rounding import pct_text

    assert words.km2(1e-9) == "0" and words.km2(0.3) == "under 1"
    assert words.pct(-1e-6) == pct_text(-0.04) == "0.0" and words.pct(-0.06) == "-0.1"
    rounded = document.to_decimals({"outside_ukraine_km2": -1e-9, "outside_ukraine_pct": -0.0})
    assert all(str(v) == "0.0" for v in rounded.values()), rounded


@given(st.floats(1.0, 5e7, allow_nan=False) | st.sampled_from([1245.0, 12_450.0, 2.5, 45.0]))
def test_pages_round_as_the_terminal_and_markdown_tables_do(x):
    """The pages rounded halves to even (1,245 km² read 1,240) while the tables round them
    up (1,250): one figure, two values. Both round alike now."""
    from modeller import rounding

    assert words.km2(x) == rounding.km2_text(x)
    assert words.people(x) == (f"{rounding.round_people(x):,}" if x >= 5 else "0")
    assert words.km2(1245.0) == "1,250" and words.people(45.0) == "50"


def test_a_towns_popup_gives_its_population_as_the_towns_table_does():
    """The popup had said 'about 150,000 people (GeoNames)' beside the table's 147,000."""
    from modeller.maps import payload

    class View:  # (what the popup reads of a scenario page's view)
        def label(self, status):
            return status.title()

    town = {"name": "Kramatorsk", "oblast_name": "Donetsk", "population": 147_140.0}
    tip = payload.town_tip(View(), {**town, "from": "ukraine", "to": "russia"})
    assert "about 147,000 people (GeoNames)" in tip and words.population(147_140.0) == "147,000"


def test_a_sliver_under_half_a_km2_is_said_as_the_tables_say_it():
    """0.28 km² ceded (a 0.3 km disc) was 'No land changes hands' in the headline and
    'cedes nothing' under the image's title, while the page's table, the legend and the
    map's label said 'under 1' km²: every place says 'under 1' now; only overlay noise
    (under 0.005 km²) is nothing."""
    from modeller.maps import image_words

    row = {
        "ukraine_cedes_km2": 0.28,
        "ukraine_cedes_people": 0.0,
        "ukraine_cedes_people_low": 0.0,
        "ukraine_cedes_people_high": 2299.1,
        "ukraine_regains_km2": 0.0,
        "ukraine_regains_people": 0.0,
    }
    said = words.headline(row)
    assert said.startswith("Ukraine cedes under 1 km² (about 0 pre-invasion residents, 0–2,300)")
    assert words.km2(0.28) == "under 1"
    assert image_words.amount(0.28) == "under 1 km²"
    assert image_words.amount(0.004) == "nothing" and words.km2(0.004) == "0"
    noise = {**row, "ukraine_cedes_km2": 0.004}
    assert words.headline(noise) == "No land changes hands between Ukraine and Russia"
