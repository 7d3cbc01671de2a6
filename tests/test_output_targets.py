"""``--output``: every file format can go to a file; what is there is never replaced by
something else (a FIFO, a device, a folder), and a symbolic link is written through."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from modeller import geodata
from modeller.cli import main
from modeller.errors import OutputWarning

SCENARIO = str(Path(__file__).resolve().parent.parent / "scenarios" / "land-swap.yaml")
ARGS = ["run", SCENARIO, "--no-maps", "--baseline", "1991"]


def _run(*extra: str):
    return CliRunner().invoke(main, [*ARGS, *extra])


def test_csv_to_a_file_is_what_stdout_gets(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1765000000")  # both runs' "generated" alike
    printed = _run("--format", "csv")
    assert printed.exit_code == 0, printed.output
    target = tmp_path / "figures.csv"
    written = _run("--format", "csv", "--output", str(target))
    assert written.exit_code == 0, written.output
    body = target.read_text(encoding="utf-8")
    assert body.startswith("data_version,scenario,")
    assert body.splitlines()[1:] and body == printed.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_before_any_work_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for fmt in ("geojson", "json"):
        result = _run("--format", fmt, "--output", str(fifo))
        assert result.exit_code == 2
        assert "is a FIFO (named pipe), not a file" in result.output
        assert "Traceback" not in result.output
    # before any work: a scenario that does not exist is not even looked at
    late = CliRunner().invoke(
        main, ["run", str(tmp_path / "nope.yaml"), "-f", "csv", "-O", str(fifo)]
    )
    assert late.exit_code == 2 and "FIFO" in late.output and "nope.yaml" not in late.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_loop_of_links_and_a_folder_behind_a_link_are_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = _run("--format", "csv", "--output", str(tmp_path / "a"))
    assert result.exit_code == 2 and "loop of symbolic links" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "folder").mkdir()
    (tmp_path / "to-folder").symlink_to(tmp_path / "folder")
    result = _run("--format", "json", "--output", str(tmp_path / "to-folder"))
    assert result.exit_code == 2 and "is a folder, not a file" in result.output
    assert (tmp_path / "to-folder").is_symlink() and not list((tmp_path / "folder").iterdir())


def test_a_dash_is_standard_output_for_text_and_refused_for_geodata(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # the same instant for both, or a second's tick between them would tell them apart
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1765000000")
    printed = _run("--format", "csv")
    dashed = _run("--format", "csv", "--output", "-")
    assert dashed.exit_code == 0 and dashed.stdout == printed.stdout
    assert "2025-12-06T05:46:40+00:00" in printed.stdout
    assert not (tmp_path / "-").exists()
    result = _run("--format", "gpkg", "--output", "-")
    assert result.exit_code == 2 and "give a file for gpkg" in result.output


def test_a_symbolic_link_is_written_through(tmp_path):
    real = tmp_path / "real.geojson"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.geojson"
    link.symlink_to(real)
    result = _run("--format", "geojson", "--output", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text(encoding="utf-8").startswith('{"type": "FeatureCollection"')


def test_a_link_to_nothing_in_no_folder_is_refused_and_makes_no_folders(tmp_path):
    """Writing through a link to a missing file in a missing folder had made that folder
    tree wherever the link pointed (at the file system's root, for one)."""
    import modeller

    link = tmp_path / "link.geojson"
    link.symlink_to(tmp_path / "elsewhere" / "deep" / "t.geojson")
    result = _run("--format", "geojson", "--output", str(link))
    assert result.exit_code == 2 and "whose folder does not exist" in result.output
    with pytest.raises(modeller.InputError, match="whose folder does not exist"):
        modeller.run("land-swap", baseline="1991").to_file(link)
    assert not (tmp_path / "elsewhere").exists() and link.is_symlink()
    # a link to a missing file in a folder that exists is written through, as before
    (tmp_path / "there").mkdir()
    link.unlink()
    link.symlink_to(tmp_path / "there" / "t.geojson")
    assert _run("--format", "geojson", "--output", str(link)).exit_code == 0
    assert (tmp_path / "there" / "t.geojson").read_text(encoding="utf-8").startswith("{")


def test_the_terminal_table_has_no_file(tmp_path):
    result = _run("--output", str(tmp_path / "t.txt"))
    assert result.exit_code == 2
    assert "--format json, csv, markdown" in result.output
    assert not (tmp_path / "t.txt").exists()


def test_a_site_that_cannot_take_the_folders_place_loses_none_of_the_users_files(
    tmp_path, monkeypatch
):
    """Replacing a folder moves its other files across first; when one of those moves fails
    (an immutable file, a path too long), the files already moved go back, and nothing of
    the user's is deleted with the new site's staging folder."""
    from modeller import folders

    site = tmp_path / "site"
    site.mkdir()
    mine = {f"note{i}.txt": f"mine {i}\n" for i in range(5)}
    for name, text in mine.items():
        (site / name).write_text(text, encoding="utf-8")
    (site / "index.html").write_text("old page", encoding="utf-8")
    real_rename, moves = os.rename, []

    def rename(src, dst):
        if Path(src).parent == site and Path(dst).parent.name.startswith(".site.new-"):
            moves.append(src)
            if len(moves) == 3:  # the third of the user's files cannot be moved
                raise OSError(1, "Operation not permitted", str(src))
        return real_rename(src, dst)

    monkeypatch.setattr(folders.os, "rename", rename)
    with pytest.raises(OSError, match="not permitted"):
        folders.write_folder(site, {"index.html": "new page"})
    assert len(moves) == 3
    assert {p.name: p.read_text(encoding="utf-8") for p in site.iterdir()} == {
        **mine,
        "index.html": "old page",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left


def test_files_that_cannot_be_moved_back_are_kept_and_named(tmp_path, monkeypatch):
    from modeller import folders

    site = tmp_path / "site"
    site.mkdir()
    (site / "a.txt").write_text("a", encoding="utf-8")
    (site / "b.txt").write_text("b", encoding="utf-8")
    real_rename, moves = os.rename, []

    def rename(src, dst):
        if Path(dst).parent.name.startswith(".site.new-") and Path(src).parent == site:
            moves.append(Path(src).name)
            if len(moves) == 2:  # the second of the user's files cannot be moved
                raise OSError(36, "File name too long", str(dst))
        if Path(src).parent.name.startswith(".site.new-") and Path(dst).parent == site:
            raise OSError(5, "Input/output error", str(dst))  # and moving back fails too
        return real_rename(src, dst)

    monkeypatch.setattr(folders.os, "rename", rename)
    with pytest.raises(OSError) as caught:
        folders.write_folder(site, {"index.html": "new"})
    monkeypatch.undo()
    staging = [p for p in tmp_path.iterdir() if p.name != "site"]
    first = moves[0]
    assert [p.name for p in site.iterdir()] == [moves[1]] and len(staging) == 1
    assert (staging[0] / first).read_text(encoding="utf-8") == first[0]
    assert "kept in" in str(caught.value) and str(staging[0]) in str(caught.value)


def _written_during_the_swap(monkeypatch, folders, site: Path, name: str, text: str) -> None:
    """Have another program write ``name`` into ``site`` just before the folder is swapped
    out (after it was listed): ``os.rename`` of the folder to its old name writes it first."""
    real_rename = os.rename

    def rename(src, dst):
        if Path(src) == site.resolve() and Path(dst).name.startswith(".site.old-"):
            (site / name).write_text(text, encoding="utf-8")
        return real_rename(src, dst)

    monkeypatch.setattr(folders.os, "rename", rename)


def test_a_file_written_into_the_folder_during_the_swap_is_kept(tmp_path, monkeypatch):
    """Another program's file created in --out between the folder being listed and being
    swapped out went with the old folder; it is moved into the new one."""
    from modeller import folders

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old page", encoding="utf-8")
    _written_during_the_swap(monkeypatch, folders, site, "late.txt", "written meanwhile")
    folders.write_folder(site, {"index.html": "new page"})
    monkeypatch.undo()
    assert {p.name: p.read_text(encoding="utf-8") for p in site.iterdir()} == {
        "index.html": "new page",
        "late.txt": "written meanwhile",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no old folder left


def test_a_late_file_that_cannot_be_moved_keeps_the_old_folder_and_no_write_fails(
    tmp_path, monkeypatch
):
    """A file created during the swap under a name the new folder already has stays in
    the old folder; that folder had the process's fixed name, so the next write failed
    ('Directory not empty')."""
    from modeller import folders

    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    _written_during_the_swap(monkeypatch, folders, site, "notes.txt", "mine, newer")  # again
    for text in ("first", "second"):  # and each time the user is told where it is
        said = r"1 entry \(notes.txt\) appeared in .*site while .* kept in .*\.site\.old-"
        with pytest.warns(OutputWarning, match=said):
            folders.write_folder(site, {"index.html": text})
    monkeypatch.undo()
    assert (site / "index.html").read_text(encoding="utf-8") == "second"
    kept = sorted(tmp_path.glob(".site.old-*/notes.txt"))
    assert [p.read_text(encoding="utf-8") for p in kept] == ["mine, newer"] * 2
    assert not list(tmp_path.glob(".site.old-*/index.html"))  # the replaced pages went


def test_the_command_line_says_where_a_late_file_was_kept(tmp_path, monkeypatch):
    """A late file left in the old folder was kept there without a word."""
    from modeller import folders

    site = tmp_path / "site"
    args = ["run", SCENARIO, "-b", "1991", "--no-images", "--out", str(site)]
    assert CliRunner().invoke(main, args).exit_code == 0
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    _written_during_the_swap(monkeypatch, folders, site, "notes.txt", "mine, newer")
    result = CliRunner().invoke(main, args)
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    (kept,) = tmp_path.glob(".site.old-*/notes.txt")
    assert kept.read_text(encoding="utf-8") == "mine, newer"
    assert (site / "notes.txt").read_text(encoding="utf-8") == "mine"
    said = f"warning: 1 entry (notes.txt) appeared in {site} while it was being replaced"
    assert said in result.stderr and f"kept in {kept.parent}" in result.stderr
    assert "Warning:" not in result.stderr and "files.py" not in result.stderr


def test_an_output_that_is_one_of_the_inputs_is_refused_and_the_input_kept(tmp_path):
    """``-O my.yaml`` had replaced the scenario with its own figures (and a baseline file
    given as -O the same way); a link to an input is the input too."""
    mine = tmp_path / "my.yaml"
    mine.write_text(Path(SCENARIO).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(mine)
    base = tmp_path / "base.geojson"
    box = [[37.0, 47.5], [38.0, 47.5], [38.0, 48.5], [37.0, 48.5], [37.0, 47.5]]
    base.write_text(
        '{"type": "Feature", "properties": {}, "geometry": '
        f'{{"type": "Polygon", "coordinates": [{box}]}}}}',
        encoding="utf-8",
    )
    units = tmp_path / "units.geojson"
    units.write_bytes((geodata.geodata_dir() / "oblasts.geojson").read_bytes())
    before = {p: p.read_bytes() for p in (mine, base, units)}
    for args in [
        ("run", str(mine), "--no-maps", "-b", "1991", "-f", "json", "-O", str(mine)),
        (
            "run",
            str(mine),
            "--no-maps",
            "-b",
            "1991",
            "-f",
            "csv",
            "-O",
            str(tmp_path / "link.yaml"),
        ),
        ("run", str(mine), "--no-maps", "-b", str(base), "-f", "geojson", "-O", str(base)),
        # the units file is read only once the run starts: it had been overwritten
        ("run", str(mine), "--no-maps", "--units", str(units), "-f", "geojson", "-O", str(units)),
    ]:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 2, result.output
        assert "is one of this run's inputs, or a file read as one" in result.output
    assert {p: p.read_bytes() for p in (mine, base, units)} == before


@pytest.mark.parametrize(
    "fmt, name, fragment",
    [
        ("gpkg", "x.geojson", "names a .geojson file, but --format is gpkg"),
        ("json", "x.csv", "give a file ending in .json, or --format csv"),
        ("geojson", "dir/", "ends with '/', a folder; give a file name"),
        ("markdown", "x.json", "give a file ending in .md, or --format json or geojson"),
    ],
)
def test_an_output_whose_name_says_another_format_or_a_folder_is_refused(
    tmp_path, fmt, name, fragment
):
    """A GeoPackage had been written under a .geojson name, and '-O dir/' wrote a file
    called dir."""
    result = _run(
        "--format", fmt, "--output", str(tmp_path / name) + ("/" if name.endswith("/") else "")
    )
    assert result.exit_code == 2, result.output
    assert fragment in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


def test_a_yaml_file_in_capitals_is_a_scenario(tmp_path):
    (tmp_path / "SWAP.YAML").write_text(Path(SCENARIO).read_text(encoding="utf-8"))
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 0 and "SWAP.YAML (land-swap" in result.output, result.output


@pytest.mark.parametrize(
    ("name", "fmt", "said"),
    [
        ("land-swap.html", "json", "is named like a web page (.html)"),
        ("index.html", "json", "is named like a web page (.html)"),
        ("land-swap.png", "json", "is named like an image (.png)"),
    ],
)
def test_output_onto_a_file_of_the_maps_is_refused(tmp_path, name, fmt, said):
    """-O maps/land-swap.html with --out maps had said 'json: -> …' and then the site's page
    replaced the figures (refused before any work now, as any page or image name is).
    Other names in the maps' folder are kept beside the site."""
    out = tmp_path / "maps"
    args = ["run", SCENARIO, "--baseline", "1991", "--out", str(out)]
    clash = CliRunner().invoke(main, [*args, "-f", fmt, "--output", str(out / name)])
    assert clash.exit_code == 2, clash.output
    assert f"--output {name} {said}" in " ".join(clash.output.split())
    assert not out.exists()
    args = [*args, "-f", "json"]
    fine = CliRunner().invoke(main, [*args, "--no-images", "--output", str(out / "figures.json")])
    assert fine.exit_code == 0, fine.output
    assert (out / "figures.json").read_text(encoding="utf-8").startswith("{")
    assert (out / "land-swap.html").read_text(encoding="utf-8").lstrip().startswith("<!")


@pytest.mark.parametrize(
    "args",
    [
        ["run", "land-swap", "-f", "json", "-o", "figures.json"],
        ["timeline", "land-swap", "--baselines", "contact-line", "-o", "table.csv"],
    ],
)
def test_an_output_folder_named_like_a_file_is_refused(tmp_path, monkeypatch, args):
    """'-o figures.json' (for -O) had printed the JSON to the screen and made a folder of
    maps called figures.json; a folder that exists already keeps working."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "names a folder, but it ends in" in result.output
    assert not (tmp_path / args[-1]).exists()
    (tmp_path / args[-1]).mkdir()  # the user's own folder of that name: used
    result = CliRunner().invoke(main, [*args, "--no-chart"] if "timeline" in args else args)
    assert result.exit_code == 0, result.output


def test_pages_of_scenarios_no_longer_run_go_and_the_users_files_stay(tmp_path):
    """A run of fewer scenarios had left the others' pages in the folder, unlinked, where a
    newsroom would publish them; the folder's own other files are kept."""
    out = tmp_path / "maps"
    both = ["land-swap", "full-donbas-withdrawal"]
    result = CliRunner().invoke(main, ["run", *both, "--no-images", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "timeline").mkdir()
    (tmp_path / "outside.html").write_text("keep", encoding="utf-8")
    with open(out / ".modeller-site", "a", encoding="utf-8") as fh:  # hostile entries
        fh.write("../outside.html\ntimeline\nnotes.txt.missing\n\n..\n")
    result = CliRunner().invoke(main, ["run", "land-swap", "--no-images", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {"index.html", "land-swap.html", "notes.txt", "timeline", ".modeller-site"}
    assert (tmp_path / "outside.html").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("name", ["victim.yaml", "victim.yml", "page.html", "map.svg"])
def test_output_onto_a_scenario_page_or_image_is_refused(tmp_path, name):
    """-O victim.yaml (a scenario file not read in this run) had been replaced by JSON."""
    victim = tmp_path / name
    victim.write_text("id: x\n", encoding="utf-8")
    args = ["run", SCENARIO, "--no-maps", "-f", "json", "-O", str(victim)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "is named like" in result.output and "give a file ending in .json" in result.output
    assert victim.read_text(encoding="utf-8") == "id: x\n"


def test_a_users_own_page_or_image_is_refused_before_any_work(tmp_path, monkeypatch):
    """The check ran only after every figure was computed; a user's land-swap.png was
    replaced without a word (images were not checked at all)."""
    from modeller import runs

    def no_work(*args, **kwargs):
        raise AssertionError("computed before the folder was checked")

    out = tmp_path / "site"
    out.mkdir()
    (out / "land-swap.png").write_bytes(b"\x89PNG mine")
    with monkeypatch.context() as m:
        m.setattr(runs, "apply_one", no_work)
        result = CliRunner().invoke(main, ["run", "land-swap", "-b", "1991", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "land-swap.png there is not a file modeller wrote" in result.output
    assert (out / "land-swap.png").read_bytes() == b"\x89PNG mine"
    # without images the PNG is not in the way; the page modeller wrote then is its own
    args = ["run", "land-swap", "-b", "1991", "--no-images", "-o", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert (out / "land-swap.png").read_bytes() == b"\x89PNG mine"
    (out / "land-swap.png").unlink()
    for _ in range(2):  # images modeller wrote (listed in the folder's manifest) are replaced
        result = CliRunner().invoke(main, ["run", "land-swap", "-b", "1991", "-o", str(out)])
        assert result.exit_code == 0, result.output
    assert (out / "land-swap.png").read_bytes().startswith(b"\x89PNG\r\n")


def test_a_web_page_modeller_did_not_write_is_not_replaced(tmp_path):
    """A user's own index.html in the --out folder had been overwritten without a word,
    though the README says the folder's other files are kept."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<html>mine</html>", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", "land-swap", "-b", "1991", "--no-images", "-o", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert "index.html there is not a page modeller wrote" in result.output
    assert (out / "index.html").read_text(encoding="utf-8") == "<html>mine</html>"
    (out / "index.html").unlink()  # modeller's own pages are replaced run after run
    for _ in range(2):
        result = CliRunner().invoke(
            main, ["run", "land-swap", "-b", "1991", "--no-images", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output


def _site(out, *extra):
    return CliRunner().invoke(
        main, ["run", "land-swap", "-b", "1991", "--no-images", "-o", str(out), *extra]
    )


@pytest.mark.parametrize("kind", ["folder", "link"])
def test_a_folder_or_a_link_named_like_a_page_is_refused_and_kept(tmp_path, kind):
    """A folder named index.html was deleted with all it held, and the run said nothing;
    a link was written through or replaced."""
    out, mine = tmp_path / "site", tmp_path / "mine.html"
    out.mkdir()
    mine.write_text("<p>mine</p>", encoding="utf-8")
    if kind == "folder":
        (out / "index.html").mkdir()
        (out / "index.html" / "notes.txt").write_text("keep", encoding="utf-8")
    else:
        (out / "index.html").symlink_to(mine)
    result = _site(out)
    assert result.exit_code == 2, result.output
    assert f"index.html there is a {kind}" in result.output
    if kind == "folder":
        assert (out / "index.html" / "notes.txt").read_text(encoding="utf-8") == "keep"
    else:
        assert (out / "index.html").is_symlink()
    assert mine.read_text(encoding="utf-8") == "<p>mine</p>"


def test_a_forged_manifest_removes_nothing_the_site_could_not_have_written(tmp_path):
    out = tmp_path / "site"
    assert _site(out).exit_code == 0
    (out / "thesis.docx").write_bytes(b"years of work")
    (out / ".modeller-site").write_text("thesis.docx\nindex.html\n", encoding="utf-8")
    assert _site(out).exit_code == 0
    assert (out / "thesis.docx").read_bytes() == b"years of work"


def test_a_page_quoting_the_generator_mark_in_its_body_is_still_the_users(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    quoted = '<html><head></head><body><pre>&lt;meta name="generator" content="modeller'
    (out / "index.html").write_text(quoted + '"&gt;</pre></body></html>', encoding="utf-8")
    result = _site(out)
    assert result.exit_code == 2 and "not a page modeller wrote" in result.output


def test_the_timeline_keeps_a_users_table_and_a_linked_page(tmp_path):
    """timeline.csv of the user's own was replaced without a word; a timeline.html link
    had its target replaced by the page."""
    args = ["timeline", "land-swap", "--baselines", "contact-line", "--out", str(tmp_path)]
    (tmp_path / "timeline.csv").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "timeline.csv there is not a file modeller wrote" in (
        result.output
    )
    assert (tmp_path / "timeline.csv").read_text(encoding="utf-8") == "mine\n"
    (tmp_path / "timeline.csv").unlink()
    target = tmp_path / "elsewhere.html"
    target.write_text("<p>mine</p>", encoding="utf-8")
    (tmp_path / "timeline.html").symlink_to(target)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "timeline.html there is a link" in result.output
    assert target.read_text(encoding="utf-8") == "<p>mine</p>"
    (tmp_path / "timeline.html").unlink()
    for _ in range(2):  # its own table and page are replaced run after run
        assert CliRunner().invoke(main, args).exit_code == 0


def test_a_baseline_file_named_like_deepstates_own_files_is_read_as_a_file(tmp_path):
    """'deepstatemap_data_20250815.geojson' was taken for a malformed deepstate: spec."""
    import json

    from modeller import geodata

    ring = geodata.to_lonlat(geodata.load().geometry["UA-14"]).representative_point().buffer(0.2)
    fc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": ring.__geo_interface__}],
    }
    path = tmp_path / "deepstatemap_data_20250815.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "land-swap", "-b", str(path), "--no-maps"])
    assert result.exit_code == 0, result.output
    assert f"baseline {path}" in result.output.replace("\n", " ")
    assert "DeepStateMap, " not in result.output  # a user file, not DeepState's archive


def test_an_overview_of_the_users_is_in_the_way_only_of_a_run_of_several(tmp_path):
    """overview.png is drawn only for several scenarios: one scenario leaves it be."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "overview.png").write_bytes(b"mine")
    result = CliRunner().invoke(main, ["run", "land-swap", "-b", "1991", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "overview.png").read_bytes() == b"mine"
    args = ["run", "land-swap", "full-donbas-withdrawal", "-b", "1991", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "overview.png there is not a file modeller wrote" in (
        result.output
    )
    assert (out / "overview.png").read_bytes() == b"mine"


def test_output_onto_the_maps_manifest_or_a_page_is_refused_before_any_work(tmp_path):
    """``-O maps/.modeller-site`` was reported written, then the maps' manifest replaced the
    figures (a page or an image name there was already refused)."""
    out = tmp_path / "maps"
    for name in (".modeller-site", "land-swap.html"):
        result = CliRunner().invoke(
            main,
            ["run", SCENARIO, "-b", "1991", "-o", str(out), "-f", "json", "-O", str(out / name)],
        )
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert not out.exists() or not (out / name).exists(), name
        assert f"error: --output {name} is " in result.stderr, result.stderr
    args = ["run", SCENARIO, "-b", "1991", "-o", str(out), "-f", "csv"]
    manifest = CliRunner().invoke(main, [*args, "-O", str(out / ".modeller-site")])
    assert "is a file the maps write" in manifest.stderr, manifest.stderr
    # elsewhere, or with --no-maps, the same name is a file like any other
    result = CliRunner().invoke(
        main,
        [
            "run",
            SCENARIO,
            "-b",
            "1991",
            "--no-maps",
            "-f",
            "json",
            "-O",
            str(out / ".modeller-site"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / ".modeller-site").read_text(encoding="utf-8").startswith("{")


def test_output_to_dev_stdout_on_a_pipe_suggests_the_dash():
    """'-O /dev/stdout | jq' said only that a FIFO is not a file."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "modeller.cli", *ARGS, "-f", "json", "-O", "/dev/stdout"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "for standard output, write -O - (text formats)" in done.stderr
    assert done.stdout == ""


def test_published_outputs_name_files_in_the_home_folder_without_it(tmp_path, monkeypatch):
    """A baseline or scenario given by its absolute path put the user's folders (their user
    name) into every page, image credit and download: now ``~/…`` (relative when under the
    current folder); terminal messages keep the path as written."""
    import base64
    import json
    import re

    from shapely.geometry import mapping

    home = tmp_path / "home" / "jane.doe"
    (home / "work").mkdir(parents=True)
    held = geodata.to_lonlat(geodata.load().geometry["UA-14"]).simplify(0.05)
    baseline = home / "work" / "held.geojson"
    baseline.write_text(json.dumps({"type": "Feature", "geometry": mapping(held)}), "utf-8")
    scenario = home / "work" / "mine.yaml"
    scenario.write_text(Path(SCENARIO).read_text("utf-8").replace("id: land-swap", "id: mine"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(
        main,
        ["run", str(scenario), "-b", str(baseline), "-f", "json", "-O", "doc.json", "-o", "maps"],
    )
    assert result.exit_code == 0, result.output
    written = [elsewhere / "doc.json", *sorted((elsewhere / "maps").iterdir())]
    assert {p.suffix for p in written} >= {".json", ".html", ".svg", ".png"}
    csvs = 0
    for path in written:
        body = path.read_bytes()
        assert b"jane.doe" not in body, path.name
        for data in re.findall(rb"data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)", body):
            csv = base64.b64decode(data).decode("utf-8-sig")  # a page's CSV download
            assert "jane.doe" not in csv and "~/work/held.geojson" in csv, path.name
            csvs += 1
    assert csvs >= 2  # the scenario page's and the index's
    doc = json.loads((elsewhere / "doc.json").read_text("utf-8"))
    [entry] = doc["scenarios"]
    assert entry["baseline"]["name"] == "~/work/held.geojson"
    assert entry["file"] == "~/work/mine.yaml"
    assert "~/work/held.geojson" in (elsewhere / "maps" / "mine.html").read_text("utf-8")
    # under the current folder: relative to it; in the home folder or above it: ~/…
    # (the JSON alone is read: the site each of these wrote, checked in none, is not written)
    for cwd, name in [
        (home / "work", "held.geojson"),
        (home, "~/work/held.geojson"),
        (home.parent, "~/work/held.geojson"),  # not "jane.doe/work/held.geojson"
    ]:
        monkeypatch.chdir(cwd)
        args = ["run", str(scenario), "-b", str(baseline), "-f", "json", "--no-maps"]
        again = CliRunner().invoke(main, args)
        assert json.loads(again.stdout)["scenarios"][0]["baseline"]["name"] == name


def test_the_timeline_names_scenario_files_without_the_home_folder(
    shared_data, tmp_path, monkeypatch
):
    import json

    home = tmp_path / "home" / "jane.doe"
    home.mkdir(parents=True)
    scenario = home / "mine.yaml"
    scenario.write_text(Path(SCENARIO).read_text("utf-8").replace("id: land-swap", "id: mine"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "tl"
    result = CliRunner().invoke(
        main,
        ["timeline", str(scenario), "--baselines", "deepstate:2025-08-14..2025-08-15"]
        + ["-f", "json", "-o", str(out), "--no-chart"],
    )
    assert result.exit_code == 0, result.output
    body = (out / "timeline.json").read_text("utf-8")
    assert "jane.doe" not in body
    assert json.loads(body)["scenarios"][0]["file"] == "~/mine.yaml"


def test_a_name_is_never_shown_with_the_user_folder_whatever_the_current_folder(
    tmp_path, monkeypatch
):
    from modeller import inputs

    home = tmp_path / "home" / "jane.doe"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the current folder deleted under the run
    assert inputs.shown(home / "a.geojson") == "~/a.geojson"
    assert inputs.shown("rel/a.geojson") == "rel/a.geojson"  # as written
    assert inputs.shown("/elsewhere/a.geojson") == "/elsewhere/a.geojson"


@pytest.mark.parametrize("command", ["run", "timeline"])
def test_an_output_folder_named_dash_or_with_a_line_break_is_refused(
    tmp_path, monkeypatch, command
):
    """'-o -' had made a folder called '-' (a dash means standard output); a name with a
    line break in it had been made as asked."""
    from click.testing import CliRunner

    from modeller.cli import main

    for name, said in (("-", "'-' means standard output"), ("a\nb", "has a line break")):
        args = [command, "land-swap", "-o", name] + (
            ["--baselines", "pre-2022"] * (command == "timeline")
        )
        here = tmp_path / f"cwd-{len(name)}"
        here.mkdir()
        monkeypatch.chdir(here)
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and said in result.output, result.output
        assert list(Path().iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "name", "said"),
    [
        ("csv", "x.xlsx", "an Excel workbook"),
        ("csv", "x.xlsm", "an Excel workbook"),
        ("geojson", "x.geojson.gz", "a gzip file"),
        ("geojson", "x.kml", "a KML file"),
        ("json", "x.json.xz", "an xz file"),
        ("csv", "x.tsv", "a tab-separated file"),  # commas there: one column
    ],
)
def test_an_output_named_as_a_format_modeller_does_not_write_is_refused(tmp_path, fmt, name, said):
    """'-f csv -O x.xlsx' had written CSV text into a file Excel refuses to open."""
    target = tmp_path / name
    result = CliRunner().invoke(main, ["run", "land-swap", "--no-maps", "-f", fmt, "-O", target])
    assert result.exit_code == 2, result.output
    assert f"names {said}, which modeller does not write" in result.output, result.output
    assert f"ending in .{fmt}" in result.output and not target.exists()


def test_a_shipped_file_is_named_as_in_the_repository_wherever_it_is_installed():
    """An installed package's scenarios had been named by the install folder's path
    (…/site-packages/modeller/_scenarios/land-swap.yaml) in JSON, GeoJSON and the
    timeline's CSV."""
    from modeller import inputs

    assert inputs.shown(inputs.PACKAGE / "_scenarios" / "land-swap.yaml") == (
        "scenarios/land-swap.yaml"
    )
    assert inputs.shown(inputs.PACKAGE / "_geodata" / "baselines" / "pre-2022.yaml") == (
        "geodata/baselines/pre-2022.yaml"
    )
    assert inputs.shown(inputs.PACKAGE / "_docs" / "ASSUMPTIONS.md") == "ASSUMPTIONS.md"


def test_the_api_refuses_a_pieces_file_named_as_another_format(tmp_path):
    """``to_file('api.xlsx', format='geojson')`` had written GeoJSON into an .xlsx file."""
    import modeller

    result = modeller.run(["land-swap"])
    with pytest.raises(modeller.InputError, match="names an Excel workbook"):
        result.to_file(tmp_path / "api.xlsx", format="geojson")
    assert not (tmp_path / "api.xlsx").exists()


def test_the_figures_file_naming_the_maps_folder_is_refused_before_any_work(tmp_path):
    """``-o m -O m`` had written the JSON to m, then failed on m as 'a file in the way' of
    the maps it had meant to write: said before any work now, and nothing is written."""
    for given in ("m", "./m/../m"):
        result = CliRunner().invoke(
            main,
            ["run", SCENARIO, "-b", "1991", "--no-images", "-f", "json"]
            + ["-o", str(tmp_path / "m"), "-O", str(tmp_path / given)],
        )
        assert result.exit_code == 2, result.output
        assert "is the maps folder (--out" in result.output and "--no-maps" in result.output
        assert not (tmp_path / "m").exists()


def test_a_baseline_name_in_capitals_is_that_baseline():
    """``-b CONTACT-LINE`` and ``held_in: {baseline: DEEPSTATE:…}`` had been unknown
    baselines, though ``embedded`` is taken in any letter case: names are now, files keep
    their own spelling."""
    from modeller.specs import named

    lower = CliRunner().invoke(main, [*ARGS[:2], "--no-maps", "-f", "json", "-b", "contact-line"])
    upper = CliRunner().invoke(main, [*ARGS[:2], "--no-maps", "-f", "json", "-b", "Contact-Line"])
    assert lower.exit_code == upper.exit_code == 0, upper.output
    assert '"name": "contact-line"' in upper.stdout
    assert named(" DEEPSTATE:2025-08-15 ") == "deepstate:2025-08-15"
    assert named("Pre-2022") == "pre-2022" and named("DeepState:Own") == "deepstate:own"
    assert named("My/Lines.GeoJSON") == "My/Lines.GeoJSON"


@contextlib.contextmanager
def held_by_another_process(out: Path):
    """Another process holding ``out``'s lock (``locks.hold``) while the block runs."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from modeller.locks import hold; hold(Path(sys.argv[1])); print('held', flush=True); "
            "time.sleep(60)",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.skipif(os.name != "posix", reason="runs are locked with flock")
def test_a_second_run_into_a_folder_being_written_is_refused_before_any_work(tmp_path, monkeypatch):
    """Two runs into one --out had both said they wrote it, and one's pages were gone."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "maps"
    with held_by_another_process(out) as pid:
        busy = CliRunner().invoke(main, [*ARGS[:2], "-b", "1991", "--no-images", "-o", str(out)])
        assert busy.exit_code == 2, busy.output
        assert f"being written by another modeller run (process {pid})" in busy.output
        assert not out.exists()  # refused before any work
    done = CliRunner().invoke(main, [*ARGS[:2], "-b", "1991", "--no-images", "-o", str(out)])
    assert done.exit_code == 0, done.output  # the lock ends with the process that held it
    assert (out / "index.html").exists()
    from modeller import locks

    assert str(out.resolve()) not in locks._HELD  # and with the run, in a process that goes on


@pytest.mark.skipif(os.name != "posix", reason="runs are locked with flock")
def test_a_second_timeline_into_a_folder_being_written_is_refused(tmp_path, monkeypatch):
    """Two timelines into one -o had both said they wrote timeline.csv; the later one to end
    replaced the other's table without a word."""
    monkeypatch.setenv("MODELLER_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "tl"
    args = ["timeline", "land-swap", "--baselines", "contact-line", "-o", str(out)]
    with held_by_another_process(out) as pid:
        busy = CliRunner().invoke(main, args)
        assert busy.exit_code == 2, busy.output
        assert f"being written by another modeller run (process {pid})" in busy.output
        assert not (out / "timeline.csv").exists()
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert (out / "timeline.csv").exists()


def test_an_existing_file_for_out_and_a_folder_for_output_say_what_to_give(tmp_path):
    """click said "Directory 'shifts.csv' is a file." and "File 'maps' is a directory.",
    as if it had made them; a new name ending in .csv already got the tool's own hint."""
    (tmp_path / "shifts.csv").write_text("mine\n")
    (tmp_path / "maps").mkdir()
    out = CliRunner().invoke(main, ["run", "land-swap", "-o", str(tmp_path / "shifts.csv")])
    assert out.exit_code == 2
    assert "exists and is not a folder" in out.output and "-O and --format" in out.output
    put = _run("--format", "json", "-O", str(tmp_path / "maps"))
    assert put.exit_code == 2 and "is a folder, not a file" in put.output, put.output
    assert "figures.json" in put.output  # an example of a file name there
    assert (tmp_path / "shifts.csv").read_text() == "mine\n"
    assert not list((tmp_path / "maps").iterdir())
    dash = _run("--format", "csv", "-O", "-")  # '-' is standard output, not a name
    assert dash.exit_code == 0 and dash.stdout.startswith("data_version,")


def test_a_path_through_a_missing_folder_is_checked_as_the_file_it_names(tmp_path, monkeypatch):
    """'-O nosuch/../held.geojson' replaced the baseline file it names (the input check
    looked at a path that did not exist yet, then the writer made 'nosuch'), and
    '-o x/../site' the user's own site/index.html."""
    monkeypatch.chdir(tmp_path)
    held = tmp_path / "held.geojson"
    held.write_text(
        '{"type":"FeatureCollection","date":"2025-08-15","features":[{"type":"Feature",'
        '"properties":{"status":"russia"},"geometry":{"type":"Polygon","coordinates":'
        "[[[37.5,47.9],[38.2,47.9],[38.2,48.3],[37.5,48.3],[37.5,47.9]]]}}]}",
        encoding="utf-8",
    )
    before = held.read_bytes()
    args = ["run", "land-swap", "--no-maps", "-b", "held.geojson", "-f", "geojson"]
    said = CliRunner().invoke(main, [*args, "-O", "nosuch/../held.geojson"])
    assert said.exit_code == 2 and "is one of this run's inputs, or a file read" in said.output, (
        said.output
    )
    assert held.read_bytes() == before and not (tmp_path / "nosuch").exists()
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("mine\n")
    site = CliRunner().invoke(main, ["run", "land-swap", "--no-images", "-o", "x/../site"])
    assert site.exit_code == 2 and "not a page modeller wrote" in site.output, site.output
    assert (tmp_path / "site" / "index.html").read_text() == "mine\n"
    assert not (tmp_path / "x").exists()


def test_dot_dot_after_a_file_is_refused_as_the_system_would(tmp_path, monkeypatch):
    """'-O zone.geojson/../o3.json' wrote ./o3.json (the path was resolved as text), where
    the system says "Not a directory"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zone.geojson").write_text("{}\n")
    said = _run("--format", "json", "-O", "zone.geojson/../o3.json")
    assert said.exit_code == 2 and "zone.geojson is a file, not a folder" in said.output
    assert not (tmp_path / "o3.json").exists()
    (tmp_path / "real").mkdir()
    fine = _run("--format", "json", "-O", "real/../o4.json")  # after a folder: as the system
    assert fine.exit_code == 0 and (tmp_path / "o4.json").is_file(), fine.output


def test_a_quoted_home_folder_in_an_output_is_the_home_folder(tmp_path, monkeypatch):
    """-O '~/o6.json' (quoted, so the shell left it) made a folder named '~' here and said
    'json: -> ~/o6.json', which reads as the home folder."""
    home, here = tmp_path / "home", tmp_path / "here"
    home.mkdir()
    here.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(here)
    said = _run("--format", "json", "-O", "~/o6.json")
    assert said.exit_code == 0, said.output
    assert (home / "o6.json").is_file() and not (here / "~").exists()


def test_to_file_refuses_a_file_read_earlier_in_the_session_and_says_so(tmp_path, monkeypatch):
    """In Python a file read by any earlier call is kept safe, and the message says that,
    not that it was one of this result's inputs (which it need not be)."""
    import modeller

    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine.geojson"
    mine.write_text('{"type": "FeatureCollection", "features": []}\n', encoding="utf-8")
    result = modeller.run(["land-swap"])
    with contextlib.suppress(modeller.InputError):
        modeller.load_scenario(str(mine))  # read (and refused: not a scenario)
    with pytest.raises(modeller.InputError, match="read as one since modeller started"):
        result.to_file(mine)
    assert mine.read_text(encoding="utf-8").startswith('{"type": "FeatureCollection"')


def test_no_output_is_written_where_the_archive_would_read_it_as_a_map(tmp_path, monkeypatch):
    """-O onto a day of the archive replaced it with a table that the next run read as that
    day's map (all of Ukraine Russian-held, exit 0). A day's or a month-end file's name
    where the archive looks for them is refused before any work; other files there (a
    table, the maps) are never read as maps and are written."""
    import modeller

    archive = tmp_path / "folder" / "archive"
    archive.mkdir(parents=True)
    day = archive / "deepstatemap_data_20250816.geojson"
    day.write_text('{"type": "FeatureCollection", "features": []}\n', encoding="utf-8")
    monkeypatch.setenv("MODELLER_DEEPSTATE_DIR", str(archive))
    for target, said in [
        (day, "would be read as a DeepState day of the archive"),
        (archive / "DEEPSTATEMAP_DATA_20991231.geojson", "would be read as a DeepState day"),
        (archive.parent / "monthly_2099.geojson", "would be read as a DeepState month-end map"),
    ]:
        result = _run("-f", "geojson", "-O", str(target))
        assert result.exit_code == 2 and said in result.output, result.output
        with pytest.raises(modeller.InputError, match=said):
            modeller.run([SCENARIO], "1991").to_file(target)
    assert _run("-f", "csv", "-O", str(archive / "n.csv")).exit_code == 0
    assert sorted(p.name for p in archive.iterdir()) == [day.name, "n.csv"]
    assert sorted(p.name for p in archive.parent.iterdir()) == ["archive"]
    assert day.read_text(encoding="utf-8") == '{"type": "FeatureCollection", "features": []}\n'


def test_a_page_edited_since_modeller_wrote_it_is_not_replaced(tmp_path):
    """A note added by hand to a scenario's page was overwritten without a word by the
    next run into the folder, while an edited image was refused: the page is kept and the
    run says why and what to do."""
    out = tmp_path / "maps"
    first = CliRunner().invoke(main, ["run", "land-swap", "-o", str(out), "--no-images"])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(main, ["run", "land-swap", "-o", str(out), "--no-images"])
    assert again.exit_code == 0, again.output  # (unedited: written again)
    page = out / "land-swap.html"
    page.write_text(page.read_text(encoding="utf-8") + "<p>MY NOTES</p>", encoding="utf-8")
    refused = CliRunner().invoke(main, ["run", "land-swap", "-o", str(out), "--no-images"])
    assert refused.exit_code == 2, refused.output
    assert "land-swap.html there was written by modeller and edited since" in refused.stderr
    assert "MY NOTES" in page.read_text(encoding="utf-8")
    page.unlink()
    redone = CliRunner().invoke(main, ["run", "land-swap", "-o", str(out), "--no-images"])
    assert redone.exit_code == 0, redone.output
    assert "MY NOTES" not in page.read_text(encoding="utf-8")
