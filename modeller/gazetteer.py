"""The gazetteer: the embedded units' and settlements' names (no geometry), and resolving
an oblast or place name as a scenario writes it. Validating a scenario needs only this, so
it reads two CSVs and imports no geometry library."""

from __future__ import annotations

import bisect
import csv
import difflib
import itertools
import math
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from .errors import cut
from .romanise import romanised


def geodata_dir() -> Path:
    """The embedded geodata folder: inside the wheel, or at the repository top level."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_geodata", here.parent / "geodata"):
        if (candidate / "units.csv").exists():
            return candidate
    raise FileNotFoundError("embedded geodata not found; reinstall modeller")


@dataclass(frozen=True)
class Unit:
    """A first-level unit (oblast, autonomous republic or city with special status)."""

    code: str
    name_en: str
    name_uk: str
    aliases: tuple[str, ...]
    area_official_km2: float
    population: int
    population_source: str

    @property
    def label(self) -> str:
        return f"{self.name_en} ({self.code})"


class Settlement(NamedTuple):
    """A GeoNames settlement (a tuple: ~5,200 are built whenever a scenario names a place,
    three times faster than a frozen dataclass)."""

    geonameid: int
    name: str
    oblast: str
    population: int
    lon: float
    lat: float


_PUNCT = re.compile(r"[\s'’ʼ`\-_.]+")


def fold(text: str) -> str:
    """Case-, accent- and apostrophe-insensitive key for matching names."""
    return _fold_many([text])[0]


def _fold_many(texts: list[str]) -> list[str]:
    """``fold`` of many names at once: one NFKD pass and one regex pass over all of them.

    Combining marks are dropped by one regex of the marks present (``str.translate`` with
    a table took 4× as long), so folding the ~30,000 settlement names costs milliseconds,
    not a Python loop per letter.
    """
    joined = unicodedata.normalize("NFKD", "\x00".join(map(str, texts)))
    marks = "".join(sorted(c for c in set(joined) if unicodedata.combining(c)))
    if marks:
        joined = re.sub(f"[{re.escape(marks)}]", "", joined)
    return _PUNCT.sub("", joined.lower()).split("\x00")


@cache
def read_names() -> tuple[dict[str, Unit], tuple[Settlement, ...], tuple[str, ...]]:
    """Units, settlements and their alternate names from the embedded CSVs (no geometry).

    Enough to resolve oblast and place names, so validating a scenario loads no shapes.
    Each settlement's alternate names are kept as one '|'-separated text, split only when
    a name is not a primary one (``_alternates``).
    """
    folder = geodata_dir()
    units = {}
    with open(folder / "units.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            units[row["code"]] = Unit(
                code=row["code"],
                name_en=row["name_en"],
                name_uk=row["name_uk"],
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                area_official_km2=float(row["area_official_km2"]),
                population=int(row["population_2022"]),
                population_source=row["population_source"],
            )
    settlements, alts = [], []
    with open(folder / "settlements.csv", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        col = {name: i for i, name in enumerate(next(rows))}
        gid, name, obl, pop, lon, lat, alt = (
            col[k] for k in ("geonameid", "name", "oblast", "population", "lon", "lat", "alt_names")
        )
        for row in rows:
            settlements.append(
                Settlement(
                    int(row[gid]),
                    row[name],
                    row[obl],
                    int(row[pop]),
                    float(row[lon]),
                    float(row[lat]),
                )
            )
            alts.append(row[alt])
    return units, tuple(settlements), tuple(alts)


@cache
def oblast_index() -> dict[str, str]:
    units = read_names()[0]
    pairs = [
        (name, unit.code)
        for unit in units.values()
        for name in (unit.code, unit.name_en, unit.name_uk, *unit.aliases)
    ]
    return dict(zip(_fold_many([n for n, _ in pairs]), (c for _, c in pairs), strict=True))


# on a folded name (no spaces): 'Kharkiv oblast', 'Kyiv region' name the oblast
_OBLAST_WORD = re.compile(r"(oblast|область|region|province)$")
_CITY_WORD = re.compile(r"(city|місто|город)$")  # 'Kharkiv city': a city, not the oblast

# How many more unknown names get a "did you mean" (None: all). Each costs a fuzzy search
# of ~4,000 names (~9 ms for a place): a file of 8,000 misspelt places took 88 s to refuse.
_hints: dict[str, int | None] = {"left": None}


@contextmanager
def hints_at_most(n: int) -> Iterator[None]:
    """Within this block, only the first ``n`` unknown names get a "did you mean" (what an
    error shows of a file's problems, see ``scenario.load_scenario``)."""
    saved, _hints["left"] = _hints["left"], n
    try:
        yield
    finally:
        _hints["left"] = saved


def _hint_wanted() -> bool:
    """Whether one more unknown name gets a fuzzy "did you mean" (and uses up one)."""
    left = _hints["left"]
    if left is None:
        return True
    _hints["left"] = max(left - 1, 0)
    return left > 0


@cache
def _oblast_choices() -> dict:
    """Units by the name an error offers: 'Kyiv oblast', not 'Kyiv' (a bare 'Kyiv' is
    refused as ambiguous with 'Kyiv city')."""
    units = read_names()[0]
    names = [u.name_en for u in units.values()]
    shared = {n for n in names if any(m.startswith(n + " ") for m in names)}
    return {f"{u.name_en} oblast" if u.name_en in shared else u.name_en: u for u in units.values()}


def _oblast_code(key: str) -> str | None:
    """The unit a folded name names, with or without 'oblast' / 'область' after it."""
    return oblast_index().get(key) or oblast_index().get(_OBLAST_WORD.sub("", key))


def resolve_oblast(name: str) -> str:
    """ISO code for an oblast name, code, Ukrainian name or alias, with or without 'oblast' /
    'область' after it (Донецька область); ValueError with a hint."""
    key = fold(str(name))
    code = _oblast_code(key)
    if code:
        return code
    choices = _oblast_choices()
    shown = {u.code: n for n, u in choices.items()}  # a unit's name in the choices
    wanted = _hint_wanted()
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6) if wanted else []
    if wanted and not close:
        folded = {fold(k): k for k in oblast_index()}
        hit = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.6)
        close = [shown[oblast_index()[hit[0]]]] if hit else []
    place = _place_of(name, key) if wanted else None
    said = ""
    if place is not None and place.oblast in shown and [shown[place.oblast]] != close:
        close = [shown[place.oblast]]  # a place's oblast, not a unit spelt alike
        said = f" (the place {place.name} lies in it)"
    hint = (
        f" — did you mean '{close[0]}' ({choices[close[0]].code})?{said}"
        if close
        else f"; valid: {', '.join(sorted(choices))}"
    )
    raise ValueError(f"unknown oblast '{cut(name)}'{hidden_letters(cut(name))}{hint}")


# Bare "Kyiv" is, in English, the city as often as the oblast (the unit table's English
# name of the oblast; Ukrainian "Київ" is the city): a user must say which is meant.
_BOTH_KYIVS = {fold("Kyiv"), fold("Kiev")}


def resolve_unit(name: str) -> str:
    """``resolve_oblast`` for a name a user wrote (a scenario's, the API's): a bare 'Kyiv'
    is refused as either unit."""
    if fold(str(name)) in _BOTH_KYIVS:
        raise ValueError(
            f"'{name}' could be Kyiv oblast (UA-32, Київська) or Kyiv city (UA-30, Київ), "
            "which are two units: write 'Kyiv oblast' or 'Kyiv city'"
        )
    return resolve_oblast(name)


def _place_of(name: str, key: str) -> Settlement | None:
    """The settlement an unknown oblast name names ('Simferopol', 'Kharkiv city'), whose
    oblast the hint offers rather than a unit spelt alike (Sevastopol); None: none."""
    stem = _CITY_WORD.sub("", key)
    if stem != key:  # 'Kharkiv city', 'Dnipro city': the place of that name
        name = stem
    try:
        with hints_at_most(0):  # (its own "did you mean" would use up the file's hints)
            place = resolve_place(str(name))
    except ValueError:  # (unknown or ambiguous: the spelling hints instead)
        return None
    # a place of that very name, not one spelt alike ('Krymskaya' is not Krymske, Luhansk)
    return place if fold(place.name) == fold(str(name)) else None


