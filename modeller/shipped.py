"""Documents shipped with the package, so every file an output refers to can be read.

Outputs say "see ASSUMPTIONS.md" or name an authored baseline's YAML; ``modeller docs
NAME`` prints it, from the wheel (``modeller/_docs``, ``modeller/_geodata``) or from the
repository when installed editable.
"""

from __future__ import annotations

from pathlib import Path

from .geodata import geodata_dir

NAMES = {
    "assumptions": "ASSUMPTIONS.md",
    "sources": "SOURCES.md",
    "contact-line": "baselines/contact-line.yaml",
    "pre-2022": "baselines/pre-2022.yaml",
    "readme": "README.md",  # (the others refer to it)
}


def doc_path(name: str) -> Path:
    """The installed file of a shipped document (KeyError for an unknown name)."""
    rel = NAMES[name]
    here = Path(__file__).resolve().parent
    if name in ("readme", "assumptions"):  # (at the top of the repository)
        for candidate in (here / "_docs" / rel, here.parent / rel):
            if candidate.exists():
                return candidate
        raise FileNotFoundError(f"{rel} is missing from this installation; reinstall modeller")
    return geodata_dir() / rel
