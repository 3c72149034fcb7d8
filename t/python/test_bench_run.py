# SPDX-License-Identifier: LGPL-3.0-or-later
"""bench/run, the benchmark suite, as a user sees it: the table it
prints, the JSON, Markdown and plot files it writes, and --flux side by
side.  A quick run of a few rows; no timing is asserted, only that each
figure is there and is a positive number, the same in the table and in
the JSON.
"""

import json
import os
import re
import subprocess
import sys

import pytest

SRC = os.environ.get("FLUX_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("FLUX_BUILD_DIR", os.path.join(SRC, "build"))
RUN = os.path.join(SRC, "bench", "run")

# One row of each kind of measurement that is quick to make.
ROWS = ["floor-hop-w8", "rpc-c-c-w1", "rpc-c-c-p50", "rpc-py-py-w8",
        "load-py", "gil-2"]
LABELS = {
    "floor-hop-w8": "floor: AF_UNIX + one thread hop, 8 in flight",
    "rpc-c-c-w1": "C client -> C module (echo_c.so), 1 in flight",
    "rpc-c-c-p50": "C client -> C module (echo_c.so), sequential p50",
    "rpc-py-py-w8": "Python client -> Python module (echo.py), 8 in flight",
    "load-py": "flux module load + remove, Python module",
    "gil-2": "2 Python modules served at once (64 in flight each)",
}


def bench(*args, env=None):
    env = dict(os.environ if env is None else env)
    # An AddressSanitizer build preloads the runtime into pytest's python
    # for _flux._core; bench/run does not load it (its `flux python`
    # clients preload it themselves), and matplotlib's C++ would trip
    # over a runtime preloaded before libstdc++.
    env.pop("LD_PRELOAD", None)
    res = subprocess.run([sys.executable, RUN, "--build", BUILD, "--quick",
                          "--quiet"] + list(args),
                         capture_output=True, text=True, timeout=240, env=env)
    return res


def number(text):
    """A figure as the table prints it: 12.3k, 45.6, 789."""
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(k?)", text)
    assert m, f"not a figure: {text!r}"
    return float(m.group(1)) * (1000 if m.group(2) else 1)


def table(stdout):
    """{label: [cells]} of the table's body (columns are 2+ spaces
    apart), and the header."""
    lines = stdout.splitlines()
    header = re.split(r"\s{2,}", lines[0].strip())
    assert set(lines[1].replace(" ", "")) == {"-"}
    body = {}
    for line in lines[2:]:
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        body[cells[0]] = cells[1:]
    return header, body


def close(text, value):
    """The table's rounded figure is the JSON's median: they differ by
    at most half of the last digit shown."""
    m = re.fullmatch(r"[0-9]+(?:\.([0-9]+))?(k?)", text)
    assert m, f"not a figure: {text!r}"
    digit = 10.0 ** -len(m.group(1) or "") * (1000 if m.group(2) else 1)
    return abs(number(text) - value) <= digit / 2 * 1.0001


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory):
    """One quick run against a second flux (this same build), with
    every output file."""
    d = tmp_path_factory.mktemp("bench")
    out = {"json": d / "b.json", "md": d / "b.md"}
    res = bench("--only", ",".join(ROWS),
                "--flux", os.path.join(BUILD, "cmd", "flux"),
                "--json", str(out["json"]), "--markdown", str(out["md"]))
    assert res.returncode == 0, res.stderr
    out["stdout"] = res.stdout
    return out


def test_table_has_the_rows_with_positive_figures(side_by_side):
    header, body = table(side_by_side["stdout"])
    assert header == ["row", "unit", "this build", "other flux",
                      "ours better"]
    assert sorted(body) == sorted(LABELS.values())
    for label, cells in body.items():
        assert cells[0] in ("req/s", "us", "ms"), label
        assert number(cells[1]) > 0, label
        if label.startswith("floor"):
            # The machine's floor is measured once, for both sides: no
            # other figure, no ratio.
            assert len(cells) == 2, label
            continue
        unit, ours, other, ratio = cells
        assert number(other) > 0, label
        assert re.fullmatch(r"x[0-9]+\.[0-9]{2}", ratio), label
        assert float(ratio[1:]) > 0


def test_json_has_the_same_figures(side_by_side):
    report = json.loads(side_by_side["json"].read_text())
    _, body = table(side_by_side["stdout"])
    assert [r["id"] for r in report["rows"]] == ROWS
    assert report["machine"]["cores"] >= 1
    assert report["machine"]["cpu"]
    assert report["machine"]["kernel"]
    assert report["sides"]["ours"]["commit"]
    assert report["sides"]["other"]["flux"].endswith("/cmd/flux")
    for r in report["rows"]:
        assert r["label"] == LABELS[r["id"]]
        cells = body[r["label"]]
        assert cells[0] == r["unit"]
        sides = ["ours"] if r["id"].startswith("floor") else ["ours", "other"]
        for i, side in enumerate(sides):
            fig = r[side]
            assert fig["runs"] and all(v > 0 for v in fig["runs"])
            assert fig["min"] <= fig["median"] <= fig["max"]
            assert close(cells[1 + i].split(" (")[0], fig["median"]), \
                (r["id"], cells[1 + i], fig["median"])
        if len(sides) == 2:
            # "ours better": above 1 when ours is faster or smaller.
            a, b = r["ours"]["median"], r["other"]["median"]
            want = a / b if r["better"] == "higher" else b / a
            assert r["better"] == ("lower" if r["unit"] in ("us", "ms")
                                   else "higher"), r["id"]
            assert abs(r["ratio"] - want) <= 1e-9 * want, r["id"]
            shown = float(cells[3][1:])
            assert abs(shown - r["ratio"]) <= 0.006, r["id"]


