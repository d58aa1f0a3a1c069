# Probes of ch07 (see autograder/verdicts/__init__.py). Each calls the student's functions on
# fixed inputs and returns plain data; the grader compares it with the reference's in its own
# process. Inputs are generated here, in both processes, from fixed seeds.
from collections import OrderedDict

from torch import nn


def _light_linear(linear):
    """Make linear compute x W^T + b for a He-scaled W whose rows repeat a block of 256
    columns, seeded by its shape, without its own weight: writing AlexNet's 43 M dense
    weights would take most of the probe's time."""
    n_out, n_in = linear.weight.shape
    g = gen(n_out * 1009 + n_in)
    block = torch.randn(n_out, 256, generator=g) * math.sqrt(2 / n_in)
    bias = torch.rand(n_out, generator=g) - 0.5
    linear.forward = lambda x: torch.nn.functional.pad(x, (0, -n_in % 256)).unflatten(
        -1, (-1, 256)).sum(-2) @ block.T + bias


def probe_alexnet(ns):
    result = {}
    for c, k in ((3, 5), (4, 2), (1, 10)):
        # On the meta device only shapes are computed: building and running 47 M parameters
        # takes milliseconds, and the forward pass materialises lazy layers.
        with torch.device("meta"), torch.no_grad():
            net = ns["alexnet"](in_channels=c, num_classes=k)
            out = net(torch.zeros(2, c, 224, 224))
        layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
        result[f"alexnet({c}, {k})"] = {
            "nn.Sequential": isinstance(net, nn.Sequential),
            "output shape": tuple(out.shape),
            "parameters": sum(p.numel() for p in net.parameters()),
            "weight shapes": [tuple(m.weight.shape) for m in layers],
            "biases": [m.bias is not None for m in layers],
            "dropout p": sorted(float(m.p) for m in net.modules() if isinstance(m, nn.Dropout)),
        }

    # One pass of the last net (1 channel, 10 classes) in training mode, with weights that
    # make every layer matter. The first Linear's input checks every convolution, ReLU,
    # padding and pooling; the dense layers' inputs and outputs show where the dropout is,
    # whatever its random mask (ReLU and dropout commute, so both orders are right).
    net.to_empty(device="cpu")  # allocated, but not written unless used
    dense = [m for m in layers if isinstance(m, nn.Linear)]
    for m in layers:
        if isinstance(m, nn.Linear):
            _light_linear(m)
        else:
            he_by_shape(m)
    seen = []
    hooks = [m.register_forward_hook(lambda m, args, out: seen.append(
        (args[0].detach().clone(), out.detach().clone()))) for m in dense]
    net.train()
    try:
        with seeded(70), torch.no_grad():
            out = net(torch.randn(1, 1, 224, 224, generator=gen(71)))
    finally:
        for h in hooks:
            h.remove()
    if len(seen) != 3:
        return result | {"dense layer calls": len(seen)}
    (in1, out1), (in2, out2), (in3, out3) = seen
    result["features (input of the first Linear)"] = in1
    for i, (hidden, nxt) in enumerate(((out1, in2), (out2, in3)), start=1):
        active, kept = torch.relu(hidden), nxt != 0
        result[f"hidden layer {i}: kept units are ReLU outputs times 2"] = bool(
            torch.allclose(nxt[kept], 2 * active[kept], rtol=1e-4, atol=1e-5))
        result[f"hidden layer {i}: about half the active units kept"] = bool(
            abs(kept[active > 0].float().mean().item() - 0.5) < 0.1)
    result["logits are the last Linear's output"] = bool(torch.equal(out, out3))
    return result


def compare_alexnet(got, want):
    """The default comparison, with room for float32 rounding through a deep net on another
    CPU or thread count (up to 3e-6 of the largest value measured here, while the mistakes
    change it by 3e-3 or more)."""
    return compare(got, want, rtol=5e-4, atol=5e-5)


class _Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        return x + self.conv(x)


