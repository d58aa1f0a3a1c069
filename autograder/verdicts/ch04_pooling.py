# ch04's exercises, declared by requirement (see Requirement and Exercise in runtime.py): each
# requirement's statement, points, visible expressions (the notebook's test cell checks them
# against the reference's stored values) and hidden inputs (grading only). Everything the
# docstrings list, the notebook checks, grading scores and the feedback says comes from here.
# Inputs of max pooling's gradient checks have distinct values: with ties, the built-in gives
# the gradient to one element and amax shares it, both correct.

# What "without F.max_pool2d" and "without F.avg_pool2d" rule out: every built-in pooling,
# under each of its names. A 2-D max pooling is also two 1-D ones (the maximum is separable)
# or a 3-D one with a depth-1 kernel, so those are ruled out too. (The notebook's imports cell
# defines the same lists.)
_NAMESPACES = ["torch", "torch.nn.functional", "torch._C._nn", "torch.ops.aten"]
_MAX_POOLS = [
    "max_pool1d", "max_pool1d_with_indices", "max_pool2d", "max_pool2d_with_indices",
    "_max_pool1d", "_max_pool2d", "max_pool3d", "max_pool3d_with_indices",
    "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices", "adaptive_max_pool3d", "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices", "fractional_max_pool3d", "mkldnn_max_pool2d",
    "mkldnn_max_pool3d", "quantized_max_pool1d", "quantized_max_pool2d", "quantized_max_pool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
]
_AVG_POOLS = [
    "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "adaptive_avg_pool3d", "_adaptive_avg_pool2d", "_adaptive_avg_pool3d",
    "mkldnn_adaptive_avg_pool2d", "lp_pool1d", "lp_pool2d", "lp_pool3d",
]
BUILT_IN_MAX_POOL = [f"{ns}.{op}" for ns in _NAMESPACES for op in _MAX_POOLS] + [
    f"torch.nn.{m}.forward" for m in ("MaxPool1d", "MaxPool2d", "MaxPool3d", "AdaptiveMaxPool1d",
                                      "AdaptiveMaxPool2d", "FractionalMaxPool2d", "LPPool2d")]
BUILT_IN_AVG_POOL = [f"{ns}.{op}" for ns in _NAMESPACES for op in _AVG_POOLS] + [
    f"torch.nn.{m}.forward" for m in ("AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
                                      "AdaptiveAvgPool2d", "LPPool2d")]
BUILT_IN_POOL = BUILT_IN_MAX_POOL + BUILT_IN_AVG_POOL

# Inputs for the visible checks of the batched poolings: x_pool, 1 x 2 x 7 x 9 with values 0 to
# 16 in no order (a window's maximum is not always its last element); x_t and x_cl, 2 x 2 x 7 x
# 9 and not contiguous (a transposed view, and a channels-last copy, which N > 1 and C > 1 keep
# from being viewed as (N * C, H, W)).
_INPUTS = ("x_pool = torch.arange(126.0).reshape(1, 2, 7, 9) * 5 % 17  # values 0 to 16\n"
           "x_t = torch.arange(252.0).reshape(2, 2, 9, 7).transpose(2, 3)  # not contiguous\n"
           "x_cl = x_t.contiguous(memory_format=torch.channels_last)  # nor is this")


def _unchanged(fn, x, *args):
    """[fn's result, whether x is as it was]: the functions must not modify their input."""
    before = x.clone()
    out = fn(x, *args)
    return [out, torch.equal(x, before)]


# --- pool2d ------------------------------------------------------------------------------
_POOL2D_SHAPES = ((4, 5, 2, 3), (6, 3, 3, 1), (5, 7, 1, 4), (7, 6, 3, 2), (3, 3, 3, 3),
                  (2, 6, 2, 1), (5, 5, 1, 1))


def _pool2d_values(ns, mode):
    g, pool2d, out = gen(41 if mode == "max" else 42), ns["pool2d"], []
    for i, (H, W, p_h, p_w) in enumerate(_POOL2D_SHAPES):
        for dtype in (torch.float32, torch.float64):
            X = torch.randn(H, W, generator=g, dtype=dtype)
            if mode == "max" and i % 2:  # the default mode
                out.append(_unchanged(pool2d, X, (p_h, p_w)))
            else:
                out.append(_unchanged(pool2d, X, (p_h, p_w), mode))
    if mode == "max":
        # only negative values: a running maximum started at 0 shows
        out.append(pool2d(-1 - torch.rand(5, 6, generator=g), (2, 3)))
        # a transposed view: .view fails on it
        out.append(pool2d(torch.randn(6, 5, generator=g).T, (3, 2)))
    return out


