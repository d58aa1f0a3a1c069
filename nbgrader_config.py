"""nbgrader configuration of the course; the repository root is the course root.

nbgrader's own commands work as usual from here (``nbgrader generate_assignment ch01_dag_autograd``,
``nbgrader autograde ch01_dag_autograd``, ``nbgrader export``, formgrader in ``make lab``); the
Makefile targets are shortcuts for them. The layout is nbgrader's, with two renamed folders:

    solutions/<chapter>/<chapter>.ipynb             source (instructor version)
    notebooks/<chapter>/<chapter>.ipynb             release (what students get)
    submitted/<student>/<chapter>/<chapter>.ipynb   submissions
    autograded/<student>/<chapter>/                 autograded copies
    feedback/<student>/<chapter>/                   feedback HTML
"""

import os
import sys

# The grading preprocessors live next to this file, in autograder/.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from nbconvert.preprocessors import (  # noqa: E402
    ClearMetadataPreprocessor,
    CSSHTMLHeaderPreprocessor,
)
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
)

from autograder.preprocessors import (  # noqa: E402
    ExecuteKeepingCredit,
    HideHiddenTests,
    RealignToRelease,
    SaveKeepingMarks,
    StderrIsNotFailure,
    TruncateOutput,
)

c = get_config()  # noqa: F821 - provided by traitlets when it loads this file

c.CourseDirectory.course_id = "dlcourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "gradebook.db")

# nbgrader's exchange (formgrader's Release and Collect buttons, the Assignments tab) is for a
# JupyterHub that students share; this course releases through a repository and collects
# from the LMS. A folder of the course's own stops JupyterLab warning, on every page, that
# the system-wide one is missing.
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".exchange")
os.makedirs(c.Exchange.root, exist_ok=True)

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading runs the whole notebook. nbgrader sets NBGRADER_EXECUTION=autograde in the kernel's
# environment, which puts dlcourse in quick mode: training cells run their small budget.
# Seconds per cell; a stuck cell fails, the notebook goes on.
c.ExecuteKeepingCredit.timeout = int(os.environ.get("DLCOURSE_CELL_TIMEOUT", "180"))
c.ExecuteKeepingCredit.interrupt_on_timeout = True
# Nothing is wanted from a kernel once its notebook is done: a graceful shutdown only waits
# (seconds per notebook) for the sandbox to wind down before killing it anyway.
c.ExecuteKeepingCredit.shutdown_kernel = "immediate"
c.LimitOutput.max_lines = 1000

# A deleted test cell is put back instead of leaving the exercise "needs manual grade".
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    OverwriteKernelspec,
    RealignToRelease,  # answers from the student, everything else from the release
    OverwriteCells,
    CheckCellMetadata,
]
c.Autograde.autograde_preprocessors = [
    ExecuteKeepingCredit,  # nbgrader's Execute; a dead kernel costs the cells it did not run
    StderrIsNotFailure,  # a warning or a progress bar does not zero a correct cell
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    TruncateOutput,  # and one enormous line or image
    SaveKeepingMarks,  # nbgrader's SaveAutoGrades, without re-opening settled marks
    AssignLatePenalties,
    CheckCellMetadata,
]

# Feedback shows each failure's message, not the hidden tests (nor tracebacks quoting them).
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]
