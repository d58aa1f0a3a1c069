# Probes of ch06 (see autograder/verdicts/__init__.py). Dropout is random and the contract does
# not fix how the mask is drawn (rand_like, bernoulli, uniform_), so the random parts come back
# as statistics, each with its expected value and a margin of 8 standard deviations or more,
# judged by the compare functions below; what the contract fixes exactly is compared exactly.
from torch import nn
from torch.nn import functional as F

BUILT_IN_DROPOUT = [F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout,
                    F.feature_alpha_dropout, torch.dropout, torch.dropout_, torch.native_dropout,
                    torch.feature_dropout, torch.alpha_dropout]


def _dropout_layer(X, p):
    if not 0 <= p <= 1:
        raise ValueError(p)
    if p == 0:
        return X
    if p == 1:
        return torch.zeros_like(X)
    return (torch.rand_like(X) > p).to(X.dtype) * X / (1 - p)


class _Dropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        return _dropout_layer(X, self.p) if self.training else X


def _stat(measured, expected, margin):
    return {"measured": float(measured), "expected": float(expected), "margin": float(margin)}


def _masks(drop, p, n_calls=2):
    """Statistics of dropout on a (250, 400) tensor: what the contract fixes about the mask."""
    X = torch.rand(250, 400, generator=gen(60)) + 0.5
    before = X.clone()
    outs = [drop(X, p) for _ in range(n_calls)]
    kept = [out != 0 for out in outs]
    n, k = X.numel(), kept[0]
    # kept entries are X / (1 - p), each of them
    ratio = (outs[0][k] / X[k] * (1 - p)) if bool(k.any()) else torch.ones(1)
    result = {"fraction kept": _stat(k.double().mean(), 1 - p, 8 * math.sqrt(p * (1 - p) / n)),
              "smallest kept / X * (1 - p)": float(ratio.min()),
              "largest kept / X * (1 - p)": float(ratio.max()),
              "X after the calls": float((X - before).abs().max())}
    if 0 < p < 1:  # one draw per entry: rows and columns mix kept and dropped entries
        result["rows mixed"] = _stat((k.any(1) & ~k.all(1)).double().mean(), 1, 0.01)
        result["columns mixed"] = _stat((k.any(0) & ~k.all(0)).double().mean(), 1, 0.01)
    if n_calls > 1:  # a new mask on each call
        q = 2 * p * (1 - p)
        result["entries whose mask changed between calls"] = _stat(
            (kept[0] != kept[1]).double().mean(), q, 16 * math.sqrt(q / n))
    return result


def _device(f, *args):
    """The device of f's result on a "meta" tensor (a stand-in for a GPU)."""
    try:
        return f(*args).device.type
    except NotImplementedError:  # an operation meta tensors lack: says nothing about devices
        return "inconclusive"
    except (RuntimeError, ValueError, TypeError) as error:
        return "inconclusive" if "device" not in str(error) else f"error: {error}"[:200]


def probe_dropout_layer(ns):
    drop = ns["dropout_layer"]
    with torch.random.fork_rng(devices=[]), Calls(BUILT_IN_DROPOUT) as calls:
        torch.manual_seed(61)
        result = {f"p = {p}": _masks(drop, p) for p in (0.1, 0.5, 0.8)}
        edges = []
        for shape in ((10,), (4, 5, 6)):
            for dtype in (torch.float32, torch.float64):
                X = torch.randn(shape, generator=gen(62), dtype=dtype) + 3
                before = X.clone()
                out = drop(X, 0.4)
                edges.append({"p = 0": drop(X, 0), "p = 1": drop(X, 1.0),
                              "p = 0.4, shape and dtype": [list(out.shape), str(out.dtype)],
                              "X after the calls": X - before})
        result["edge cases"] = edges
        raised = []
        for bad in (-0.1, 1.0001, 2, -1):
            try:
                drop(X, bad)
                raised.append(False)
            except ValueError:
                raised.append(True)
        result["ValueError for p outside [0, 1]"] = raised
        X = (torch.rand(50, 40, generator=gen(63)) + 0.5).requires_grad_()
        out = drop(X, 0.3)
        out.sum().backward()
        # d out / d X is the mask over 1 - p
        result["gradient - mask / (1 - p)"] = float((X.grad - (out != 0).float() / 0.7).abs().max())
        result["device of the result"] = [_device(drop, torch.ones(6, 7, device="meta"), p)
                                          for p in (0.3, 1.0)]
    result["built-ins called"] = calls.names()
    return result


