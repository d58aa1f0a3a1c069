# ch02's exercises, declared by requirement (see Requirement and Exercise in runtime.py): each
# requirement's statement, points, visible expressions (the notebook's test cell checks them
# against the reference's stored values) and hidden inputs (grading only). Everything the
# docstrings list, the notebook checks, grading scores and the feedback says comes from here.
from copy import deepcopy

from torch import nn

# What "without nn.Linear", "without nn.MSELoss" and "without autograd" rule out: every route
# to the built-ins (the notebook's imports cell defines the same lists).
BUILT_IN_LINEAR = ["torch.nn.functional.linear", "torch._C._nn.linear", "torch.nn.Linear.forward"]
BUILT_IN_MSE = ["torch.nn.functional.mse_loss", "torch._C._nn.mse_loss",
                "torch.nn.MSELoss.forward"]
# What counting the parameters yourself rules out: the built-in that later chapters count with.
BUILT_IN_COUNT = ["torch.nn.utils.parameters_to_vector",
                  "torch.nn.utils.convert_parameters.parameters_to_vector"]
# What "from scratch" rules out in linear regression: d2l's own versions, and torch.optim.
BUILT_IN_SYNTHETIC = ["d2l.torch.synthetic_data"]
BUILT_IN_SGD = ["d2l.torch.sgd", "torch.optim.Optimizer.__init__", "torch.optim.sgd.sgd",
                "torch.optim._functional.sgd"]
AUTOGRAD = ["torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward",
            "torch.autograd.functional.jacobian", "torch.autograd.functional.vjp",
            "torch.func.grad", "torch.func.vjp", "torch.func.jacrev", "torch.func.jacfwd"]

_DTYPES = (torch.float32, torch.float64)


# --- linear_forward ----------------------------------------------------------------------
# Rectangular shapes catch transposes; C == D ones catch x @ weight that happens to run;
# N = 1 and D = 1 catch a squeeze.
_LINEAR_SHAPES = ((1, 1, 1), (3, 5, 2), (7, 4, 4), (2, 6, 9), (16, 3, 1), (1, 8, 5))

# The notebook's example: x (N, C) = (2, 3), weight (D, C) = (4, 3), bias (D,) = (4,).
_LINEAR_SETUP = """\
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])  # (N, C) = (2, 3)
weight = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [2.0, 0.0, -1.0]])
bias = torch.tensor([0.5, 0.0, -1.0, 1.0])  # weight (D, C) = (4, 3), bias (D,) = (4,)
"""


def _gradcheck(f, *inputs):
    """Whether autograd's gradients of f with respect to each input agree with finite
    differences (in float64): a result computed from the inputs themselves, whatever its
    values (those are the values' concern), and in whatever dtype (the dtype's)."""
    leaves = tuple(x.detach().double().requires_grad_() for x in inputs)
    return torch.autograd.gradcheck(f, leaves, eps=1e-3, atol=1e-2, rtol=1e-2,
                                    raise_exception=False)


def _if_no_bias_works(f, x, weight, what, otherwise):
    """what() where f(x, weight) gives a tensor, else ``otherwise``: a bias=None that fails is
    the concern of "no bias" alone."""
    if raises(f, x, weight) != "no error" or not isinstance(f(x, weight), torch.Tensor):
        return otherwise
    return what()


def _linear_cases(ns, what):
    g, out = gen(21), []
    for N, C, D in _LINEAR_SHAPES:
        for dtype in _DTYPES:
            x, weight, bias = (torch.randn(s, generator=g, dtype=dtype)
                               for s in ((N, C), (D, C), (D,)))
            out.append(what(ns["linear_forward"], x, weight, bias))
    return out