def _gradcheck(f, X):
    """Whether autograd's gradients of f at X agree with finite differences (in float64): a
    result computed from X itself, whatever its values (those are max's and avg's concern) and
    its dtype (the dtype's)."""
    return torch.autograd.gradcheck(f, (X.detach().double().requires_grad_(),), eps=1e-3,
                                    atol=1e-2, rtol=1e-2, raise_exception=False)


def _pool2d_gradients(ns):
    g, out = gen(43), []
    for shape, pool_size in (((5, 6), (2, 3)), ((4, 4), (3, 1)), ((3, 5), (1, 1))):
        for mode in ("max", "avg"):
            # distinct values 1 apart: no maximum within eps of another
            X = torch.randperm(shape[0] * shape[1], generator=g).reshape(shape) + 1.0
            out.append(_gradcheck(lambda t, p=pool_size, m=mode: ns["pool2d"](t, p, m), X))
    return out


def _pool2d_dtypes(ns):
    return [str(ns["pool2d"](torch.randn(shape, generator=gen(44), dtype=torch.float64), ps,
                             mode).dtype)
            for shape, ps in (((4, 5), (2, 3)), ((3, 3), (1, 1))) for mode in ("max", "avg")]


declare(
    "pool2d",
    Requirement("max", 0.5, 'mode="max", the default: Y[i, j] is the maximum of the p_h x '
                "p_w window of X whose top-left corner is (i, j), of shape (H - p_h + 1, W - "
                "p_w + 1), for any 2-D X (a transposed view too); X is not modified",
                visible=[("pool2d(torch.arange(9.0).reshape(3, 3), (2, 2))",
                          "stride 1: the output has shape (H - p_h + 1, W - p_w + 1)"),
                         ("pool2d(torch.arange(9.0).reshape(3, 3), (1, 2))",
                          "pool_size is (height, width): a window has p_h rows and p_w "
                          "columns"),
                         ("pool2d(-1 - torch.arange(12.0).reshape(3, 4) * 5 % 7, (2, 3))",
                          "every value is negative here: start a running maximum at -inf "
                          "(or use window.max()), not at 0"),
                         ("pool2d(torch.arange(12.0).reshape(4, 3).T, (2, 2))",
                          "X.T is not contiguous: use .reshape, not .view"),
                         ("(lambda X: [pool2d(X, (2, 2), 'max'), X])(torch.arange(9.0)"
                          ".reshape(3, 3))",
                          "the second value is X after the call: do not modify X in place")],
                hidden=lambda ns: _pool2d_values(ns, "max")),
    Requirement("avg", 0.5, 'mode="avg": Y[i, j] is the mean of the same window; X is not '
                "modified",
                visible=[('pool2d(torch.arange(9.0).reshape(3, 3), (2, 2), "avg")',
                          "the mean of each window"),
                         ('pool2d(torch.arange(12.0).reshape(3, 4), (2, 3), "avg")',
                          "divide the sum by p_h * p_w, the number of values in a window"),
                         ("(lambda X: [pool2d(X, (2, 2), 'avg'), X])(torch.arange(9.0)"
                          ".reshape(3, 3))",
                          "the second value is X after the call: do not divide X in place")],
                hidden=lambda ns: _pool2d_values(ns, "avg")),
    Requirement("gradients", 0.25, "gradients flow back to X: autograd's are those of the "
                "function computed (tensors, not .item() values, and not under torch.no_grad())",
                visible=[("torch.autograd.gradcheck(lambda X: pool2d(X, (2, 2)), "
                          "((torch.arange(12.0).reshape(3, 4) * 5 % 12).double()"
                          ".requires_grad_(),), eps=1e-3, atol=1e-2, rtol=1e-2, "
                          "raise_exception=False)",
                          "gradcheck compares autograd's gradients with finite differences: "
                          "fill the output with tensors, no .item(), no torch.no_grad()"),
                         ('torch.autograd.gradcheck(lambda X: pool2d(X, (2, 3), "avg"), '
                          "(torch.arange(12.0).reshape(3, 4).double().requires_grad_(),), "
                          "eps=1e-3, atol=1e-2, rtol=1e-2, raise_exception=False)",
                          "the same in the average mode")],
                hidden=_pool2d_gradients),
    Requirement("mode", 0.25, 'a mode other than "max" or "avg" raises ValueError (d2l '
                "silently returns zeros)",
                visible=[('raises(pool2d, torch.ones(3, 3), (2, 2), "min")',
                          '"min" is not a mode: raise a ValueError, do not fall through to a '
                          'result'),
                         ('raises(pool2d, torch.ones(3, 3), (2, 2), "mean")',
                          'the average mode is called "avg"; "mean" is an unknown mode')],
                hidden=lambda ns: [raises(ns["pool2d"], torch.ones(4, 4), (2, 2), bad)
                                   for bad in ("min", "mean", "sum", "average")]),
    Requirement("dtype", 0.25, "the result has X's dtype (float64 in, float64 out)",
                visible=[("pool2d(torch.ones(3, 3, dtype=torch.float64), (2, 2)).dtype",
                          "torch.zeros(...) is float32 whatever X is: make the output in X's "
                          "dtype"),
                         ('pool2d(torch.ones(3, 4, dtype=torch.float64), (2, 2), "avg").dtype',
                          "the average mode too: the output in X's dtype")],
                hidden=_pool2d_dtypes),
    Requirement("device", 0.25, "the result is on X's device (a GPU on Colab)",
                visible=[('device_check(pool2d, torch.ones(3, 4, device="meta"), (2, 2))',
                          "the meta device stands in for a GPU: make the output on X's "
                          "device"),
                         ('device_check(pool2d, torch.ones(4, 4, device="meta"), (3, 2), "avg")',
                          "the average mode too: the output on X's device")]),
    forbidden=BUILT_IN_POOL,
)


