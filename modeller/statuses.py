"""The built-in statuses every scenario knows, with their labels and map colours."""

from __future__ import annotations

BUILTIN_STATUSES = {
    "ukraine": {"label": "Ukraine", "colour": "#2c7fb8"},
    "russia": {"label": "Russia", "colour": "#d95f02"},
    # DeepState's grey zone ("unknown status") where a baseline keeps it (raw layers)
    "contested": {"label": "Contested (grey zone)", "colour": "#969696"},
}


def meant(value: object, valid) -> str:
    """The hint for a status written as a valid one but for its letter case or the spaces
    around it (" (did you mean 'russia', in lower case?)"), or but for a letter or two
    ("russiaa"); "" for any other."""
    text = str(value)
    close = next((v for v in valid if v.casefold() == text.strip().casefold()), None)
    if close is None:  # a slip of a letter or two: 'russiaa', 'ukrane'
        import difflib

        near = difflib.get_close_matches(text.strip().casefold(), list(valid), 1, 0.8)
        return f" (did you mean '{near[0]}'?)" if near and len(text) <= 80 else ""
    if close == text:
        return ""
    # (a YAML block scalar ends in a line break: not 'spaces')
    blank = "spaces" if text.strip(" ") == text.strip() else "line break or tab around it"
    how = [
        w
        for w, odd in (
            ("in lower case", text.strip() != close),
            (f"without the {blank}", text != text.strip()),
        )
        if odd
    ]
    return f" (did you mean '{close}', {' and '.join(how)}?)"
