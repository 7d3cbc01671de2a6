"""The built-in statuses every scenario knows, with their labels and map colours."""

from __future__ import annotations

BUILTIN_STATUSES = {
    "ukraine": {"label": "Ukraine", "colour": "#2c7fb8"},
    "russia": {"label": "Russia", "colour": "#d95f02"},
    # DeepState's grey zone ("unknown status") where a baseline keeps it (raw layers)
    "contested": {"label": "Contested (grey zone)", "colour": "#969696"},
}
