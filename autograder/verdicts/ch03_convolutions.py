# ch03's exercises, declared by requirement (see Requirement and Exercise in runtime.py): each
# requirement's statement, points, visible expressions (the notebook's test cell checks them
# against the reference's stored values) and hidden inputs (grading only). Everything the
# docstrings list, the notebook checks, grading scores and the feedback says comes from here.

# What "without PyTorch's convolutions" rules out: every route to the built-in kernels.
# (F.unfold and Tensor.unfold are allowed: they only cut out windows.)
BUILT_IN_CONVOLUTION = [
    "torch.nn.functional.conv1d", "torch.nn.functional.conv2d", "torch.nn.functional.conv3d",
    "torch.nn.functional.conv_transpose1d", "torch.nn.functional.conv_transpose2d",
    "torch.nn.functional.conv_transpose3d", "torch.nn.functional.conv_tbc",
    "torch.conv1d", "torch.conv2d", "torch.conv3d", "torch.conv_transpose1d",
    "torch.conv_transpose2d", "torch.conv_transpose3d", "torch.conv_tbc",
    "torch.convolution", "torch._convolution", "torch._convolution_mode",
    "torch.cudnn_convolution", "torch.cudnn_convolution_relu", "torch.cudnn_convolution_add_relu",
    "torch.cudnn_convolution_transpose", "torch.mkldnn_convolution", "torch.miopen_convolution",
    "torch.miopen_depthwise_convolution", "torch._nnpack_spatial_convolution",
    "torch._C._nn.thnn_conv2d", "torch._C._nn.slow_conv_dilated2d",
    "torch._C._nn._conv_depthwise2d",
    "torch.ops.aten.conv1d", "torch.ops.aten.conv2d", "torch.ops.aten.convolution",
    "torch.ops.aten._convolution",
    "torch.nn.Conv1d.forward", "torch.nn.Conv2d.forward", "torch.nn.Conv2d._conv_forward",
    "torch.nn.Conv3d.forward", "torch.nn.ConvTranspose2d.forward",
]
# d2l ships corr2d itself: calling it hands the exercise over.
BUILT_IN_CORR2D = [*BUILT_IN_CONVOLUTION, "d2l.torch.corr2d"]

# Correct versions of the exercises that later ones call: while an exercise is graded they
# stand in for the student's, so that one mistake costs one exercise.


def _corr2d(X, K):
    h, w = K.shape
    return (X.unfold(0, h, 1).unfold(1, w, 1) * K).sum((-2, -1))


def _conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _leaf(g, shape, dtype):
    return torch.randn(shape, generator=g, dtype=dtype)


def _gradcheck(f, *inputs):
    """Whether autograd's gradients of f with respect to each input agree with finite
    differences (in float64): a result computed from the inputs themselves, whatever its
    values (those are the values' concern), and in whatever dtype (the dtype's)."""
    leaves = tuple(x.detach().double().requires_grad_() for x in inputs)
    return torch.autograd.gradcheck(f, leaves, eps=1e-3, atol=1e-2, rtol=1e-2, fast_mode=True,
                                    raise_exception=False)


# --- corr1d ------------------------------------------------------------------------------
_CORR1D_SHAPES = ((4, 2), (10, 1), (7, 7), (9, 4), (16, 3))


def _correlation_cases(ns, name, seed, shapes, what):
    """what(ns[name], x, kernel) for random pairs of shapes, in float32 and float64."""
    g, out = gen(seed), []
    for x_shape, k_shape in shapes:
        for dtype in (torch.float32, torch.float64):
            out.append(what(ns[name], _leaf(g, x_shape, dtype), _leaf(g, k_shape, dtype)))
    return out


def _corr1d_cases(ns, what, shapes=_CORR1D_SHAPES):
    return _correlation_cases(ns, "corr1d", 30, [((W,), (w,)) for W, w in shapes], what)


