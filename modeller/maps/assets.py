"""Assets inlined into every page: Leaflet (from xstatic-leaflet), CSS, JSON for scripts."""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path


@cache
def leaflet_assets() -> tuple[str, str, str]:
    """Leaflet's JS and CSS from the xstatic-leaflet package, ready to inline; its version."""
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError:
        raise RuntimeError(
            "maps inline Leaflet from xstatic-leaflet: pip install xstatic-leaflet"
        ) from None
    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline_image(m: re.Match) -> str:
        image = base / "images" / m.group(1)
        if m.group(1).startswith("layers") and image.exists():
            return f"url(data:image/png;base64,{base64.b64encode(image.read_bytes()).decode()})"
        return "none"  # marker images: no default markers are ever used

    css = re.sub(r"url\(\s*['\"]?images/([\w.-]+)['\"]?\s*\)", inline_image, css)
    if "</script" in js.lower() or "</style" in css.lower():  # cannot be inlined verbatim
        raise RuntimeError("this xstatic-leaflet build cannot be inlined safely")
    return js, css, str(getattr(xleaflet, "VERSION", "?"))


class RawJSON:
    """JSON text produced elsewhere (GEOS's GeoJSON writer) to embed as it is.

    Only for text that is valid JSON made of numbers, brackets and ASCII keys (geometry), so
    it needs none of ``json_for_script``'s escaping."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def json_for_script(value) -> str:
    """JSON that is safe inside <script>: no </script>, <!--, or & sequences survive.

    ``RawJSON`` values are spliced in verbatim after the escaping."""
    raws: list[str] = []

    def raw(o):
        if isinstance(o, RawJSON):
            raws.append(o.text)
            return f"\0raw{len(raws) - 1}\0"
        raise TypeError(f"{type(o).__name__} is not JSON serialisable")

    text = (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=raw)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    if raws:
        text = re.sub(r'"\\u0000raw(\d+)\\u0000"', lambda m: raws[int(m.group(1))], text)
    return text


@cache
def package_text(folder: str, name: str) -> str:
    """A text file shipped inside this package (``static/`` or ``templates/``)."""
    return resources.files(__package__).joinpath(folder, name).read_text(encoding="utf-8")
