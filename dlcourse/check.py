"""The comparison API of the tests: one verdict per call, a message a student can act on.

Visible and hidden tests call the student's code on seeded inputs and hand the results here
instead of writing their own ``assert torch.allclose(...)``::

    expect_close("dag_forward(w1, w2, x)", dag_forward(w1, w2, x), reference(w1, w2, x))

Every failure raises :class:`CheckFailed` (an ``AssertionError``) whose message says what
differs: the type, the shape, the dtype, or the largest difference, where it is and how
many elements are off. Because every verdict goes through :func:`verdict`, the grader can
later record the values and judge them in a clean process without touching the tests.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import math
import sys
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

__all__ = [
    "autograd_calls", "behaviour", "call_order", "called", "Check", "CheckFailed",
    "check_requirements", "compare", "count_calls", "device_check", "expect_close",
    "expect_equal", "expect_raises", "expect_device_agnostic", "expect_true", "forbid",
    "gradients", "meta_shapes", "plain", "python_calls", "raises", "replaced", "seeded",
    "seeded_weights", "set_parameters", "verdict",
]  # fmt: skip


class CheckFailed(AssertionError):
    """A test's verdict: the student's result is not the expected one."""


def verdict(name: str, ok: bool, message: str = "") -> None:
    """The single point every check ends in."""
    if not ok:
        raise CheckFailed(f"{name}: {message}" if message else name)


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    return f"{type(value).__name__} {value!r}"[:200]


def _fmt_index(flat: int, shape) -> str:
    if not shape:
        return ""
    idx = np.unravel_index(flat, tuple(shape))
    return " at index " + str(tuple(int(i) for i in idx))


def _as_tensor(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return torch.tensor(value, dtype=torch.float64)
    return None


def _hint(hint: str | None) -> str:
    return f"\nHint: {hint}" if hint else ""


def _is_sequence(value) -> bool:
    return isinstance(value, (tuple, list))


def expect_close(name, actual, expected, *, rtol=1e-5, atol=1e-6, check_dtype=True,
                 hint: str | None = None) -> None:
    """``actual`` equals ``expected`` within ``atol + rtol * |expected|`` everywhere.

    Works on tensors, NumPy arrays, Python numbers and tuples/lists of them. A tensor is
    expected where ``expected`` is a tensor; its shape must match exactly (no broadcasting)
    and, with ``check_dtype``, its dtype too. NaN and infinities must sit where they sit in
    ``expected``. ``hint`` is appended to the failure message ("did you rescale by 1/(1-p)?").
    """
    suffix = _hint(hint)
    if _is_sequence(expected):
        verdict(name, _is_sequence(actual),
                f"expected a {type(expected).__name__} of {len(expected)} values, "
                f"got {_describe(actual)}" + suffix)
        verdict(name, len(actual) == len(expected),
                f"expected {len(expected)} values, got {len(actual)}" + suffix)
        for i, (a, e) in enumerate(zip(actual, expected)):
            expect_close(f"{name}[{i}]", a, e, rtol=rtol, atol=atol,
                         check_dtype=check_dtype, hint=hint)
        return

    if isinstance(expected, torch.Tensor):
        verdict(name, isinstance(actual, torch.Tensor),
                f"expected a torch.Tensor, got {_describe(actual)}" + suffix)
    exp = _as_tensor(expected)
    act = _as_tensor(actual)
    verdict(name, exp is not None, f"cannot compare with {_describe(expected)}")
    verdict(name, act is not None, f"expected a number or a tensor, got {_describe(actual)}"
            + suffix)
    verdict(name, tuple(act.shape) == tuple(exp.shape),
            f"shape {tuple(act.shape)}, expected {tuple(exp.shape)}" + suffix)
    if check_dtype and isinstance(expected, torch.Tensor):
        verdict(name, act.dtype == exp.dtype, f"dtype {act.dtype}, expected {exp.dtype}" + suffix)
    verdict(name, not act.is_complex(), f"complex dtype {act.dtype}" + suffix)

    a = act.cpu().to(torch.float64).reshape(-1)
    e = exp.cpu().to(torch.float64).reshape(-1)
    shape = tuple(exp.shape)
    where_nan = torch.isnan(e)
    bad_nan = torch.isnan(a) != where_nan
    if bool(bad_nan.any()):
        i = int(bad_nan.nonzero()[0])
        got, want = float(a[i]), float(e[i])
        verdict(name, False, f"{got} where {want} was expected{_fmt_index(i, shape)} "
                f"({int(bad_nan.sum())} of {a.numel()} elements)" + suffix)
    finite = torch.isfinite(e)
    bad_inf = (~finite & ~where_nan) & (a != e)
    if bool(bad_inf.any()):
        i = int(bad_inf.nonzero()[0])
        verdict(name, False, f"{float(a[i])} where {float(e[i])} was expected"
                f"{_fmt_index(i, shape)}" + suffix)
    diff = torch.where(finite, (a - e).abs(), torch.zeros_like(a))
    allowed = atol + rtol * e.abs().where(finite, torch.zeros_like(e))
    off = diff > allowed
    if bool(off.any()):
        i = int((diff - allowed).argmax())
        verdict(name, False,
                f"largest difference {float(diff[i]):.4g}{_fmt_index(i, shape)}: "
                f"got {float(a[i]):.6g}, expected {float(e[i]):.6g} "
                f"(allowed {float(allowed[i]):.2g}); {int(off.sum())} of {a.numel()} "
                f"elements differ" + suffix)


def expect_equal(name, actual, expected, *, hint: str | None = None) -> None:
    """Exact equality: ints, strings, tuples, and tensors (same shape, dtype and values)."""
    suffix = _hint(hint)
    if isinstance(expected, torch.Tensor):
        verdict(name, isinstance(actual, torch.Tensor),
                f"expected a torch.Tensor, got {_describe(actual)}" + suffix)
        verdict(name, tuple(actual.shape) == tuple(expected.shape),
                f"shape {tuple(actual.shape)}, expected {tuple(expected.shape)}" + suffix)
        verdict(name, actual.dtype == expected.dtype,
                f"dtype {actual.dtype}, expected {expected.dtype}" + suffix)
        a, e = actual.detach().cpu().reshape(-1), expected.detach().cpu().reshape(-1)
        same = (a == e) | (torch.isnan(a) & torch.isnan(e)) if a.is_floating_point() else a == e
        if not bool(same.all()):
            i = int((~same).nonzero()[0])
            verdict(name, False, f"got {a[i].item()!r}, expected {e[i].item()!r}"
                    f"{_fmt_index(i, tuple(expected.shape))}; {int((~same).sum())} of "
                    f"{e.numel()} elements differ" + suffix)
        return
    if _is_sequence(expected) and _is_sequence(actual) and len(actual) == len(expected):
        for i, (a, e) in enumerate(zip(actual, expected)):
            expect_equal(f"{name}[{i}]", a, e, hint=hint)
        verdict(name, type(actual) is type(expected),
                f"expected a {type(expected).__name__}, got a {type(actual).__name__}" + suffix)
        return
    verdict(name, type(actual) is type(expected) or _both_numbers(actual, expected),
            f"expected {_describe(expected)}, got {_describe(actual)}" + suffix)
    verdict(name, actual == expected, f"got {actual!r}, expected {expected!r}" + suffix)


def _both_numbers(a, b) -> bool:
    numbers = (int, float)
    return isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) \
        and not isinstance(b, bool)


def expect_true(name: str, condition, message: str) -> None:
    """A property that has no reference value ("the input was not modified")."""
    verdict(name, bool(condition), message)


def expect_raises(name: str, exception: type[BaseException], fn: Callable, *args,
                  hint: str | None = None, **kwargs) -> None:
    """``fn(*args, **kwargs)`` raises ``exception`` (or a subclass)."""
    suffix = _hint(hint)
    try:
        result = fn(*args, **kwargs)
    except exception:
        return
    except Exception as error:  # noqa: BLE001 - the wrong exception is the verdict
        verdict(name, False, f"expected {exception.__name__}, got {type(error).__name__}: "
                f"{error}" + suffix)
    else:
        verdict(name, False, f"expected {exception.__name__}, but it returned "
                f"{_describe(result)}" + suffix)


def expect_device_agnostic(name: str, fn: Callable, *args, hint: str | None = None, **kwargs):
    """``fn`` works on tensors of the "meta" device, which stands in for a GPU.

    Pass meta tensors (``torch.ones(3, 4, device="meta")``): a tensor that ``fn`` makes on the
    CPU and mixes with them raises a device error, as it would on a GPU, and fails the
    check. Operations that meta tensors cannot do at all (``.item()``, ``X[X > 0]``) say
    nothing about devices and pass. Returns the result, or None when inconclusive.
    """
    suffix = _hint(hint)
    try:
        result = fn(*args, **kwargs)
    except (RuntimeError, ValueError, TypeError) as error:
        verdict(name, "device" not in str(error),
                f"fails for tensors on another device than the CPU: {error}" + suffix)
        return None
    except NotImplementedError:
        return None
    if isinstance(result, torch.Tensor):
        verdict(name, result.device.type == "meta",
                f"the result is on {result.device}, not on the input's device" + suffix)
    return result


class ForbiddenCall(RuntimeError):
    """Raised by a built-in that an exercise must not use."""


def _resolve(path: str):
    """(owner, attribute name) of a dotted path such as ``torch.nn.functional.dropout``."""
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:-1]:
            owner = getattr(owner, attr)
        return owner, parts[-1]
    raise ValueError(f"cannot resolve {path!r}")


def _originals(paths: Iterable[str]) -> list[tuple[object, str, object, str]]:
    """(owner, attribute, object, path) for each path that exists in this PyTorch."""
    found = []
    for path in paths:
        try:
            owner, attr = _resolve(path)
            found.append((owner, attr, getattr(owner, attr), path))
        except (AttributeError, ValueError):
            continue
    return found


class _Watch(TorchFunctionMode):
    """Sees every torch call, whatever alias or import reached it."""

    def __init__(self, watched: dict, on_call: Callable[[str], None]):
        super().__init__()
        self.watched, self.on_call = watched, on_call

    def __torch_function__(self, func, types, args=(), kwargs=None):
        path = self.watched.get(func)
        if path is not None:
            self.on_call(path)
        return func(*args, **(kwargs or {}))


@contextlib.contextmanager
def python_calls(functions: dict, on_call: Callable[[str], None]):
    """Call ``on_call(path)`` whenever one of the Python functions in ``functions``
    ({function: path}) starts, by its code object: a helper bound to a name before the block
    (``from dlcourse import train``) escapes a replaced attribute, not this."""
    codes = {}
    for function, path in functions.items():
        code = getattr(inspect.unwrap(function), "__code__", None)
        if code is not None:
            codes[code] = path
    if not codes:
        yield
        return

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            on_call(codes[frame.f_code])

    previous = sys.getprofile()
    sys.setprofile(profile)  # an exception from on_call ends the profiling, as it should
    try:
        yield
    finally:
        sys.setprofile(previous)


def _python_functions(saved) -> dict:
    return {obj: path for _, _, obj, path in saved if inspect.isfunction(inspect.unwrap(obj))}


@contextlib.contextmanager
def count_calls(paths: Iterable[str]):
    """Count the calls of the built-ins named by ``paths`` in the block.

    ``with count_calls(["torch.Tensor.backward", "torch.autograd.backward"]) as calls: ...``
    then ``sum(calls.values())``. Like :func:`forbid`, it sees every alias.
    """
    calls: dict[str, int] = {}

    def record(path):
        calls[path] = calls.get(path, 0) + 1

    with _Watch({obj: path for _, _, obj, path in _originals(paths)}, record):
        yield calls


@contextlib.contextmanager
def replaced(namespace: dict, **values):
    """Temporarily rebind names in ``namespace`` (usually ``globals()``).

    Hidden tests grade one exercise at a time: ``with replaced(globals(),
    dropout_layer=reference): ...`` tests the student's ``Dropout`` on a correct
    ``dropout_layer``, so one mistake does not cost points twice.
    """
    missing = object()
    saved = {name: namespace.get(name, missing) for name in values}
    namespace.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


@contextlib.contextmanager
def forbid(paths: Iterable[str], exercise: str):
    """Fail the check if the block calls any of the built-ins named by ``paths``.

    ``with forbid(["torch.nn.functional.dropout", "torch.dropout"], "dropout_layer"): ...``
    A torch-function mode catches the call whichever name reached it (``F.dropout``,
    ``from torch.nn.functional import dropout``, ``nn.Dropout``), and the attributes are
    replaced too, for calls on non-tensor arguments. A call that the student's code caught
    and swallowed still fails the check. Paths missing from this PyTorch version are skipped.
    """
    saved = _originals(paths)
    attempts: list[str] = []

    def refuse(path):
        attempts.append(path)
        raise ForbiddenCall(f"{exercise} must not use {path}: write it yourself.")

    def refusing(path):
        return lambda *args, **kwargs: refuse(path)

    try:
        for owner, attr, _, path in saved:
            # torch.ops are seen by the mode; replacing one breaks PyTorch's own lazy
            # registrations (meta kernels look up torch.ops.aten.<op>.default)
            if not path.startswith("torch.ops."):
                setattr(owner, attr, refusing(path))
        with _Watch({obj: path for _, _, obj, path in saved}, refuse), \
                python_calls(_python_functions(saved), refuse):
            yield
    except ForbiddenCall:
        pass  # judged below, as a failed check rather than a crash
    finally:
        for owner, attr, original, path in reversed(saved):
            if not path.startswith("torch.ops."):
                setattr(owner, attr, original)
    verdict(exercise, not attempts, f"must not use {attempts[0]}" if attempts else "")


# --- Requirements: the visible checks generated from an exercise's declaration -------------
# An exercise's requirements are declared once, in autograder/verdicts/<chapter>.py. Its test
# cell in the notebook is generated from them: for each requirement, expressions to evaluate
# and the values the reference solution gave (stored numbers, no reference code). Grading
# evaluates the same expressions, and more inputs, and compares them with this same
# :func:`compare`, outside the student's kernel.


def plain(value):
    """``value`` as plain data: tensors detached, on the CPU and not subclasses; tuples kept;
    NumPy values as tensors; anything else (a dtype, a device) as its repr."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().as_subclass(torch.Tensor).clone()
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value) if type(value) in (list, tuple) \
            else [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (np.ndarray, np.generic)):  # np.float64 is a float subclass too
        return plain(torch.as_tensor(value))
    for kind in (bool, int, float, str):  # exactly these types: grading reads nothing else
        if isinstance(value, kind):
            return kind(value)
    if value is None:
        return value
    return repr(value)[:200]