def test_markdown_is_the_same_table(side_by_side):
    md = side_by_side["md"].read_text().splitlines()
    assert md[0] == "| row | unit | this build | other flux | ours better |"
    labels = [line.split(" | ")[0].lstrip("| ") for line in md[2:]
              if line.startswith("| ")]
    assert sorted(labels) == sorted(LABELS.values())
    assert any(line.startswith("- machine: ") for line in md)


def test_markdown_fills_a_page_between_its_markers(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\nbefore\n\n"
                    "<!-- bench/run --markdown: from here -->\n"
                    "| old | table |\n"
                    "<!-- bench/run --markdown: to here -->\n\nafter\n")
    res = bench("--only", "floor-ipc-w1", "--markdown", str(page))
    assert res.returncode == 0, res.stderr
    text = page.read_text()
    assert text.startswith("# Title\n\nbefore\n\n")
    assert text.endswith("<!-- bench/run --markdown: to here -->\n\nafter\n")
    assert "| old | table |" not in text
    assert "| floor: AF_UNIX round trip, 1 in flight | req/s |" in text
    assert "--only floor-ipc-w1 --markdown" in text


def test_one_side_has_no_ratio_and_runs_shows_spread(tmp_path):
    res = bench("--only", "floor-hop-w1,rpc-c-broker-w1", "--runs", "2",
                "--json", str(tmp_path / "b.json"))
    assert res.returncode == 0, res.stderr
    header, body = table(res.stdout)
    assert header == ["row", "unit", "this build"]
    cell = body["C client -> the broker (broker.ping), 1 in flight"][1]
    m = re.fullmatch(r"(\S+) \((\S+)-(\S+)\)", cell)
    assert m, cell
    low, mid, high = (number(m.group(i)) for i in (2, 1, 3))
    assert 0 < low <= mid <= high
    report = json.loads((tmp_path / "b.json").read_text())
    assert all(len(r["ours"]["runs"]) == 2 for r in report["rows"])
    assert "other" not in report["sides"]
    # The sequential case against the floor: the floor's rate over ours.
    floor, ours = (r["ours"]["median"] for r in report["rows"])
    m = re.search(r"^this build against the floor with one thread hop, .*: "
                  r"the broker x([0-9.]+)$", res.stdout, re.M)
    assert m, res.stdout
    assert abs(float(m.group(1)) - floor / ours) <= 0.006


def test_a_side_that_fails_is_na_with_the_reason(tmp_path):
    # A "flux" that has a version but cannot start an instance.
    fake = tmp_path / "flux"
    fake.write_text("#!/bin/sh\n"
                    'test "$1" = version && echo "commands: 9.9" && exit 0\n'
                    'echo "cannot start here" >&2\nexit 1\n')
    fake.chmod(0o755)
    res = bench("--only", "rpc-c-broker-w1", "--flux", str(fake))
    assert res.returncode == 1
    _, body = table(res.stdout)
    cells = body["C client -> the broker (broker.ping), 1 in flight"]
    assert number(cells[1]) > 0
    assert cells[2] == "n/a [1]"
    note = [line for line in res.stdout.splitlines()
            if line.startswith("[1] ")]
    assert len(note) == 1 and "failed:" in note[0]
    assert "cannot start here" in note[0]


def test_unknown_rows_and_list(tmp_path):
    res = bench("--only", "no-such-row")
    assert res.returncode == 2
    assert "no such row" in res.stderr
    res = bench("--list")
    assert res.returncode == 0
    ids = [line.split()[0] for line in res.stdout.splitlines()]
    for rid in ("rpc-py-py-w256", "floor-hop-p99", "rss-1000", "rss-removed",
                "rss-load-1000", "rss-remove-1000", "start-true", "load-c",
                "gil-4"):
        assert rid in ids


def test_plot_without_matplotlib_says_how_to_get_it(tmp_path):
    # A matplotlib that fails to import stands for one not installed.
    fake = tmp_path / "matplotlib"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('not here')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    res = bench("--only", "floor-ipc-w1", "--plot", str(tmp_path / "p.png"),
                env=env)
    assert res.returncode == 2
    assert "matplotlib" in res.stderr
    assert "scripts/install-deps --bench" in res.stderr
    assert not (tmp_path / "p.png").exists()


def test_plot(tmp_path):
    """With matplotlib, a PNG; without, the error says how to get it."""
    png = tmp_path / "p.png"
    res = bench("--only", "floor-ipc-w*,rpc-c-broker-w1,rpc-c-broker-w8",
                "--plot", str(png))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert res.returncode == 2
        assert "scripts/install-deps --bench" in res.stderr
        return
    assert res.returncode == 0, res.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