declare(
    "corr1d",
    Requirement("values", 1, "out[i] is the dot product of u with the window of x that "
                "starts at i: W - w + 1 values, the kernel not flipped",
                visible=[("corr1d(torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([3.0, 2.0]))",
                          "(8, 13, 18) is the convolution: do not flip the kernel"),
                         ("corr1d(torch.arange(5.0), torch.arange(5.0))",
                          "a kernel as long as x fits once: W - w + 1 windows")],
                hidden=lambda ns: _corr1d_cases(ns, lambda f, x, u: f(x, u))),
    Requirement("gradients", 0.5, "gradients flow to x and u: autograd's are those of the "
                "function computed (built from tensors, not .item() or torch.tensor(list))",
                visible=[("torch.autograd.gradcheck(corr1d, (torch.tensor([1.0, 2.0, 3.0, 4.0])"
                          ".double().requires_grad_(), torch.tensor([3.0, 2.0]).double()"
                          ".requires_grad_()), eps=1e-3, atol=1e-2, rtol=1e-2, "
                          "raise_exception=False)",
                          "gradcheck compares autograd's gradients with finite differences: "
                          "build the result with torch.stack, slices or x.new_zeros")],
                # a kernel shorter than x: one as long (one window) is the values' concern
                hidden=lambda ns: _corr1d_cases(ns, _gradcheck, _CORR1D_SHAPES[:2]
                                                + _CORR1D_SHAPES[3:])),
    Requirement("dtype", 0.25, "the result has x's dtype (float64 in, float64 out)",
                visible=[("corr1d(torch.ones(4, dtype=torch.float64), "
                          "torch.ones(2, dtype=torch.float64)).dtype",
                          "torch.zeros(n) is float32: make the output from x (x.new_zeros)")]),
    Requirement("device", 0.25, "the result is on x's device (a GPU on Colab)",
                visible=[('device_check(corr1d, torch.ones(8, device="meta"), '
                          'torch.ones(3, device="meta"))',
                          "the meta device stands in for a GPU: make new tensors on x's device")]),
    forbidden=BUILT_IN_CONVOLUTION,
)


# --- corr2d ------------------------------------------------------------------------------
# non-square kernels both ways, 1 x 1, and a kernel as large as X (a 1 x 1 result)
_CORR2D_SHAPES = (((3, 3), (2, 2)), ((6, 8), (1, 2)), ((8, 6), (2, 1)), ((5, 7), (3, 2)),
                  ((4, 4), (4, 4)), ((5, 3), (1, 1)), ((4, 9), (4, 2)))


def _corr2d_cases(ns, what):
    return _correlation_cases(ns, "corr2d", 32, _CORR2D_SHAPES, what)


declare(
    "corr2d",
    Requirement("values", 1.5, "Y[i, j] is the sum of the elementwise product of K with "
                "the window of X whose top-left corner is (i, j): shape (H - h + 1, W - w + "
                "1), the kernel not flipped",
                visible=[("corr2d(torch.arange(9.0).reshape(3, 3), "
                          "torch.tensor([[0.0, 1.0], [2.0, 3.0]]))",
                          "[[5, 11], [23, 29]] is the convolution: do not flip the kernel"),
                         ("corr2d(torch.arange(20.0).reshape(4, 5), torch.ones(2, 3))",
                          "a 2 x 3 kernel: windows of 2 rows and 3 columns, height and width not "
                          "swapped")],
                hidden=lambda ns: _corr2d_cases(ns, lambda f, X, K: f(X, K))),
    Requirement("gradients", 0.5, "gradients flow to X and K: autograd's are those of the "
                "function computed (assign tensors, not .item()s)",
                visible=[("torch.autograd.gradcheck(corr2d, (torch.arange(12.0).reshape(3, 4)"
                          ".double().requires_grad_(), torch.tensor([[1.0, -1.0], [0.5, 2.0]])"
                          ".double().requires_grad_()), eps=1e-3, atol=1e-2, rtol=1e-2, "
                          "raise_exception=False)",
                          "gradcheck compares autograd's gradients with finite differences: "
                          "assign tensors into Y, not .item() or float(...)")],
                hidden=lambda ns: _corr2d_cases(ns, _gradcheck)),
    Requirement("dtype", 0.5, "the result has X's dtype (float64 in, float64 out)",
                visible=[("corr2d(torch.ones(3, 3, dtype=torch.float64), "
                          "torch.ones(2, 2, dtype=torch.float64)).dtype",
                          "torch.zeros(...) is float32 whatever X is: make the output in X's "
                          "dtype")]),
    Requirement("device", 0.5, "the result is on X's device (a GPU on Colab)",
                visible=[('device_check(corr2d, torch.ones(5, 6, device="meta"), '
                          'torch.ones(2, 3, device="meta"))',
                          "the meta device stands in for a GPU: make the output on X's device")]),
    forbidden=BUILT_IN_CORR2D,
)


# --- Conv2D ------------------------------------------------------------------------------
def _conv2d_layer_cases(ns, what):
    g, out = gen(34), []
    for kernel_size, (H, W) in (((1, 2), (6, 8)), ((3, 2), (5, 7)), ((2, 4), (6, 6))):
        layer = ns["Conv2D"](kernel_size)
        set_parameters(layer, weight=torch.randn(kernel_size, generator=g), bias=0.7)
        out.append(what(layer, torch.randn(H, W, generator=g)))
    return out


def _without_gradient(ns):
    """Per kernel size, the parameters that get no gradient from the output. The layers keep
    the student's own initial values: a correct forward's gradients do not depend on them, and
    the check needs no parameter set by name (the parameters' own concern)."""
    g, out = gen(35), []
    for kernel_size, (H, W) in (((1, 2), (6, 8)), ((3, 2), (5, 7)), ((2, 4), (6, 6))):
        grads = gradients(ns["Conv2D"](kernel_size), torch.randn(H, W, generator=g))
        out.append(sorted(n for n, v in grads.items() if v is None or not v.any()))
    return out


declare(
    "Conv2D",
    Requirement("parameters", 0.5, "registered Parameters weight, of shape kernel_size, and "
                "bias, one value",
                visible=[("sorted((n, p.numel()) for n, p in Conv2D((2, 3)).named_parameters())",
                          "a tensor attribute is not a parameter: wrap weight and bias in "
                          "nn.Parameter"),
                         ("tuple(Conv2D((3, 1)).weight.shape)", "the weight has kernel_size")]),
    Requirement("forward", 1, "forward(x) is the cross-correlation of x with the weight "
                "(your corr2d), plus the bias on every value",
                visible=[("set_parameters(Conv2D((1, 2)), weight=[[1.0, -1.0]], bias=0.5)"
                          "(torch.arange(12.0).reshape(3, 4) ** 2)",
                          "weight [[1, -1]] and bias 0.5: correlate x with the layer's own "
                          "weight (not flipped), then add the bias to every value")],
                hidden=lambda ns: _conv2d_layer_cases(ns, lambda layer, x: layer(x))),
    Requirement("gradients", 0.5, "weight and bias get gradients from the output",
                visible=[("sorted(n for n, g in gradients(Conv2D((2, 2)), torch.arange(9.0)"
                          ".reshape(3, 3)).items() if g is None or not g.any())",
                          "these parameters get no gradient: use the Parameters themselves in "
                          "forward, not copies or .data")],
                hidden=_without_gradient),
    forbidden=BUILT_IN_CONVOLUTION,
    uses={"corr2d": _corr2d},
)


# --- learn_kernel ------------------------------------------------------------------------
def _learn_kernel_cases(ns):
    g, cases = gen(36), []
    for H, W, ks, steps, lr, dtype in ((6, 8, (1, 2), 3, 8e-3, torch.float32),
                                       (7, 6, (2, 2), 7, 5e-3, torch.float32),
                                       (8, 9, (3, 2), 2, 4e-3, torch.float64),
                                       (5, 5, (2, 3), 12, 4e-3, torch.float64)):
        X = torch.randn(H, W, generator=g, dtype=dtype)
        # an offset that a kernel alone cannot fit shows a learned bias
        Y = (_corr2d(X, torch.randn(ks, generator=g, dtype=dtype)) + 0.5
             + 0.1 * torch.randn(H - ks[0] + 1, W - ks[1] + 1, generator=g, dtype=dtype))
        cases.append(ns["learn_kernel"](X, Y, ks, steps=steps, lr=lr))
    return cases


def _untouched(ns):
    X, Y = torch.randn(5, 6, generator=gen(37)), torch.randn(5, 5, generator=gen(38))
    X0, Y0 = X.clone(), Y.clone()
    ns["learn_kernel"](X, Y, (1, 2), steps=3, lr=1e-2)
    return torch.equal(X, X0) and torch.equal(Y, Y0)


declare(
    "learn_kernel",
    Requirement("start", 0.5, "starts from K = 0 and takes exactly `steps` steps (steps=0 "
                "returns zeros)",
                visible=[("learn_kernel(X_edge, Y_edge, (1, 2), steps=0)",
                          "start from a kernel of zeros and take exactly `steps` steps: steps=0 "
                          "returns the zeros")]),
    Requirement("descent", 1.5, "each step: K <- K - lr * dL/dK, L the squared error "
                "between corr2d(X, K) and Y summed (not averaged) over all positions, with "
                "this step's gradient only",
                visible=[("learn_kernel(X_edge, Y_edge, (1, 2), steps=1)",
                          "the loss is the SUM of squared errors, not the mean"),
                         ("learn_kernel(X_edge, Y_edge, (1, 2), steps=5, lr=0.01)",
                          "reset the gradient each step (or use torch.autograd.grad)"),
                         ("learn_kernel(X_edge, Y_edge + 0.5, (1, 2), steps=3, lr=3e-2)",
                          "only K is learned: no bias")],
                hidden=_learn_kernel_cases, rtol=1e-4, atol=1e-6),
    # Measured on the student's own function: the values of a call without steps and lr would
    # also measure the start and the descent (their concerns; the other checks' values do not
    # depend on the defaults). Both calls converge, from any start.
    Requirement("defaults", 0.5, "steps=50 and lr=3e-2 by default",
                visible=[("learn_kernel.__defaults__",
                          "keep the signature's defaults: def learn_kernel(X, Y, kernel_size, "
                          "steps=50, lr=3e-2)"),
                         ("torch.allclose(learn_kernel(X_edge, Y_edge, (1, 2)), "
                          "learn_kernel(X_edge, Y_edge, (1, 2), steps=50, lr=3e-2))",
                          "a call without steps and lr does what steps=50, lr=3e-2 do")]),
    Requirement("result", 0.5, "returns K detached (no grad), in X's dtype; X and Y are not "
                "modified",
                visible=[("learn_kernel(X_edge, Y_edge, (1, 2), steps=2).requires_grad",
                          "the kernel returned still requires grad: return it detached from the "
                          "graph"),
                         ("learn_kernel(X_edge.double(), Y_edge.double(), (1, 2), "
                          "steps=2).dtype", "start from zeros of X's dtype")],
                hidden=_untouched),
    uses={"corr2d": _corr2d},
    setup="X_edge = torch.ones(6, 8)\nX_edge[:, 2:6] = 0\n"
          "Y_edge = X_edge[:, :-1] - X_edge[:, 1:]  # d2l's edges: corr2d(X_edge, [[1, -1]])",
)


# --- conv_output_size --------------------------------------------------------------------
def _conv_output_size_grid(ns):
    f, out = ns["conv_output_size"], []
    for size in range(1, 10):
        for k in range(1, 5):
            for s in range(1, 4):
                for p in range(3):
                    for d in range(1, 4):
                        if size + 2 * p >= d * (k - 1) + 1:
                            out.append(f(size, k, stride=s, padding=p, dilation=d))
    return out


declare(
    "conv_output_size",
    Requirement("size", 1.5, "the number of positions the dilated kernel takes in the "
                "padded input, moving by stride: the output length nn.Conv2d gives along one "
                "dimension, for every stride, padding and dilation (positional in that order "
                "too)",
                visible=[("conv_output_size(5, 3)", "a 3-wide kernel fits 3 times in 5"),
                         ("conv_output_size(7, 3, stride=2)", "a stride skips positions"),
                         ("conv_output_size(8, 3, stride=2)",
                          "round down: the last window must fit entirely"),
                         ("conv_output_size(7, 3, padding=1)", "padding adds to both sides"),
                         ("conv_output_size(7, 3, dilation=2)",
                          "a dilated 3-wide kernel spans 5 positions"),
                         ("conv_output_size(17, 3, 3, 0, 2)",
                          "arguments in the order size, kernel_size, stride, padding, "
                          "dilation")],
                hidden=_conv_output_size_grid),
    Requirement("int", 0.5, "returns an int (24, not 24.0)",
                visible=[("type(conv_output_size(10, 3, 2)).__name__", "use // for the division")],
                hidden=lambda ns: sorted({type(n).__name__ for n in _conv_output_size_grid(ns)})),
)


# --- corr2d_multi_in_out -----------------------------------------------------------------
def _multi_cases(ns):
    g, out = gen(39), []
    for C, D, (H, W), (h, w) in ((2, 3, (3, 3), (2, 2)), (3, 2, (5, 6), (2, 3)),
                                 (1, 4, (4, 5), (3, 1)), (4, 1, (6, 4), (1, 1)),
                                 (2, 5, (4, 7), (4, 2))):
        for dtype in (torch.float32, torch.float64):
            out.append(ns["corr2d_multi_in_out"](torch.randn(C, H, W, generator=g, dtype=dtype),
                                                 torch.randn(D, C, h, w, generator=g,
                                                             dtype=dtype)))
    return out


declare(
    "corr2d_multi_in_out",
    Requirement("values", 1.25, "output channel d sums, over the input channels c, the "
                "correlations of X[c] with K[d, c]: shape (D, H - h + 1, W - w + 1)",
                visible=[("corr2d_multi_in_out(torch.arange(18.0).reshape(2, 3, 3), "
                          "torch.arange(24.0).reshape(3, 2, 2, 2))",
                          "one output channel per K[d], summing corr2d over the input channels"),
                         ("corr2d_multi_in_out(torch.ones(1, 3, 4), torch.ones(2, 1, 2, 2)).shape",
                          "C = 1 still gives D output channels")],
                hidden=_multi_cases),
    Requirement("dtype", 0.25, "the result has X's dtype",
                visible=[("corr2d_multi_in_out(torch.ones(2, 3, 3, dtype=torch.float64), "
                          "torch.ones(1, 2, 2, 2, dtype=torch.float64)).dtype",
                          "build the result from corr2d's outputs (torch.stack)")]),
    Requirement("device", 0.5, "the result is on X's device",
                visible=[('device_check(corr2d_multi_in_out, torch.ones(2, 5, 5, device="meta"), '
                          'torch.ones(3, 2, 2, 2, device="meta"))',
                          "build the result with torch.stack, not in a CPU buffer")]),
    forbidden=BUILT_IN_CONVOLUTION,
    uses={"corr2d": _corr2d},
)


# --- conv2d ------------------------------------------------------------------------------
_CONV2D_CASES = [  # (N, C, H, W), (D, h, w), bias, stride, padding, dilation: ints and pairs
    ((2, 3, 7, 8), (4, 3, 3), True, 1, 0, 1),
    ((1, 1, 6, 9), (1, 2, 3), False, 1, 0, 1),
    ((3, 2, 9, 6), (5, 3, 2), True, 2, 1, 1),
    ((2, 3, 10, 11), (2, 3, 3), True, (2, 3), (1, 2), 1),
    ((2, 2, 11, 9), (3, 3, 2), False, 1, (0, 2), (2, 3)),
    ((1, 4, 8, 8), (6, 1, 1), True, 3, 0, 1),
    ((2, 1, 12, 10), (2, 5, 4), True, (1, 2), 2, 2),
    ((1, 2, 7, 7), (3, 4, 2), False, (3, 1), (2, 1), (1, 1)),
]


def _values_cases(ns):
    """conv2d on the cases without a stride, padding or dilation, with and without bias."""
    g, out = gen(41), []
    for shape, (D, h, w), with_bias, s, p, d in _CONV2D_CASES:
        if (s, p, d) != (1, 0, 1):
            continue
        for dtype in (torch.float32, torch.float64):
            x, weight = _leaf(g, shape, dtype), _leaf(g, (D, shape[1], h, w), dtype)
            args = (x, weight, _leaf(g, (D,), dtype)) if with_bias else (x, weight)
            out.append(ns["conv2d"](*args))
    return out


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _settings_cases(ns):
    """Per case with a stride, padding or dilation: "ok" where conv2d with them gives what
    the student's own conv2d gives without them on the zero-padded input, with the kernel
    spread out by zeros, keeping every stride-th position. Measured against the student's own
    plain convolution, a mistake in its values (their concern) costs nothing here; without a
    bias (the values' concern too)."""
    g, out = gen(42), []
    for shape, (D, h, w), _, s, p, d in _CONV2D_CASES:
        if (s, p, d) == (1, 0, 1):
            continue
        for dtype in (torch.float32, torch.float64):
            x, weight = _leaf(g, shape, dtype), _leaf(g, (D, shape[1], h, w), dtype)
            (sh, sw), (ph, pw), (dh, dw) = _pair(s), _pair(p), _pair(d)
            spread = weight.new_zeros(D, shape[1], dh * (h - 1) + 1, dw * (w - 1) + 1)
            spread[:, :, ::dh, ::dw] = weight
            got = ns["conv2d"](x, weight, stride=s, padding=p, dilation=d)
            want = ns["conv2d"](torch.nn.functional.pad(x, (pw, pw, ph, ph)), spread)
            want = want[:, :, ::sh, ::sw]
            out.append("ok" if got.shape == want.shape and torch.allclose(
                got, want, rtol=1e-4, atol=1e-5) else
                f"stride {s}, padding {p}, dilation {d}: not your plain conv2d of the padded "
                f"input with the spread kernel, every stride-th position ({tuple(got.shape)}, "
                f"it gives {tuple(want.shape)})")
    return out


def _gradient_cases(ns):
    """gradcheck on each case: input, weight and bias (where given) as its inputs."""
    g, out = gen(43), []
    for shape, (D, h, w), with_bias, s, p, d in (((1, 2, 5, 5), (2, 2, 2), True, 1, 0, 1),
                                                 ((2, 1, 6, 5), (2, 3, 2), True, 2, 1, 1),
                                                 ((1, 2, 7, 6), (1, 2, 2), False, 1, 1, 2)):
        inputs = [torch.randn(shape, generator=g), torch.randn(D, shape[1], h, w, generator=g)]
        inputs += [torch.randn(D, generator=g)] if with_bias else []
        out.append(_gradcheck(lambda *t, s=s, p=p, d=d: ns["conv2d"](
            *t, stride=s, padding=p, dilation=d), *inputs))
    return out


declare(
    "conv2d",
    Requirement("values", 2, "equal to F.conv2d for input (N, C, H, W) and weight (D, C, h, "
                "w), with and without bias",
                visible=[("conv2d(torch.arange(32.0).reshape(1, 2, 4, 4), "
                          "torch.arange(24.0).reshape(3, 2, 2, 2), torch.tensor([0.0, 1.0, "
                          "-1.0]))",
                          "sum over input channels and kernel positions, add bias[d]"),
                         ("conv2d(torch.arange(32.0).reshape(2, 1, 4, 4), "
                          "torch.tensor([[[[1.0, 0.0], [0.0, -1.0]]]]))",
                          "no bias: nothing added; each image of the batch on its own")],
                hidden=_values_cases),
    Requirement("settings", 1, "stride, padding and dilation, each an int or an (h, w) pair, "
                "as F.conv2d takes them (positional in that order too)",
                visible=[("conv2d(torch.arange(50.0).reshape(1, 2, 5, 5), "
                          "torch.ones(1, 2, 2, 3), None, stride=(2, 1), padding=1, "
                          "dilation=(1, 2))",
                          "pairs are (rows, columns); padding adds zeros on every side"),
                         ("conv2d(torch.arange(36.0).reshape(1, 1, 6, 6), torch.ones(1, 1, 2, 2), "
                          "torch.zeros(1), 2, 1, 2)",
                          "the order is input, weight, bias, stride, padding, dilation")],
                hidden=_settings_cases),
    Requirement("gradients", 0.5, "gradients flow to input, weight and bias: autograd's are "
                "those of the function computed",
                visible=[("torch.autograd.gradcheck(conv2d, (torch.arange(18.0).reshape(1, 2, 3,"
                          " 3).double().requires_grad_(), torch.ones(2, 2, 2, 2).double()"
                          ".requires_grad_(), torch.tensor([1.0, -1.0]).double().requires_grad_()"
                          "), eps=1e-3, atol=1e-2, rtol=1e-2, raise_exception=False)",
                          "gradcheck compares autograd's gradients with finite differences: "
                          "no .item(), .numpy() or torch.tensor(list) on the way")],
                hidden=_gradient_cases),
    Requirement("dtype and device", 0.5, "the result has the input's dtype and device",
                visible=[("conv2d(torch.ones(1, 1, 3, 3, dtype=torch.float64), "
                          "torch.ones(1, 1, 2, 2, dtype=torch.float64)).dtype",
                          "make new tensors from the input (new_zeros, zeros_like)"),
                         ('device_check(conv2d, torch.ones(2, 3, 6, 6, device="meta"), '
                          'torch.ones(4, 3, 3, 3, device="meta"), torch.ones(4, device="meta"), '
                          "stride=2, padding=1)",
                          "make new tensors on the input's device")]),
    forbidden=BUILT_IN_CONVOLUTION,
    uses={"conv_output_size": _conv_output_size},
)
