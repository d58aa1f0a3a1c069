# ch06's exercises, declared by requirement (see Requirement and Exercise in runtime.py; the
# docstrings' lists, the notebook's checks, the grading and the feedback all come from here).
# Dropout is random and the contract does not fix how the mask is drawn (rand_like, bernoulli,
# uniform_), so no check compares masks. The visible checks compare properties that every
# correct answer has (a kept fraction rounded to 2 decimals on a million entries, 10 standard
# deviations or more from the rounding boundary; a line of 60 entries never all kept or all
# dropped). Grading's hidden inputs return statistics, each with its expected value and a
# margin of 8 standard deviations or more, judged by _judge: a correct answer fails with
# probability below 1e-9. dropout_mlp is an nn.Sequential of fixed layers: its outputs are
# compared with seeded weights, in eval mode and in training mode at p = 0 and p = 1, where
# dropout is deterministic.
from torch import nn

from dlcourse.check import device_check

# What "without F.dropout / nn.Dropout" rules out: every route to PyTorch's own dropout. (The
# notebook's imports cell defines the same list.)
BUILT_IN_DROPOUT = [
    "torch.nn.functional.dropout", "torch.nn.functional.dropout1d", "torch.nn.functional.dropout2d",
    "torch.nn.functional.dropout3d", "torch.nn.functional.alpha_dropout",
    "torch.nn.functional.feature_alpha_dropout", "torch.dropout", "torch.dropout_",
    "torch.native_dropout", "torch.feature_dropout", "torch.alpha_dropout",
    "torch.nn.Dropout.forward",
]


# Correct versions of the exercises that later ones call: while an exercise is graded they
# stand in for the student's, so that one mistake costs one exercise.
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


# --- statistics and their judge ----------------------------------------------------------
def _stat(measured, expected, margin):
    return {"measured": float(measured), "expected": float(expected), "margin": float(margin)}


def _judge(got, want, where="result"):
    """None if ``got`` agrees with ``want``: a statistic within its margin of its expected
    value (both from the reference's result), anything else as ``compare`` judges it."""
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
        return next((p for k in want if (p := _judge(got[k], want[k], f"{where}[{k!r}]"))),
                    None)
    if type(want) in (list, tuple):
        if type(got) not in (list, tuple) or len(got) != len(want):
            return f"{where}: expected a sequence of {len(want)}, got {type(got).__name__}"
        return next((p for i, (g, w) in enumerate(zip(got, want))
                     if (p := _judge(g, w, f"{where}[{i}]"))), None)
    return compare(got, want, where=where)


def _kept(drop, p, X, fraction=True):
    """What dropout with ``p`` does to X (no zero in X): the fraction kept, and the smallest
    and largest kept entry over X * (1 - p), which must be 1."""
    before = X.clone()
    out = require_tensor(drop(X, p), "dropout")
    k = out != 0
    ratio = out[k].double() / before[k].double() * (1 - p) if bool(k.any()) else torch.ones(1)
    result = {"kept / X * (1 - p)": [float(ratio.min()), float(ratio.max())],
              "shape and dtype": [list(out.shape), str(out.dtype)]}
    if fraction:
        result["fraction kept"] = _stat(k.double().mean(), 1 - p,
                                        8 * math.sqrt(p * (1 - p) / X.numel()))
    return result


def _mixed(k, dim):
    """The fraction of lines along ``dim`` of the mask ``k`` that mix kept and dropped."""
    return (k.any(dim) & ~k.all(dim)).double().mean()