declare(
    "linear_forward",
    Requirement("values", 1, "what nn.Linear computes, of shape (N, D): Y[n, d] is the dot "
                "product of x[n] with weight[d] (weight is (D, C) as in nn.Linear), plus "
                "bias[d] (N = 1 and D = 1 too)",
                visible=[("linear_forward(x, weight, bias)",
                          "row n is the lecture's W x + b for the sample x[n], written as a row; "
                          "the bias is added to every row"),
                         ("linear_forward(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), "
                          "torch.tensor([[0.0, 1.0], [-1.0, 2.0]]), torch.tensor([0.0, 10.0]))",
                          "weight is (D, C), out-features first: a product with weight as it "
                          "is stored gives other numbers (and still runs when C = D)"),
                         ("linear_forward(torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, -1.0]]),"
                          " torch.tensor([0.5]))",
                          "keep the shape (N, D) when N = 1 or D = 1: no squeeze")],
                hidden=lambda ns: _linear_cases(ns, lambda f, x, w, b: f(x, w, b))),
    Requirement("no bias", 0.25, "bias=None: no bias, nothing added",
                visible=[("linear_forward(x, weight)",
                          "bias=None means no bias: add nothing (test for None itself: `if "
                          "bias:` fails on a tensor of several elements)")],
                hidden=lambda ns: _linear_cases(ns, lambda f, x, w, b: [f(x, w), f(x, w, None)])),
    Requirement("gradients", 0.5, "autograd's gradients with respect to x, weight and bias are "
                "those of the function computed (no .detach(), .data, NumPy, or copies into an "
                "nn.Linear)",
                visible=[("torch.autograd.gradcheck(linear_forward, (x.double().requires_grad_(), "
                          "weight.double().requires_grad_(), bias.double().requires_grad_()), "
                          "eps=1e-3, atol=1e-2, rtol=1e-2, raise_exception=False)",
                          "gradcheck compares autograd's gradients with finite differences: "
                          "compute with the tensors themselves, no .detach(), .data, .numpy() "
                          "or torch.tensor(...) on the way")],
                hidden=lambda ns: _linear_cases(ns, lambda f, x, w, b: [
                    _gradcheck(f, x, w, b),
                    _if_no_bias_works(f, x, w, lambda: _gradcheck(lambda a, c: f(a, c), x, w),
                                      True)])),
    Requirement("dtype and device", 0.25, "the result has x's dtype (float64 in, float64 out) "
                "and is on x's device (a GPU on Colab)",
                visible=[("linear_forward(x.double(), weight.double(), bias.double()).dtype",
                          "compute in x's dtype: no .float(), no output buffer made with "
                          "torch.zeros(...)"),
                         ('device_check(linear_forward, torch.ones(3, 4, device="meta"), '
                          'torch.ones(2, 4, device="meta"), torch.ones(2, device="meta"))',
                          "the meta device stands in for a GPU: make no tensor on the CPU"),
                         ('device_check(linear_forward, torch.ones(3, 4, device="meta"), '
                          'torch.ones(2, 4, device="meta"))',
                          "bias=None: add nothing, or make zeros on x's device")],
                hidden=lambda ns: _linear_cases(ns, lambda f, x, w, b: [
                    str(f(x, w, b).dtype),
                    _if_no_bias_works(f, x, w, lambda: str(f(x, w).dtype), str(x.dtype))])),
    forbidden=BUILT_IN_LINEAR,
    setup=_LINEAR_SETUP,
)


# --- linear_backward ---------------------------------------------------------------------
_BACKWARD_SHAPES = ((1, 1, 1), (3, 5, 2), (6, 4, 4), (2, 6, 9), (16, 3, 1), (1, 8, 5),
                    (5, 5, 5), (4, 7, 4))

_BACKWARD_SETUP = """\
x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])  # (N, C) = (2, 3)
weight = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [2.0, 0.0, -1.0]])
grad_y = torch.tensor([[1.0, 0.0, 0.0, 1.0], [0.0, 2.0, -1.0, 0.0]])  # (N, D) = (2, 4)
"""


def _backward_cases(ns, what):
    g, out = gen(22), []
    for N, C, D in _BACKWARD_SHAPES:
        for dtype in _DTYPES:
            grad_y, x, weight = (torch.randn(s, generator=g, dtype=dtype)
                                 for s in ((N, D), (N, C), (D, C)))
            with torch.no_grad():
                out.append(what(ns["linear_backward"](grad_y, x, weight)))
    return out


def _backward_one(i):
    return lambda ns: _backward_cases(ns, lambda grads: grads[i])


declare(
    "linear_backward",
    Requirement("grad_x", 0.75, "grad_x, the gradient of the loss with respect to x, of x's "
                "shape (N, C)",
                visible=[("torch.no_grad()(linear_backward)(grad_y, x, weight)[0]",
                          "x[n, c] feeds every output of its row n, through weight[:, c]: add "
                          "up those contributions; the result has x's shape (N, C)")],
                hidden=_backward_one(0)),
    Requirement("grad_w", 0.75, "grad_w, the gradient with respect to weight, of weight's "
                "shape (D, C): the contributions of the N samples summed, not averaged",
                visible=[("torch.no_grad()(linear_backward)(grad_y, x, weight)[1]",
                          "weight[d, c] is used by every sample, with x[n, c]: add up the "
                          "contributions of the N samples; the result has weight's shape (D, "
                          "C)")],
                hidden=_backward_one(1)),
    Requirement("grad_b", 0.75, "grad_b, the gradient with respect to the bias, of shape (D,): "
                "the contributions of the N samples summed, not averaged",
                visible=[("torch.no_grad()(linear_backward)(grad_y, x, weight)[2]",
                          "the bias is added to every row: its gradient collects what comes "
                          "back from all N samples (a sum, not a mean), one value per output")],
                hidden=_backward_one(2)),
    Requirement("dtype", 0.25, "the three gradients have the inputs' dtype (float64 in, float64 "
                "out)",
                visible=[("[g.dtype for g in torch.no_grad()(linear_backward)(grad_y.double(), "
                          "x.double(), weight.double())]",
                          "make helper tensors from the inputs (zeros_like, new_zeros), not "
                          "with torch.zeros(...)")],
                hidden=lambda ns: _backward_cases(ns, lambda grads: [str(t.dtype)
                                                                     for t in grads])),
    Requirement("device", 0.5, "the three gradients are on the inputs' device (a GPU on Colab)",
                visible=[("device_check(lambda *a: torch.cat([g.reshape(-1) for g in "
                          'linear_backward(*a)]), torch.ones(4, 2, device="meta"), '
                          'torch.ones(4, 3, device="meta"), torch.ones(2, 3, device="meta"))',
                          "the meta device stands in for a GPU: make every helper tensor on "
                          "grad_y's device, and no NumPy")]),
    forbidden=AUTOGRAD,
    setup=_BACKWARD_SETUP,
)


