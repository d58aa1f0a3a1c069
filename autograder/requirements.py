"""What a declared exercise's notebook cells say, derived from its declaration.

An exercise declared by requirement (``declare(...)`` in ``autograder/verdicts/<chapter>.py``)
gets, in the instructor notebook and so in the student notebook:

- the requirement list at the end of its docstring (statement and points of each, and the
  built-ins it must not use);
- its test cell: for each requirement, the declared expressions with the values the reference
  solution gives them, stored as numbers, checked by :func:`dlcourse.check.check_requirements`;
  the exercises it calls are checked first, so that a wrong one is named as the cause;
- the test cell's points: the sum of the requirements' points.

``make notebooks`` writes them (:func:`stamp`); a test keeps the committed notebooks stamped.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import textwrap
import tokenize

from . import verdicts

MAX_NUMBERS = 100  # a stored value longer than this belongs in a hidden check


def _number(x: float, dtype) -> str:
    if math.isnan(x):
        return 'float("nan")'
    if math.isinf(x):
        return 'float("inf")' if x > 0 else '-float("inf")'
    text = f"{x:.9g}" if dtype is not None and "float64" not in str(dtype) else repr(x)
    return text if any(c in text for c in ".en") else text + ".0"


def literal(value) -> str:
    """Python source that evaluates to ``value`` (plain data, as a probe returns it)."""
    import torch

    if isinstance(value, torch.Tensor):
        if value.numel() > MAX_NUMBERS:
            raise ValueError(f"a stored value of {value.numel()} numbers: make the visible "
                             "expression reduce it")
        default = value.dtype in (torch.float32, torch.int64, torch.bool)
        dtype = "" if default else f", dtype={value.dtype}"
        fmt = (lambda x: _number(x, value.dtype)) if value.is_floating_point() else repr
        data = _nested(value.tolist(), fmt)
        if value.numel() == 0:
            return f"torch.zeros({tuple(value.shape)}{dtype})"
        return f"torch.tensor({data}{dtype})"
    if type(value) is float:
        return _number(value, None)
    if type(value) is list:
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if type(value) is tuple:
        return "(" + ", ".join(literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if type(value) is dict:
        return "{" + ", ".join(f"{k!r}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _nested(data, fmt) -> str:
    if isinstance(data, list):
        return "[" + ", ".join(_nested(d, fmt) for d in data) + "]"
    return fmt(data)


def expected_values(chapter: str, exercise: str, ns: dict) -> list:
    """What each visible expression of ``exercise`` gives on the reference namespace ``ns``,
    as grading computes it: [[value, ...] per requirement]."""
    result = verdicts.run(chapter, exercise, ns)["value"]["requirements"]
    values = []
    for req in verdicts.declared(chapter)[exercise].requirements:
        got = result[req.name]
        if "error" in got:
            raise RuntimeError(f"{chapter}/{exercise}: the reference fails requirement "
                               f"{req.name!r}: {got['error']}")
        values.append(got["value"][0])
    return values


def _checks(chapter: str, exercise: str, ns: dict, indent: str) -> str:
    declaration = verdicts.declared(chapter)[exercise]
    lines = []
    for req, values in zip(declaration.requirements, expected_values(chapter, exercise, ns)):
        for (expression, hint), value in zip(req.visible, values):
            args = [repr(req.name), repr(expression), literal(value)]
            if hint:
                args.append(repr(hint))
            if (req.rtol, req.atol) != (1e-4, 1e-5):
                args += [f"rtol={req.rtol!r}", f"atol={req.atol!r}"]
            call = indent + "Check(" + ", ".join(args) + "),"
            if len(call) > 100:  # one argument a line
                call = indent + "Check(" + f",\n{indent}      ".join(args) + "),"
            lines.append(call)
    return "\n".join(lines)


def _forbidden_name(chapter: str, exercise: str, ns: dict) -> str | None:
    """The notebook's name for the exercise's forbidden built-ins (its imports cell defines
    the list the declaration uses, so that the notebook can name it)."""
    forbidden = verdicts.declared(chapter)[exercise].forbidden
    if not forbidden:
        return None
    for name, value in ns.items():
        if name.isupper() and value == forbidden:
            return name
    raise ValueError(f"{chapter}/{exercise}: the notebook's imports cell defines no list "
                     "equal to the declaration's forbidden built-ins")


def test_source(chapter: str, exercise: str, ns: dict) -> str:
    """The test cell of a declared exercise."""
    declaration = verdicts.declared(chapter)[exercise]
    parts = [f"# Checks of {exercise}, one group per requirement, on values stored from the "
             "reference\n# solution. Grading runs the same checks and more inputs."]
    call = [f'check_requirements("{exercise}", globals(), ' + _setup_arg(declaration) + "[",
            _checks(chapter, exercise, ns, "    "), "]"]
    forbidden = _forbidden_name(chapter, exercise, ns)
    if forbidden:
        call[-1] += f", forbidden={forbidden}"
    if declaration.uses:
        call[-1] += ", uses={"
        for name in declaration.uses:
            if name not in verdicts.declared(chapter):
                raise ValueError(f"{exercise} uses {name}, which is not declared")
            used = verdicts.declared(chapter)[name]
            if used.setup:
                setup = _setup_arg(used).removeprefix("setup=").removesuffix(", checks=")
                call += [f'    "{name}": ({setup}, [',
                         _checks(chapter, name, ns, "        "), "    ]),"]
            else:
                call += [f'    "{name}": [', _checks(chapter, name, ns, "        "), "    ],"]
        call.append("}")
    call[-1] += ")"
    parts.append("\n".join(call))
    return "\n".join(parts)


def _setup_arg(declaration) -> str:
    """The setup as the test cell passes it (seeded there as grading seeds it)."""
    if not declaration.setup:
        return ""
    if '"""' in declaration.setup or "\\" in declaration.setup:
        return f"setup={declaration.setup!r}, checks="
    return 'setup="""\n' + declaration.setup.rstrip("\n") + '\n""", checks='