def _independence(drop, p):
    """One draw per entry, and a new one on each call, as statistics that do not depend on
    the fraction kept (that is the values requirement): each is 0 for independent draws,
    whatever that fraction f. Their margins are 8 times a bound on their standard deviation
    over every f: for neighbours, sd(mean of k_i k_i+1) + sd(f^2) <= 1.4 / sqrt(n); for two
    calls, sd(fraction changed) + sd(f1 + f2 - 2 f1 f2) <= 1.5 / sqrt(n)."""
    X = torch.rand(500, 400, generator=gen(61)) + 0.5
    k, again = drop(X.clone(), p) != 0, drop(X.clone(), p) != 0
    n = X.numel()
    f1, f2 = k.double().mean(), again.double().mean()
    flat = k.flatten().double()
    return {"rows mixed": _stat(_mixed(k, 1), 1, 0.01),
            "columns mixed": _stat(_mixed(k, 0), 1, 0.01),
            "neighbours both kept, less f^2": _stat((flat[:-1] * flat[1:]).mean() - f1 ** 2, 0,
                                                    8 * 1.4 / math.sqrt(n)),
            "entries whose mask changed between calls, less 2 f (1 - f)": _stat(
                (k != again).double().mean() - (f1 + f2 - 2 * f1 * f2), 0,
                8 * 1.5 / math.sqrt(n))}


def _layer_hidden(ns, what):
    return {f"p = {p}": what(ns["dropout_layer"], p) for p in (0.1, 0.3, 0.5, 0.8, 0.9)}


def _values_hidden(ns):
    drop = ns["dropout_layer"]
    result = _layer_hidden(ns, lambda f, p: _kept(f, p, torch.rand(250, 400, generator=gen(60))
                                                  + 0.5))
    g = gen(62)
    for shape in ((10,), (4, 5, 6), (2, 3, 4, 5)):
        for dtype in (torch.float32, torch.float64):
            X = torch.rand(shape, generator=g, dtype=dtype) + 0.5
            result[f"{shape}, {dtype}"] = _kept(drop, 0.4, X, fraction=False)
    return result


def _batch_hidden(ns):
    """Images of a batch and channels of an image get masks of their own (no mask drawn per
    image, per channel or per position and broadcast)."""
    X = torch.rand(64, 64, 6, 6, generator=gen(63)) + 0.5
    k = ns["dropout_layer"](X, 0.5) != 0
    return {"images of a batch mixed": _stat(_mixed(k, 0), 1, 0.01),
            "channels mixed": _stat(_mixed(k, 1), 1, 0.01),
            "planes mixed": _stat(_mixed(k.flatten(2), 2), 1, 0.01)}


def _edges_hidden(ns):
    drop, g, out = ns["dropout_layer"], gen(64), []
    for shape in ((10,), (4, 5, 6), (2, 3, 4, 5)):
        for dtype in (torch.float32, torch.float64):
            X = torch.randn(shape, generator=g, dtype=dtype) + 3
            results = [drop(X.clone(), p) for p in (0, 0.0, 1, 1.0)]
            out.append([results, [str(Y.dtype) for Y in results]])
    return out


def _untouched(ns):
    drop, g, out = ns["dropout_layer"], gen(65), []
    for shape in ((10,), (4, 5, 6)):
        for dtype in (torch.float32, torch.float64):
            for p in (0.3, 0.6):
                X = torch.randn(shape, generator=g, dtype=dtype) + 3
                before = X.clone()
                Y = drop(X, p)
                out.append([list(Y.shape), str(Y.dtype), torch.equal(X, before)])
    return out


def _gradient_hidden(ns):
    """d out / d X is out / X (the mask over 1 - p): the largest difference. X is passed as
    1 * X, an activation inside a network, so that modifying it in place (a requirement of its
    own) does not break the gradient."""
    out = {}
    for p in (0.3, 0.6):
        for dtype in (torch.float32, torch.float64):
            X = (torch.rand(50, 40, generator=gen(66), dtype=dtype) + 0.5).requires_grad_()
            Y = ns["dropout_layer"](1 * X, p)
            (grad,) = torch.autograd.grad(Y.sum(), X)
            out[f"p = {p}, {dtype}"] = round(float((grad - Y.detach() / X.detach())
                                                   .abs().max()), 4)
    return out