def compare(got, want, rtol: float = 1e-4, atol: float = 1e-5, where: str = "result"):
    """None if ``got`` matches ``want`` (same structure, numbers within tolerance), else what
    differs. Lists and tuples are interchangeable; integers match equal floats; tensors must
    have the same shape, and floating tensors are compared in float64, ``atol`` relative to
    the largest expected value (a dtype is a requirement of its own, checked by its own
    expression)."""
    if isinstance(want, torch.Tensor):
        if type(got) is not torch.Tensor:
            return f"{where}: expected a tensor, got {type(got).__name__}"
        if tuple(got.shape) != tuple(want.shape):
            return f"{where}: shape {tuple(got.shape)}, expected {tuple(want.shape)}"
        if want.is_floating_point() or want.is_complex() or got.is_floating_point():
            g, w = got.to(torch.float64), want.to(torch.float64)
            scale = float(w.abs().max()) if w.numel() else 0.0
            if math.isnan(scale):
                scale = 0.0
            close = torch.isclose(g, w, rtol=rtol, atol=atol * max(1.0, scale), equal_nan=True)
            if not bool(close.all()):
                diff = (g - w).abs().where(~close, torch.zeros_like(g))
                i = int(diff.nan_to_num(math.inf).reshape(-1).argmax())
                flat_g, flat_w = g.reshape(-1), w.reshape(-1)
                return (f"{where}: got {float(flat_g[i]):.6g}, expected {float(flat_w[i]):.6g}"
                        f"{_fmt_index(i, tuple(w.shape))}; {int((~close).sum())} of "
                        f"{w.numel()} values differ")
            return None
        if not torch.equal(got.to(torch.int64), want.to(torch.int64)):
            return f"{where}: values differ"
        return None
    if type(want) in (list, tuple):
        if type(got) not in (list, tuple) or len(got) != len(want):
            return f"{where}: expected a sequence of {len(want)}, got {_describe(got)}"
        for i, (g, w) in enumerate(zip(got, want)):
            problem = compare(g, w, rtol, atol, f"{where}[{i}]")
            if problem:
                return problem
        return None
    if type(want) is dict:
        if type(got) is not dict or set(got) != set(want):
            return f"{where}: expected keys {sorted(want)}"
        for k in want:
            problem = compare(got[k], want[k], rtol, atol, f"{where}[{k!r}]")
            if problem:
                return problem
        return None
    if type(want) is float or (type(want) is int and type(got) is float):
        if type(got) not in (int, float) or not math.isclose(got, want, rel_tol=rtol,
                                                             abs_tol=atol):
            return f"{where}: {got!r}, expected {want!r}"
        return None
    if type(got) is not type(want) or got != want:
        return f"{where}: {got!r}, expected {want!r}"
    return None


