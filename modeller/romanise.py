"""Place names typed in Ukrainian, in Latin letters: the key the gazetteer looks them up by."""

from __future__ import annotations

import re

# Ukraine's national romanisation (Cabinet of Ministers resolution 55, 2010), which GeoNames'
# and the news' spellings follow: a name typed in Ukrainian finds its place
_ROMAN = {  # '-': dropped (the soft sign, apostrophes)
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "-",
    "ю": "iu",
    "я": "ia",
    "є": "ie",
    "ʼ": "-",
    "'": "-",
    "’": "-",
}
_ROMAN |= {"э": "e", "ы": "y", "ъ": "-", "ё": "io"}  # Russian letters, as near as can be
_ROMAN_FIRST = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya", "ё": "yo"}  # word start
_CYRILLIC = re.compile("[а-яіїєґё]", re.IGNORECASE)


# the letters a Russian spelling reads otherwise (GeoNames keeps Russian names as alternates
# in this romanisation: Konstantinovka, Nikolaev, Zaporozhye)
_RUSSIAN = {"г": "g", "и": "i", "е": "e", "ы": "y", "э": "e", "й": "y", "ё": "e"}


def romanised(name: str, russian: bool = False) -> str:
    """A name written in Ukrainian in Latin letters by the national system (Енергодар:
    Enerhodar; Запоріжжя: Zaporizhzhia), or with ``russian`` as a Russian spelling is
    commonly romanised (Николаев: Nikolaev); other text as it is."""
    if _CYRILLIC.search(name) is None:
        return name
    table = {**_ROMAN, **_RUSSIAN} if russian else _ROMAN
    out, start = [], True
    for ch in name.lower():
        first = None if russian or not start else _ROMAN_FIRST.get(ch)
        latin = first or table.get(ch, ch)
        out.append("" if latin == "-" else latin)
        start = not ch.isalpha() and ch not in "ʼ'’"
    return "".join(out)
