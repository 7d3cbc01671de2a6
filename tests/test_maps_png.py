"""The static maps' PNG writer: what Pillow (any PNG reader) decodes is the pixels given."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from modeller.maps.png import png_bytes


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # reads every chunk: a bad CRC or a short IDAT raises here
    return image


@settings(max_examples=60)
@given(
    arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(4))),
    st.booleans(),
    st.booleans(),
)
def test_any_pixels_decode_to_themselves(pixels, opaque, strided):
    if opaque:
        pixels = pixels.copy()
        pixels[..., 3] = 255
    if strided:  # a view with gaps between its rows and pixels, not a fresh buffer
        pixels = np.repeat(np.repeat(pixels, 2, axis=0), 2, axis=1)[::2, ::2]
    image = _decode(png_bytes(pixels))
    opaque = bool((pixels[..., 3] == 255).all())  # also when drawn so by chance
    assert image.mode == ("RGB" if opaque else "RGBA")
    assert image.size == (pixels.shape[1], pixels.shape[0])
    expected = pixels[..., :3] if opaque else pixels
    assert np.array_equal(np.asarray(image), expected)


def test_title_in_any_script_and_resolution_are_kept():
    pixels = np.full((3, 5, 4), 255, dtype=np.uint8)
    image = _decode(png_bytes(pixels, dpi=100, title="Запоріжжя <&> \0 “plan”"))
    assert image.info["Title"] == "Запоріжжя <&>  “plan”"  # NUL dropped, the rest as given
    assert image.info["dpi"] == pytest.approx((100, 100), abs=0.01)
    assert "Title" not in _decode(png_bytes(pixels)).info


def test_only_rgba_bytes_are_taken():
    with pytest.raises(ValueError, match="RGBA"):
        png_bytes(np.zeros((4, 4, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        png_bytes(np.full((4, 4, 4), 0.5))  # floats are not silently cut to 0


def test_a_lone_surrogate_in_a_title_is_replaced_not_an_error():
    image = _decode(png_bytes(np.full((2, 2, 4), 255, dtype=np.uint8), title="a\ud800b"))
    assert image.info["Title"] == "a?b"


def test_the_standard_librarys_deflate_stands_in(monkeypatch):
    """Where ISA-L has no wheel, zlib writes the same stream format."""
    import zlib

    from modeller.maps import png

    pixels = np.random.default_rng(1).integers(0, 256, (30, 20, 4), dtype=np.uint8)
    monkeypatch.setattr(png, "_deflate", zlib)
    monkeypatch.setattr(png, "LEVEL", 1)
    assert np.array_equal(np.asarray(_decode(png.png_bytes(pixels))), pixels)


def test_one_pixel_short_of_opaque_keeps_the_alpha_channel():
    pixels = np.full((3, 4, 4), 255, dtype=np.uint8)
    pixels[2, 3, 3] = 254
    image = _decode(png_bytes(pixels))
    assert image.mode == "RGBA" and np.array_equal(np.asarray(image), pixels)


def test_without_isal_installed_zlib_writes_the_png(tmp_path):
    """Where ISA-L is not installed (no wheel for the platform), the import falls back."""
    import subprocess
    import sys

    out = tmp_path / "plain.png"
    code = (
        "import sys; sys.modules['isal'] = None\n"  # as if not installed: import fails
        "import zlib, numpy as np\n"
        "from modeller.maps import png\n"
        "assert png._deflate is zlib and png.LEVEL == 1\n"
        "pixels = np.arange(20 * 30 * 4, dtype=np.uint32).astype(np.uint8).reshape(20, 30, 4)\n"
        f"open({str(out)!r}, 'wb').write(png.png_bytes(pixels))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    expected = np.arange(20 * 30 * 4, dtype=np.uint32).astype(np.uint8).reshape(20, 30, 4)
    assert np.array_equal(np.asarray(_decode(out.read_bytes())), expected)