def device_check(fn, *args, **kwargs):
    """"ok" where ``fn`` works on tensors of the "meta" device, which stands in for a GPU: no
    device error, no tensor made on the CPU handed the input's values, a result on the meta
    device. Otherwise what went wrong."""
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError as error:  # an op meta tensors cannot do says nothing...
        if not str(error):  # the notebook's stub, `raise NotImplementedError()`: not written
            raise
        if "meta tensor" in str(error):  # ...unless it copied them into a CPU tensor
            return f"not device-agnostic: {error}"[:200]
        return "ok"
    except (RuntimeError, ValueError, TypeError) as error:
        return f"not device-agnostic: {error}"[:200] if "device" in str(error) else "ok"
    if isinstance(out, torch.Tensor) and out.device.type != "meta":
        return f"the result is on {out.device}"
    return "ok"


def gradients(fn, *inputs):
    """The gradients of ``fn``'s output, weighted by fixed numbers, with respect to each input
    tensor (``fn`` a function), or to each parameter by name (``fn`` a module); a result that
    is cut off from the graph (``.item()``, ``torch.tensor(list)``) says so."""
    inputs = [x.detach().clone().requires_grad_() if isinstance(x, torch.Tensor)
              and x.is_floating_point() else x for x in inputs]
    out = fn(*inputs)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return "the result does not require grad"
    weights = torch.cos(torch.arange(out.numel(), dtype=out.dtype)).reshape(out.shape)
    if isinstance(fn, torch.nn.Module):
        named = sorted(fn.named_parameters())
        grads = torch.autograd.grad((out * weights).sum(), [p for _, p in named],
                                    allow_unused=True)
        return {n: None if g is None else g.reshape(-1) for (n, _), g in zip(named, grads)}
    leaves = [x for x in inputs if isinstance(x, torch.Tensor) and x.requires_grad]
    return list(torch.autograd.grad((out * weights).sum(), leaves, allow_unused=True))


