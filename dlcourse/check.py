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
from collections.abc import Callable, Iterable

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

__all__ = [
    "CheckFailed", "count_calls", "expect_close", "expect_equal", "expect_raises",
    "expect_device_agnostic", "expect_true", "forbid", "replaced", "verdict",
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
            setattr(owner, attr, refusing(path))
        with _Watch({obj: path for _, _, obj, path in saved}, refuse):
            yield
    except ForbiddenCall:
        pass  # judged below, as a failed check rather than a crash
    finally:
        for owner, attr, original, _ in reversed(saved):
            setattr(owner, attr, original)
    verdict(exercise, not attempts, f"must not use {attempts[0]}" if attempts else "")