# --- mse ---------------------------------------------------------------------------------
_MSE_SHAPES = ((1,), (5,), (3, 4), (8, 1), (2, 3, 4), (2, 1, 5, 5))


def _mse_cases(ns, what):
    g, out = gen(24), []
    for shape in _MSE_SHAPES:
        for dtype in _DTYPES:
            x = torch.randn(shape, generator=g, dtype=dtype)
            y = torch.randn(shape, generator=g, dtype=dtype)
            out.append(what(ns["mse"], x, y))
    return out


declare(
    "mse",
    Requirement("values", 1, "a 0-dim tensor: the mean, over all the elements, of the squared "
                "differences between input and target",
                visible=[("mse(torch.tensor([[3.0]]), torch.tensor([[0.0]]))",
                          "a 0-dim tensor: the mean of the squared differences (no sqrt, no "
                          ".item())"),
                         ("mse(torch.arange(12.0).reshape(4, 3), torch.ones(4, 3))",
                          "average over all 12 elements, not over the 4 rows: len(input) is "
                          "the number of rows, and a mean along one dimension gives a tensor of "
                          "means"),
                         ("mse(torch.ones(2, 2), torch.ones(2, 2))",
                          "equal tensors have a zero error")],
                hidden=lambda ns: _mse_cases(ns, lambda f, x, y: f(x, y))),
    Requirement("gradients", 0.5, "differentiable with respect to input: autograd's gradient "
                "is that of the function computed (no .item(), .detach() or torch.tensor(...))",
                visible=[("torch.autograd.gradcheck(lambda input: mse(input, torch.tensor([0.0, "
                          "2.0, 5.0]).double()), torch.tensor([1.0, 2.0, 3.0]).double()"
                          ".requires_grad_(), eps=1e-3, atol=1e-2, rtol=1e-2, "
                          "raise_exception=False)",
                          "gradcheck compares autograd's gradients with finite differences: "
                          "compute with input itself, no .item(), .detach() or "
                          "torch.tensor(...) on the way")],
                hidden=lambda ns: _mse_cases(ns, lambda f, x, y: _gradcheck(
                    lambda input: f(input, y.double()), x))),
    Requirement("dtype", 0.25, "the result has input's dtype (float64 in, float64 out)",
                visible=[("mse(torch.ones(2, 3, dtype=torch.float64), "
                          "torch.zeros(2, 3, dtype=torch.float64)).dtype",
                          "no .float(): the loss keeps the inputs' dtype")],
                hidden=lambda ns: _mse_cases(ns, lambda f, x, y: str(f(x, y).dtype))),
    Requirement("device", 0.25, "the result is on input's device (a GPU on Colab)",
                visible=[('device_check(mse, torch.ones(3, 4, device="meta"), '
                          'torch.zeros(3, 4, device="meta"))',
                          "the meta device stands in for a GPU: no .cpu(), no tensor made on "
                          "the CPU")]),
    forbidden=BUILT_IN_MSE,
)


# --- pm1_targets -------------------------------------------------------------------------
def _pm1_cases():
    g = gen(25)
    cases = [(torch.randint(0, K, (N,), generator=g), K)
             for N, K in ((1, 1), (1, 10), (5, 2), (20, 10), (7, 30), (64, 3))]
    return cases


def _pm1_untouched(ns):
    out = []
    for labels, K in _pm1_cases() + [(torch.zeros(3, dtype=torch.long), 5)]:
        ns["pm1_targets"](labels, K)
        out.append(labels)  # after the call
    return out


