"""What every probe module can use. This file and a chapter's probe module are executed as one
piece of source, twice: in the student's kernel (on the student's namespace) and in the grader
(on the reference solution's namespace). Nothing here may import from ``autograder``."""

import math

import torch


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
