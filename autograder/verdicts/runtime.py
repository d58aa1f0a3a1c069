"""What every probe module can use. This file and a chapter's probe module are executed as one
piece of source, twice: in the student's kernel (on the student's namespace) and in the grader
(on the reference solution's namespace). Nothing here may import from ``autograder``."""

import contextlib
import math  # noqa: F401 - the chapter modules run in this namespace and use it
import sys

import torch
from torch.overrides import TorchFunctionMode

# The tests' own helper, for the probes: like the hidden tests, an exercise that calls earlier
# ones is judged on correct versions of them (``with replaced(ns, corr2d=reference)``).
# ``plain`` and ``compare`` are the ones the notebook's visible checks use.
from dlcourse.check import (  # noqa: F401
    HELPERS,
    autograd_calls,
    behaviour,
    called,
    compare,
    gradients,
    plain,
    python_calls,
    raises,
    replaced,
    seeded,
    seeded_weights,
    set_parameters,
)
from dlcourse.check import device_check as device_agnostic  # noqa: F401
from dlcourse.check import seeded_weights as he_by_shape  # noqa: F401


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def run_probe(name: str, ns: dict):
    """{"value": ...}: what exercise ``name``'s requirements saw on the namespace ``ns``."""
    return {"value": EXERCISES[name].run(ns)}


def require_tensor(value, what):
    """``value`` if it is a tensor, else TypeError: a NumPy array would become a tensor in
    plain(), and the contracts ask for a tensor."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} returned a {type(value).__name__}, not a tensor")
    return value


def returned_types(fn, calls, elements=False):
    """The sorted type names of what ``fn(*args)`` returns for each ``args`` in ``calls`` that
    it handles (and, with ``elements``, of the results' elements): a failure is the concern of
    the requirement whose inputs show it, not of the one about types."""
    results = []
    for args in calls:
        try:
            results.append(fn(*args))
        except Exception:  # noqa: BLE001 - an input the answer cannot handle
            pass
    names = {type(r).__name__ for r in results}
    if elements:
        names |= {type(k).__name__ for r in results for k in r}
    return sorted(names)


class Calls(TorchFunctionMode):
    """Which of the watched torch functions the block called, whatever alias or name reached
    them (the kernel's checks for built-ins can be forged). ``watched`` is either functions,
    recorded in ``seen`` by ``__name__`` (None entries ignored), or {label: function},
    recorded by every label whose function was called."""

    def __init__(self, watched):
        super().__init__()
        self.seen = []
        if isinstance(watched, dict):
            self.labelled, self.watched = dict(watched), set()
        else:
            self.labelled, self.watched = {}, {f for f in watched if f is not None}

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.watched:
            self.seen.append(getattr(func, "__name__", "?"))
        for label, obj in self.labelled.items():
            if func is obj:
                self.seen.append(label)
        return func(*args, **(kwargs or {}))

    def names(self):
        return ", ".join(sorted(set(self.seen))) or "none"


@contextlib.contextmanager
def watch(paths):
    """The list of the built-ins named by ``paths`` that the block called, by path. Torch
    functions are seen by a torch-function mode, others (NumPy, module methods) by replacing
    the attribute for the time of the block."""
    watched, patched = {}, []
    for path in paths:
        root, *attrs = path.split(".")
        owner, obj = None, sys.modules.get(root)
        for attr in attrs:
            owner, obj = obj, getattr(obj, attr, None)
        if obj is None:
            continue
        if root == "torch" and not isinstance(obj, type) and not path.endswith("forward"):
            watched[path] = obj
        else:
            patched.append((owner, attrs[-1], obj, path))
    spy = Calls(watched)

    def recording(original, path):
        def call(*args, **kwargs):
            spy.seen.append(path)
            return original(*args, **kwargs)
        return call

    def record(path):
        spy.seen.append(path)

    # Python functions by their code, however they were reached: torch's own too (such as
    # parameters_to_vector), which no torch-function mode sees
    functions = {obj: path for _, _, obj, path in patched if hasattr(obj, "__code__")}
    functions.update({obj: path for path, obj in watched.items() if hasattr(obj, "__code__")})
    try:
        for owner, attr, original, path in patched:
            setattr(owner, attr, recording(original, path))
        with spy, python_calls(functions, record):
            yield spy.seen
    finally:
        for owner, attr, original, _ in reversed(patched):
            setattr(owner, attr, original)




# --- Declared exercises: requirements written once --------------------------------------


class Requirement:
    """One thing an exercise must do, worth ``points``. ``statement`` is the line the student
    reads (docstring, notebook check, feedback). ``visible`` are ``(expression, hint)`` pairs
    evaluated in the notebook's namespace: the notebook's test cell evaluates them against the
    reference's stored values, and grading evaluates them again. ``hidden(ns)`` returns what
    more inputs give (plain data), for grading only. Results are compared with ``compare``
    (``rtol``, ``atol``), or with ``judge(got, want) -> None | str`` where given."""

    def __init__(self, name, points, statement, visible=(), hidden=None, rtol=1e-4, atol=1e-5,
                 judge=None):
        self.name, self.points, self.statement = name, points, statement
        self.visible = [(v, "") if isinstance(v, str) else tuple(v) for v in visible]
        self.hidden, self.rtol, self.atol, self.judge = hidden, rtol, atol, judge


class Exercise:
    """An exercise's requirements. ``forbidden``: the built-ins it must not call, by dotted
    path (calling one scores the exercise 0); ``uses``: {earlier exercise: a correct version},
    put in its place while this exercise is graded, so that one mistake costs one exercise;
    ``setup``: statements the test cell runs before its checks (inputs too long for one line)."""

    def __init__(self, name, requirements, forbidden=(), uses=None, setup=""):
        self.name, self.requirements = name, list(requirements)
        self.forbidden, self.uses, self.setup = list(forbidden), dict(uses or {}), setup

    @property
    def points(self):
        return sum(r.points for r in self.requirements)

    def run(self, ns):
        """{"requirements": {name: {"value": [visible results, hidden result]} or {"error"}},
        "forbidden": [built-ins called]}, on the namespace ``ns``."""
        out, failed = {}, None
        with replaced(ns, **self.uses), watch(self.forbidden) as seen:
            scope = {**ns, **HELPERS}  # as the test cell's check_requirements builds it
            try:
                with seeded(0):
                    exec(self.setup, scope)
            except BaseException as error:  # noqa: BLE001 - e.g. the setup builds the net
                failed = f"{type(error).__name__}: {error}"[:500]
            for req in self.requirements:
                if failed:
                    out[req.name] = {"error": failed}
                    continue
                try:
                    visible = []
                    for expr, _ in req.visible:  # seeded as the notebook's check seeds it
                        with seeded(0):
                            visible.append(eval(expr, scope))
                    with seeded(0):
                        hidden = req.hidden(ns) if req.hidden else None
                    out[req.name] = {"value": plain([visible, hidden])}
                except BaseException as error:  # noqa: BLE001 - a broken answer is a result
                    out[req.name] = {"error": f"{type(error).__name__}: {error}"[:500]}
        return {"requirements": out, "forbidden": sorted(set(seen))}


EXERCISES = {}


def declare(name, *requirements, forbidden=(), uses=None, setup=""):
    EXERCISES[name] = Exercise(name, requirements, forbidden, uses, setup)