declare(
    "dropout_layer",
    Requirement("values", 1, "each entry is kept with probability 1 - p (dropped with "
                "probability p), and a kept entry becomes X / (1 - p)",
                visible=[("round((dropout_layer(torch.ones(1000, 1000), 0.2) != 0).float()"
                          ".mean().item(), 2)",
                          "keep an entry when its random number is above p: about 1 - p = 80% "
                          "of the entries survive"),
                         ("dropout_layer(torch.ones(1000, 1000), 0.2).unique()",
                          "rescale the kept entries by 1 / (1 - p) (1.25 here), not 1 / p"),
                         ("(lambda Y: [round(r.item(), 4) for r in (Y / torch.linspace(0.5, 2, "
                          "1000))[Y != 0].aminmax()])(dropout_layer(torch.linspace(0.5, 2, 1000), "
                          "0.3))",
                          "a kept entry is X / (1 - p): its ratio to X is 1 / 0.7 here")],
                hidden=_values_hidden, judge=_judge),
    Requirement("independent", 0.5, "one independent draw per entry, and a new mask on every "
                "call",
                visible=[("round((dropout_layer(torch.ones(1000, 1000), 0.5) != "
                          "dropout_layer(torch.ones(1000, 1000), 0.5)).float().mean().item(), 2)",
                          "two calls gave (nearly) the same mask: do not call torch.manual_seed "
                          "in dropout_layer, and do not store the mask"),
                         ("(lambda k: [bool((k.all(d) | (~k).all(d)).any()) for d in range(3)])"
                          "(dropout_layer(torch.ones(60, 60, 60), 0.5) != 0)",
                          "True means a whole line was kept or dropped together: draw one random "
                          "number per entry (torch.rand_like(X)), not one per row or image")],
                hidden=lambda ns: {**_layer_hidden(ns, _independence),
                                   "4-D": _batch_hidden(ns)}, judge=_judge),
    Requirement("edge cases", 0.5, "p = 0 returns X's values; p = 1 returns zeros of X's dtype "
                "(no nan from dividing by 1 - p = 0)",
                visible=[("dropout_layer(torch.arange(6.0).reshape(2, 3), 0)",
                          "p = 0 drops nothing: return X"),
                         ("dropout_layer(torch.arange(6.0).reshape(2, 3), 1.0)",
                          "p = 1 drops everything: return zeros before dividing by 1 - p = 0 "
                          "(0 * inf is nan)"),
                         ("dropout_layer(torch.ones(2, 3, dtype=torch.float64), 1).dtype",
                          "p = 1 (an int too): zeros of X's dtype (torch.zeros(X.shape) is "
                          "float32)")],
                hidden=_edges_hidden),
    Requirement("errors", 0.25, "raises ValueError unless 0 <= p <= 1",
                visible=[("raises(dropout_layer, torch.ones(3), 1.5)",
                          "check 0 <= p <= 1 first and raise ValueError(...) (not assert)"),
                         ("raises(dropout_layer, torch.ones(3), -0.1)",
                          "a negative p is invalid too: raise ValueError")],
                hidden=lambda ns: [raises(ns["dropout_layer"], torch.ones(4, 5), bad)
                                   for bad in (-0.1, 1.0001, 2, -1, 1.5, -1e-6)]),
    Requirement("result", 0.25, "the result has X's shape and dtype (float64 in, float64 out); "
                "X itself is not modified",
                visible=[("[(tuple(Y.shape), Y.dtype) for Y in [dropout_layer(torch.ones(2, 3, 4, "
                          "dtype=torch.float64), 0.5), dropout_layer(torch.ones(5, 1), 0.3)]]",
                          "build the result from X and a mask of X's dtype: no .float(), no "
                          "torch.tensor(...)"),
                         ("(lambda X: (dropout_layer(X, 0.5), X)[1])(torch.arange(1.0, 9.0))",
                          "this is X after the call: do not modify X in place (mul_, "
                          "X[mask] = 0), work on a new tensor")],
                hidden=_untouched),
    Requirement("gradients", 0.25, "gradients flow to X: d out / d X is out / X (the mask over "
                "1 - p)",
                visible=[("(lambda X: (lambda Y: torch.allclose(torch.autograd.grad(Y.sum(), X)[0],"
                          " Y.detach() / X.detach()))(dropout_layer(1 * X, 0.3)))"
                          "(torch.linspace(0.5, 1.5, 200).requires_grad_())",
                          "build the result from X with tensor operations: no .data, .detach(), "
                          ".numpy() or torch.no_grad()")],
                hidden=_gradient_hidden),
    Requirement("device", 0.25, "the result is on X's device (a GPU on Colab)",
                visible=[('device_check(dropout_layer, torch.ones(6, 7, device="meta"), 0.3)',
                          "the meta device stands in for a GPU: make the mask on X's device "
                          "(torch.rand_like(X)), not with torch.rand(X.shape)"),
                         ('device_check(dropout_layer, torch.ones(6, 7, device="meta"), 1.0)',
                          "p = 1: the zeros too go on X's device (torch.zeros(X.shape) is on "
                          "the CPU)")],
                hidden=lambda ns: [device_check(ns["dropout_layer"],
                                                torch.ones(shape, device="meta"), p)
                                   for shape in ((5,), (3, 4, 5)) for p in (0, 0.5, 1)]),
    forbidden=BUILT_IN_DROPOUT,
)