def hidden_letters(name: str) -> str:
    """What makes a name differ from the one it looks like, for an error: an invisible code
    point (a zero-width space, a soft hyphen) or a letter of another script among Latin or
    Cyrillic ones ('Dоnetsk' with a Cyrillic 'о'); '' when there is none."""
    for i, ch in enumerate(name):
        if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn") or (ch.isspace() and ch not in " "):
            return f" (it holds an invisible {_codepoint(ch)} at character {i + 1}: delete it)"
    scripts = {_script(ch) for ch in name if ch.isalpha()} - {None}
    if len(scripts) > 1:
        few = min(scripts, key=lambda s: sum(_script(c) == s for c in name))
        i, ch = next((i, c) for i, c in enumerate(name) if _script(c) == few)
        return f" (its character {i + 1} is {_codepoint(ch)} among {max(scripts - {few})} letters)"
    return ""


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed').title()}"


def _script(ch: str) -> str | None:
    """'Latin' or 'Cyrillic' (from the character's Unicode name), else None."""
    head = unicodedata.name(ch, "").split(" ", 1)[0]
    return head.title() if head in ("LATIN", "CYRILLIC", "GREEK") else None


NEWS_SPELLINGS = {
    "Avdiyivka": "Avdiivka",
    "Hulyaypole": "Huliaipole",
    "Izyum": "Izium",
    "Kamyanka-Dniprovska": "Kamianka-Dniprovska",
    "Kostyantynivka": "Kostiantynivka",
    "Kupyansk": "Kupiansk",
    "Makiyivka": "Makiivka",
    "Mykolayiv": "Mykolaiv",
    "Shchastya": "Shchastia",
    "Siverskodonetsk": "Sievierodonetsk",
    "Slovyansk": "Sloviansk",
    "Yenakiyeve": "Yenakiieve",
    "Zaporizhzhya": "Zaporizhzhia",
}
"""GeoNames romanisations → the spelling of the Ukrainian national system (2010) that wire
services use (AP, Reuters, BBC: Sloviansk, Kostiantynivka, Zaporizhzhia): maps and printed
tables show these, and a scenario may name a place by them; data files and downloads keep
the gazetteer's names."""


def news_name(name: str) -> str:
    """A settlement's name as the news spells it (GeoNames' apostrophes dropped): what pages,
    images and the printed tables show; JSON, CSV and geodata keep GeoNames' name."""
    name = NEWS_SPELLINGS.get(name) or _national(name)
    return name.replace("'", "").replace("’", "")


_VOWEL = "aeiouy"


def national_form(name: str) -> str:
    """GeoNames' romanisation of a Ukrainian name in the national system's letters (2010):
    я, є, ю after a word's first letter as ia, ie, iu; ї and й after a vowel as i
    (Slovyansk → Sloviansk, Mykolayiv → Mykolaiv, Kryvyy Rih → Kryvyi Rih, Hulyaypole →
    Huliaipole). GeoNames writes я both for я and for и + а (Pryazovske): a form is only
    used where GeoNames lists it among the place's own names (``_national``)."""

    def word(m: re.Match) -> str:
        w = m.group()
        rest = re.sub(r"y(?=[aeu])", "i", w[1:])
        rest = re.sub(rf"(?<=[{_VOWEL}])yi", "i", rest)
        return w[0] + re.sub(rf"(?<=[{_VOWEL}])y(?![{_VOWEL}])", "i", rest)

    return re.sub(r"[A-Za-z]+", word, name.replace("'", "").replace("’", ""))


@cache
def _national(name: str) -> str:
    """``name``'s national form (``national_form``) where GeoNames lists it among the
    place's own names, else ``name``: the wire services' spelling of ~300 places beyond
    ``NEWS_SPELLINGS`` (Vinnytsia, Berdiansk, Kryvyi Rih on the maps had read Vinnytsya,
    Berdyansk, Kryvyy Rih, beside the tables' Zaporizhzhia)."""
    form = national_form(name)
    if form == name.replace("'", "").replace("’", ""):
        return name
    _, _, alt_names = read_names()
    key = f"|{form.lower()}|"
    listed = any(key in f"|{alt_names[i].lower()}|" for i in _by_name().get(name, ()))
    return form if listed else name


@cache
def _by_name() -> dict[str, list[int]]:
    """Settlements by their GeoNames name."""
    out: dict[str, list[int]] = {}
    for i, s in enumerate(read_names()[1]):
        out.setdefault(s.name, []).append(i)
    return out