def set_parameters(module, **values):
    """``module`` with its parameters set to ``values`` (by name, reshaped to each
    parameter's shape), for a check on fixed weights."""
    params = dict(module.named_parameters())
    with torch.no_grad():
        for name, value in values.items():
            params[name].copy_(torch.as_tensor(value).reshape(params[name].shape))
    return module


@contextlib.contextmanager
def seeded(seed: int):
    """torch's CPU generator seeded within the block, and left after it as it was found (checks
    run in the student's kernel). Only that generator, which is what ``fork_rng(devices=[])``
    restores and what the checks draw from: ``torch.manual_seed`` would also queue a seed for
    CUDA, formatting the call stack each time on a machine without a GPU."""
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(seed)
        yield


def seeded_weights(module, example=None):
    """``module`` with He-scaled random weights and biases in [-0.5, 0.5), seeded by each
    parameter's shape so that layer order and names do not matter: weights under which every
    layer matters (under PyTorch's default initialisation a missing ReLU deep in a network can
    change the output by less than 1e-4), for checks of a network's output on a fixed input.
    Lazy modules (``nn.LazyLinear``) are materialised first by a forward pass on ``example``."""
    with torch.no_grad():
        if example is not None:
            module(example)
        for p in module.parameters():
            seed = sum(d * 1009 ** i for i, d in enumerate(p.shape)) % 2 ** 31
            g = torch.Generator().manual_seed(seed)
            if p.dim() == 1:
                p.copy_(torch.rand(p.shape, generator=g) - 0.5)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * math.sqrt(2 / p[0].numel()))
    return module