def compare_dropout_layer(got, want):
    if type(got) is dict and type(got.get("device of the result")) is list:
        # meta tensors lack some operations (bernoulli, boolean indexing): no verdict then
        got = {**got, "device of the result": [
            w if g == "inconclusive" else g
            for g, w in zip(got["device of the result"], want["device of the result"])]}
    return _compare(got, want)


def probe_Dropout(ns):
    result = {}
    with (torch.random.fork_rng(devices=[]), replaced(ns, dropout_layer=_dropout_layer),
          Calls(BUILT_IN_DROPOUT) as calls):
        torch.manual_seed(62)
        Y = torch.randn(30, 7, generator=gen(64))
        for p in (0.1, 0.6, 0.0, 1.0):
            layer = ns["Dropout"](p)
            state = {"training mode at first": layer.training,
                     "parameters": len(list(layer.parameters()))}
            state.update(_masks(lambda X, q, layer=layer: layer(X), p, n_calls=1))
            layer.eval()
            state["eval mode"] = layer(Y)
            layer.train()
            kept = (layer(torch.ones(100, 100)) != 0).double().mean()
            state["training mode again, fraction kept"] = _stat(kept, 1 - p,
                                                                 8 * math.sqrt(p * (1 - p) / 1e4))
            result[f"p = {p}"] = state
        net = nn.Sequential(nn.Identity(), ns["Dropout"](0.5)).eval()
        result["inside nn.Sequential, eval mode"] = net(Y)
    result["built-ins called"] = calls.names()
    return result


def compare_Dropout(got, want):
    return _compare(got, want)


def probe_dropout_mlp(ns):
    X = torch.randn(8, 1, 28, 28, generator=gen(65))
    result = []
    with replaced(ns, dropout_layer=_dropout_layer, Dropout=_Dropout), torch.no_grad():
        # p = 0 and p = 1 make training mode deterministic: a whole hidden layer kept or cut
        for p1, p2, mode in ((0.3, 0.6, "eval"), (0.0, 0.0, "train"), (1.0, 0.0, "train"),
                             (0.0, 1.0, "train")):
            net = ns["dropout_mlp"](p1, p2)
            fill_by_shape(net)
            net.train(mode == "train")
            result.append({"nn.Sequential": isinstance(net, nn.Sequential),
                           "parameter shapes": [list(p.shape) for p in net.parameters()],
                           f"output, p1 = {p1}, p2 = {p2}, {mode} mode": net(X)})
    return result


def _compare(got, want, where="result"):
    """None if got matches want: statistics within their margin, tensors and numbers close,
    anything else equal."""
    if type(want) is dict and set(want) == {"measured", "expected", "margin"}:
        if type(got) is not dict or type(got.get("measured")) is not float:
            return f"{where}: expected a measurement"
        if not abs(got["measured"] - want["expected"]) <= want["margin"]:
            return (f"{where}: {got['measured']:.4g}, expected {want['expected']:.4g} "
                    f"± {want['margin']:.2g}")
        return None
    if type(want) is dict:
        if type(got) is not dict or set(got) != set(want):
            return f"{where}: expected keys {sorted(want)}"
        return next((p for k in want if (p := _compare(got[k], want[k], f"{where}[{k!r}]"))),
                    None)
    if type(want) in (list, tuple):
        if type(got) not in (list, tuple) or len(got) != len(want):
            return f"{where}: expected a sequence of {len(want)}"
        return next((p for i, (g, w) in enumerate(zip(got, want))
                     if (p := _compare(g, w, f"{where}[{i}]"))), None)
    if type(want) is torch.Tensor:
        if type(got) is not torch.Tensor or got.shape != want.shape:
            return f"{where}: expected a tensor of shape {tuple(want.shape)}"
        g, w = got.double(), want.double()
        scale = max([1.0, *w.abs().flatten().tolist()])
        if not torch.allclose(g, w, rtol=1e-5, atol=1e-6 * scale):
            return f"{where}: values differ"
        return None
    if type(want) is float:
        if type(got) not in (int, float) or not math.isclose(got, want, rel_tol=1e-5,
                                                             abs_tol=1e-6):
            return f"{where}: {got!r}, expected {want!r}"
        return None
    if type(got) is not type(want) or got != want:
        return f"{where}: {got!r}, expected {want!r}"
    return None
