"""Where a long word of a status's label may break in a table cell: between what a reader
sees as one character each (grapheme clusters), about every ``BREAK_EVERY`` of them.

A label of one 60-letter word had pushed both tables' km² and people out of sight on a
1440 px desktop; CSS's "anywhere" would have let every cell of the column break to its
narrowest instead, so the page marks a long word's breaks itself (``<wbr>``, which a reader
copying the label does not copy, as they did zero-width spaces).
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

LONG_WORD = re.compile(r"\S{15,}")
BREAK_EVERY = 10  # letters' widths of a long word between two breaks (``width``)

# scripts whose letters join the next (a break changes their shapes), and scripts whose
# words the browser finds by dictionary (a break between two clusters could cut a word,
# or part a vowel written first from its consonant): no break is marked in them
_UNBROKEN = (
    "ARABIC",
    "SYRIAC",
    "NKO",
    "MONGOLIAN",
    "MANDAIC",
    "ADLAM",
    "HANIFI",
    "THAI",
    "LAO",
    "KHMER",
    "MYANMAR",
    "TAI ",
    "NEW TAI",
    "BALINESE",
    "JAVANESE",
)
ZWJ, ZWNJ = "\u200d", "\u200c"
_NARROW = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN", "HEBREW")  # (see ``width``)


def breakable(label: str) -> Markup:
    """A status's label for a cell, as HTML: a word of 15 characters or more may break
    about every ``BREAK_EVERY`` letters' widths (``<wbr>``, ``width``), between two
    clusters only (``clusters``: never inside a letter with its accents, an Indic
    conjunct, an emoji or a flag), and not in a script of ``_UNBROKEN``."""
    out, at = [], 0
    for m in LONG_WORD.finditer(label):
        out.append(escape(label[at : m.start()]))
        pieces, piece, wide = [], "", 0
        for cluster in clusters(m.group()):
            if wide >= BREAK_EVERY and _apart(piece[-1], cluster[0]):
                pieces.append(escape(piece))
                piece, wide = "", 0
            piece, wide = piece + cluster, wide + width(cluster)
        pieces.append(escape(piece))
        out.append(Markup("<wbr>").join(pieces))
        at = m.end()
    out.append(escape(label[at:]))
    return Markup("").join(out)


def width(cluster: str) -> int:
    """About how many Latin letters wide a cluster is drawn: a letter or spacing mark of a
    script of ``_NARROW`` (or ASCII) counts one, of any other script two (a Devanagari
    letter, a CJK character, an emoji), an accent or a joiner none. Counted as one each,
    ten Devanagari clusters had been as wide as twenty Latin letters, and a towns table
    had scrolled sideways by 75 px."""
    total = 0
    for ch in cluster:
        if unicodedata.category(ch) in ("Mn", "Me", "Cf"):  # (Cf: ZWJ, ZWNJ, tags)
            continue
        total += 1 if ch.isascii() or unicodedata.name(ch, "").startswith(_NARROW) else 2
    return max(total, 1)


def _apart(before: str, after: str) -> bool:
    """Whether a line may break between two clusters, by the characters either side."""
    return not any(unicodedata.name(ch, "").startswith(_UNBROKEN) for ch in (before, after))


def clusters(word: str) -> list[str]:
    """``word`` cut into grapheme clusters, cautiously: a character stays with the one
    before it where Unicode's extended clusters (UAX #29) keep it there, and in a few
    places more (after any zero-width joiner, after any virama before a letter), so that
    no cut falls inside a cluster.

    Notes
    -----
    Kept together: a mark (Mn, Mc, Me) or ZWJ/ZWNJ with what precedes it; anything after
    a ZWJ (joined emoji); an emoji skin tone (U+1F3FB–1F3FF) or a tag (U+E0020–E007F) with
    its emoji; a letter after a virama (combining class 9: Indic conjuncts); the second
    of two regional indicators (a flag); Hangul's vowel and final jamo with the jamo
    before, and anything Hangul after a leading jamo.
    """
    out: list[str] = []
    odd = False  # an odd run of regional indicators ends just before: the next one pairs
    for ch in word:
        if out and _joined(out[-1][-1], ch, odd):
            out[-1] += ch
        else:
            out.append(ch)
        odd = _regional(ch) and not odd
    return out


def _joined(before: str, ch: str, odd: bool) -> bool:
    """Whether ``ch`` belongs to the cluster that ends with ``before`` (``odd``: an odd
    run of regional indicators ends with it)."""
    code, prev = ord(ch), ord(before)
    return (
        unicodedata.category(ch).startswith("M")
        or ch in (ZWJ, ZWNJ)
        or before == ZWJ
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tags (subdivision flags)
        or (unicodedata.combining(before) == 9 and unicodedata.category(ch) == "Lo")
        or (odd and _regional(ch))
        or 0x1160 <= code <= 0x11FF  # Hangul vowel and final jamo
        or (0x1100 <= prev <= 0x115F and (0x1100 <= code <= 0x11FF or 0xAC00 <= code <= 0xD7A3))
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF
