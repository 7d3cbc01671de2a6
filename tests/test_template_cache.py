"""The pages' templates are compiled once and kept: read back, they render the same page;
a changed template, a damaged file or the switch turned off compiles them afresh."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from jinja2 import DictLoader, Environment

from modeller import templatecache
from modeller.cli import main


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv(templatecache.SWITCH, raising=False)
    return tmp_path / templatecache.KIND


def _env(source: str) -> Environment:
    return Environment(
        loader=DictLoader({"page.html": source}),
        autoescape=True,
        bytecode_cache=templatecache.kept(),
    )


def _compiles(monkeypatch) -> list[str]:
    """The names of the templates Jinja2 compiles from here on."""
    compiled: list[str] = []
    real = Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    return compiled


PAGE = "<h1>{{ title }}</h1>{% for x in xs %}<p>{{ x }}</p>{% endfor %}"
ARGS = {"title": "<Land & swap>", "xs": ["a", "<b>"]}


def test_a_kept_template_renders_as_the_compiled_one(folder, monkeypatch):
    compiled = _compiles(monkeypatch)
    first = _env(PAGE).get_template("page.html").render(**ARGS)
    assert compiled == ["page.html"] and len(list(folder.glob("*.code"))) == 1
    again = _env(PAGE).get_template("page.html").render(**ARGS)  # (a new run's)
    assert compiled == ["page.html"]  # read back, not compiled again
    assert again == first == "<h1>&lt;Land &amp; swap&gt;</h1><p>a</p><p>&lt;b&gt;</p>"


def test_a_changed_template_is_compiled_afresh(folder, monkeypatch):
    compiled = _compiles(monkeypatch)
    _env(PAGE).get_template("page.html").render(**ARGS)
    changed = _env(PAGE.replace("h1", "h2")).get_template("page.html").render(**ARGS)
    assert changed.startswith("<h2>") and compiled == ["page.html", "page.html"]
    assert len(list(folder.glob("*.code"))) == 2


def test_a_damaged_or_foreign_file_is_compiled_afresh(folder, monkeypatch):
    _env(PAGE).get_template("page.html").render(**ARGS)
    (kept,) = folder.glob("*.code")
    compiled = _compiles(monkeypatch)
    for damage in (kept.read_bytes()[:-40], b"", kept.read_bytes()[:-1] + b"x"):
        kept.write_bytes(damage)
        assert _env(PAGE).get_template("page.html").render(**ARGS).startswith("<h1>&lt;Land")
    assert compiled == ["page.html"] * 3


def test_switched_off_nothing_is_kept_and_a_bad_switch_is_named(folder, monkeypatch, tmp_path):
    monkeypatch.setenv(templatecache.SWITCH, "0")
    _env(PAGE).get_template("page.html").render(**ARGS)
    assert not folder.exists()
    monkeypatch.setenv(templatecache.SWITCH, "maybe")
    out = tmp_path / "maps"
    args = ["run", "scenarios/land-swap.yaml", "--baseline", "contact-line", "--no-images"]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 2 and templatecache.SWITCH in result.output
    assert not out.exists()  # said before any work


def test_the_maps_pages_are_the_same_from_kept_templates(folder, tmp_path, monkeypatch):
    """A whole site rendered twice, the second time from the kept templates (the run
    compiles none): the same pages, byte for byte."""
    from modeller.maps import pages

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # (the pages' date stamp)
    args = ["run", "scenarios/land-swap.yaml", "--baseline", "contact-line", "--no-images"]
    pages.environment.cache_clear()
    first = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert len(list(folder.glob("*.code"))) >= 3  # the page, its base and its parts
    compiled = _compiles(monkeypatch)
    pages.environment.cache_clear()  # (a new run's environment)
    second = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    assert compiled == []
    for page in ("index.html", "land-swap.html"):
        assert (tmp_path / "a" / page).read_bytes() == (tmp_path / "b" / page).read_bytes()