REQUIREMENTS_HEADER = re.compile(r"^\s*Requirements \(.*$", re.M)


def docstring_block(chapter: str, exercise: str, ns: dict, indent: str = "    ") -> str:
    declaration = verdicts.declared(chapter)[exercise]
    points = f"{declaration.points:g} point" + ("" if declaration.points == 1 else "s")
    lines = [f"Requirements ({points}, each checked by the cell below):"]
    for req in declaration.requirements:
        lines += textwrap.wrap(f"- {req.name} ({req.points:g}): {req.statement}", 92 - len(indent),
                               subsequent_indent="  ")
    forbidden = _forbidden_name(chapter, exercise, ns)
    if forbidden:
        lines += textwrap.wrap(f"Not allowed: the built-ins in {forbidden}; calling one scores "
                               "0 points.", 92 - len(indent))
    return "\n".join(indent + line for line in lines)


def stamp_docstring(source: str, block: str) -> str:
    """``source`` with its first docstring ending in ``block`` (replacing an earlier one)."""
    start = source.index('"""')
    end = source.index('"""', start + 3)
    doc = source[start + 3:end]
    header = REQUIREMENTS_HEADER.search(doc)
    if header:
        doc = doc[:header.start()]
    doc = doc.rstrip() + "\n\n" + block + "\n" + " " * (len(block) - len(block.lstrip()))
    return source[:start + 3] + doc + source[end:]


def _numbers_and_rest(source: str) -> tuple[list[float], list[str]]:
    """The numbers of ``source`` (a unary minus folded in) and its other tokens, line breaks
    inside brackets left out (a longer number may wrap a call differently)."""
    numbers, rest, minus = [], [], False
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NUMBER:
            numbers.append(-float(token.string) if minus else float(token.string))
            rest.append("<float>" if any(c in token.string for c in ".eE") else "<int>")
            minus = False
            continue
        if minus:
            rest.append("-")
            minus = False
        if token.string == "-" and rest and rest[-1] in ("[", "(", ",", "="):
            minus = True
        elif token.type != tokenize.NL:
            rest.append(token.string)
    return numbers, rest


def same_but_round_off(old: str, new: str, rel: float = 1e-5, abs_: float = 1e-6) -> bool:
    """Whether two test cells differ only in stored numbers within a tenth of a check's default
    tolerance of each other. The reference's last digits depend on the order of its sums,
    which changes with the number of threads and the CPU: `make notebooks` would otherwise
    rewrite them on every machine."""
    if old == new:
        return True
    try:
        (old_numbers, old_rest), (new_numbers, new_rest) = map(_numbers_and_rest, (old, new))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return False
    return old_rest == new_rest and len(old_numbers) == len(new_numbers) and all(
        math.isclose(a, b, rel_tol=rel, abs_tol=abs_) for a, b in zip(old_numbers, new_numbers))


def stamp(nb, chapter: str) -> bool:
    """Write the docstring lists, test cells and points of ``chapter``'s declared exercises
    into its instructor notebook ``nb``; True if anything changed."""
    from .authoring import grade_id

    declared = verdicts.declared(chapter)
    if not declared:
        return False
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    changed = False
    with contextlib.redirect_stdout(io.StringIO()):
        ns = verdicts.namespace(nb)
    for exercise, declaration in declared.items():
        cell = cells[exercise]
        stamped = stamp_docstring(cell.source, docstring_block(chapter, exercise, ns))
        test = cells[f"test_{exercise}"]
        source = test_source(chapter, exercise, ns)
        if same_but_round_off(test.source, source):
            source = test.source
        points = float(declaration.points)
        if (stamped, source, points) != (cell.source, test.source,
                                         float(test.metadata["nbgrader"]["points"])):
            cell.source, test.source = stamped, source
            test.metadata["nbgrader"]["points"] = points
            changed = True
    return changed
