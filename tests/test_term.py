"""An instructor's term: grading again grades only what is new or changed, and never re-opens
or loses a mark given by hand (autograder/seen.py, SaveKeepingMarks).

Marks are set as formgrader's API handler sets them (nbgrader/server_extensions/formgrader/
apihandlers.py: the manual score, then needs_manual_grade only if there is no score at all).
"""
import os
import shutil
import subprocess
import sys
import time

import nbformat
import pytest

from autograder import build_examples, course
from autograder.seen import gradebook

from .harness import ROOT, start_lab
from .implementations import ch01_dag_autograd as impl01

pytestmark = pytest.mark.xdist_group("term")

CH = "ch01_dag_autograd"
WRONG_FORWARD = impl01.WRONG["dag_forward"]["values: squared norm"]
ANSWER = "The gradient of w1 adds up both of its uses."


def submit(root, student, answers, at=None):
    path = root / "submitted" / student / CH / f"{CH}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_examples.submission(CH, answers), path)
    if at:  # what make collect writes: the time the LMS gives
        (path.parent / "timestamp.txt").write_text(at)


def grade(root, *args):
    result = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), "grade",
                             CH, *args], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def mark(root, student, cell, score, comment):
    with gradebook(root) as gb:
        grade_ = gb.find_grade(cell, CH, CH, student)
        grade_.manual_score = score
        grade_.needs_manual_grade = grade_.manual_score is None and grade_.auto_score is None
        if comment is not None:
            gb.find_comment(cell, CH, CH, student).manual_comment = comment
        gb.db.commit()


def state(root, student, cell):
    """(score, manual score, needs manual grading, manual comment) of a cell."""
    with gradebook(root) as gb:
        g = gb.find_grade(cell, CH, CH, student)
        comment = gb.find_comment(cell, CH, CH, student).manual_comment if cell.startswith(
            "written") else None
        return g.score, g.manual_score, g.needs_manual_grade, comment


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    root = course.course_copy(tmp_path_factory.mktemp("term"))
    course.generate(root, [CH])
    with gradebook(root) as gb:
        gb.update_or_create_assignment(CH, duedate="2026-10-01 23:59:00 UTC")
    submit(root, "dana", {"dag_forward": WRONG_FORWARD, "written_1": ANSWER},
           at="2026-10-01T20:00:00+00:00")
    submit(root, "lee", {})
    log = {"first": grade(root)}
    mark(root, "dana", "written_1", 1.5, "Right, and say why.")
    mark(root, "dana", "test_dag_forward", 1.0, None)  # a score overridden on review
    log["again"] = grade(root)
    after = {"again": state(root, "dana", "written_1")}
    submit(root, "kim", {}, at="2026-10-03T09:00:00+00:00")  # a late student
    log["late"] = grade(root)
    after["late"] = state(root, "dana", "written_1")
    after["late test"] = state(root, "dana", "test_dag_forward")
    log["all"] = grade(root, "--all")
    after["all"] = state(root, "dana", "written_1")
    after["all test"] = state(root, "dana", "test_dag_forward")
    submit(root, "dana", {"dag_forward": WRONG_FORWARD, "written_1": ANSWER + " Changed."},
           at="2026-10-01T21:00:00+00:00")
    log["changed"] = grade(root)
    after["changed"] = state(root, "dana", "written_1")
    after["changed test"] = state(root, "dana", "test_dag_forward")
    return root, log, after


def test_grading_again_grades_only_what_is_new_or_changed(term):
    _, log, _ = term
    assert "grading ch01_dag_autograd: dana, lee" in log["first"]
    assert "2 unchanged since last graded" in log["again"]
    assert "grading" not in log["again"].replace("graded", "")
    assert "grading ch01_dag_autograd: kim\n" in log["late"]
    assert "grading ch01_dag_autograd: dana, kim, lee" in log["all"]
    assert "grading ch01_dag_autograd: dana\n" in log["changed"]


def test_a_mark_and_its_comment_survive_every_regrade_of_an_unchanged_answer(term):
    _, _, after = term
    marked = (1.5, 1.5, False, "Right, and say why.")
    assert after["again"] == marked
    assert after["late"] == marked
    assert after["all"] == marked  # graded again, in parallel: still settled