declare(
    "pm1_targets",
    Requirement("values", 1, "row n is 1 at column labels[n] and -1 elsewhere: shape (N, "
                "num_classes)",
                visible=[("pm1_targets(torch.tensor([2, 0, 1]), 4)",
                          "+1 at column labels[n] and -1 elsewhere (not 0); one row per label")],
                hidden=lambda ns: [ns["pm1_targets"](labels, K) for labels, K in _pm1_cases()]),
    Requirement("classes", 0.25, "num_classes columns even when some classes do not appear; an "
                "empty batch gives shape (0, num_classes)",
                visible=[("tuple(pm1_targets(torch.tensor([0, 1, 0]), 5).shape)",
                          "num_classes columns, not labels.max() + 1"),
                         ("tuple(pm1_targets(torch.zeros(0, dtype=torch.long), 4).shape)",
                          "an empty batch gives an empty (0, num_classes) tensor, no error")],
                hidden=lambda ns: [tuple(ns["pm1_targets"](labels, K).shape) for labels, K in (
                    (torch.zeros(3, dtype=torch.long), 5), (torch.tensor([1, 1]), 7),
                    (torch.zeros(0, dtype=torch.long), 1), (torch.zeros(0, dtype=torch.long), 6))]),
    Requirement("dtype", 0.25, "the result is float32",
                visible=[("pm1_targets(torch.tensor([1, 0]), 2).dtype",
                          "float32 targets: a tensor filled with the ints -1 and 1 is int64, "
                          "one made with NumPy float64")],
                hidden=lambda ns: [str(ns["pm1_targets"](labels, K).dtype)
                                   for labels, K in _pm1_cases()]),
    Requirement("device", 0.25, "the result is on labels' device (a GPU on Colab)",
                visible=[('device_check(pm1_targets, torch.tensor([1, 0, 2], device="meta"), 3)',
                          "the meta device stands in for a GPU: make every new tensor on "
                          "labels' device")]),
    Requirement("labels", 0.25, "labels is not modified",
                visible=[("(labels := torch.tensor([2, 0, 1]), pm1_targets(labels, 3))[0]",
                          "no in-place operation on labels (unsqueeze_, labels[...] = ...)")],
                hidden=_pm1_untouched),
)


# --- Net ---------------------------------------------------------------------------------
_NET_SETUP = "x_net = torch.sin(torch.arange(2 * 784.0)).reshape(2, 1, 28, 28)  # 2 fixed images\n"
_LAYERS = ("conv1", "conv2", "fc1", "fc2")


def _net_outputs(ns):
    g, out = gen(27), []
    for N in (1, 2, 7):
        x = torch.randn(N, 1, 28, 28, generator=g)
        out.append(he_by_shape(ns["Net"](), x)(x))
    return out


def _without_gradient(ns):
    """The parameters that no image of a batch, one at a time, gives a gradient."""
    x = torch.randn(3, 1, 28, 28, generator=gen(28))
    net, used = he_by_shape(ns["Net"](), x[:1]), set()
    for i in range(len(x)):
        grads = gradients(net, x[i:i + 1])
        used |= {n for n, g in grads.items() if g is not None and bool(g.any())}
    return sorted({n for n, _ in net.named_parameters()} - used)


declare(
    "Net",
    Requirement("layers", 0.5, "attributes conv1, conv2 (nn.Conv2d) and fc1, fc2 (nn.Linear) of "
                "the sizes above, all with biases: 105,506 parameters",
                visible=[("{n: tuple(p.shape) for n, p in seeded_weights(Net(), x_net[:1])"
                          ".named_parameters()}",
                          "four layers, registered under the names conv1, conv2, fc1 and fc2, "
                          "with the sizes of the docstring (in and out channels, kernel size, "
                          "in and out features), all with biases"),
                         ("{n: type(m).__name__ for n, m in seeded_weights(Net(), x_net[:1])"
                          ".named_children() if n in ('conv1', 'conv2', 'fc1', 'fc2')}",
                          "conv1 and conv2 are nn.Conv2d, fc1 and fc2 nn.Linear")]),
    Requirement("forward", 2, "the output (N, 10) for a batch of N images, the layers applied "
                "in the order above (checked with fixed weights: seeded_weights)",
                visible=[("seeded_weights(Net(), x_net[:1])(x_net[:1])",
                          "apply the layers in the docstring's order: max-pooling before each "
                          "ReLU, pooling sizes 3 then 2, and no ReLU on the output"),
                         ("seeded_weights(Net(), x_net)(x_net)",
                          "each image on its own: flatten to (N, 256), not to one vector")],
                hidden=_net_outputs, rtol=1e-3, atol=1e-4),
    Requirement("gradients", 0.5, "every parameter gets a gradient from the output",
                visible=[("sorted(n for n, g in gradients(seeded_weights(Net(), x_net[:1]), "
                          "x_net[:1]).items() if g is None or not g.any())",
                          "these parameters get no gradient: use every layer in forward, "
                          "without .detach() or .data")],
                hidden=_without_gradient),
    setup=_NET_SETUP,
)


# --- count_parameters --------------------------------------------------------------------
_COUNT_SETUP = """\
shared = nn.Linear(5, 5)  # one layer used twice: its 30 parameters count once
encoder, decoder = nn.Linear(4, 4), nn.Linear(4, 4)
decoder.weight = encoder.weight  # tied weights: one 4 x 4 Parameter in two layers
head = nn.Linear(4, 2)
bn = nn.BatchNorm1d(6)  # parameters weight and bias; buffers running_mean, running_var, ...
"""


