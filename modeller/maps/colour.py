"""Colour arithmetic for checking a palette: colour-vision-deficiency simulation and CIEDE2000.

Used by the palette (to keep a scenario's own colour only when it stays distinguishable) and
by the tests. Plain numpy; no colour library needed.
"""

from __future__ import annotations

import functools
import math

import numpy as np

MACHADO_2009 = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
"""Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
color vision deficiency", IEEE TVCG 15(6), severity 1.0 matrices, applied to linear sRGB."""

VISIONS = ("normal", *MACHADO_2009)
_D65 = (0.95047, 1.0, 1.08883)
_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


def hex_rgb(colour: str) -> np.ndarray:
    """``#rrggbb`` as sRGB in 0..1."""
    c = colour.lstrip("#")
    return np.array([int(c[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def rgb_hex(rgb) -> str:
    return "#" + "".join(f"{round(float(np.clip(v, 0, 1)) * 255):02x}" for v in rgb)


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB companding removed (IEC 61966-2-1)."""
    rgb = np.asarray(rgb, dtype=float)
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def from_linear(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(np.asarray(lin, dtype=float), 0, 1)
    return np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def simulate(rgb: np.ndarray, vision: str) -> np.ndarray:
    """How an sRGB colour looks with ``vision`` (``normal`` or a key of ``MACHADO_2009``)."""
    if vision == "normal":
        return np.asarray(rgb, dtype=float)
    return from_linear(MACHADO_2009[vision] @ to_linear(rgb))


def lab(rgb: np.ndarray) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    xyz = _SRGB_TO_XYZ @ to_linear(rgb)
    t = xyz / np.array(_D65)
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return float(116 * f[1] - 16), float(500 * (f[0] - f[1])), float(200 * (f[1] - f[2]))


def ciede2000(lab1: tuple, lab2: tuple) -> float:
    """Colour difference ΔE00 between two L*a*b* colours.

    Notes
    -----
    Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes",
    with kL = kC = kH = 1:
    ΔE00 = sqrt((ΔL'/SL)² + (ΔC'/SC)² + (ΔH'/SH)² + RT (ΔC'/SC)(ΔH'/SH)).
    """
    L1, a1, b1 = lab1
    L2, a2, b2 = lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = L2 - L1, c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    elif abs(h2p - h1p) <= 180:
        dhp = h2p - h1p
    elif h2p - h1p > 180:
        dhp = h2p - h1p - 360
    else:
        dhp = h2p - h1p + 360
    dHp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    lp_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_bar = (h1p + h2p + 360) / 2
    else:
        hp_bar = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp_bar - 30))
        + 0.24 * math.cos(math.radians(2 * hp_bar))
        + 0.32 * math.cos(math.radians(3 * hp_bar + 6))
        - 0.20 * math.cos(math.radians(4 * hp_bar - 63))
    )
    d_theta = 30 * math.exp(-(((hp_bar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    sl = 1 + 0.015 * (lp_bar - 50) ** 2 / math.sqrt(20 + (lp_bar - 50) ** 2)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt(
        (dlp / sl) ** 2 + (dcp / sc) ** 2 + (dHp / sh) ** 2 + rt * (dcp / sc) * (dHp / sh)
    )


def difference(c1: str, c2: str, vision: str = "normal") -> float:
    """ΔE00 between two hex colours as seen with ``vision``."""
    return ciede2000(seen(c1, vision), seen(c2, vision))


@functools.cache
def seen(colour: str, vision: str) -> tuple[float, float, float]:
    """CIELAB of a hex colour as seen with ``vision`` (kept: a palette's fallback compares
    ~80 candidates with every colour taken, in four visions)."""
    return lab(simulate(hex_rgb(colour), vision))


def least_difference(colours: list[str]) -> tuple[float, str, str, str]:
    """The smallest ΔE00 over every pair and every vision: (ΔE, vision, colour, colour)."""
    worst = (math.inf, "", "", "")
    for i, a in enumerate(colours):
        for b in colours[i + 1 :]:
            for vision in VISIONS:
                d = difference(a, b, vision)
                if d < worst[0]:
                    worst = (d, vision, a, b)
    return worst