# --- max_pool2d --------------------------------------------------------------------------
# Each requirement's inputs leave the others' mistakes out where they can: the settings and
# the padding on one image (N = 1), the gradients on one image or one channel (a mix-up of
# the two is the values' concern), on sizes the windows tile exactly, without padding, with an
# explicit stride.
def _shape(g, k_h, k_w, batch=True):
    """A random (N, C, H, W) in which a k_h x k_w window fits; N = 1 unless ``batch``."""
    N, C = (int(v) for v in torch.randint(1, 4, (2,), generator=g))
    return (N if batch else 1, C, k_h + int(torch.randint(0, 8, (), generator=g)),
            k_w + int(torch.randint(0, 8, (), generator=g)))


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _pool_cases(ns, name, seed, configs, shift=0.0, dtypes=(torch.float32,), positive=False,
                batch=True, unchanged=False):
    """``name`` on random inputs, one per (args, kwargs) config and dtype; with ``unchanged``,
    [result, input unchanged]. ``positive``: values in [1, 2), where the padding's value does
    not matter; otherwise normal values plus ``shift``."""
    g, fn, out = gen(seed), ns[name], []
    for args, kwargs in configs:
        k_h, k_w = _pair(args[0] if args else kwargs["kernel_size"])
        shape = _shape(g, k_h, k_w, batch)
        for dtype in dtypes:
            x = (torch.rand(shape, generator=g, dtype=dtype) + 1 if positive else
                 torch.randn(shape, generator=g, dtype=dtype) + shift)
            before = x.clone()
            result = fn(x, *args, **kwargs)
            out.append([result, torch.equal(x, before)] if unchanged else result)
    return out


def _non_contiguous(ns, name, seed, configs):
    """Whether ``name`` gives on non-contiguous inputs (a transposed view, a channels-last
    copy, a slice) what it gives on their contiguous copies: a wrong answer is wrong on both."""
    g, fn, out = gen(seed), ns[name], []
    for args in configs:
        x = torch.randn(2, 3, 9, 7, generator=g)
        for x_nc in (x.transpose(2, 3), x.contiguous(memory_format=torch.channels_last),
                     x[:, :, 1:8, ::2]):
            x_c = x_nc.contiguous()  # a copy, made first (an input modified is values' concern)
            out.append(torch.allclose(fn(x_nc, *args), fn(x_c, *args), rtol=1e-5, atol=1e-6))
    return out


