"""Every chapter as a student runs it on Colab (`make colab-check`).

Run with the interpreter of a venv that has Colab's versions (``requirements.txt`` beside
this file, on Python 3.13) and neither nbgrader nor the course's helpers: each notebook gets
a fresh kernel, a fresh working folder (Colab's ``/content``) and ``google.colab``
importable, so that its setup cell takes the Colab branch and pip-installs ``dlcourse``
(and d2l, in a chapter that imports it) itself. The student notebooks are run from the
release (``make release``'s files, written to a temporary folder) and a wheel built from the
release stands in for its GitHub URL; the official ``.gz`` files in ``./data`` stand in for
torchvision's download. Quick mode.

For every chapter, the student notebook (``notebooks/``) and the instructor notebook
(``solutions/``, a student who answered everything) must:

- run in the pinned versions, without nbgrader, the setup cell naming the device;
- raise no error, except NotImplementedError in the test cells of the student notebook;
- write nothing to stderr (a red box in Colab, and 0 points for that cell in nbgrader),
  except where :data:`EXPECTED_STDERR` says why.

    python -m tests.colab.check [chapter ...]
"""

from __future__ import annotations

import email
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.authoring import ROOT, chapters, helper_requirement, nbgrader_meta
from autograder.release import write_tree

REQUIREMENTS = Path(__file__).with_name("requirements.txt")
PYTHON = (3, 13)

# (chapter, cell id) -> what the stderr must contain, and why it is there
EXPECTED_STDERR = {
    # the cell shows a mistake from old lecture notes, nn.MSELoss(output, target), whose
    # deprecation warning is part of the lesson
    ("ch02_modules_batches", "ch02-017"): "size_average and reduce args will be deprecated",
}

# Run first in every kernel: Colab's module, and what the kernel really runs.
PREAMBLE = """\
import importlib.metadata, importlib.util, json, sys, types
sys.modules["google.colab"] = types.ModuleType("google.colab")
print(json.dumps({"python": list(sys.version_info[:2]),
                  "nbgrader": importlib.util.find_spec("nbgrader") is not None,
                  "versions": {name: importlib.metadata.version(name) for name in %r}}))
"""


def pinned() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            pins[match[1]] = match[2]
    return pins


def data_files() -> list[tuple[Path, Path]]:
    """The official .gz files, from DLCOURSE_DATA or the repository's data/."""
    roots = [Path(os.environ["DLCOURSE_DATA"])] if os.environ.get("DLCOURSE_DATA") else []
    roots.append(ROOT / "data")
    for root in roots:
        found = sorted(root.glob("*/raw/*.gz"))
        if found:
            return [(f, f.relative_to(root)) for f in found]
    sys.exit(f"no dataset .gz files in {' or '.join(map(str, roots))}: run `make data` "
             "or set DLCOURSE_DATA")


def build_wheel(into: Path, source: Path = ROOT) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(into),
                    str(source)], check=True)
    return next(into.glob("dlcourse-*.whl"))


def unmet(requirements: list[str], version_of) -> list[str]:
    """The requirements (Requires-Dist lines) that the installed versions do not meet.

    The setup cell installs the helpers with --no-deps, so Colab must already have them.
    """
    from packaging.requirements import Requirement

    found = []
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        have = version_of(requirement.name)
        if have is None or not requirement.specifier.contains(have, prereleases=True):
            found.append(f"{requirement} (Colab has {have or 'none'})")
    return found


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def as_on_colab(nb, wheel: Path) -> None:
    """Insert the preamble, and make the setup cell install this working tree's helpers."""
    url = helper_requirement()
    setup = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "setup")
    assert url in setup.source, f"the setup cell no longer installs {url!r}"
    setup.source = setup.source.replace(url, f"dlcourse @ {wheel.as_uri()}")
    preamble = nbformat.v4.new_code_cell(PREAMBLE % (list(pinned()),))
    preamble.id = "colab-check-preamble"
    nb.cells.insert(0, preamble)


