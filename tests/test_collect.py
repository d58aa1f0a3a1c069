"""Intake: LMS downloads of every shape end up in submitted/<student>/<chapter>/, and every
file that cannot be placed is named with the reason."""

import io
import json
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder import collect as intake
from autograder import course

from .harness import ROOT

CH01, CH06 = "ch01_dag_autograd", "ch06_dropout"


def notebook(marker="answer") -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(f"# {marker}"))
    return nbformat.writes(nb).encode()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def course_root(tmp_path):
    return course.course_copy(tmp_path / "course")


def placed(root):
    return sorted(p.relative_to(root / "submitted").as_posix()
                  for p in (root / "submitted").rglob("*.ipynb"))


def test_canvas_moodle_colab_and_nested_zips(course_root, tmp_path):
    download = tmp_path / "submissions.zip"
    download.write_bytes(zipped({
        # Canvas, on time and late (with the -1 Canvas adds to a re-upload)
        "leeann_12345_67890_ch01_dag_autograd.ipynb": notebook("ann"),
        "smithbob_LATE_23456_78901_ch01_dag_autograd-1.ipynb": notebook("bob"),
        # Moodle: a folder per student, the file as Colab names a second download
        "Cy Young_3456_assignsubmission_file_/ch06_dropout (1).ipynb": notebook("cy"),
        # a zip per student inside the download
        "dee.zip": zipped({"Copy of ch06_dropout.ipynb": notebook("dee")}),
        # nbgrader's own layout
        "eve/ch01_dag_autograd/ch01_dag_autograd.ipynb": notebook("eve"),
        # macOS debris is ignored silently
        "__MACOSX/._leeann_12345_67890_ch01_dag_autograd.ipynb": b"\x00\x05",
    }))
    report = intake.collect(download, course_root)
    assert placed(course_root) == [
        f"cy_young/{CH06}/{CH06}.ipynb", f"dee/{CH06}/{CH06}.ipynb",
        f"eve/{CH01}/{CH01}.ipynb", f"leeann/{CH01}/{CH01}.ipynb",
        f"smithbob/{CH01}/{CH01}.ipynb"]
    assert report.problems == []
    assert report.lines()[0] == "collected 5 notebooks from 5 students"
    text = (course_root / "submitted" / "cy_young" / CH06 / f"{CH06}.ipynb").read_text()
    assert "# cy" in text


def test_every_file_that_cannot_be_placed_gets_a_line(course_root, tmp_path):
    source = tmp_path / "download"
    files = {
        "ann/ch01_dag_autograd.ipynb": notebook(),
        "ann/notes.txt": b"my notes",
        "bob/homework.ipynb": notebook(),  # no chapter in the name
        "cy/ch42_unknown.ipynb": notebook(),  # no such chapter
        "dee/ch01_dag_autograd.ipynb": b"",  # empty
        "eve/ch01_dag_autograd.ipynb": b'{"cells": [',  # download cut short
        "fay/ch01_dag_autograd.ipynb": json.dumps({"nbformat": 3, "worksheets": []}).encode(),
        "gus/ch01_dag_autograd.ipynb": b"\x89PNG\r\n",  # a screenshot renamed
        "hal.zip": b"PK\x03\x04 broken",
    }
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)
    report = intake.collect(source, course_root)
    assert placed(course_root) == [f"ann/{CH01}/{CH01}.ipynb"]
    problems = "\n".join(report.problems)
    assert "cannot place ann/notes.txt: not a notebook (.ipynb)" in problems
    assert "cannot place bob/homework.ipynb: no pattern gives a student and a chapter" in problems
    assert "cannot place cy/ch42_unknown.ipynb (cy): which chapter?" in problems
    assert "dee ch01_dag_autograd: dee/ch01_dag_autograd.ipynb: the file is empty" in problems
    assert "eve ch01_dag_autograd: eve/ch01_dag_autograd.ipynb: not a notebook: not JSON" \
        in problems
    assert "fay ch01_dag_autograd: fay/ch01_dag_autograd.ipynb: notebook format 3" in problems
    assert "gus ch01_dag_autograd: gus/ch01_dag_autograd.ipynb: not a notebook" in problems
    assert "cannot place hal.zip: not a readable zip archive" in problems
    assert len(report.problems) == 8