def _float64(ns, name, seed, configs):
    """For float64 inputs: [the result's dtype, whether it agrees with the result for the
    float32 copy] (the values themselves are the values' and settings' checks)."""
    g, fn, out = gen(seed), ns[name], []
    for shape, args in configs:
        x = torch.randn(shape, generator=g, dtype=torch.float64)
        x32 = x.float()
        y = fn(x, *args)
        out.append([str(y.dtype), torch.allclose(y, fn(x32, *args).to(y.dtype), rtol=1e-5,
                                                 atol=1e-6)])
    return out


def _gradients(ns, name, seed, cases, dtype=torch.float64):
    g, out = gen(seed), []
    for shape, args in cases:
        x = torch.rand(shape, generator=g, dtype=dtype) + 1  # distinct values: no ties
        out.append(gradients(lambda t, a=args: ns[name](t, *a), x))
    return out


declare(
    "max_pool2d",
    Requirement("values", 1.5, "equal to F.max_pool2d(input, kernel_size) for an int "
                "kernel_size: stride = kernel_size by default, the output size rounded down, "
                "each image and channel on its own; input is not modified",
                visible=[("max_pool2d(torch.arange(16.0).reshape(1, 1, 4, 4), 2)",
                          "stride=None means stride = kernel_size"),
                         ("max_pool2d(torch.arange(210.0).reshape(2, 3, 5, 7) * 7 % 23, 2)",
                          "the output size is rounded down (drop the windows that stick out); "
                          "N and C stay as they are"),
                         ("(lambda x: [max_pool2d(x, 2), x])"
                          "(torch.arange(16.0).reshape(1, 1, 4, 4))",
                          "the second value is the input after the call: do not modify it")],
                hidden=lambda ns: _pool_cases(
                    ns, "max_pool2d", 45, [((k,), {}) for k in (1, 2, 3, 2, 4, 5, 3)],
                    dtypes=(torch.float32, torch.float64), unchanged=True)),
    Requirement("settings", 1, "kernel_size, stride and padding each an int or a (height, "
                "width) pair, a torch.Size too, as F.max_pool2d takes them (positional in "
                "that order too)",
                visible=[("max_pool2d(x_pool, (3, 2), stride=(2, 3), padding=(1, 0))",
                          "pairs are (height, width); F.pad wants (left, right, top, bottom)"),
                         ("max_pool2d(x_pool, (2, 3))",
                          "stride=None means stride = kernel_size, a pair too"),
                         ("max_pool2d(x_pool, 3, 2, 1)",
                          "the order is input, kernel_size, stride, padding"),
                         ("max_pool2d(x_pool, x_pool.shape[-2:])",
                          "x.shape[-2:] is a torch.Size, a pair (here a global max pooling): "
                          "test isinstance(v, int), not type(v) == tuple")],
                hidden=lambda ns: _pool_cases(ns, "max_pool2d", 46, [
                    ((2,), {"stride": 1}), ((3, None, 1), {}), (((2, 3),), {}),
                    (((3, 2),), {"padding": (1, 0)}), ((3, 1, 1), {}), ((3, 2, 1), {}),
                    (((2, 4), (1, 3), (1, 2)), {}), ((4, (3, 2), 2), {}), ((2, 3, 0), {}),
                    (((1, 3),), {"stride": (2, 1), "padding": (0, 1)}), ((5, 2, 2), {}),
                    (((3, 3), 1, (0, 1)), {}), ((torch.Size([2, 3]), None, (1, 1)), {}),
                    ((), {"kernel_size": (3, 2), "stride": 2, "padding": 1})],
                    positive=True, batch=False)),
    Requirement("padding", 0.5, "padding counts as -inf: a padded position is never the "
                "maximum, even where every value is negative",
                visible=[("max_pool2d(-1 - x_pool, 2, stride=2, padding=1)",
                          "pad with -inf, not zeros: a padded zero must never be the maximum"),
                         ("max_pool2d(-1 - x_pool, 3, stride=2, padding=1)",
                          "padding 1 goes on every side (top, bottom, left, right), all of it "
                          "-inf")],
                hidden=lambda ns: _pool_cases(ns, "max_pool2d", 48, [
                    ((k, s, p), {}) for k, s, p in (
                        (3, 3, 1), (3, 1, 1), (3, 2, 1), (4, 3, 2), (5, 2, 2), (2, 2, 1),
                        (2, 1, 1), (3, None, 1), ((3, 2), None, (1, 0)), ((2, 4), (1, 3), (1, 2)),
                        (4, (3, 2), 2), ((1, 3), (2, 1), (0, 1)), ((3, 3), 1, (0, 1)))],
                    shift=-4.0, batch=False)),
    Requirement("non-contiguous", 0.25, "a non-contiguous input (a transposed view, a "
                "channels-last tensor, as often on GPUs) gives what its contiguous copy gives",
                visible=[("torch.allclose(max_pool2d(x_t.contiguous(), 3, 2), max_pool2d(x_t, 3,"
                          " 2))",
                          "x_t is a transposed view: use .reshape (or .contiguous()) where "
                          ".view fails"),
                         ("torch.allclose(max_pool2d(x_cl.contiguous(), 3, 2), max_pool2d(x_cl, "
                          "3, 2))",
                          "a channels-last tensor cannot be viewed as (N * C, H, W): use "
                          ".reshape")],
                hidden=lambda ns: _non_contiguous(ns, "max_pool2d", 49,
                                                  ((2, None, 1), (2, 2), (3, 2), (3, 1, 1)))),
    Requirement("gradients", 0.25, "gradients flow back to input (tensor operations only: no "
                ".item(), .data or torch.no_grad())",
                visible=[("gradients(max_pool2d, torch.arange(63.0).reshape(1, 1, 7, 9) * 17 % 63,"
                          " 3, 2)",
                          "each window's gradient goes to its maximum: keep the graph (no "
                          ".data, .detach() or torch.no_grad())")],
                hidden=lambda ns: _gradients(ns, "max_pool2d", 47, [
                    ((1, 2, 7, 9), (3, 2)), ((1, 3, 6, 4), (2, 1)), ((2, 1, 9, 9), (3, 3)),
                    ((1, 2, 6, 8), (2, 2)), ((1, 2, 7, 9), (3, 2))])),
    Requirement("dtype", 0.25, "the result has input's dtype (float64 in, float64 out)",
                visible=[("max_pool2d(x_pool.double(), 3, 2, 1).dtype",
                          "a -inf border made with torch.full(...) is float32 unless "
                          "dtype=input.dtype")],
                hidden=lambda ns: _float64(ns, "max_pool2d", 50, [
                    ((2, 3, 8, 6), (3, 2, 1)), ((1, 2, 6, 7), (2, 1, 0)), ((2, 1, 6, 6), (2,))])),
    Requirement("device", 0.25, "the result is on input's device (a GPU on Colab)",
                visible=[('device_check(max_pool2d, torch.ones(2, 3, 6, 6, device="meta"), 3, 2,'
                          ' 1)',
                          "pad with F.pad, or create the border with device=input.device")],
                hidden=lambda ns: [device_agnostic(ns["max_pool2d"],
                                                   torch.ones(1, 2, 5, 7, device="meta"), *a)
                                   for a in ((2,), (3, 1, 1))]),
    forbidden=BUILT_IN_MAX_POOL,
    setup=_INPUTS,
)


