"""Intake: LMS downloads of every shape end up in submitted/<student>/<chapter>/, and every
file that cannot be placed is named with the reason."""

import csv
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


def zipped_at(files: dict[str, tuple[bytes, tuple]]) -> bytes:
    """A zip whose entries carry the times an LMS gives them (its upload times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, (data, when) in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=when), data)
    return buffer.getvalue()


def students(root):
    from autograder import seen

    with seen.gradebook(root) as gb:
        return {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gb.students}


def test_submission_times_late_marks_and_names_are_kept(course_root, tmp_path):
    from nbgrader.coursedir import CourseDirectory

    download = tmp_path / "d.zip"
    download.write_bytes(zipped_at({
        "smithbob_LATE_23456_78901_ch01_dag_autograd.ipynb": (notebook(), (2026, 10, 2, 9, 30, 0)),
        "leeann_12345_67890_ch01_dag_autograd.ipynb": (notebook(), (2026, 9, 30, 18, 0, 0)),
        "Cy Young_3456_assignsubmission_file_/ch06_dropout.ipynb": (notebook(),
                                                                   (2026, 10, 5, 8, 0, 0)),
        # Blackboard: the attempt's time is in the name (the entry's time is the download's)
        "Chapter 6_dee_attempt_2026-10-04-23-59-30_ch06_dropout.ipynb": (notebook(),
                                                                        (2026, 12, 1, 0, 0, 0)),
    }))
    report = intake.collect(download, course_root)
    assert report.late == [("smithbob", CH01)] and not report.lost
    assert "marked late by the LMS: smithbob ch01_dag_autograd" in report.lines()
    stamps = {f"{s}/{c}": (course_root / "submitted" / s / c / "timestamp.txt").read_text()
              for s, c in report.placed}
    assert stamps == {f"smithbob/{CH01}": "2026-10-02T09:30:00+00:00",
                      f"leeann/{CH01}": "2026-09-30T18:00:00+00:00",
                      f"cy_young/{CH06}": "2026-10-05T08:00:00+00:00",
                      f"dee/{CH06}": "2026-10-04T23:59:30+00:00"}
    # nbgrader reads them as its own timestamps (so its due dates and late penalties apply)
    coursedir = CourseDirectory(root=str(course_root))
    when = coursedir.get_existing_timestamp(str(course_root / "submitted" / "smithbob" / CH01))
    assert when.isoformat() == "2026-10-02T09:30:00"
    # Moodle's full name becomes the student's name in the gradebook; Canvas's gives none
    assert students(course_root)["cy_young"][:2] == ("Cy", "Young")
    assert students(course_root)["smithbob"][:2] == (None, None)


def test_a_rejected_notebook_stays_on_record_until_a_good_one_arrives(course_root, tmp_path):
    course.generate(course_root, [CH01])
    download = tmp_path / "d.zip"
    download.write_bytes(zipped({"ann/ch01_dag_autograd.ipynb": notebook(),
                                 "carl/ch01_dag_autograd.ipynb": b"\x89PNG\r\n"}))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "autograder", "--root", str(course_root),
                               *args], capture_output=True, text=True, cwd=ROOT)

    collected = run("collect", str(download))
    assert collected.returncode == 1  # some work was not taken in
    assert "carl ch01_dag_autograd: carl/ch01_dag_autograd.ipynb: not a notebook" \
        in collected.stdout
    assert "1 notebooks rejected" in collected.stderr
    table = run("table").stdout
    assert "rejected at collect, nothing graded:" in table
    assert "  ch01_dag_autograd carl: carl/ch01_dag_autograd.ipynb: not a notebook" in table
    assert "ask the student to download it again" in table
    assert run("export").returncode == 0
    with open(course_root / "grades.csv") as f:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(f)}
    carl = rows[("carl", CH01)]
    assert float(carl["score"]) == 0 and "not a notebook" in carl["problem"]
    assert rows[("ann", CH01)]["problem"] == ""
    # a readable notebook from carl clears the record
    download.write_bytes(zipped({"carl/ch01_dag_autograd.ipynb": notebook()}))
    assert run("collect", str(download)).returncode == 0
    assert "rejected" not in run("table").stdout


def test_a_roster_from_canvas_or_moodle_names_the_students(course_root, tmp_path):
    for student in ("smithdana", "cy_young"):
        (course_root / "submitted" / student / CH01).mkdir(parents=True)
    canvas = tmp_path / "canvas.csv"
    canvas.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "    Points Possible,,,,\n"
                      '"Smith, Dana",1234,S1,dana.smith@uni.edu,A\n')
    moodle = tmp_path / "moodle.csv"
    moodle.write_text("First name,Last name,ID number,Email address\n"
                      "Cy,Young,,cy@uni.edu\n")
    nbgrader_csv = tmp_path / "nbgrader.csv"
    nbgrader_csv.write_text("id,first_name,last_name,email\neve,Eve,Ng,eve@uni.edu\n")
    for roster in (canvas, moodle, nbgrader_csv):
        result = subprocess.run([sys.executable, "-m", "autograder", "--root", str(course_root),
                                 "roster", str(roster)], capture_output=True, text=True,
                                cwd=ROOT)
        assert result.returncode == 0, result.stderr
    assert students(course_root) == {
        "smithdana": ("Dana", "Smith", "dana.smith@uni.edu", "1234"),
        "cy_young": ("Cy", "Young", "cy@uni.edu", None),
        "eve": ("Eve", "Ng", "eve@uni.edu", None)}