def test_duplicates_keep_the_newest_and_say_so(course_root, tmp_path):
    download = tmp_path / "d.zip"
    with zipfile.ZipFile(download, "w") as z:
        z.writestr(zipfile.ZipInfo("ann/ch01_dag_autograd.ipynb", (2026, 11, 20, 9, 0, 0)),
                   notebook("old"))
        z.writestr(zipfile.ZipInfo("ann/Copy of ch01_dag_autograd.ipynb",
                                   (2026, 11, 21, 9, 0, 0)), notebook("new"))
    report = intake.collect(download, course_root)
    assert "# new" in (course_root / "submitted" / "ann" / CH01 / f"{CH01}.ipynb").read_text()
    assert report.problems == [
        "ann ch01_dag_autograd: 2 files, kept the newest (ann/Copy of ch01_dag_autograd.ipynb); "
        "ignored ann/ch01_dag_autograd.ipynb"]


def test_hostile_names_stay_inside_submitted(course_root, tmp_path):
    download = tmp_path / "d.zip"
    download.write_bytes(zipped({
        "../../evil_12_34_ch01_dag_autograd.ipynb": notebook(),
        "wrapper/../../../etc/ch01_dag_autograd.ipynb": notebook(),
        "..ann../ch01_dag_autograd.ipynb": notebook(),
    }))
    intake.collect(download, course_root)
    for path in (course_root / "submitted").rglob("*"):
        assert path.resolve().is_relative_to((course_root / "submitted").resolve())
    assert not (tmp_path / "etc").exists()
    assert all(not part.startswith(".") for p in placed(course_root) for part in p.split("/"))


def test_a_wrapping_folder_is_not_a_student(course_root, tmp_path):
    download = tmp_path / "d.zip"
    download.write_bytes(zipped({"Ch01 download 23 Nov/ann/ch01_dag_autograd.ipynb": notebook(),
                                 "Ch01 download 23 Nov/bob/ch01_dag_autograd.ipynb": notebook()}))
    intake.collect(download, course_root)
    assert placed(course_root) == [f"ann/{CH01}/{CH01}.ipynb", f"bob/{CH01}/{CH01}.ipynb"]
    # a lone student in nbgrader's layout keeps their folder
    lone = tmp_path / "lone.zip"
    lone.write_bytes(zipped({"zoe/ch06_dropout/ch06_dropout.ipynb": notebook()}))
    intake.collect(lone, course_root)
    assert f"zoe/{CH06}/{CH06}.ipynb" in placed(course_root)


def test_patterns_are_configurable(course_root, tmp_path):
    source = tmp_path / "d"
    source.mkdir()
    (source / "2026-ch06-s123456.ipynb").write_bytes(notebook())
    report = intake.collect(source, course_root,
                            [r"(?P<chapter>ch\d\d)-s(?P<student>\d+)\.ipynb$"])
    assert placed(course_root) == [f"123456/{CH06}/{CH06}.ipynb"] and not report.problems


def test_make_collect_command_line(course_root, tmp_path):
    download = tmp_path / "d.zip"
    download.write_bytes(zipped({"ann/ch01_dag_autograd.ipynb": notebook(),
                                 "bob/readme.md": b"hi"}))
    result = subprocess.run([sys.executable, "-m", "autograder", "--root", str(course_root),
                             "collect", str(download)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["collected 1 notebooks from 1 students",
                                          "cannot place bob/readme.md: not a notebook (.ipynb)"]
    missing = subprocess.run([sys.executable, "-m", "autograder", "collect", str(tmp_path / "no")],
                             capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
