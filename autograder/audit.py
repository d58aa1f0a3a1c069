"""``python -m autograder audit``: how fair each declared exercise's grading is, measured.

For every chapter whose exercises are declared by requirement (``autograder/verdicts``), and
against the implementations in ``tests/implementations/<chapter>.py``, per exercise:

- its requirements and their points;
- wrong implementations: how many lose points at grading (all must), and how many of those
  the notebook's visible checks already catch (the rest surprise the student at grading).
  Each is labelled "<requirement>: <the mistake>", and must lose that requirement's share
  ("forbidden: ..." must call a forbidden built-in);
- requirements: each must be broken alone (losing no other share) by at least one wrong
  implementation, so that every sentence the docstring lists is shown to cost points and to
  cost only its share;
- alternatives: how many get full marks and pass the visible checks (all must);
- cascades: for each earlier exercise A that it may call, A wrong (each of A's wrong
  implementations) and this one right gives this one full marks (all must).

Exit status 1 if anything that must hold does not. Chapters not yet declared are listed as such.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import sys
from dataclasses import dataclass, field

from . import verdicts
from .authoring import ROOT, chapters


@dataclass
class ExerciseAudit:
    name: str
    requirements: list
    wrong: int = 0
    wrong_graded: int = 0  # lose points at grading
    wrong_visible: int = 0  # and fail a visible check
    surprises: list = field(default_factory=list)  # (label, requirements lost)
    lost: dict = field(default_factory=dict)  # label -> requirements it loses
    alternatives: int = 0
    alternatives_ok: int = 0
    cascades: int = 0
    cascades_ok: int = 0
    problems: list = field(default_factory=list)


def audit_chapter(name: str) -> list[ExerciseAudit]:
    from tests import harness

    chapter = harness.chapter(name)
    catalogue = importlib.import_module(f"tests.implementations.{name}")
    results = []
    for exercise, declaration in verdicts.declared(name).items():
        audit = ExerciseAudit(exercise, [(r.name, r.points) for r in declaration.requirements])
        for label, source in catalogue.WRONG.get(exercise, {}).items():
            audit.wrong += 1
            grade = chapter.grade(exercise, source)
            if grade.score >= grade.points:
                audit.problems.append(f"wrong '{label}' gets full marks")
                continue
            audit.wrong_graded += 1
            lost = [r for r, _, _, problem in grade.requirements if problem]
            audit.lost[label] = lost or ["forbidden"]
            named = label.split(": ", 1)[0]
            if named == "forbidden" and not grade.forbidden:
                audit.problems.append(f"wrong '{label}' calls no forbidden built-in")
            elif named != "forbidden" and named not in lost:
                audit.problems.append(f"wrong '{label}' does not lose '{named}' (loses "
                                      f"{', '.join(lost) or 'only by forbidden calls'})")
            if chapter.run(exercise, source).passed:
                audit.surprises.append((label, lost or ["forbidden: " + grade.forbidden]))
            else:
                audit.wrong_visible += 1
        for req, _ in audit.requirements:
            if [req] not in audit.lost.values():
                audit.problems.append(f"no wrong implementation breaks '{req}' alone")
        for label, source in catalogue.ALTERNATIVES.get(exercise, {}).items():
            audit.alternatives += 1
            grade = chapter.grade(exercise, source)
            outcome = chapter.run(exercise, source)
            if grade.score == grade.points and outcome.passed:
                audit.alternatives_ok += 1
            else:
                audit.problems.append(f"alternative '{label}': {grade.score:g}/{grade.points:g}"
                                      f", visible check {'passes' if outcome.passed else 'fails'}")
        for used in declaration.uses:
            for label, source in catalogue.WRONG.get(used, {}).items():
                audit.cascades += 1
                grade = chapter.grade(exercise, others={used: source})
                if grade.score == grade.points:
                    audit.cascades_ok += 1
                else:
                    audit.problems.append(f"{used} wrong ('{label}') costs {exercise} "
                                          f"{grade.points - grade.score:g} points")
        results.append(audit)
    return results


def report(name: str, audits: list[ExerciseAudit]) -> list[str]:
    lines = [name]
    for a in audits:
        shares = ", ".join(f"{r} {p:g}" for r, p in a.requirements)
        lines.append(f"  {a.name}: {shares}")
        lines.append(f"    wrong {a.wrong}: {a.wrong_graded} lose points, {a.wrong_visible} "
                     f"caught visibly; alternatives {a.alternatives_ok}/{a.alternatives} "
                     f"accepted; cascades {a.cascades_ok}/{a.cascades} without cost")
        for label, lost in a.surprises:
            lines.append(f"    only at grading: '{label}' (loses {', '.join(lost)})")
        for problem in a.problems:
            lines.append(f"    PROBLEM: {problem}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder audit")
    parser.add_argument("chapters", nargs="*")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    totals = {"wrong": 0, "visible": 0, "problems": 0}
    for name in args.chapters or chapters():
        if not verdicts.declared(name):
            print(f"{name}: not declared by requirement yet (hidden tests in the notebook)")
            continue
        with contextlib.redirect_stderr(io.StringIO()):
            audits = audit_chapter(name)
        print("\n".join(report(name, audits)))
        totals["wrong"] += sum(a.wrong for a in audits)
        totals["visible"] += sum(a.wrong_visible for a in audits)
        totals["problems"] += sum(len(a.problems) for a in audits)
    if totals["wrong"]:
        print(f"declared exercises: {totals['visible']} of {totals['wrong']} wrong "
              f"implementations caught by a visible check "
              f"({100 * totals['visible'] / totals['wrong']:.1f}%); "
              f"{totals['problems']} problems")
    return 1 if totals["problems"] else 0
