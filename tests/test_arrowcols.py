"""Arrow arrays made from numpy buffers (``arrowcols``) equal pyarrow's own conversion, and
writing a timeline table imports no pandas."""

import csv
import subprocess
import sys
import textwrap

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeller import arrowcols

WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=60)
@given(st.lists(st.lists(WORDS, max_size=30), min_size=1, max_size=4))
def test_text_columns_equal_pyarrows_conversion(columns):
    arrays = [np.array(c, dtype=object) for c in columns]
    texts = arrowcols.Texts(arrays)
    assert texts.plain
    for values in arrays:
        got = texts.strings(values)
        assert got.type == pa.string()
        assert got.equals(pa.array(values, pa.string()))


@settings(max_examples=40)
@given(st.lists(st.dates(), max_size=40), st.lists(WORDS, max_size=5))
def test_date_columns_equal_pyarrows_conversion(days, others):
    values = np.array([d.isoformat() for d in days], dtype=object)
    texts = arrowcols.Texts([values, np.array(others, dtype=object)])
    got = texts.dates(values)
    assert got.type == pa.date32()
    assert got.equals(pa.array(values.astype("datetime64[D]"), pa.date32()))


@settings(max_examples=40)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40))
def test_float_columns_keep_every_value(values):
    a = np.array(values, dtype=np.float64)
    got = arrowcols.floats(a)
    assert got.null_count == 0  # (NaN stays a NaN, as pyarrow.array leaves it)
    assert np.array_equal(got.to_numpy(zero_copy_only=False), a, equal_nan=True)
    assert np.array_equal(np.signbit(got.to_numpy(zero_copy_only=False)), np.signbit(a))


def test_repeated_text_and_values_that_are_not_text():
    assert arrowcols.repeated("status", 3).to_pylist() == ["status"] * 3
    assert arrowcols.repeated("", 0).to_pylist() == []
    # a value that is no str (None) is left to pyarrow: a null, as before
    values = np.array(["a", None, "b"], dtype=object)
    texts = arrowcols.Texts([values])
    assert not texts.plain
    assert texts.strings(values).to_pylist() == ["a", None, "b"]
    # a text in the date column that is no date: pyarrow's own error, as before
    bad = np.array(["2025-01-01", "someday"], dtype=object)
    with pytest.raises((ValueError, pa.ArrowInvalid)):
        arrowcols.Texts([bad]).dates(bad)


def test_writing_a_timeline_table_imports_no_pandas(tmp_path):
    # pyarrow.array imports pandas on its first call (~0.3 s of CPU); the table's writer
    # makes its arrays from buffers instead, for CSV and Parquet alike
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        import numpy as np
        from modeller import timeline_table, timeline_write
        from modeller.timeline_rows import ATTR_COLUMNS, COLUMNS
        n = 5
        cols = {{c: np.array([0.5] * n) for c in COLUMNS}}
        cols.update(date=np.array(["2025-08-1" + str(i) for i in range(n)], dtype=object),
                    scenario=np.array(["s"] * n, dtype=object),
                    oblast=np.array(["UA-14"] * n, dtype=object),
                    oblast_name=np.array(["Donetsk, \\"oblast\\""] * n, dtype=object),
                    status=np.array(["russia"] * n, dtype=object))
        attrs = {{c: np.array([], dtype=object) for c in ATTR_COLUMNS}}
        table = timeline_table.Table(cols, attrs, (), ({{"id": "s", "hash": "0", "title": "t"}},),
                                     (), ())
        timeline_write.write_table(table, Path({str(tmp_path)!r}) / "t.csv", "csv")
        timeline_write.write_table(table, Path({str(tmp_path)!r}) / "t.parquet", "parquet")
        print("pandas" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
    lines = [ln for ln in (tmp_path / "t.csv").read_text().splitlines() if ln[:1] != "#"]
    rows = list(csv.reader(lines))
    want = ["status", "2025-08-10", "s", "UA-14", 'Donetsk, "oblast"', "russia", "0.5"]
    assert rows[1][:7] == want
    assert len(rows) == 1 + 5