class _Custom(nn.Module):
    def __init__(self, buffer=True):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))  # 0-dim parameters are count's (plain's)
        self.matrix = nn.Parameter(torch.zeros(2, 3, 4))
        if buffer:
            self.register_buffer("running", torch.zeros(100))
        self.frozen = nn.Parameter(torch.zeros(50), requires_grad=False)


def _count_modules():
    """{kind: [modules]}: plain ones, with frozen parameters (no buffers), with shared ones (no
    frozen parameters, no buffers), with buffers. Each kind holds only its own difficulty, so
    that a mistake about another one does not show in it."""
    frozen = nn.Linear(3, 4)
    frozen.bias.requires_grad_(False)
    deep = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3), nn.Flatten(), nn.Linear(16, 3))
    deep[0].requires_grad_(False)
    tied = nn.Linear(4, 4)
    block = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    embed, head = nn.Embedding(11, 3), nn.Linear(3, 11)
    head.weight = embed.weight
    return {
        "plain": [nn.ReLU(), nn.Linear(3, 4), nn.Linear(7, 1, bias=False), nn.Conv2d(3, 8, 3),
                  nn.Embedding(11, 3), nn.Sequential(nn.Linear(10, 6), nn.ReLU(),
                                                     nn.Linear(6, 2)),
                  nn.ModuleList([nn.Linear(2, 2), nn.ParameterList([nn.Parameter(
                      torch.zeros(2, 3, 4)), nn.Parameter(torch.ones(()))])])],
        "frozen": [frozen, deep, nn.Linear(5, 5).requires_grad_(False), _Custom(buffer=False)],
        "shared": [nn.Sequential(tied, nn.Tanh(), nn.Linear(4, 4), nn.Tanh(), tied),
                   nn.Sequential(nn.Sequential(block, nn.Linear(3, 3)), block),
                   nn.ModuleDict({"embed": embed, "head": head})],
        "buffers": [nn.BatchNorm1d(6), nn.Sequential(nn.Linear(10, 6), nn.BatchNorm1d(6),
                                                      nn.ReLU(), nn.Linear(6, 2)),
                    nn.ModuleList([nn.Linear(2, 2), _Custom()])],
    }


def _counts(kind):
    return lambda ns: [int(ns["count_parameters"](m)) for m in _count_modules()[kind]]


# frozen, shared and buffers compare count_parameters with itself: the count of a module minus
# that of the same module without the difficulty (frozen parameters removed as bias=False
# removes a bias, the buffers removed, each parameter listed once), 0 when the difficulty is
# handled, whatever else the count gets wrong (that is count's concern).
def _without_frozen(module):
    module = deepcopy(module)
    for m in module.modules():
        for name, p in list(m._parameters.items()):
            if p is not None and not p.requires_grad:
                m._parameters[name] = None
    return module


def _without_buffers(module):
    module = deepcopy(module)
    for m in module.modules():
        m._buffers.clear()
    return module


def _listed_once(module):
    return nn.ParameterList(list(module.parameters()))


def _excess(kind, reference):
    return lambda ns: [int(ns["count_parameters"](m) - ns["count_parameters"](reference(m)))
                       for m in _count_modules()[kind]]


def _result_types(ns):
    """The types count_parameters returns, on the modules where it does not fail (a failure is
    the concern of the requirement whose modules show it)."""
    return returned_types(ns["count_parameters"],
                          [(m,) for ms in _count_modules().values() for m in ms])