# --- Dropout -----------------------------------------------------------------------------
def _module_hidden(ns, what):
    return {f"p = {p}": what(ns["Dropout"], p) for p in (0.1, 0.6, 0.0, 1.0)}


def _training(Dropout, p):
    layer = Dropout(p)
    result = _kept(lambda X, q: layer(X), p, torch.rand(250, 400, generator=gen(67)) + 0.5)
    layer.eval()
    layer.train()
    k = layer(torch.ones(100, 100)) != 0
    result["training mode again, fraction kept"] = _stat(k.double().mean(), 1 - p,
                                                         8 * math.sqrt(p * (1 - p) / 1e4))
    return result


def _eval(Dropout, p):
    Y = torch.randn(30, 7, generator=gen(68))
    layer = Dropout(p).eval()
    net = nn.Sequential(nn.Identity(), Dropout(p)).eval()
    return {"eval mode": layer(Y), "inside nn.Sequential, eval mode": net(Y),
            "eval mode twice": layer(Y)}


declare(
    "Dropout",
    Requirement("training", 1, "in training mode (the default, and again after .train()) "
                "forward returns dropout_layer(X, p), with the p given to __init__",
                visible=[("round((Dropout(0.2)(torch.ones(1000, 1000)) != 0).float().mean()"
                          ".item(), 2)",
                          "in training mode (self.training) apply your dropout_layer with the "
                          "layer's p: about 1 - p = 80% of the entries survive"),
                         ("Dropout(0.2)(torch.ones(1000, 1000)).unique()",
                          "keep the p given to __init__ and drop with it: the kept entries "
                          "are scaled by 1 / (1 - 0.2) = 1.25"),
                         ("[Dropout(1.0)(torch.ones(2, 3)), Dropout(0.0)(torch.arange(3.0))]",
                          "store p as given: Dropout(1.0) drops everything, Dropout(0.0) "
                          "nothing"),
                         ("(lambda d: round((d.eval().train()(torch.ones(1000, 1000)) != 0)"
                          ".float().mean().item(), 2))(Dropout(0.3))",
                          "after .eval() then .train(), dropout is on again: read self.training "
                          "in forward")],
                hidden=lambda ns: _module_hidden(ns, _training), judge=_judge),
    Requirement("eval", 0.75, "in eval mode (after .eval(), on the layer or on a model that "
                "contains it) forward returns X unchanged: no dropout, no rescaling",
                visible=[("Dropout(0.25).eval()(torch.arange(6.0).reshape(2, 3))",
                          "in eval mode (not self.training) return X as it is: inverted dropout "
                          "already rescaled in training"),
                         ("nn.Sequential(nn.Identity(), Dropout(0.5)).eval()(torch.arange(4.0))",
                          "model.eval() sets self.training = False in every submodule: test "
                          "self.training (not self.train, a method, which is always true)")],
                hidden=lambda ns: _module_hidden(ns, _eval)),
    Requirement("module", 0.25, "an nn.Module without parameters, in training mode when created",
                visible=[("[isinstance(Dropout(0.5), nn.Module), Dropout(0.5).training, "
                          "len(list(Dropout(0.5).parameters()))]",
                          "subclass nn.Module and call super().__init__() first; p is a number, "
                          "not a Parameter")],
                hidden=lambda ns: _module_hidden(ns, lambda D, p: [
                    isinstance(D(p), nn.Module), D(p).training, len(list(D(p).parameters()))])),
    forbidden=BUILT_IN_DROPOUT,
    uses={"dropout_layer": _dropout_layer},
)


