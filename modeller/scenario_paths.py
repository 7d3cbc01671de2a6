"""Where scenario files are: folders expanded to their YAML files, shipped scenarios by
id (inside the wheel, or the repository's scenarios/), a missing name told with the
closest shipped id. No parsing here (``scenario`` reads the files)."""

from __future__ import annotations

import difflib
import warnings
from pathlib import Path

from . import inputs
from .errors import InputError, OutputWarning
from .textsafe import terminal_path


def shipped_folder() -> Path:
    """The scenarios shipped with modeller: inside the wheel, or the repository's scenarios/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_scenarios", here.parent / "scenarios"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    raise InputError("the shipped scenarios are missing from this installation; reinstall modeller")


def shipped_ids() -> dict[str, Path]:
    """Shipped scenario files by id (each file is named after its scenario's id)."""
    return {p.stem: p for p in sorted(shipped_folder().glob("*.yaml"))}


def is_shipped(path: Path) -> bool:
    """Whether a scenario file is one of the shipped ones (by where it lies)."""
    try:
        return Path(path).resolve().parent == shipped_folder().resolve()
    except (OSError, RuntimeError, InputError):
        return False


def shown(path: Path) -> str:
    """A scenario file as a line on the terminal names it: a shipped one outside the
    current folder as 'shipped land-swap.yaml' (not the installation's site-packages
    path); any other as given, its line breaks and control characters as escapes."""
    try:
        inside = Path(path).resolve().parent == shipped_folder().resolve()
        here = Path(path).resolve().is_relative_to(Path.cwd().resolve())
    except (OSError, RuntimeError, InputError):
        return terminal_path(path)
    return f"shipped {Path(path).name}" if inside and not here else terminal_path(path)


def _missing(p: Path) -> InputError:
    """No such file: name the shipped scenario ids, and the closest one."""
    ids = list(shipped_ids())
    # ids are lower case: 'LAND-SWAP' is compared as 'land-swap' (it had no suggestion)
    close = difflib.get_close_matches(str(p).strip().lower(), ids, n=1, cutoff=0.6)
    hint = f" — did you mean '{close[0]}'?" if close else ""
    return InputError(
        f"no such file or folder, nor a shipped scenario id{hint} "
        f"(shipped: {', '.join(ids)}; 'modeller scenarios' lists them)",
        str(p),
    )


def _yaml_name(name: str) -> bool:
    """A scenario file's name: *.yaml or *.yml in any case (Windows and macOS users write
    SCENARIO.YAML), not hidden."""
    return name.lower().endswith((".yaml", ".yml")) and not name.startswith(".")


def _nested(folder: Path) -> str:
    """' (its subfolders a/, b/ hold *.yaml files: …)' when some do (a folder's own files
    are read, not its subfolders'); '' otherwise."""
    names = []
    try:
        for sub in sorted(folder.iterdir()):
            visible = sub.is_dir() and not sub.name.startswith(".")
            if visible and any(_yaml_name(f.name) and f.is_file() for f in sub.iterdir()):
                names.append(f"{terminal_path(sub.name)}/")
    except OSError:
        return ""
    if not names:
        return ""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    example = terminal_path(folder / names[0])
    return (
        f" (its subfolders {shown} hold *.yaml files, which are not read: only a folder's "
        f"own files are; give a subfolder to read its scenarios, e.g. {example})"
    )


def scenario_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their *.yaml / *.yml files (any case), sorted; keep files as
    given.

    A name that is not a file but the id of a shipped scenario (``land-swap``) is that
    scenario's file, and ``scenarios/…`` where there is no such folder is the shipped
    one; no paths at all means every shipped scenario.
    """
    if not paths:
        paths = [shipped_folder()]
    out: list[Path] = []
    for p in map(Path, paths):
        try:
            is_dir, exists = p.is_dir(), p.exists() or p.is_symlink()
            found = [] if not is_dir else [f for f in p.iterdir() if _yaml_name(f.name)]
        except (OSError, ValueError) as exc:  # e.g. a file name too long for the system
            raise InputError(f"cannot read: {inputs.reason(exc)}", str(p)) from None
        if is_dir:
            found = sorted(f for f in found if not f.is_dir())
            nested = _nested(p)
            if not found:
                raise InputError(f"no *.yaml scenario files in this folder{nested}", str(p))
            if nested:  # (they had been left out without a word)
                warnings.warn(f"{terminal_path(p)}: {nested.strip(' ()')}", OutputWarning, 2)
            out.extend(found)
        elif exists:
            out.append(p)
        elif len(p.parts) == 1 and str(p) in shipped_ids():
            out.append(shipped_ids()[str(p)])
        elif p.parts[0] == "scenarios" and shipped_folder().joinpath(*p.parts[1:]).exists():
            # README's 'modeller run scenarios/…' from any folder: the shipped copy
            out += scenario_files([shipped_folder().joinpath(*p.parts[1:])])
        else:
            raise _missing(p)
    # a file named twice (or through a folder and by name) is read once: it is no duplicate
    unique: dict[Path, Path] = {}
    for f in out:
        try:
            key = f.resolve()
        except (OSError, RuntimeError):  # a loop of links: its own error when it is read
            key = f
        unique.setdefault(key, f)
    return list(unique.values())
