"""The instructor CLI's own logic, without running nbgrader."""

from autograder.course import error_summary

LOG = """\
[AutogradeApp | ERROR] There was an error processing assignment: submitted/ann/ch06_dropout
[AutogradeApp | ERROR] Traceback (most recent call last):
    json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)
    nbformat.reader.NotJSONError: Notebook does not appear to be JSON: ''
[AutogradeApp | ERROR] There was an error processing assignment 'ch06_dropout' for student 'ann'
[AutogradeApp | INFO] Converting notebook submitted/bob/ch06_dropout/ch06_dropout.ipynb
[AutogradeApp | ERROR] There was an error processing assignment 'ch06_dropout' for student 'bob'
[AutogradeApp | ERROR] Traceback (most recent call last):
    RuntimeError: Kernel died before replying to kernel_info
[AutogradeApp | ERROR] There was an error processing assignment 'ch06_dropout' for student 'cy'
[AutogradeApp | ERROR] Please see the the above traceback for details on the specific errors.
"""


def test_error_summary_names_each_student_with_the_last_exception_of_its_traceback():
    assert error_summary(LOG) == [
        "  ann: nbformat.reader.NotJSONError: Notebook does not appear to be JSON: ''",
        "  bob: see nbgrader's log",
        "  cy: RuntimeError: Kernel died before replying to kernel_info",
    ]
