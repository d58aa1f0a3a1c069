# Probes of ch08 (see autograder/verdicts/__init__.py). Each calls the student's functions on
# fixed inputs and returns plain data; the grader compares it with the reference's in its own
# process. Inputs are generated here, in both processes, from fixed seeds.
import contextlib

from torch import nn
from torch.nn import functional as F

_CONVS = ("p1_1", "p2_1", "p2_2", "p3_1", "p3_2", "p4_2")


@contextlib.contextmanager
def _seeded(seed):
    # The probe runs in the student's kernel: leave its random state as it found it.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def _he_by_shape(module):
    """He-scaled random weights and biases in [-0.5, 0.5), seeded by each parameter's shape so
    that layer order and names do not matter. Unlike fill_by_shape's smooth patterns, they
    keep a 22-layer net's output sensitive to every ReLU and pooling."""
    with torch.no_grad():
        for p in module.parameters():
            g = gen(sum(d * 1009 ** i for i, d in enumerate(p.shape)) % 2 ** 31)
            if p.dim() == 1:
                p.copy_(torch.rand(p.shape, generator=g) - 0.5)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * math.sqrt(2 / p[0].numel()))
    return module


def probe_Inception(ns):
    # Distinct channel counts, so that no two paths can be swapped unnoticed; sizes down to
    # 1x1, where the paddings matter most.
    configs = [(6, 4, (3, 5), (2, 7), 2, (2, 6, 9, 8)),
               (5, 3, (4, 6), (5, 2), 7, (3, 5, 5, 7)),
               (8, 2, (5, 3), (3, 4), 6, (2, 8, 1, 1)),
               (3, 6, (5, 4), (4, 9), 5, (2, 3, 2, 3))]
    result = []
    for i, (cin, c1, c2, c3, c4, shape) in enumerate(configs):
        X = torch.randn(shape, generator=gen(80 + i))
        with _seeded(80 + i), torch.no_grad():
            block = ns["Inception"](cin, c1, c2, c3, c4)
            block(X)  # materialises lazy layers
            out = _he_by_shape(block)(X)
        convs = [getattr(block, name) for name in _CONVS]
        result.append({"weight shapes": [tuple(m.weight.shape) for m in convs],
                       "biases": [m.bias is not None for m in convs],
                       "output": out})
    return result


class _Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def probe_googlenet(ns):
    # googlenet is judged with a reference Inception, as its tests do, so that a mistake in
    # the student's Inception is not counted twice.
    missing = object()
    students = ns.get("Inception", missing)
    ns["Inception"] = _Inception
    try:
        result = []
        # Inputs just large enough for b5 to see 2x2 maps (global average and max pooling
        # differ) and for every padding to matter; in_channels and num_classes used.
        for cin, k, size in ((1, 10, 64), (3, 7, 40)):
            X = torch.randn(2, cin, size, size, generator=gen(82 + cin))
            with _seeded(82 + cin), torch.no_grad():
                net = ns["googlenet"](cin, k)
                net(X[:1])  # materialises lazy layers
                out = _he_by_shape(net)(X)
            layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
            result.append({
                "nn.Sequential": isinstance(net, nn.Sequential),
                "parameters": sum(p.numel() for p in net.parameters()),
                "weight shapes": sorted(tuple(m.weight.shape) for m in layers),
                "biases": all(m.bias is not None for m in layers),
                "output": out,
            })
        return result
    finally:
        if students is missing:
            ns.pop("Inception", None)
        else:
            ns["Inception"] = students


def _loose(got, want, where="result"):
    """The default comparison, with room for float32 rounding through a deep net on another
    CPU or thread count (up to 3e-6 of the largest value measured here, while the mistakes
    change it by 3e-3 or more)."""
    if isinstance(want, torch.Tensor):
        if type(got) is not torch.Tensor or got.shape != want.shape:
            return f"{where}: expected a tensor of shape {tuple(want.shape)}"
        scale = max(1.0, float(want.abs().max()))
        if not torch.allclose(got.double(), want.double(), rtol=5e-4, atol=5e-5 * scale):
            return f"{where}: values differ (largest {float((got - want).abs().max()):.3g})"
        return None
    if type(want) is dict:
        if type(got) is not dict or set(got) != set(want):
            return f"{where}: expected keys {sorted(want)}"
        pairs = [(got[k], want[k], f"{where}[{k!r}]") for k in want]
    elif type(want) in (list, tuple):
        if type(got) not in (list, tuple) or len(got) != len(want):
            return f"{where}: expected a sequence of {len(want)}"
        pairs = [(g, w, f"{where}[{i}]") for i, (g, w) in enumerate(zip(got, want))]
    else:
        return None if type(got) is type(want) and got == want else \
            f"{where}: {got!r}, expected {want!r}"
    return next(filter(None, (_loose(*pair) for pair in pairs)), None)


def compare_googlenet(got, want):
    return _loose(got, want)
