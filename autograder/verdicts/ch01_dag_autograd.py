# ch01's exercises, declared by requirement (see Requirement and Exercise in runtime.py): each
# requirement's statement, points, visible expressions (the notebook's test cell checks them
# against the reference's stored values) and hidden inputs (grading only). Everything the
# docstrings list, the notebook checks, grading scores and the feedback says comes from here.
from torch import nn

# What "without autograd" rules out in dag_grads_manual: every route to it (the notebook's
# imports cell defines the same list).
AUTOGRAD = ["torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward",
            "torch.autograd.functional.jacobian", "torch.autograd.functional.vjp",
            "torch.func.grad", "torch.func.vjp", "torch.func.jacrev", "torch.func.jacfwd"]

_DTYPES = (torch.float32, torch.float64)

# The inputs of the DAG's visible checks: a small example worked out by hand, and 3 x 3
# weights that are not symmetric (a transpose shows).
_DAG_SETUP = """\
w1 = torch.tensor([[1.0, 1.0], [0.0, 2.0]])  # an example worked out by hand: x1 = (0, -2),
w2 = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])  # x2 = (-1, -1), x3 = (-4, -6), q = sqrt(52)
x = torch.tensor([1.0, -1.0])
u1 = torch.tensor([[1.0, 2.0, 0.0], [0.0, -1.0, 1.0], [0.5, 0.0, 1.0]])  # 3 x 3, not symmetric
u2 = torch.tensor([[0.0, 1.0, -1.0], [2.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
v = torch.tensor([1.0, 2.0, -1.0])
"""

# What the checks of "uses autograd" and "one backward per batch" measure: the gradients a
# function asks autograd for. A torch-function mode sees every alias of autograd.grad and
# backward; torch.autograd.backward is replaced as well, since older PyTorch versions (Colab's)
# do not pass it through the mode. The graph's size shows updates recorded by autograd: then
# each step's graph holds the steps before it.


def _dag_forward(w1, w2, x):
    """A correct dag_forward: it stands in for the student's while later exercises are graded."""
    x1 = w1 @ x
    return torch.linalg.vector_norm(w1 @ (x1 + x + w2 @ x1))


def _dag_cases(seed, sizes):
    g = gen(seed)
    return [tuple(torch.randn(s, generator=g, dtype=dtype) for s in ((D, D), (D, D), (D,)))
            for D in sizes for dtype in _DTYPES]


# --- dag_forward -------------------------------------------------------------------------
def _gradcheck(f, w1, w2, x):
    """Whether autograd's gradients of f(w1, w2, x) with respect to w1 and w2 agree with finite
    differences: a result computed from the weights themselves (whatever its values)."""
    return torch.autograd.gradcheck(lambda a, b: f(a, b, x), (w1.requires_grad_(),
                                                               w2.requires_grad_()),
                                    eps=1e-3, atol=1e-2, rtol=1e-2, raise_exception=False)


_FORWARD_CASES = lambda: _dag_cases(101, (1, 2, 3, 5, 8))