declare(
    "count_parameters",
    Requirement("count", 0.75, "the number of scalars in the parameters of module and of all "
                "its submodules, whatever their type (a 4 x 3 weight holds 12); 0 without "
                "parameters",
                visible=[("int(count_parameters(nn.Linear(3, 4)))",
                          "count scalars, not parameter tensors: 4 x 3 weights + 4 biases"),
                         ("int(count_parameters(nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), "
                          "nn.Flatten(), nn.Linear(8, 2))))",
                          "every submodule's parameters count, whatever the layer type"),
                         ("int(count_parameters(nn.ParameterList([nn.Parameter(torch.zeros(2, 3, "
                          "4)), nn.Parameter(torch.ones(()))])))",
                          "a (2, 3, 4) parameter holds 24 scalars and a 0-dim one holds 1; "
                          "len(p) is the size of the first dimension only"),
                         ("int(count_parameters(nn.ReLU()))", "no parameters: 0")],
                hidden=_counts("plain")),
    Requirement("frozen", 0.25, "parameters with requires_grad=False do not count",
                visible=[("int(count_parameters(nn.Linear(3, 4).requires_grad_(False)))",
                          "a frozen parameter (requires_grad=False) is not trainable: a frozen "
                          "layer counts 0"),
                         ("int(count_parameters(nn.Sequential(nn.Linear(3, 4)"
                          ".requires_grad_(False), head)) - count_parameters(head))",
                          "a frozen layer adds nothing to the count of the rest")],
                hidden=_excess("frozen", _without_frozen)),
    Requirement("shared", 0.5, "a parameter shared between submodules (a layer used twice, tied "
                "weights) counts once",
                visible=[("int(count_parameters(nn.Sequential(shared, nn.ReLU(), shared)) - "
                          "count_parameters(shared))",
                          "a layer used twice is one set of parameters: counting it per use "
                          "counts it twice"),
                         ("int(count_parameters(nn.Sequential(nn.Sequential(shared), "
                          "nn.Sequential(nn.Tanh(), shared))) - count_parameters(shared))",
                          "the same layer in two branches counts once: adding up the counts of "
                          "the branches counts it twice"),
                         ("int(count_parameters(nn.Sequential(encoder, nn.ReLU(), decoder)) - "
                          "count_parameters(nn.ParameterList([encoder.weight, encoder.bias, "
                          "decoder.bias])))",
                          "a Parameter in two layers (tied weights) counts once: adding up "
                          "layer by layer counts it twice")],
                hidden=_excess("shared", _listed_once)),
    Requirement("buffers", 0.25, "buffers (such as batch norm's running statistics) do not count",
                visible=[("int(count_parameters(bn) - count_parameters(nn.ParameterList("
                          "[bn.weight, bn.bias])))",
                          "running_mean, running_var and num_batches_tracked are buffers, not "
                          "parameters: not state_dict()")],
                hidden=_excess("buffers", _without_buffers)),
    Requirement("int", 0.25, "returns a Python int, not a tensor or a NumPy number",
                visible=[("type(count_parameters(nn.Linear(3, 4))).__name__",
                          "return a Python int: a sum computed with torch is a tensor")],
                hidden=_result_types),
    setup=_COUNT_SETUP,
    forbidden=BUILT_IN_COUNT,
)


# --- NotBuggy ----------------------------------------------------------------------------
_NOTBUGGY_SETUP = '''\
# Attributes of model's modules that keep a tensor or a module that model does not register
# (a plain attribute, a dict, a list, a tuple): .to() does not move it, state_dict() misses it.
def unregistered(model):
    known = {id(t) for t in [*model.parameters(), *model.buffers(), *model.modules()]}
    found = []
    for name, module in model.named_modules():
        for key, value in vars(module).items():
            inside = (value.values() if isinstance(value, dict) else
                      value if isinstance(value, (list, tuple)) else [value])
            if any(isinstance(v, (torch.Tensor, nn.Module)) and id(v) not in known
                   for v in inside):
                found.append(f"{name}.{key}".lstrip("."))
    return sorted(found)
'''


def _unregistered(model):
    """Paths of tensors and modules kept in plain attributes (lists, dicts, tuples), which
    .to() does not move and state_dict() does not save."""
    registered = {id(t) for t in (*model.parameters(), *model.buffers())}
    registered |= {id(m) for m in model.modules()}
    found = []

    def walk(obj, path, depth):
        if isinstance(obj, (torch.Tensor, nn.Module)):
            if id(obj) not in registered:
                found.append(path)
        elif depth < 4 and isinstance(obj, dict):
            for key, value in obj.items():
                walk(value, f"{path}[{key!r}]", depth + 1)
        elif depth < 4 and isinstance(obj, (list, tuple, set)):
            for i, value in enumerate(obj):
                walk(value, f"{path}[{i}]", depth + 1)

    for module in model.modules():
        for key, value in vars(module).items():
            if key not in ("_parameters", "_buffers", "_modules"):
                walk(value, key, 0)
    return sorted(found)


def _saved_and_moved(ns):
    model = ns["NotBuggy"]()
    result = [_unregistered(model), sorted(list(t.shape) for t in model.state_dict().values())]
    model.double()
    return result + [sorted({str(t.dtype) for t in model.state_dict().values()})]


declare(
    "NotBuggy",
    Requirement("registered", 1, "parameters() yields the conv's weight and bias, the 123 x 456 "
                "Parameter and the Linear's weight (21 x 543) and bias, nothing else",
                visible=[("sorted(tuple(p.shape) for p in NotBuggy().parameters())",
                          "a dict or a list hides the Linear (nn.ModuleDict, nn.ModuleList, "
                          "add_module or an attribute register it); a plain tensor or a buffer "
                          "is not a parameter")]),
    Requirement("trainable", 0.25, "every parameter is trainable (requires_grad) and float32",
                visible=[("sorted({(p.requires_grad, str(p.dtype)) for p in "
                          "NotBuggy().parameters()})",
                          "nn.Parameter(torch.randn(123, 456)): requires_grad=True and float32 "
                          "by default")]),
    Requirement("saved and moved", 0.75, "state_dict() holds exactly those tensors, and no "
                "tensor or module sits in a plain attribute, a dict, a list or a tuple "
                "(.to() would not move it)",
                visible=[("sorted(tuple(t.shape) for t in NotBuggy().state_dict().values())",
                          "state_dict() saves parameters and buffers, not what sits in a dict "
                          "or a list"),
                         ("unregistered(NotBuggy())",
                          "these attributes keep a tensor or a module that NotBuggy does not "
                          "register: .to(device) would leave it behind")],
                hidden=_saved_and_moved),
    setup=_NOTBUGGY_SETUP,
)


