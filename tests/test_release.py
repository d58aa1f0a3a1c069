"""`make release`: what students get holds no solution, no grading data and no exercise's
code; it is a git repository tagged with the version the notebooks install."""

import subprocess

import nbformat
import pytest

from autograder import authoring, release

from .harness import ROOT

CHAPTERS = authoring.chapters()


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    target = tmp_path_factory.mktemp("release")
    # notebooks/ being up to date is test_project's business (check_notebooks): slow here
    said = release.release(target, check_notebooks=False)
    return target, said


def git(target, *args):
    return subprocess.run(["git", "-C", str(target), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_release_holds_what_students_need_and_nothing_else(released):
    target, _ = released
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*")
                   if p.is_file() and ".git" not in p.parts)
    assert files == sorted([
        "LICENSE", "README.md", "pyproject.toml", "data/README.md",
        *(f"dlcourse/{name}" for name in release.HELPER_FILES),
        *(f"notebooks/{ch}/{ch}.ipynb" for ch in CHAPTERS),
    ])
    for ch in CHAPTERS:
        assert (target / "notebooks" / ch / f"{ch}.ipynb").read_text() == \
            (ROOT / "notebooks" / ch / f"{ch}.ipynb").read_text()
    text = "\n".join(p.read_text() for p in target.rglob("*") if p.is_file()
                     and ".git" not in p.parts)
    # (the grading code is not there: the listing above; its name may be mentioned)
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "tests.implementations", "declare("):
        assert marker not in text


def test_it_is_committed_and_tagged_with_the_version_the_notebooks_install(released):
    target, said = released
    tag = authoring.release_tag()
    assert git(target, "tag") == tag and f"released {tag}" in said
    assert git(target, "status", "--porcelain") == ""
    nb = nbformat.read(target / "notebooks" / CHAPTERS[0] / f"{CHAPTERS[0]}.ipynb", 4)
    repository = authoring.course_settings()["repository"]
    assert f"git+{repository}@{tag}" in nb.cells[1].source + nb.cells[2].source
    assert f"/blob/{tag}/notebooks/{CHAPTERS[0]}/" in nb.cells[0].source
    assert authoring.badge(CHAPTERS[0]) in (target / "README.md").read_text()


def test_the_same_version_is_released_once(released, tmp_path, monkeypatch):
    target, _ = released
    assert "already released, unchanged" in release.release(target, check_notebooks=False)
    copy = tmp_path / "copy"
    subprocess.run(["git", "clone", "-q", str(target), str(copy)], check=True)
    write_tree = release.write_tree

    def changed(where, root=ROOT):
        written = write_tree(where, root)
        (where / "notebooks" / "extra.txt").write_text("a change after the release\n")
        return written

    monkeypatch.setattr(release, "write_tree", changed)
    with pytest.raises(SystemExit, match="bump"):
        release.release(copy, check_notebooks=False)


def test_the_leak_scan_finds_no_exercise_code_in_the_release(released):
    target, _ = released
    assert release.leaks(target) == []


def test_the_leak_scan_finds_an_answer_put_in_a_demo_or_a_helper(released, tmp_path):
    """The scan can fail: one line of a reference solution, reformatted, in a code cell's
    docstring or in the helper package, is found."""
    target, _ = released
    exercise, lines = next((e, ls) for e, ls in release.reference_code().items()
                           if any(len(line) >= 50 for line in ls))
    line = next(line for line in lines if len(line) >= 50)
    leaky = tmp_path / "leaky"
    subprocess.run(["cp", "-r", str(target), str(leaky)], check=True)
    helper = leaky / "dlcourse" / "plot.py"
    helper.write_text(helper.read_text() + f'\n\ndef _demo():\n    """{line}"""\n')
    found = release.leaks(leaky)
    assert any(f.startswith(exercise) and "dlcourse/plot.py" in f for f in found), found