@cache
def _primary_index() -> dict[str, list[int]]:
    """Settlements by the folded GeoNames name."""
    _, settlements, _ = read_names()
    primary: dict[str, list[int]] = {}
    for i, key in enumerate(_fold_many([s.name for s in settlements])):
        primary.setdefault(key, []).append(i)
    for geonames, news in NEWS_SPELLINGS.items():  # Sloviansk: Slovyansk, not an alternate
        for i in primary.get(fold(geonames), []):  # name GeoNames also gives Nikopol by
            primary.setdefault(fold(news), []).append(i)  # mistake; Makiivka: a village too
    return primary


@cache
def _folded_alternates() -> tuple[str, list[int]]:
    """Every settlement's alternate names folded, as one text: ``|a|b|`` per settlement,
    joined by NUL; and where each settlement's part starts. Folding the ~150,000 names in
    one pass and searching the text costs a third of a dict of them (0.09 s a run, paid
    by any scenario naming a place)."""
    _, _, alt_names = read_names()
    folded = _fold_many([f"|{alts}|" for alts in alt_names])
    starts = list(itertools.accumulate((len(f) + 1 for f in folded[:-1]), initial=0))
    return "\x00".join(folded), starts


SEARCHES = 64  # names looked up in the folded text before an index of it pays


def _alternates(key: str) -> list[int]:
    """Settlements one of whose alternate names folds to ``key`` (a folded name): found in
    the folded text (~0.3 ms a name), or in an index of it once ``SEARCHES`` names have
    been (a file naming thousands of places)."""
    if not key or "|" in key or "\x00" in key:
        return []
    if next(_searches) >= SEARCHES:
        return list(_alternate_index().get(key, ()))
    text, starts = _folded_alternates()
    needle, found, at = f"|{key}|", [], text.find(f"|{key}|")
    while at >= 0:
        found.append(bisect.bisect_right(starts, at) - 1)
        at = text.find(needle, at + 1)
    return found


_searches = itertools.count()  # names looked up so far, in this process


@cache
def _alternate_index() -> dict[str, list[int]]:
    """Settlements by each folded alternate name (``_alternates`` past ``SEARCHES``)."""
    index: dict[str, list[int]] = {}
    for i, names in enumerate(_folded_alternates()[0].split("\x00")):
        for key in names.split("|"):
            if key:
                index.setdefault(key, []).append(i)
    return index


def _embedded_oblasts() -> dict[int, str] | None:
    return None


_REASSIGNED: list = [_embedded_oblasts]


def use_reassigned(oblasts) -> None:
    """Where the units in use put each settlement (``oblasts()``: geonameid → code, or
    None on the embedded units): ``geodata`` gives it, for a units file. A place's
    'Name, Oblast' may then name either oblast (Irpin is in Kyiv oblast on Minregion's
    outlines, in Natural Earth's oversized Kyiv city on the embedded ones)."""
    _REASSIGNED[0] = oblasts