def _entry(entry):
    # The contract says (str, tuple of ints); lists and tuples look alike once compared, so
    # the types are part of what the probe reports.
    if not (isinstance(entry, tuple) and len(entry) == 2):
        return f"not a (name, shape) pair: {type(entry).__name__}"
    name, shape = entry
    ints = isinstance(shape, tuple) and all(isinstance(d, int) for d in shape)
    return [str(name) if isinstance(name, str) else repr(name)[:100],
            [int(d) for d in shape] if ints else f"not a tuple of ints: {shape!r}"[:100]]


def probe_layer_shapes(ns):
    with seeded(72):  # the dropout in training mode draws random numbers
        return _layer_shapes(ns)


def _layer_shapes(ns):
    nets = [
        (nn.Sequential(
            nn.Conv2d(2, 6, kernel_size=5, stride=2, padding=1), nn.ReLU(),
            nn.MaxPool2d(3, 2), nn.Conv2d(6, 10, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.LazyLinear(24), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(24, 7)), ((3, 2, 30, 30), (1, 2, 33, 34))),
        (nn.Sequential(OrderedDict([
            ("features", nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2))),
            ("block", _Residual(4)),
            ("pool", nn.AdaptiveAvgPool2d((3, 2))),
            ("flatten", nn.Flatten()),
            ("head", nn.Sequential(nn.Linear(24, 12), nn.Tanh(), nn.Linear(12, 3))),
        ])), ((2, 1, 13, 11), (4, 1, 8, 9))),
        (nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(3, stride=1), nn.Flatten()),
         ((5, 3, 14, 12),)),
    ]
    with torch.no_grad():
        nets[0][0](torch.zeros(1, 2, 30, 30))  # materialise the lazy layer
    result = []
    for net, shapes in nets:
        for mode in (True, False):
            net.train(mode)
            for shape in shapes:
                before = [p.detach().clone() for p in net.parameters()]
                got = ns["layer_shapes"](net, shape)
                result.append({
                    "input shape": shape,
                    "training": mode,
                    "a list": isinstance(got, list),
                    "entries": [_entry(e) for e in got],
                    "mode unchanged": all(m.training == mode for m in net.modules()),
                    "parameters unchanged": all(torch.equal(p, q)
                                                for p, q in zip(net.parameters(), before)),
                })
    return result


def probe_small_alexnet(ns):
    # Any design is accepted, so only what the contract fixes is reported: shapes, size,
    # layer kinds, logits, dropout in training mode only, images treated one by one, and
    # every parameter in use.
    result = {}
    for k in (10, 4):
        with seeded(73 + k):
            net = ns["small_alexnet"](num_classes=k)
            X = torch.randn(16, 1, 28, 28)
            y = torch.randint(0, k, (16,))
            net.train()
            with torch.no_grad():
                out, again = net(X), net(X)
            net.eval()
            with torch.no_grad():
                first, second = net(X), net(X)
                alone = torch.cat([net(X[i:i + 1]) for i in (0, 7, 15)])
            params = [p for p in net.parameters() if p.requires_grad]
            loss = torch.nn.functional.cross_entropy(net(X), y)
            grads = torch.autograd.grad(loss, params, allow_unused=True)
        result[f"small_alexnet({k})"] = {
            "output shape": tuple(out.shape),
            "under 2,000,000 parameters": sum(p.numel() for p in net.parameters()) < 2_000_000,
            "has Conv2d": any(isinstance(m, nn.Conv2d) for m in net.modules()),
            "has Dropout": any(isinstance(m, nn.Dropout) for m in net.modules()),
            "logits (rows do not sum to 1)": not torch.allclose(out.sum(1), torch.ones(16),
                                                                atol=1e-3),
            "training mode: no zeroed logits": not bool((out == 0).any()),
            "training mode: dropout active": not torch.equal(out, again),
            "eval mode: deterministic": torch.equal(first, second),
            "eval mode: one image at a time": bool(torch.allclose(
                alone, first[[0, 7, 15]], rtol=1e-4, atol=1e-5)),
            "every parameter gets a gradient": all(
                g is not None and bool(g.ne(0).any()) for g in grads),
        }
    return result