declare(
    "dag_forward",
    Requirement("values", 1.25, "q = ||x3||, the Euclidean norm, for the chapter's DAG x1 = w1 "
                "x, x2 = x + w2 x1, x3 = w1 (x1 + x2) (w1 x: the matrix times the column vector), "
                "for any D (D = 1 too): a 0-dim tensor",
                visible=[("dag_forward(w1, w2, x)",
                          "worked out by hand: x1 = (0, -2), x2 = (-1, -1), x3 = (-4, -6), "
                          "q = sqrt(52), a 0-dim tensor"),
                         ("dag_forward(u1, u2, v)",
                          "the lecture's column vectors: w1 x is w1 times the column x (x "
                          "times w1 amounts to w1 transposed, which shows when w1 is not "
                          "symmetric), and matrix products, not element-wise ones"),
                         ("dag_forward(torch.tensor([[-2.0]]), torch.tensor([[-1.0]]), "
                          "torch.tensor([3.0]))",
                          "x3 = (-6,) here: q is the norm, not the squared norm or the sum")],
                hidden=lambda ns: [ns["dag_forward"](*c) for c in _FORWARD_CASES()]),
    Requirement("gradients", 0.5, "q is differentiable: autograd's gradients of q with "
                "respect to w1 and w2 are those of the function computed (no .item(), .data, "
                ".detach() or NumPy on the way)",
                visible=[("torch.autograd.gradcheck(lambda a, b: dag_forward(a, b, x.double()), "
                          "(w1.double().requires_grad_(), w2.double().requires_grad_()), "
                          "eps=1e-3, atol=1e-2, rtol=1e-2, raise_exception=False)",
                          "gradcheck compares autograd's gradients with finite differences: "
                          "compute q from w1 and w2 themselves, every use of them, so that "
                          "autograd can follow q back to both"),
                         ("torch.autograd.gradcheck(lambda a, b: dag_forward(a, b, v.double()), "
                          "(u1.double().requires_grad_(), u2.double().requires_grad_()), "
                          "eps=1e-3, atol=1e-2, rtol=1e-2, raise_exception=False)",
                          "the same on 3 x 3 weights")],
                hidden=lambda ns: [_gradcheck(ns["dag_forward"], *c)
                                   for c in _dag_cases(102, (1, 3, 4))[1::2]]),
    Requirement("dtype", 0.25, "the result has the inputs' dtype (float64 in, float64 out)",
                visible=[("dag_forward(w1.double(), w2.double(), x.double()).dtype",
                          "compute with the inputs themselves: no .float(), no buffer made with "
                          "torch.zeros(D) (float32)")],
                hidden=lambda ns: [str(ns["dag_forward"](*c).dtype) for c in _FORWARD_CASES()]),
    setup=_DAG_SETUP,
)


# --- dag_grads_autograd ------------------------------------------------------------------
def _autograd_values(ns):
    out = []
    for w1, w2, x in _dag_cases(103, (1, 3, 4, 7)):
        grads = [ns["dag_grads_autograd"](w1, w2, x) for _ in range(2)]  # nothing accumulates
        out.append([grads, [str(g.dtype) for g in grads[1]]])
    return out


def _autograd_untouched(ns):
    out = []
    for w1, w2, x in _dag_cases(104, (1, 3, 4)):
        before = [t.clone() for t in (w1, w2, x)]
        raises(ns["dag_grads_autograd"], w1, w2, x)  # a wrong result is values' concern
        out.append([[t.requires_grad, t.grad is None, torch.equal(t, b)]
                    for t, b in zip((w1, w2, x), before)])
    return out


declare(
    "dag_grads_autograd",
    Requirement("values", 1.25, "(dq/dw1, dq/dw2), in that order, each of shape (D, D) and in "
                "the inputs' dtype, for q of dag_forward; the same on every call (nothing "
                "accumulates between calls)",
                visible=[("dag_grads_autograd(w1, w2, x)",
                          "(dq/dw1, dq/dw2) in that order: the gradients of q itself (not of "
                          "q ** 2), with respect to w1 and w2 only"),
                         ("dag_grads_autograd(u1, u2, v)",
                          "weights that are not symmetric: check the forward pass and the "
                          "order of the gradients"),
                         ("(lambda a, b: [dag_grads_autograd(a, b, v) for _ in range(2)])"
                          "(u1.clone(), u2.clone())",
                          "a second call gives the same gradients: torch.autograd.grad returns "
                          "them without adding into .grad"),
                         ("[g.dtype for g in dag_grads_autograd(w1.double(), w2.double(), "
                          "x.double())]",
                          "float64 in, float64 out: copy with .detach() or .clone(), not "
                          ".float()")],
                hidden=_autograd_values),
    Requirement("untouched", 0.5, "the caller's w1, w2 and x are left as they were: no "
                "requires_grad set on them, no .grad, the same values",
                visible=[("(lambda a, b, c: (raises(dag_grads_autograd, a, b, c), "
                          "[(t.requires_grad, t.grad is None, torch.equal(t, t0)) for t, t0 in "
                          "zip((a, b, c), (w1, w2, x))])[1])(w1.clone(), w2.clone(), x.clone())",
                          "w1.requires_grad_() changes the caller's tensor: differentiate with "
                          "respect to copies, detached from the caller's tensors, that require "
                          "gradients")],
                hidden=_autograd_untouched),
    Requirement("autograd", 0.25, "the gradients come from autograd (torch.autograd.grad, as "
                "taught; backward() on copies works too), not from formulas written by hand",
                visible=[("len(autograd_calls(dag_grads_autograd, w1, w2, x)) > 0",
                          "let torch.autograd.grad compute the gradients of q: that is the "
                          "point of this exercise (the chain rule by hand is the next one)")]),
    uses={"dag_forward": _dag_forward},
    setup=_DAG_SETUP,
)