def resolve_place(text: str) -> Settlement:
    """A settlement from 'Name' or 'Name, Oblast' (GeoNames name or Latin alternate name)."""
    if _LONLAT_TEXT.fullmatch(str(text).strip()):  # not "Name, Oblast": no place is a number
        raise ValueError(
            f"'{text}' is text, read as a place name; for a point, write [lon, lat] without "
            "quotes (e.g. [37.55, 48.72])"
        )
    units, settlements, _ = read_names()
    name, _, oblast = (part.strip() for part in str(text).partition(","))
    key, primary = fold(romanised(name)), _primary_index()
    if key not in primary and not _alternates(key):  # a Russian spelling, perhaps
        key = fold(romanised(name, russian=True)) if romanised(name) != name else key
    # a name's own places, and those it is another spelling of (a village called Makiivka
    # must not hide the city GeoNames spells Makiyivka, nor a Crimean village Konstantinovka
    # the city of Kostyantynivka, Donetsk oblast); not those it is a former name of
    # (Oleksandrivsk, a town in Luhansk oblast, was also Zaporizhzhia's name until 1921)
    hits = primary.get(key, [])
    others = _alternates(key)
    if hits:  # another spelling's place counts only if larger than every place of this one
        largest = max(settlements[i].population for i in hits)
        others = [
            i
            for i in others
            if settlements[i].population > largest and _spelled_alike(key, settlements[i].name)
        ]
    hits = hits + others
    # the units in use (None: the embedded ones) matter only to a name with its oblast or
    # one of several places: a place named once is taken without asking
    moved = _REASSIGNED[0]() if oblast or len(hits) > 1 else None

    def unit_of(i: int) -> str:  # the settlement's unit on the units in use
        s = settlements[i]
        return moved.get(s.geonameid, s.oblast) if moved else s.oblast

    elsewhere = sorted({units[unit_of(i)].name_en for i in hits})
    if oblast:
        code = resolve_oblast(oblast)
        hits = [i for i in hits if code in (settlements[i].oblast, unit_of(i))]
    hits = sorted(set(hits), key=lambda i: (-settlements[i].population, i))
    one_oblast = len({unit_of(i) for i in hits}) == 1
    if len(hits) == 1 or (one_oblast and _dominant([settlements[i].population for i in hits])):
        return settlements[hits[0]]
    if not hits and elsewhere:  # the name is known, in other oblasts than the one given
        shown = ", ".join(elsewhere[:4]) + (
            f" and {len(elsewhere) - 4} more" if len(elsewhere) > 4 else ""
        )
        raise ValueError(
            f"no place '{name}' in {units[code].name_en} (GeoNames cities500), but in "
            f"{shown}: write '{name}, {elsewhere[0]}', or give [lon, lat]"
        )
    if not hits:
        close = (
            difflib.get_close_matches(key, list(primary), n=3, cutoff=0.75)
            if _hint_wanted()
            else []
        )
        names = sorted({settlements[primary[c][0]].name for c in close})
        hint = f" — did you mean {', '.join(repr(n) for n in names)}?" if names else ""
        unit = _oblast_code(key)
        in_unit = [i for i, s in enumerate(settlements) if s.oblast == unit] if unit else []
        if in_unit:  # 'Kyiv city', 'Donetsk oblast': a unit's name, not a place's
            top = settlements[max(in_unit, key=lambda i: (settlements[i].population, -i))]
            hint = (
                f" — '{name}' names a unit, not a place: name a town in it, e.g. "
                f"'{top.name}, {units[unit].name_en}', or give [lon, lat]"
            )
        bracketed = re.fullmatch(r"\s*(.+?)\s*\((.+)\)\s*", name)
        if bracketed and not oblast:  # 'Kramatorsk (Donetsk)': the oblast after a comma
            written = f"{bracketed[1]}, {bracketed[2].strip()}"
            try:
                resolve_place(written)
                hint = f" — write '{written}'"
            except ValueError:
                pass
        where = f" in {oblast}" if oblast else ""
        hidden = hidden_letters(name)
        read = f" (read as '{romanised(name)}')" if romanised(name) != name else ""
        # (what would be valid: a known place, or a position; GeoNames' cities500 holds the
        # places of 500 people or more, in Ukraine only: Belgorod, Kinburn spit, Robotyne)
        tail = "GeoNames cities500 lists the places of Ukraine of 500 people or more: give a "
        tail += "smaller place, or one outside Ukraine, as [lon, lat]"
        last = "" if "[lon, lat]" in hint else f" ({tail})" if hint.endswith("?") else f"; {tail}"
        raise ValueError(
            f"unknown place '{cut(name)}'{read}{where}{hidden} (GeoNames cities500){hint}{last}"
        )
    labels = [f"'{settlements[i].name}, {units[unit_of(i)].name_en}'" for i in hits]
    options = ", ".join(
        f"{labels[k]} at [{settlements[i].lon}, {settlements[i].lat}]"
        f"{_landmark(settlements[i], settlements)}"
        for k, i in enumerate(hits[:6])
    )
    more = f" (and {len(hits) - 6} more)" if len(hits) > 6 else ""
    if len(set(labels)) == 1:  # the oblast cannot tell them apart: coordinates can
        fix = "give [lon, lat] of the one you mean"
    elif len(set(labels)) < len(labels):
        fix = "write 'Name, Oblast', or [lon, lat] where an oblast has two"
    else:
        fix = "write 'Name, Oblast' or [lon, lat] for one"
    raise ValueError(f"place '{text}' is ambiguous ({len(hits)} matches); {fix}: {options}{more}")


def _skeleton(folded: str) -> str:
    """A folded name with the differences between romanisations of one Ukrainian name
    evened out (y/i, g/h, doubled letters, apostrophes, hyphens): Makiyivka and Makiivka,
    Balakliya and Balakliia, Golubivka and Holubivka match; Oleksandrivsk and
    Zaporizhzhia do not."""
    letters = re.sub(r"[^a-z]", "", folded.replace("y", "i").replace("g", "h"))
    return re.sub(r"(.)\1+", r"\1", letters)


