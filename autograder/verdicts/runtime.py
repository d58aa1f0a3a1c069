"""What every probe module can use. This file and a chapter's probe module are executed as one
piece of source, twice: in the student's kernel (on the student's namespace) and in the grader
(on the reference solution's namespace). Nothing here may import from ``autograder``."""

import contextlib
import math
import sys

import torch
from torch.overrides import TorchFunctionMode

# The tests' own helper, for the probes: like the hidden tests, an exercise that calls earlier
# ones is judged on correct versions of them (``with replaced(ns, corr2d=reference)``).
from dlcourse.check import replaced  # noqa: F401


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def fill_by_shape(module: torch.nn.Module) -> torch.nn.Module:
    """Give every parameter values that depend only on its shape, so that two implementations
    creating the same layers in a different order or under other names get the same weights.
    Values are of order 1/sqrt(fan_in), like a default initialisation."""
    with torch.no_grad():
        for p in module.parameters():
            n = p.numel()
            fan_in = max(1, n // p.shape[0]) if p.dim() > 1 else max(1, n)
            phase = (sum(p.shape) * 0.37) % 1.0
            values = torch.sin(torch.arange(n, dtype=torch.float64) * 1.618 + phase)
            p.copy_((values / math.sqrt(fan_in)).reshape(p.shape).to(p.dtype))
    return module


def plain(value):
    """The value as plain data (tensors detached, on the CPU, not subclasses)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().as_subclass(torch.Tensor).clone()
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value) if type(value) in (list, tuple) \
            else [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    try:  # NumPy scalars and arrays
        return plain(torch.as_tensor(value))
    except Exception:  # noqa: BLE001
        return repr(value)[:200]


def run_probe(name: str, ns: dict):
    """{"value": ...} or {"error": "..."}: what the probe of exercise ``name`` saw."""
    try:
        return {"value": plain(globals()[f"probe_{name}"](ns))}
    except BaseException as error:  # noqa: BLE001 - a broken answer is a result too
        return {"error": f"{type(error).__name__}: {error}"[:500]}


def compare(got, want, rtol: float = 1e-4, atol: float = 1e-5, where: str = "result"):
    """None if ``got`` matches ``want`` (same structure, numbers within tolerance), else why not.
    Lists and tuples are interchangeable; integers match equal floats; tensors must have the
    same shape, and floating tensors are compared in float64 relative to the largest value.
    Here rather than in the package, so that a chapter's compare functions can call it with
    other tolerances."""
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
            if not torch.allclose(g, w, rtol=rtol, atol=atol * max(1.0, scale), equal_nan=True):
                largest = float((g - w).abs().max())
                return f"{where}: values differ (largest difference {largest:.3g})"
            return None
        if not torch.equal(got.to(torch.int64), want.to(torch.int64)):
            return f"{where}: values differ"
        return None
    if type(want) in (list, tuple):
        if type(got) not in (list, tuple) or len(got) != len(want):
            return f"{where}: expected a sequence of {len(want)}, got {type(got).__name__}"
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


def require_tensor(value, what):
    """``value`` if it is a tensor, else TypeError: a NumPy array would become a tensor in
    plain(), and the contracts ask for a tensor."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{what} returned a {type(value).__name__}, not a tensor")
    return value


@contextlib.contextmanager
def seeded(seed):
    """torch's global generator seeded within the block: the probe runs in the student's
    kernel, so its random state is left as it was found."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


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
def forbid(exercise, paths):
    """RuntimeError after the block if it used one of the built-ins named by ``paths``
    ("torch.linalg.norm", "numpy.linalg.norm"): the kernel's test that refuses them can be
    forged. Torch functions are seen by a torch-function mode, others (NumPy) by replacing the
    attribute for the time of the block."""
    watched, patched = {}, []
    for path in paths:
        root, *attrs = path.split(".")
        owner, obj = None, sys.modules.get(root)
        for attr in attrs:
            owner, obj = obj, getattr(obj, attr, None)
        if obj is None:
            continue
        if root == "torch":
            watched[path] = obj
        else:
            patched.append((owner, attrs[-1], obj, path))
    spy = Calls(watched)

    def recording(original, path):
        def call(*args, **kwargs):
            spy.seen.append(path)
            return original(*args, **kwargs)
        return call

    try:
        for owner, attr, original, path in patched:
            setattr(owner, attr, recording(original, path))
        with spy:
            yield
    finally:
        for owner, attr, original, _ in reversed(patched):
            setattr(owner, attr, original)
    if spy.seen:
        raise RuntimeError(f"{exercise} must not use {spy.seen[0]}")


def device_agnostic(fn, *args, **kwargs):
    """Says "ok" where the tests' checks on meta tensors (standing in for a GPU) pass: no device
    error, no tensor made on the CPU handed the input's values, a result on the meta device."""
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError as error:  # an op meta tensors cannot do says nothing...
        if "meta tensor" in str(error):  # ...unless it copied them into a CPU tensor
            return f"not device-agnostic: {error}"[:200]
        return "ok"
    except (RuntimeError, ValueError, TypeError) as error:
        return f"not device-agnostic: {error}"[:200] if "device" in str(error) else "ok"
    if isinstance(out, torch.Tensor) and out.device.type != "meta":
        return f"the result is on {out.device}"
    return "ok"


def he_by_shape(module):
    """He-scaled random weights and biases in [-0.5, 0.5), seeded by each parameter's shape so
    that layer order and names do not matter. Unlike fill_by_shape's smooth patterns, they
    keep a deep net's output sensitive to every ReLU and pooling."""
    with torch.no_grad():
        for p in module.parameters():
            g = gen(sum(d * 1009 ** i for i, d in enumerate(p.shape)) % 2 ** 31)
            if p.dim() == 1:
                p.copy_(torch.rand(p.shape, generator=g) - 0.5)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * math.sqrt(2 / p[0].numel()))
    return module