# --- synthetic_data ----------------------------------------------------------------------
_DATA_SETUP = """\
w_true, b_true = torch.tensor([2.0, -3.4]), 4.2  # d2l's example


def data(seed, n=10_000, w=w_true, b=b_true):  # synthetic_data with a generator seeded `seed`
    return synthetic_data(w, b, n, torch.Generator().manual_seed(seed))


def noise(X, y, w=w_true, b=b_true):  # what y adds to X w + b, whatever the shapes and types
    X, y = torch.as_tensor(X).double(), torch.as_tensor(y).double().reshape(-1)
    return y - (X @ w.double() + b)
"""
_DATA_CASES = ((torch.tensor([2.0, -3.4]), 4.2), (torch.tensor([0.5]), -1.0),
               (torch.tensor([1.0, 0.0, -2.0, 3.0, 0.25]), 0.0))


def _moments(ns):
    """Mean and standard deviation of X and of the noise, over large samples, rounded to
    what a sample of that size determines."""
    f, out = ns["synthetic_data"], []
    for seed, (w, b) in enumerate(_DATA_CASES):
        X, y = f(w, b, 40_000, gen(100 + seed))
        X = torch.as_tensor(X).double()
        e = torch.as_tensor(y).double().reshape(-1) - (X @ w.double() + b)
        out.append([round(float(X.mean()), 1), round(float(X.std()), 1),
                    round(float(e.mean()), 3), round(float(e.std()), 3)])
    return out


def _data_shapes(ns):
    f = ns["synthetic_data"]
    return [[tuple(t.shape) for t in f(w, b, n, gen(7))] for w, b in _DATA_CASES
            for n in (1, 7, 100)]


def _reproducible(ns):
    f, out = ns["synthetic_data"], []
    for seed, (w, b) in enumerate(_DATA_CASES):
        first, again = f(w, b, 50, gen(seed)), f(w, b, 50, gen(seed))
        other = f(w, b, 50, gen(seed + 10))
        before = torch.get_rng_state()
        f(w, b, 5, gen(seed))
        untouched = torch.equal(before, torch.get_rng_state())
        torch.manual_seed(seed)
        a = f(w, b, 20)
        torch.manual_seed(seed)
        c = f(w, b, 20)
        out.append([all(torch.equal(torch.as_tensor(p), torch.as_tensor(q))
                        for p, q in zip(first, again)),
                    not torch.equal(torch.as_tensor(first[0]), torch.as_tensor(other[0])),
                    untouched,
                    all(torch.equal(torch.as_tensor(p), torch.as_tensor(q)) for p, q in zip(a, c))])
    return out


def _data_dtypes(ns):
    f = ns["synthetic_data"]
    return [[str(getattr(t, "dtype", type(t).__name__)) for t in f(w, b, 4, gen(3))]
            for w, b in _DATA_CASES]


declare(
    "synthetic_data",
    Requirement("values", 0.75, "X has independent standard normal entries, and y = X w + b "
                "plus independent normal noise of standard deviation 0.01, for any number of "
                "features",
                visible=[("[round(float(v), 1) for v in (data(0)[0].mean(), data(0)[0].std())]",
                          "X ~ N(0, 1): mean 0, standard deviation 1 (torch.normal or "
                          "torch.randn, not torch.rand)"),
                         ("[round(float(v), 3) for v in (noise(*data(0)).mean(), "
                          "noise(*data(0)).std())]",
                          "y is X w + b plus noise of standard deviation 0.01 (not variance "
                          "0.01): y - (X w + b) has mean 0 and standard deviation 0.01"),
                         ("round(float(noise(*data(1, w=torch.tensor([1.0, 0.0, -1.0]), b=0.5), "
                          "w=torch.tensor([1.0, 0.0, -1.0]), b=0.5).std()), 3)",
                          "len(w) features, here 3: X has shape (num_examples, len(w))")],
                hidden=_moments),
    Requirement("shapes", 0.5, "X has shape (num_examples, len(w)) and y (num_examples, 1), "
                "a column, as d2l's",
                visible=[("[tuple(t.shape) for t in data(0, n=5)]",
                          "y is a column (num_examples, 1): reshape X @ w, whose shape is "
                          "(num_examples,)"),
                         ("[tuple(t.shape) for t in data(0, n=1, w=torch.tensor([3.0]))]",
                          "one example of one feature: X (1, 1), y (1, 1)")],
                hidden=_data_shapes),
    Requirement("generator", 0.5, "every random number comes from generator, or from torch's "
                "global generator when it is None (torch.manual_seed makes it reproducible)",
                visible=[("all(torch.equal(p, q) for p, q in zip(data(3, n=50), data(3, n=50)))",
                          "the same seeded generator, the same data: draw X and the noise "
                          "from generator (generator=generator)"),
                         ("(lambda before: (data(4, n=5), torch.equal(before, "
                          "torch.get_rng_state()))[1])(torch.get_rng_state())",
                          "given a generator, torch's global one is left alone"),
                         ("all(torch.equal(p, q) for p, q in zip(*[(torch.manual_seed(7), "
                          "synthetic_data(w_true, b_true, 20))[1] for _ in range(2)]))",
                          "generator=None: torch's global generator, so that torch.manual_seed "
                          "makes the data reproducible (not NumPy's)")],
                hidden=_reproducible),
    Requirement("float32", 0.25, "X and y are float32 tensors",
                visible=[("[t.dtype for t in data(0, n=3)]",
                          "torch.normal and torch.randn make float32; NumPy makes float64")],
                hidden=_data_dtypes),
    forbidden=BUILT_IN_SYNTHETIC,
    setup=_DATA_SETUP,
)