# --- avg_pool2d --------------------------------------------------------------------------
# As for max_pool2d; besides, the checks other than values and settings use square kernels
# given with stride = kernel_size on sizes they tile (a reshape is then right), and only
# the dtype's check uses float64 (a float32 helper tensor breaks nothing else).
declare(
    "avg_pool2d",
    Requirement("values", 1.25, "equal to F.avg_pool2d(input, kernel_size) for an int "
                "kernel_size: the mean of each window, stride = kernel_size by default, the "
                "output size rounded down (windows start at the top left); input is not "
                "modified",
                visible=[("avg_pool2d(torch.arange(16.0).reshape(1, 1, 4, 4), 2)",
                          "stride=None means stride = kernel_size; the mean, not the sum"),
                         ("avg_pool2d(x_pool, 2)",
                          "round the output size down: the last row and column are dropped "
                          "(windows start at the top left)"),
                         ("avg_pool2d(torch.arange(210.0).reshape(2, 3, 5, 7) * 7 % 23, 3)",
                          "each image and channel on its own"),
                         ("(lambda x: [avg_pool2d(x, 2), x])"
                          "(torch.arange(16.0).reshape(1, 1, 4, 4))",
                          "the second value is the input after the call: do not divide it in "
                          "place")],
                hidden=lambda ns: _pool_cases(
                    ns, "avg_pool2d", 53, [((k,), {}) for k in (1, 2, 3, 2, 4, 5, 3)],
                    shift=1.0, unchanged=True)),
    Requirement("settings", 0.75, "kernel_size and stride each an int or a (height, width) "
                "pair, a torch.Size too, as F.avg_pool2d takes them (positional in that order "
                "too)",
                visible=[("avg_pool2d(x_pool, (3, 2), stride=(2, 1))",
                          "pairs are (height, width); divide by k_h * k_w; with a stride other "
                          "than the kernel size a reshape is not enough: use unfold"),
                         ("avg_pool2d(x_pool, (2, 3))",
                          "stride=None means stride = kernel_size, a pair too"),
                         ("avg_pool2d(x_pool, 3, 2)", "the order is input, kernel_size, stride"),
                         ("avg_pool2d(x_pool, x_pool.shape[-2:])",
                          "x.shape[-2:] is a torch.Size, a pair (here a global average "
                          "pooling): test isinstance(v, int), not type(v) == tuple")],
                hidden=lambda ns: _pool_cases(ns, "avg_pool2d", 54, [
                    ((2, None), {}), (((2, 3),), {}), (((3, 1),), {}), ((3, 1), {}), ((2, 3), {}),
                    (((2, 4), (1, 3)), {}), ((4,), {"stride": (3, 2)}), (((1, 2), (2, 1)), {}),
                    ((5, 2), {}), (((3, 2), 2), {}), ((torch.Size([3, 2]),), {}),
                    ((), {"kernel_size": (2, 2), "stride": 1})], shift=1.0, batch=False)),
    Requirement("non-contiguous", 0.25, "a non-contiguous input (a transposed view, a "
                "channels-last tensor, as often on GPUs) gives what its contiguous copy gives",
                visible=[("torch.allclose(avg_pool2d(x_t.contiguous(), 3, 3), avg_pool2d(x_t, 3,"
                          " 3))",
                          "x_t is a transposed view: use .reshape (or .contiguous()) where "
                          ".view fails"),
                         ("torch.allclose(avg_pool2d(x_cl.contiguous(), 3, 3), avg_pool2d(x_cl, "
                          "3, 3))",
                          "a channels-last tensor cannot be viewed as (N * C, H, W): use "
                          ".reshape")],
                hidden=lambda ns: _non_contiguous(ns, "avg_pool2d", 55,
                                                  ((3,), (2,), (3, 2), (3, 1)))),
    Requirement("gradients", 0.25, "gradients flow back to input (tensor operations only: no "
                ".item(), .data or torch.no_grad())",
                visible=[("gradients(avg_pool2d, torch.arange(54.0).reshape(1, 1, 6, 9), 3, 3)",
                          "each window spreads its gradient equally over its values: keep the "
                          "graph (no .data, .detach() or torch.no_grad())")],
                hidden=lambda ns: _gradients(ns, "avg_pool2d", 52, [
                    ((1, 2, 6, 9), (3, 3)), ((1, 3, 6, 4), (2, 2)), ((2, 1, 8, 8), (4, 4)),
                    ((1, 2, 8, 6), (2, 2))],
                    dtype=torch.float32)),
    Requirement("dtype", 0.25, "the result has input's dtype (float64 in, float64 out)",
                visible=[("avg_pool2d(x_pool.double(), 3, 3).dtype",
                          "a helper tensor (a kernel of 1 / (k_h * k_w)) must have "
                          "dtype=input.dtype")],
                hidden=lambda ns: _float64(ns, "avg_pool2d", 56, [
                    ((2, 3, 9, 7), (3, 2)), ((1, 2, 6, 7), ((2, 3),)), ((2, 1, 6, 6), (2,))])),
    Requirement("device", 0.25, "the result is on input's device (a GPU on Colab)",
                visible=[('device_check(avg_pool2d, torch.ones(2, 3, 6, 6, device="meta"), 3, 3)',
                          "create any helper tensor on input.device")],
                hidden=lambda ns: [device_agnostic(ns["avg_pool2d"],
                                                   torch.ones(1, 2, 6, 8, device="meta"), *a)
                                   for a in ((2, 2), (3, 3))]),
    forbidden=BUILT_IN_AVG_POOL,
    setup=_INPUTS,
)