# --- dropout_mlp -------------------------------------------------------------------------
# A fixed input (smooth, positive and negative, every pixel different) and the net with
# seeded weights (He-scaled, biases in [-0.5, 0.5)), under which a missing ReLU shows; lazy
# layers are materialised by seeded_weights' forward pass at 1x28x28.
_X28 = ("x28 = torch.linspace(-1, 1, 3 * 28 * 28).reshape(3, 1, 28, 28).mul(5).sin()\n"
        "net = seeded_weights(dropout_mlp(0.2, 0.5), x28)\n"
        "\n"
        "def train_logits(p1, p2, x=x28):  # training mode, seeded weights\n"
        "    return seeded_weights(dropout_mlp(p1, p2), x).train()(x)")


def _mlp(ns, p1, p2, X):
    return seeded_weights(ns["dropout_mlp"](p1, p2), X[:1])


def _mlp_layers(ns):
    net = _mlp(ns, 0.3, 0.1, torch.zeros(1, 1, 28, 28))
    return [isinstance(net, nn.Sequential), [list(p.shape) for p in net.parameters()]]


def _mlp_outputs(ns, configurations):
    X = torch.randn(8, 1, 28, 28, generator=gen(69))
    out = []
    for p1, p2, training in configurations:
        net = _mlp(ns, p1, p2, X).train(training)
        with torch.no_grad():
            out.append(net(X))
    return out


def _same_rows(y):
    return bool(torch.allclose(y, y[:1].expand_as(y), rtol=1e-5, atol=1e-6))


def _placement(ns, X):
    """Where the two Dropout layers act, from what p = 0 and p = 1 do in training mode,
    whatever the other layers compute (a missing ReLU is the forward requirement)."""
    with torch.no_grad():
        t = {(p1, p2): _mlp(ns, p1, p2, X).train()(X)
             for p1, p2 in ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0))}
        plain = _mlp(ns, 0.0, 0.0, X)
        zeros = plain.eval()(torch.zeros_like(X))
        same_modes = torch.allclose(plain.train()(X), plain.eval()(X), rtol=1e-5, atol=1e-6)
    close = lambda a, b: bool(torch.allclose(a, b, rtol=1e-5, atol=1e-6))  # noqa: E731
    return {"p1 = 1 or p2 = 1: the same logits for every image":
            [_same_rows(t[1.0, 0.0]), _same_rows(t[0.0, 1.0])],
            "p2 = 1: p1 does not matter": close(t[0.0, 1.0], t[1.0, 1.0]),
            "p1 = 1 and p2 = 1 differ": not close(t[1.0, 0.0], t[0.0, 1.0]),
            "p1 = 1 is not the input set to 0": not close(t[1.0, 0.0], zeros),
            "p1 = p2 = 0: training mode is eval mode": bool(same_modes)}