# --- dag_grads_manual --------------------------------------------------------------------
def _manual(ns, what):
    out = []
    for w1, w2, x in _dag_cases(105, (1, 2, 3, 6)):
        with torch.no_grad():
            out.append(what(ns["dag_grads_manual"](w1, w2, x)))
    return out


declare(
    "dag_grads_manual",
    Requirement("grad_w1", 1.5, "dq/dw1, first, of shape (D, D): w1 is used twice, so its "
                "gradient is the sum of the contributions of both uses",
                visible=[("torch.no_grad()(dag_grads_manual)(w1, w2, x)[0]",
                          "w1 is used twice, in x1 and in x3: its gradient is the sum of the "
                          "contributions of both uses, not the last one alone"),
                         ("torch.no_grad()(dag_grads_manual)(u1, u2, v)[0]",
                          "x1 is used twice too (in x2 and in x1 + x2): the gradient reaching "
                          "it collects both paths; weights that are not symmetric show a "
                          "missing or extra transpose")],
                hidden=lambda ns: _manual(ns, lambda grads: grads[0])),
    Requirement("grad_w2", 1.25, "dq/dw2, second, of shape (D, D)",
                visible=[("torch.no_grad()(dag_grads_manual)(w1, w2, x)[1]",
                          "start from the gradient of the norm q = ||x3|| itself (a unit "
                          "vector), not from that of its square"),
                         ("torch.no_grad()(dag_grads_manual)(u1, u2, v)[1]",
                          "w2 is used once, in x2: its gradient comes from the gradient reaching "
                          "x2 and the vector w2 multiplies there; with weights that are not "
                          "symmetric, a transposed result shows")],
                hidden=lambda ns: _manual(ns, lambda grads: grads[1])),
    Requirement("dtype", 0.25, "both gradients have the inputs' dtype (float64 in, float64 out)",
                visible=[("[g.dtype for g in torch.no_grad()(dag_grads_manual)(w1.double(), "
                          "w2.double(), x.double())]",
                          "compute from the inputs: no buffer made with torch.zeros(D, D) "
                          "(float32)")],
                hidden=lambda ns: _manual(ns, lambda grads: [str(g.dtype) for g in grads])),
    forbidden=AUTOGRAD,
    setup=_DAG_SETUP,
)


# --- second_derivative -------------------------------------------------------------------
_CURVED = [torch.exp, torch.tanh, lambda t: t ** 2, lambda t: t * torch.sigmoid(t),
           lambda t: torch.cos(2 * t)]
_AFFINE = [lambda t: -t / 2 + 7, lambda t: 3 * t + 1, lambda t: t * 2.5]


def _second_cases(ns, functions, what):
    g, out = gen(106), []
    for shape in ((7,), (3, 4), ()):
        for dtype in _DTYPES:
            x = torch.randn(shape, generator=g, dtype=dtype)
            out.append([what(ns["second_derivative"], f, x) for f in functions])
    return out