def is_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def problems(nb, chapter: str, student: bool) -> list[str]:
    said = [o for o in nb.cells[0].outputs if o.output_type == "stream" and o.name == "stdout"]
    if not said:
        return [f"the check's own first cell failed: {nb.cells[0].outputs}"]
    found = []
    preamble = json.loads(said[0].text)
    if tuple(preamble["python"]) != PYTHON:
        found.append(f"kernel runs Python {preamble['python']}, not {PYTHON}")
    if preamble["nbgrader"]:
        found.append("nbgrader is installed (Colab has none)")
    for name, version in pinned().items():
        if preamble["versions"][name] != version:
            found.append(f"kernel has {name} {preamble['versions'][name]}, not {version}")
    for cell in nb.cells[1:]:
        if cell.cell_type != "code":
            continue
        name = nbgrader_meta(cell).get("grade_id") or cell.get("id")
        for output in cell.outputs:
            if output.output_type == "error":
                if not (student and is_test(cell) and output.ename == "NotImplementedError"):
                    found.append(f"{name}: {output.ename}: {output.evalue[:300]}")
            elif output.output_type == "stream" and output.name == "stderr":
                expected = EXPECTED_STDERR.get((chapter, name))
                if expected is None or expected not in output.text:
                    found.append(f"{name} wrote to stderr: {output.text[:300]!r}")
        if name == "setup":
            said = "".join(o.get("text", "") for o in cell.outputs)
            # describe_device() runs in the Colab branch only: a GPU, or the way to one
            if "Using GPU" not in said and "On Colab: Runtime > Change runtime type" not in said:
                found.append(f"setup did not take Colab's branch; it printed {said[:300]!r}")
    return found


def run(path: Path, chapter: str, wheel: Path, data: list, student: bool) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    as_on_colab(nb, wheel)
    # A fresh Colab runtime: neither package installed, an empty /content with the data
    # that torchvision would download.
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-q", "-y", "dlcourse", "d2l"],
                   check=True, capture_output=True)
    with tempfile.TemporaryDirectory(prefix="content-") as content:
        for source, relative in data:
            (Path(content) / "data" / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, Path(content) / "data" / relative)
        env = {k: v for k, v in os.environ.items() if k != "DLCOURSE_DATA"}
        # Colab's pip reads PyPI only; a machine's pip.conf with extra local indexes (as on
        # this project's machines) makes pip warn on stderr about each that lacks d2l.
        env |= {"DLCOURSE_QUICK": "1", "PIP_CONFIG_FILE": os.devnull,
                "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": content}})
        client.execute(env=env)
    return problems(nb, chapter, student)


def main(argv: list[str]) -> int:
    # Each notebook starts by uninstalling the helpers: never in any venv but Colab's copy.
    wrong = [f"{name} {_version(name)}" for name, version in pinned().items()
             if _version(name) != version]
    if sys.version_info[:2] != PYTHON or _version("nbgrader") or wrong:
        sys.exit(f"run this with the Python of `make colab-check`'s venv, not {sys.executable} "
                 f"(Python {sys.version.split()[0]}, {', '.join(wrong) or 'with nbgrader'})")
    names = argv or chapters()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        # The student notebooks run as released (make release): from the release's files
        # alone, the helper built from the release's own pyproject.toml.
        released = Path(tmp) / "release"
        write_tree(released)
        wheel = build_wheel(Path(tmp) / "wheel", released)
        with zipfile.ZipFile(wheel) as archive:
            metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            requires = email.message_from_bytes(archive.read(metadata)).get_all("Requires-Dist")
        for requirement in unmet(requires or [], _version):
            print(f"the helpers need {requirement}")
            failed += 1
        data = data_files()
        for chapter in names:
            for folder, student in (("notebooks", True), ("solutions", False)):
                start = time.perf_counter()
                path = (released if student else ROOT) / folder / chapter / f"{chapter}.ipynb"
                found = run(path, chapter, wheel, data, student)
                verdict = "ok" if not found else f"{len(found)} problem(s)"
                where = f"{'release/' if student else ''}{folder}/{chapter}"
                print(f"{where}: {verdict} ({time.perf_counter() - start:.0f} s)", flush=True)
                for problem in found:
                    print(f"    {problem}")
                failed += len(found)
    print(f"Colab check: {failed} problem(s) in {2 * len(names)} notebooks and the helpers' "
          "requirements")
    return int(failed > 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