def test_an_overridden_test_cell_stays_settled_while_the_answers_are_unchanged(term):
    _, _, after = term
    assert after["late test"] == (1.0, 1.0, False, None)
    assert after["all test"] == (1.0, 1.0, False, None)


def test_a_changed_answer_is_flagged_again_with_its_mark_kept(term):
    _, _, after = term
    assert after["changed"] == (1.5, 1.5, True, "Right, and say why.")
    assert after["changed test"][1:3] == (1.0, True)


def test_grading_a_named_student_grades_them_even_unchanged(term):
    root, _, _ = term
    out = grade(root, "--student", "lee")
    assert "grading ch01_dag_autograd: lee\n" in out
    assert state(root, "dana", "written_1") == (1.5, 1.5, True, "Right, and say why.")


def test_submission_times_make_late_work_late(term):
    root, _, _ = term
    with gradebook(root) as gb:
        late = {s: gb.find_submission(CH, s).total_seconds_late for s in ("dana", "kim", "lee")}
    assert late == {"dana": 0, "kim": 33 * 3600 + 60, "lee": 0}


def chromium():
    """Headless Chromium driven by Selenium: Debian's chromium and chromium-driver, which
    `make test` installs where it can (root with apt); else this says what is missing."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver, ("formgrader's pages are tested in Chromium: sudo apt install "
                               "chromium chromium-driver (make test does it when run as root)")
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1400,1000"):
        options.add_argument(argument)
    options.binary_location = binary
    browser = webdriver.Chrome(options=options, service=Service(driver))
    # Formgrader loads MathJax from a CDN, and its script stops where MathJax is missing
    # (offline, as here): the CDN is blocked, so that every run is alike, and a MathJax that
    # typesets nothing stands in for it.
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*mathjax*"]})
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.MathJax = {Hub: {Config() {}, Queue() {}, Typeset() {}, Startup: {signal: {
            Interest(listener) { setTimeout(() => listener("End"), 0); }}}}};"""})
    return browser


def test_a_mark_saved_in_formgrader_lands_in_the_gradebook_and_survives_a_regrade(term):
    """In a real browser, as an instructor does it: formgrader's page of dana's notebook, a
    score and a comment typed for a written answer, then everything graded again."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    root, _, _ = term
    with gradebook(root) as gb:
        notebook_id = gb.find_submission_notebook(CH, CH, "dana").id
    shots = os.environ.get("DLCOURSE_SCREENSHOTS")
    lab, address = start_lab(root)
    browser = chromium()
    try:
        # the address make lab prints logs in (a cookie); then the instructor clicks through
        page = address.split("?")[0] + f"/submissions/{notebook_id}/"
        for _ in range(120):  # JupyterLab takes a few seconds to start
            try:
                browser.get(address)
                break
            except WebDriverException:  # not listening yet
                time.sleep(0.5)
        browser.get(page)
        wait = WebDriverWait(browser, 30)
        score = wait.until(lambda b: b.find_element(By.ID, "written_2"))
        assert "Changed." in browser.page_source  # dana's answer, as last submitted
        score.clear()
        score.send_keys("1", Keys.TAB)
        comment = browser.find_element(By.ID, "written_2-comment")
        comment.send_keys("Clear, one step short.", Keys.TAB)
        wait.until(lambda _: state(root, "dana", "written_2")[1:] == (
            1.0, False, "Clear, one step short."))
        listing = address.split("?")[0] + f"/gradebook/{CH}/{CH}"

        def screenshots(when):  # the evidence an issue asks for, where DLCOURSE_SCREENSHOTS says
            if shots:
                browser.get(listing)
                time.sleep(2)  # the table is filled by a request of its own
                browser.save_screenshot(os.path.join(shots, f"formgrader-list-{when}.png"))
                browser.get(page)

        screenshots("marked")
        grade(root, "--all")
        browser.get(page)
        score = wait.until(lambda b: b.find_element(By.ID, "written_2"))
        wait.until(lambda _: score.get_attribute("value") == "1")
        screenshots("after-regrade")
    finally:
        browser.quit()
        lab.terminate()
        lab.wait(timeout=30)
    assert state(root, "dana", "written_2") == (1.0, 1.0, False, "Clear, one step short.")