def _second_untouched(f, fn, x):
    before = x.clone()
    raises(f, fn, x)  # a wrong result, or an error, is the other requirements' concern
    return [x.requires_grad, x.grad is None, torch.equal(x, before)]


declare(
    "second_derivative",
    Requirement("values", 1.25, "f''(x) at every element of x, of x's shape (a 0-dim or 2-D x "
                "too): the second derivative alone",
                visible=[("second_derivative(torch.sin, torch.linspace(-2.0, 2.0, 9))",
                          "differentiate twice; the first torch.autograd.grad needs "
                          "create_graph=True so that its result can be differentiated again"),
                         ("second_derivative(lambda t: t ** 3, torch.linspace(-2.0, 2.0, 9))",
                          "6x: the second derivative alone (not the first, not f' + f'' "
                          "accumulated in .grad)"),
                         ("second_derivative(torch.tanh, torch.linspace(-2.0, 2.0, 6)"
                          ".reshape(2, 3))",
                          "one value per element: sum f(x) before differentiating, so that each "
                          "element gets its own derivative"),
                         ("second_derivative(torch.exp, torch.tensor(0.5))",
                          "x may be 0-dim: the result has x's shape")],
                hidden=lambda ns: _second_cases(ns, _CURVED, lambda f, fn, x: f(fn, x))),
    Requirement("affine", 0.25, "zeros of x's dtype where f is affine (f(x) = a x + b): the "
                "first derivative then has no graph",
                visible=[("second_derivative(lambda t: 3 * t + 1, torch.linspace(-2.0, 2.0, 9))",
                          "for an affine f the first derivative does not depend on x and does "
                          "not require grad: return zeros of x's shape"),
                         ("second_derivative(lambda t: 7 - t / 2, torch.tensor(1.5))",
                          "a 0-dim x too"),
                         ("second_derivative(lambda t: 3 * t + 1, torch.zeros(3, "
                          "dtype=torch.float64)).dtype",
                          "torch.zeros(x.shape) is float32: make the zeros in x's dtype")],
                hidden=lambda ns: _second_cases(ns, _AFFINE, lambda f, fn, x: [
                    f(fn, x), str(f(fn, x).dtype)])),
    Requirement("dtype", 0.25, "the result has x's dtype (float64 in, float64 out)",
                visible=[("second_derivative(torch.sin, torch.linspace(-1.0, 1.0, 3, "
                          "dtype=torch.float64)).dtype",
                          "differentiate a copy of x in x's own dtype: no .float()")],
                hidden=lambda ns: _second_cases(ns, _CURVED,
                                                lambda f, fn, x: str(f(fn, x).dtype))),
    Requirement("untouched", 0.25, "the caller's x is left as it was: no requires_grad set on "
                "it, no .grad, the same values",
                visible=[("(lambda x: (raises(second_derivative, torch.sin, x), [x.requires_grad, "
                          "x.grad is None, torch.equal(x, torch.linspace(-1.0, 1.0, 5))])[1])"
                          "(torch.linspace(-1.0, 1.0, 5))",
                          "x.requires_grad_() changes the caller's tensor: differentiate with "
                          "respect to a detached copy that requires gradients")],
                hidden=lambda ns: _second_cases(ns, _CURVED[:2] + _AFFINE[:1],
                                                _second_untouched)),
)


# --- descend -----------------------------------------------------------------------------
def _descend_cases(ns, detach, steps_list):
    g, out = gen(107), []
    for trial in range(6):
        a0, b0 = (4 * torch.rand(2, generator=g, dtype=torch.float64) - 2).tolist()
        eta = (0.01, 0.05, 0.2)[trial % 3]
        for steps in steps_list:
            out.append([float(v) for v in ns["descend"](a0, b0, eta, steps,
                                                        detach_coupling=detach)])
    return out


def _descend_result(ns):
    results = [ns["descend"](a, b, 0.1, 0, detach_coupling=d)
               for a, b in ((0.3, -0.4), (-1.7, 1.2), (0.0, 0.0)) for d in (False, True)]
    kinds = [[type(v).__name__ for v in ns["descend"](0.3, -0.4, 0.1, steps, detach_coupling=d)]
             for steps in (0, 1, 4) for d in (False, True)]
    return [results, kinds]