SPELLED_ALIKE = 0.75  # skeletons this similar are spellings of one name (see _spelled_alike)


def _spelled_alike(key: str, name: str) -> bool:
    """Whether a folded name and a settlement's GeoNames name are spellings of one name:
    their skeletons equal, or as alike as a Russian and a Ukrainian romanisation of it
    (Konstantinovka and Kostyantynivka: 0.86 by ``difflib``'s ratio; Kharkov and Kharkiv:
    0.86), not a former name (Oleksandrivsk and Zaporizhzhya: 0.24)."""
    a, b = _skeleton(key), _skeleton(fold(name))
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SPELLED_ALIKE


DOMINANT_TOWN = 10_000  # a town at least this large ...
DOMINANT_RATIO = 10  # ... and this many times the next place of its name is the one meant


def _dominant(populations: list[int]) -> bool:
    """Whether the first (largest) of places of one oblast sharing a name is the one a
    reader means: a town of at least ``DOMINANT_TOWN`` people and ``DOMINANT_RATIO`` times
    the next ('Zaporizhzhia': the city, not two villages of that oblast); otherwise the
    name is ambiguous and the user picks. Places of several oblasts are never picked
    between: a frontline village (Kamianske, Zaporizhzhia oblast) must not become a
    distant city of its name without a word."""
    first, second = populations[0], populations[1] if len(populations) > 1 else 0
    return first >= DOMINANT_TOWN and first >= DOMINANT_RATIO * second


_LONLAT_TEXT = re.compile(r"\[?\s*-?\d+(\.\d*)?\s*[,;\s]\s*-?\d+(\.\d*)?\s*\]?")  # "37.5, 48"

LANDMARK_POPULATION = 20_000  # an ambiguous place is told by the nearest town this large


def place_where(name: str) -> str:
    """Which place a name was taken as, and where: "'Obolon, Poltava' at [32.87, 49.6],
    46 km S of Lubny", for an error about a place the user may have meant elsewhere."""
    units, settlements, _ = read_names()
    place = resolve_place(name)
    near = _landmark(place, list(settlements)).strip(" ()")
    return f"'{place.name}, {units[place.oblast].name_en}' at [{place.lon}, {place.lat}]" + (
        f", {near}" if near else ""
    )


SMALL_PLACE = 1_000  # people: a place this small, named by another spelling, is said


def taken_as(text: str) -> str | None:
    """What a place's name was taken as, where the writer may have meant another place: a
    place of fewer than ``SMALL_PLACE`` people that the name matched by another spelling
    only. 'Pripyat' is the Volyn village Prypiat (591 people); the abandoned city by
    Chornobyl, of no people, is not among GeoNames' places of 500 or more, and its disc
    had moved Volyn land without a word. None for a place named as GeoNames or the news
    spell it, for one given with its oblast, and for any larger place."""
    name, comma, _ = (part.strip() for part in str(text).partition(","))
    place = resolve_place(text)
    if place.population >= SMALL_PLACE or comma:  # ('Name, Oblast': that oblast's is meant)
        return None
    _, settlements, _ = read_names()
    own = _primary_index().get(fold(romanised(name)), [])
    if any(settlements[i].geonameid == place.geonameid for i in own):
        return None
    return (
        f"'{name}' is taken as {place_where(text)}, a place of {place.population:,} people; "
        "if another place is meant, give its [lon, lat]"
    )


def _landmark(place: Settlement, settlements: list[Settlement]) -> str:
    """' (12 km NW of Kramatorsk)': where a place lies from the nearest town of at least
    ``LANDMARK_POPULATION`` (not of its own name), so that a reader can tell two villages
    of one name apart. Distances on a local flat approximation: whole km."""
    best = None
    coslat = math.cos(math.radians(place.lat))
    for s in settlements:
        if s.population < LANDMARK_POPULATION or s.name == place.name:
            continue
        east = (place.lon - s.lon) * 111.32 * coslat
        north = (place.lat - s.lat) * 110.57
        km = math.hypot(east, north)
        if best is None or km < best[0]:
            best = (km, east, north, s.name)
    if best is None:
        return ""
    km, east, north, name = best
    if km < 1.5:
        return f" (in {name})"
    compass = ("E", "NE", "N", "NW", "W", "SW", "S", "SE")
    way = compass[round(math.degrees(math.atan2(north, east)) / 45) % 8]
    return f" ({km:.0f} km {way} of {name})"