def raises(fn, *args, **kwargs) -> str:
    """The name of the exception ``fn(*args, **kwargs)`` raises, or "no error", for a check
    of an error case ("ValueError")."""
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - which one is the verdict
        return type(error).__name__
    return "no error"


def _torch_calls(fn, *args) -> list[tuple[str, tuple, dict]]:
    """(name, args, kwargs) of each torch function ``fn(*args)`` called, in order, whatever
    module or alias reached it (calls inside those functions are not counted)."""
    seen = []

    class Spy(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            seen.append((getattr(func, "__name__", ""), args, kwargs or {}))
            return func(*args, **(kwargs or {}))

    with Spy(), torch.no_grad():
        fn(*args)
    return seen


def called(names, fn, *args) -> list[str]:
    """Which of the torch functions ``names`` (``["conv2d", "max_pool2d"]``) ``fn(*args)``
    called, whatever module or alias reached them: a check of what a network does, not of
    which classes it is built from."""
    seen = {name for name, _, _ in _torch_calls(fn, *args)}
    return [name for name in names if name in seen]


def call_order(names, fn, *inputs) -> list[str]:
    """The calls ``fn(*args)`` made to the torch functions ``names``, in order; a dropout
    as ``"dropout 0.5"`` (its p) when it is active and not at all when it is not (eval mode).
    ``call_order(["linear", "dropout"], net.train(), x)`` says where a network's dropout
    sits, whatever modules it is built from and whatever the rest of the network does."""
    order = []
    for name, args, kwargs in _torch_calls(fn, *inputs):
        if name not in names:
            continue
        if "dropout" in name:
            p = kwargs.get("p", args[1] if len(args) > 1 else 0.5)
            if not kwargs.get("training", kwargs.get("train", args[2] if len(args) > 2
                                                      else True)):
                continue
            name = f"{name} {float(p):g}"
        order.append(name)
    return order


def behaviour(net, x) -> dict[str, bool]:
    """What a classifier ``net`` does with the batch ``x``, as checks of its behaviour: logits
    (rows that do not sum to 1), every parameter used (each gets a gradient), dropout active in
    training mode and only in the hidden layers (two passes differ, no logit set to 0),
    deterministic in eval mode, each image processed on its own, and the mode restored."""
    was_training = net.training
    net.eval()
    first, second = net(x), net(x)
    alone = torch.cat([net(x[i:i + 1]) for i in range(len(x))])
    params = [p for p in net.parameters() if p.requires_grad]
    weights = torch.cos(torch.arange(first.numel(), dtype=first.dtype)).reshape(first.shape)
    grads = torch.autograd.grad((first * weights).sum(), params, allow_unused=True)
    net.train()
    with torch.no_grad():
        a, b = net(x), net(x)
    net.train(was_training)
    return {
        "logits": not torch.allclose(first.sum(1), torch.ones(len(x)), atol=1e-3),
        "every parameter used": all(g is not None and bool(g.ne(0).any()) for g in grads),
        "training: dropout active": not torch.equal(a, b) and not bool((a == 0).any()),
        "eval: deterministic": torch.equal(first, second),
        "eval: images independent": bool(torch.allclose(alone, first, rtol=1e-4, atol=1e-5)),
    }


def autograd_calls(fn, *args, **kwargs):
    """[(kind, size)] for each gradient that ``fn(*args, **kwargs)`` asks autograd for, in
    order: kind "grad" (torch.autograd.grad) or "backward", and size the number of operations
    in the graph it differentiates (a graph that grows from step to step was not updated
    under no_grad). ``torch.autograd.backward`` is also replaced for the call: a
    torch-function mode does not see it on every PyTorch version."""
    calls, busy = [], []
    kinds = [(torch.autograd.grad, "grad"), (torch.autograd.backward, "backward"),
             (torch.Tensor.backward, "backward")]

    def size(outputs):
        outputs = [outputs] if isinstance(outputs, torch.Tensor) else list(outputs)
        todo = [t.grad_fn for t in outputs if isinstance(t, torch.Tensor)]
        seen = set()
        while todo:
            node = todo.pop()
            if node is not None and node not in seen:
                seen.add(node)
                todo += [next_node for next_node, _ in node.next_functions]
        return len(seen)

    def record(kind, outputs, call):
        if busy:  # called by a call already recorded (backward() calls autograd.backward)
            return call()
        calls.append((kind, size(outputs)))
        busy.append(kind)
        try:
            return call()
        finally:
            busy.pop()

    class Spy(TorchFunctionMode):
        def __torch_function__(self, func, types, f_args=(), f_kwargs=None):
            call = lambda: func(*f_args, **(f_kwargs or {}))
            kind = next((name for watched, name in kinds if func is watched), None)
            return record(kind, f_args[0], call) if kind else call()

    backward = torch.autograd.backward
    torch.autograd.backward = lambda tensors, *a, **kw: record(
        "backward", tensors, lambda: backward(tensors, *a, **kw))
    try:
        with Spy():
            fn(*args, **kwargs)
    finally:
        torch.autograd.backward = backward
    return calls


def meta_shapes(build, input_shape, *args, **kwargs) -> list[tuple[int, ...]]:
    """The shapes of the parameters of ``build(*args, **kwargs)``, in order, built on the
    "meta" device (shapes only: no memory, no time) and run once on a batch of
    ``input_shape`` (which materialises lazy layers)."""
    with torch.device("meta"), torch.no_grad():
        net = build(*args, **kwargs)
        net(torch.zeros(input_shape))
    return [tuple(p.shape) for p in net.parameters()]


# What the visible checks' expressions can use besides the notebook's own names.
HELPERS = {"autograd_calls": autograd_calls, "behaviour": behaviour, "called": called,
           "call_order": call_order, "device_check": device_check, "meta_shapes": meta_shapes,
           "gradients": gradients, "raises": raises, "seeded_weights": seeded_weights,
           "set_parameters": set_parameters, "torch": torch}


class Check(NamedTuple):
    """One visible check: ``expression`` evaluated in the notebook gives ``expected``."""

    requirement: str
    expression: str
    expected: object
    hint: str = ""
    rtol: float = 1e-4
    atol: float = 1e-5


def _scope(namespace: dict, setup: str) -> dict:
    """The names the checks' expressions see: the notebook's, the helpers, and what ``setup``
    defines (seeded as grading seeds it; the notebook's own names are left alone)."""
    scope = {**namespace, **HELPERS}
    with seeded(0):
        exec(setup, scope)  # noqa: S102 - the test cell's own code
    return scope


def _run_checks(checks, namespace, setup="") -> dict[str, list[str]]:
    """{requirement: [what failed, ...]} for ``checks`` evaluated after ``setup``."""
    failed: dict[str, list[str]] = {check.requirement: [] for check in checks}
    try:
        scope = _scope(namespace, setup)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - every check fails with it
        problem = f"{setup.splitlines()[-1]}\n      raised {type(error).__name__}: {error}"
        return {name: [problem[:400]] for name in failed}
    for check in checks:
        try:
            with seeded(0):  # as grading seeds it
                got = plain(eval(check.expression, scope))  # noqa: S307
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - a crash is this check's verdict
            problem = f"raised {type(error).__name__}: {error}"[:300]
        else:
            problem = compare(got, check.expected, check.rtol, check.atol)
        if problem:
            failed[check.requirement].append(
                f"{check.expression}\n      {problem}" + (f"\n      Hint: {check.hint}"
                                                         if check.hint else ""))
    return failed


def check_requirements(exercise: str, namespace: dict, checks, *, setup: str = "",
                       forbidden=(), uses: dict | None = None) -> None:
    """The visible checks of ``exercise``: one line per requirement, met or not, then a
    :class:`CheckFailed` naming every requirement a check failed. ``setup`` defines the
    inputs the expressions share. ``uses`` has, for each earlier exercise this one may call,
    its visible checks (or a pair (setup, checks)): when this exercise fails, a wrong one
    among them is named as the likely cause (grading uses correct versions of them)."""
    try:
        with forbid(forbidden, exercise):
            failed = _run_checks(checks, namespace, setup)
    except NotImplementedError:
        raise NotImplementedError(f"{exercise} is not written yet") from None
    for requirement, problems in failed.items():
        print(("not met  " if problems else "ok       ") + requirement)
    bad = [f"requirement '{r}' not met:\n    " + "\n    ".join(p) for r, p in failed.items() if p]
    if bad:
        for name, dependency in (uses or {}).items():
            dependency_setup, dependency_checks = dependency if isinstance(dependency, tuple) \
                else ("", dependency)
            try:
                broken = any(_run_checks(dependency_checks, namespace, dependency_setup)
                             .values())
            except NotImplementedError:
                broken = True
            if broken:
                bad.insert(0, f"{exercise} uses your {name}, which fails its own check: fix "
                              f"{name} first.")
    verdict(exercise, not bad, "\n".join(bad))
    print(f"{exercise}: every visible check passes (grading also tries other inputs).")