def _fresh_graphs(calls):
    return [len(calls) > 0, len({size for _, size in calls}) == 1]


declare(
    "descend",
    Requirement("values", 1, "`steps` steps of (a, b) <- (a, b) - eta * grad L(a, b): both "
                "updated at once, from the gradient at the current point",
                visible=[("[float(v) for v in descend(0.0, 0.0, 0.1, 200)]",
                          "the minimum of L is at a = 1/3, b = -1/3: step against the gradient"),
                         ("[float(v) for v in descend(2.0, -3.0, 0.1, 5)]",
                          "update a and b together: compute both gradients before changing "
                          "either"),
                         ("[float(v) for v in descend(0.5, -1.5, 0.05, 1)]",
                          "exactly `steps` steps: one here"),
                         ("[float(v) for v in descend(1.0, 2.0, 0.2, 3)]",
                          "each step uses the gradient at that step only: reset .grad (or use "
                          "torch.autograd.grad, which does not accumulate)")],
                hidden=lambda ns: _descend_cases(ns, False, (1, 3, 17))),
    Requirement("detach", 0.5, "with detach_coupling=True, a is detached in (a - b) ** 2: a "
                "only feels (a - 1) ** 2, b still feels both of its terms",
                visible=[("[float(v) for v in descend(0.0, 0.0, 0.1, 200, detach_coupling=True)]",
                          "with a detached in the coupling term, a goes to 1 and b to "
                          "(a - 1) / 2 = 0"),
                         ("[float(v) for v in descend(2.0, -3.0, 0.1, 5, detach_coupling=True)]",
                          "detach a, not b, and only in the coupling term")],
                hidden=lambda ns: _descend_cases(ns, True, (1, 3, 17))),
    Requirement("autograd", 0.25, "each step's gradient comes from autograd "
                "(torch.autograd.grad, as taught; backward() works too) and the update is made "
                "under torch.no_grad(), so that no step's graph holds the steps before it",
                visible=[("(lambda calls: [len(calls) > 0, len({n for _, n in calls}) == 1])"
                          "(autograd_calls(descend, 0.5, -1.5, 0.1, 4))",
                          "[uses autograd, same graph at every step]: compute the gradient with "
                          "torch.autograd.grad, and update a and b under torch.no_grad() (an "
                          "update that autograd records makes the graph grow at every step)"),
                         ("(lambda calls: [len(calls) > 0, len({n for _, n in calls}) == 1])"
                          "(autograd_calls(descend, 2.0, -3.0, 0.1, 3, detach_coupling=True))",
                          "the same with detach_coupling=True")],
                hidden=lambda ns: [_fresh_graphs(autograd_calls(ns["descend"], a, b, 0.1, 5,
                                                                detach_coupling=d))
                                   for a, b in ((0.3, -0.2), (-1.0, 1.5)) for d in (False, True)]),
    Requirement("result", 0.25, "returns (a, b) as two Python floats; steps=0 returns (a, b) "
                "as given",
                visible=[("[type(v).__name__ for v in descend(0.5, -1.5, 0.1, 3)]",
                          "tensors are not Python floats: convert a and b before returning "
                          "them"),
                         ("descend(0.7, -0.2, 0.1, 0)",
                          "steps=0 takes no step: the starting point comes back, as floats (a "
                          "result set only inside the loop does not exist then)")],
                hidden=_descend_result),
)


# --- accumulated_gradient ----------------------------------------------------------------
_ACCUMULATED_SETUP = """

def linear_model(stale=False):
    # nn.Linear(3, 1) with fixed weights; stale: .grad holds a gradient from an earlier step
    model = set_parameters(nn.Linear(3, 1), weight=[[0.5, -1.0, 2.0]], bias=0.1)
    for p in model.parameters():
        p.grad = torch.ones_like(p) if stale else None
    return model


def mlp():
    return seeded_weights(nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1)))


batches = [(torch.sin(torch.arange(12.0) + k).reshape(4, 3),  # three mini-batches (X, y)
            torch.cos(torch.arange(4.0) * (k + 1)).reshape(4, 1)) for k in range(3)]
"""