# --- global_avg_pool ---------------------------------------------------------------------
_GLOBAL_SHAPES = ((1, 1, 1, 1), (1, 5, 3, 3), (4, 1, 2, 6), (3, 7, 5, 2), (2, 3, 1, 8),
                  (1, 1, 9, 4))


def _global_cases(ns, what, seed=57):
    g, out = gen(seed), []
    for shape in _GLOBAL_SHAPES:
        for dtype in (torch.float32, torch.float64):
            out.append(what(ns["global_avg_pool"](torch.randn(shape, generator=g, dtype=dtype)
                                                  + 0.5)))
    return out


def _global_non_contiguous(ns):
    g, f = gen(58), ns["global_avg_pool"]
    x = torch.randn(3, 4, 5, 6, generator=g) + 0.5
    return [torch.allclose(f(x_nc), f(x_nc.contiguous()), rtol=1e-5, atol=1e-6)
            for x_nc in (x.transpose(2, 3), x[:, :, ::2, 1:], x.permute(1, 0, 3, 2),
                         x.contiguous(memory_format=torch.channels_last))]


declare(
    "global_avg_pool",
    Requirement("values", 0.5, "y[n, c] is the mean of x[n, c] over its H x W values",
                visible=[("global_avg_pool(torch.arange(120.0).reshape(2, 3, 4, 5) * 7 % 11)"
                          ".reshape(-1)",
                          "each channel's average over all its H x W positions, not the sum or "
                          "the maximum"),
                         ("global_avg_pool(torch.arange(42.0).reshape(1, 2, 3, 7) ** 2)"
                          ".reshape(-1)",
                          "divide by H * W, the number of values of a channel (here 3 * 7)")],
                hidden=lambda ns: _global_cases(ns, lambda out: out.reshape(-1))),
    Requirement("shape", 0.25, "the result has shape (N, C), also when N or C is 1 (no "
                "keepdim, no squeeze())",
                visible=[("tuple(global_avg_pool(torch.ones(2, 3, 4, 5)).shape)",
                          "one value per image and channel, no (1, 1) dimensions left (no "
                          "keepdim)"),
                         ("tuple(global_avg_pool(torch.ones(1, 3, 2, 2)).shape)",
                          "N = 1 stays: .squeeze() drops every dimension of size 1"),
                         ("tuple(global_avg_pool(torch.ones(4, 1, 2, 2)).shape)",
                          "C = 1 stays: .squeeze() drops every dimension of size 1")],
                hidden=lambda ns: _global_cases(ns, lambda out: tuple(out.shape))),
    Requirement("non-contiguous", 0.125, "a non-contiguous x (a transposed view) gives what "
                "its contiguous copy gives",
                visible=[("torch.allclose(global_avg_pool(x_t.contiguous()), global_avg_pool(x_t))",
                          "x_t is a transposed view, not contiguous: use .reshape or .flatten, not "
                          ".view")],
                hidden=_global_non_contiguous),
    Requirement("dtype and device", 0.125, "the result has x's dtype and device",
                visible=[("global_avg_pool(torch.ones(2, 3, 4, 4, dtype=torch.float64)).dtype",
                          "a result made with torch.zeros(N, C) is float32: reduce x itself"),
                         ('device_check(global_avg_pool, torch.ones(2, 3, 4, 4, device="meta"))',
                          "the meta device stands in for a GPU: compute from x itself, no new "
                          "tensor made on the CPU")],
                hidden=lambda ns: _global_cases(ns, lambda out: str(out.dtype), seed=59)),
    setup="x_t = torch.arange(120.0).reshape(2, 3, 5, 4).transpose(2, 3)  # not contiguous",
    # the built-in the section shows (nn.AdaptiveAvgPool2d) would be the exercise, copied
    forbidden=BUILT_IN_AVG_POOL,
)