# --- sgd ---------------------------------------------------------------------------------
_SGD_SETUP = """\
def after_sgd(lr=0.1, batch_size=4, walk_once=False):
    # sgd on w (2 values) and b (1 value) whose gradients are 3 and 2: their values and
    # gradients afterwards, and whether each is still a leaf that requires grad
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    b = torch.tensor([0.5], requires_grad=True)
    (3 * w.sum() + 2 * b.sum()).backward()
    sgd(iter([w, b]) if walk_once else [w, b], lr, batch_size)
    return {"values": [p.detach().tolist() for p in (w, b)],
            "grads": [None if p.grad is None else p.grad.tolist() for p in (w, b)],
            "leaves": [p.is_leaf and p.requires_grad for p in (w, b)]}
"""


def _sgd_params(seed, dtype=torch.float32):
    g = gen(seed)
    shapes = ((3, 4), (4,), (1,), (2, 3, 2))
    params = [torch.randn(s, generator=g, dtype=dtype).requires_grad_() for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=g, dtype=dtype)
    return params


def _sgd_after(ns, walk_once=False):
    out = []
    for seed, (lr, batch_size, dtype) in enumerate(((0.1, 4, torch.float32),
                                                    (0.03, 256, torch.float32),
                                                    (1.0, 1, torch.float64))):
        params = _sgd_params(seed, dtype)
        ns["sgd"](iter(params) if walk_once else params, lr, batch_size)
        out.append({"values": [p.detach().clone() for p in params],
                    "grads": [None if p.grad is None else p.grad.clone() for p in params],
                    "leaves": [p.is_leaf and p.requires_grad for p in params]})
    return out


def _sgd_values(ns):
    return [r["values"] + [r["leaves"]] for r in _sgd_after(ns)]


def _sgd_grads(ns):
    return [r["grads"] for r in _sgd_after(ns)]


def _sgd_once(ns):
    # the student's own sgd on a generator and on a list: the same whatever else it does
    return [all(_same(a[k], b[k]) for k in a) for a, b in zip(_sgd_after(ns, walk_once=True),
                                                               _sgd_after(ns))]


def _same(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return torch.equal(a, b)
    return a == b


declare(
    "sgd",
    Requirement("update", 1, "each p becomes p - lr * p.grad / batch_size, in place (the same "
                "tensor, still a leaf that requires grad)",
                visible=[("after_sgd()['values']",
                          "p - lr * p.grad / batch_size: here 1 - 0.1 * 3 / 4 = 0.925; in "
                          "place under torch.no_grad() (p -= ...), not p = p - ..., which only "
                          "rebinds a loop variable"),
                         ("after_sgd(lr=1.0, batch_size=1)['values']",
                          "divide by batch_size: the gradient of a summed loss grows with the "
                          "batch"),
                         ("after_sgd()['leaves']",
                          "updated under torch.no_grad(), p stays a leaf that requires grad")],
                hidden=_sgd_values),
    Requirement("zeroed", 0.5, "each p.grad is zeroed in place afterwards (p.grad.zero_(), as "
                "d2l's sgd), so that the next backward() does not add to it",
                visible=[("after_sgd()['grads']",
                          "p.grad.zero_() after the update: backward() adds to p.grad; d2l's "
                          "sgd, and this exercise, leave zeros (not None) in it")],
                hidden=_sgd_grads),
    Requirement("walked once", 0.5, "params is walked once: a generator such as "
                "net.parameters() gets the same treatment as a list",
                visible=[("after_sgd(walk_once=True) == after_sgd()",
                          "net.parameters() is a generator, empty after one loop: update and "
                          "zero each p in the same loop (or make a list first)")],
                hidden=_sgd_once),
    forbidden=BUILT_IN_SGD,
    setup=_SGD_SETUP,
)