def _accumulated_trials(ns, stale, what):
    g, out = gen(108), []
    for trial, sizes in enumerate([(3, 1, 4), (2, 5), (1,), (4, 4, 4, 2)]):
        model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 2)).double()
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64))
                left_over = torch.randn(p.shape, generator=g, dtype=torch.float64)
                p.grad = left_over if stale else None  # the same model and batches either way
        batches = [(torch.randn(n, 5, generator=g, dtype=torch.float64),
                    torch.randn(n, 2, generator=g, dtype=torch.float64)) for n in sizes]
        loss_fn = (nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss(), nn.MSELoss())[trial]
        out.append(what(ns["accumulated_gradient"], model, loss_fn, batches))
    return out


def _accumulated_stale(ns):
    """Per trial and parameter, whether a stale .grad changes nothing."""
    stale = _accumulated_trials(ns, True, lambda f, *a: f(*a))
    fresh = _accumulated_trials(ns, False, lambda f, *a: f(*a))
    return [[torch.allclose(g, h, rtol=1e-6, atol=1e-9) for g, h in zip(one, other)]
            for one, other in zip(stale, fresh)]


def _with_dtypes(f, *args):
    grads = f(*args)
    return [grads, [str(t.dtype) for t in grads]]


def _backward_kinds(f, *args):
    return [kind for kind, _ in autograd_calls(f, *args)]


declare(
    "accumulated_gradient",
    Requirement("values", 1.25, "the gradient of the sum over the batches of loss_fn(model(X), "
                "y) (summed, not averaged): a list with one tensor per parameter, in the order "
                "of model.parameters(), of its shape and dtype",
                visible=[("accumulated_gradient(linear_model(), nn.MSELoss(), batches)",
                          "the gradient of the SUM of the batch losses: let .grad accumulate "
                          "over the batches, do not average or keep only the last batch"),
                         ("accumulated_gradient(mlp(), nn.MSELoss(), batches)",
                          "one gradient per parameter, in the order of model.parameters()"),
                         ("[g.dtype for g in accumulated_gradient(linear_model().double(), "
                          "nn.MSELoss(), [(X.double(), y.double()) for X, y in batches])]",
                          "return the parameters' .grad (or copies of them)")],
                hidden=lambda ns: _accumulated_trials(ns, False, _with_dtypes)),
    Requirement("earlier gradients", 0.25, "starts from zero whatever .grad held before (a "
                "gradient left over from an earlier step changes nothing)",
                visible=[("[torch.allclose(g, h) for g, h in zip(accumulated_gradient("
                          "linear_model(stale=True), nn.MSELoss(), batches), "
                          "accumulated_gradient(linear_model(), nn.MSELoss(), batches))]",
                          "[same result with and without a stale .grad, per parameter]: "
                          "backward() adds to what .grad already holds: clear the model's "
                          "gradients before the first backward()")],
                hidden=_accumulated_stale),
    Requirement("one backward per batch", 0.5, "backward() is called once per mini-batch, and "
                "the gradients add up in .grad",
                visible=[("[kind for kind, _ in autograd_calls(accumulated_gradient, "
                          "linear_model(), nn.MSELoss(), batches)]",
                          "call loss.backward() once per mini-batch: not once on the summed "
                          "loss, not torch.autograd.grad"),
                         ("[kind for kind, _ in autograd_calls(accumulated_gradient, "
                          "linear_model(), nn.MSELoss(), batches[:1])]",
                          "one mini-batch: one backward()")],
                hidden=lambda ns: _accumulated_trials(ns, False, _backward_kinds)),
    setup=_ACCUMULATED_SETUP,
)