def _mlp_behaviour(ns, keys):
    X = torch.randn(16, 1, 28, 28, generator=gen(70))
    out = {}
    for p1, p2 in ((0.2, 0.5), (0.5, 0.1)):
        seen = behaviour(_mlp(ns, p1, p2, X), X)
        out[f"p1 = {p1}, p2 = {p2}"] = {key: seen[key] for key in keys}
    return out


declare(
    "dropout_mlp",
    Requirement("layers", 0.5, "one nn.Sequential whose Linear layers are 784 -> 256, 256 -> 256 "
                "and 256 -> 10, with biases: 269,322 parameters",
                visible=[("isinstance(net, nn.Sequential)", "return one nn.Sequential"),
                         ("[tuple(p.shape) for p in net.parameters()]",
                          "Linear(784, 256), Linear(256, 256), Linear(256, 10), in this order")],
                hidden=_mlp_layers),
    Requirement("forward", 0.75, "in eval mode: Flatten, Linear, ReLU, Linear, ReLU, Linear: "
                "images (N, 1, 28, 28) to logits (N, 10), dropout switched off",
                visible=[("net.eval()(x28)",
                          "a ReLU after each hidden Linear and none after the last; nn.Flatten() "
                          "first; Dropout layers (not F.dropout) so that eval() turns them off"),
                         ("behaviour(net, x28)['eval: deterministic']",
                          "in eval mode the output must not be random")],
                hidden=lambda ns: [_mlp_outputs(ns, ((0.3, 0.6, False), (0.5, 0.1, False))),
                                   _mlp_behaviour(ns, ("logits", "every parameter used",
                                                       "eval: deterministic",
                                                       "eval: images independent"))],
                rtol=5e-4, atol=5e-5),
    Requirement("dropout", 0.75, "in training mode, Dropout(p1) after the first hidden ReLU and "
                "Dropout(p2) after the second, nowhere else (p1 = 1 cuts the first hidden layer, "
                "p2 = 1 the second)",
                visible=[("[torch.allclose(y, y[:1].expand_as(y)) for y in "
                          "(train_logits(1.0, 0.0), train_logits(0.0, 1.0))]",
                          "p1 = 1 must cut the first hidden layer and p2 = 1 the second (the "
                          "logits then no longer depend on the image): use p1 and p2, in this "
                          "order, as drop probabilities"),
                         ("torch.allclose(train_logits(0.0, 1.0), train_logits(1.0, 1.0))",
                          "Dropout(p2) comes after Dropout(p1): with p2 = 1, p1 no longer "
                          "matters"),
                         ("torch.allclose(train_logits(1.0, 0.0), train_logits(0.0, 1.0))",
                          "Dropout(p1) after the first hidden ReLU, Dropout(p2) after the second: "
                          "cutting one or the other gives different logits"),
                         ("torch.allclose(train_logits(1.0, 0.0), seeded_weights(dropout_mlp(0.0, "
                          "0.0), x28).eval()(torch.zeros_like(x28)))",
                          "dropout acts on the hidden layers, not on the input image"),
                         ("(lambda n: torch.allclose(n.train()(x28), n.eval()(x28)))"
                          "(seeded_weights(dropout_mlp(0.0, 0.0), x28))",
                          "with p1 = p2 = 0, training mode is the plain MLP"),
                         ("behaviour(net, x28)['training: dropout active']",
                          "in training mode dropout changes the hidden layers, never the logits "
                          "themselves: no Dropout after the last Linear")],
                hidden=lambda ns: [_placement(ns, torch.randn(8, 1, 28, 28, generator=gen(69))),
                                   _mlp_behaviour(ns, ("training: dropout active",))]),
    uses={"dropout_layer": _dropout_layer, "Dropout": _Dropout},
    setup=_X28,
)
