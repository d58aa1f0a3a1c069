# Probes of ch03 (see autograder/verdicts/__init__.py). Built-in convolutions give the same
# numbers as a correct answer, so using one is left to the tests in the kernel.
from torch import nn


def _corr2d(X, K):
    h, w = K.shape
    return (X.unfold(0, h, 1).unfold(1, w, 1) * K).sum((-2, -1))


def _conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _grads(out, inputs, seed):
    """Gradients of a fixed random projection of ``out``; a result cut off from the graph
    (.item(), torch.tensor of floats) has none."""
    if not out.requires_grad:
        return "the result does not require grad"
    weights = torch.randn(out.shape, generator=gen(seed), dtype=out.dtype)
    return list(torch.autograd.grad((out * weights).sum(), inputs, allow_unused=True))


def _leaf(g, shape, dtype):
    return torch.randn(shape, generator=g, dtype=dtype).requires_grad_()


def probe_corr1d(ns):
    corr1d, g, result = ns["corr1d"], gen(30), []
    for W, w in ((4, 2), (10, 1), (7, 7), (9, 4), (16, 3)):
        for dtype in (torch.float32, torch.float64):
            x, u = _leaf(g, (W,), dtype), _leaf(g, (w,), dtype)
            out = corr1d(x, u)
            result.append([out, str(out.dtype), _grads(out, (x, u), W * w)])
    meta = device_agnostic(corr1d, torch.ones(8, device="meta"), torch.ones(3, device="meta"))
    return result, meta


def probe_corr2d(ns):
    corr2d, g, result = ns["corr2d"], gen(32), []
    # non-square kernels both ways, 1 x 1, and a kernel as large as X (a 1 x 1 result)
    for (H, W), (h, w) in (((3, 3), (2, 2)), ((6, 8), (1, 2)), ((8, 6), (2, 1)),
                           ((5, 7), (3, 2)), ((4, 4), (4, 4)), ((5, 3), (1, 1)),
                           ((4, 9), (4, 2))):
        for dtype in (torch.float32, torch.float64):
            X, K = _leaf(g, (H, W), dtype), _leaf(g, (h, w), dtype)
            out = corr2d(X, K)
            result.append([out, str(out.dtype), _grads(out, (X, K), H * W + h)])
    meta = device_agnostic(corr2d, torch.ones(5, 6, device="meta"),
                           torch.ones(2, 3, device="meta"))
    return result, meta


def probe_Conv2D(ns):
    g, result = gen(34), []
    with replaced(ns, corr2d=_corr2d):
        for kernel_size, (H, W) in (((1, 2), (6, 8)), ((3, 2), (5, 7)), ((2, 4), (6, 6))):
            layer = ns["Conv2D"](kernel_size)
            # the bias may have shape (1,) or (): only its size is fixed
            shape = [isinstance(layer, nn.Module), sorted(n for n, _ in layer.named_parameters()),
                     isinstance(layer.weight, nn.Parameter), isinstance(layer.bias, nn.Parameter),
                     list(layer.weight.shape), layer.bias.numel()]
            with torch.no_grad():
                layer.weight.copy_(torch.randn(kernel_size, generator=g))
                layer.bias.fill_(0.7)
            out = layer(torch.randn(H, W, generator=g))
            out_weights = torch.randn(out.shape, generator=g)
            layer.zero_grad()
            (out * out_weights).sum().backward()
            grads = [None if p.grad is None else p.grad.sum() if p is layer.bias else p.grad
                     for p in (layer.weight, layer.bias)]
            result.append([shape, out, grads])
    return result


def _edges():
    X = torch.ones(6, 8, dtype=torch.float32)
    X[:, 2:6] = 0
    return X, _corr2d(X, torch.tensor([[1.0, -1.0]], dtype=torch.float32))


def probe_learn_kernel(ns):
    g, result = gen(36), []
    with replaced(ns, corr2d=_corr2d):
        cases = []
        for H, W, ks, steps, lr, dtype in ((6, 8, (1, 2), 3, 8e-3, torch.float32),
                                           (7, 6, (2, 2), 7, 5e-3, torch.float32),
                                           (8, 9, (3, 2), 2, 4e-3, torch.float64),
                                           (5, 5, (2, 3), 12, 4e-3, torch.float64),
                                           (6, 6, (1, 1), 0, 1e-2, torch.float64)):
            X = torch.randn(H, W, generator=g, dtype=dtype)
            # an offset that a kernel alone cannot fit shows a learned bias
            Y = (_corr2d(X, torch.randn(ks, generator=g, dtype=dtype)) + 0.5
                 + 0.1 * torch.randn(H - ks[0] + 1, W - ks[1] + 1, generator=g, dtype=dtype))
            cases.append((X, Y, ks, {"steps": steps, "lr": lr}))
        cases.append((*_edges(), (1, 2), {}))  # the default steps and lr
        for X, Y, ks, kwargs in cases:
            X0, Y0 = X.clone(), Y.clone()
            K = ns["learn_kernel"](X, Y, ks, **kwargs)
            result.append([K, str(K.dtype), K.requires_grad,
                           torch.equal(X, X0) and torch.equal(Y, Y0)])
    return result


def probe_conv_output_size(ns):
    conv_output_size, result = ns["conv_output_size"], []
    for size in range(1, 10):
        for k in range(1, 5):
            for s in range(1, 4):
                for p in range(3):
                    for d in range(1, 4):
                        if size + 2 * p >= d * (k - 1) + 1:
                            n = conv_output_size(size, k, stride=s, padding=p, dilation=d)
                            result.append([n, type(n).__name__])  # a float 24.0 is no int
    n = conv_output_size(17, 3, 3, 0, 2)  # positional, in the documented order
    result.append([n, type(n).__name__])
    return result


def probe_corr2d_multi_in_out(ns):
    g, result = gen(39), []
    with replaced(ns, corr2d=_corr2d):
        f = ns["corr2d_multi_in_out"]
        for C, D, (H, W), (h, w) in ((2, 3, (3, 3), (2, 2)), (3, 2, (5, 6), (2, 3)),
                                     (1, 4, (4, 5), (3, 1)), (4, 1, (6, 4), (1, 1)),
                                     (2, 5, (4, 7), (4, 2))):
            for dtype in (torch.float32, torch.float64):
                out = f(torch.randn(C, H, W, generator=g, dtype=dtype),
                        torch.randn(D, C, h, w, generator=g, dtype=dtype))
                result.append([out, str(out.dtype)])
        meta = device_agnostic(f, torch.ones(2, 5, 5, device="meta"),
                               torch.ones(3, 2, 2, 2, device="meta"))
    return result, meta


def probe_conv2d(ns):
    g, result = gen(41), []
    cases = [  # (N, C, H, W), (D, h, w), bias, stride, padding, dilation: ints and pairs
        ((2, 3, 7, 8), (4, 3, 3), True, 1, 0, 1),
        ((1, 1, 6, 9), (1, 2, 3), False, 1, 0, 1),
        ((3, 2, 9, 6), (5, 3, 2), True, 2, 1, 1),
        ((2, 3, 10, 11), (2, 3, 3), True, (2, 3), (1, 2), 1),
        ((2, 2, 11, 9), (3, 3, 2), False, 1, (0, 2), (2, 3)),
        ((1, 4, 8, 8), (6, 1, 1), True, 3, 0, 1),
        ((2, 1, 12, 10), (2, 5, 4), True, (1, 2), 2, 2),
        ((1, 2, 7, 7), (3, 4, 2), False, (3, 1), (2, 1), (1, 1)),
    ]
    with replaced(ns, conv_output_size=_conv_output_size):
        conv2d = ns["conv2d"]
        for shape, (D, h, w), with_bias, s, p, d in cases:
            for dtype in (torch.float32, torch.float64):
                x = _leaf(g, shape, dtype)
                weight = _leaf(g, (D, shape[1], h, w), dtype)
                bias = _leaf(g, (D,), dtype) if with_bias else None
                out = conv2d(x, weight, bias, stride=s, padding=p, dilation=d)
                inputs = (x, weight) if bias is None else (x, weight, bias)
                result.append([out, str(out.dtype), _grads(out, inputs, len(result))])
        # positional arguments, in F.conv2d's order
        x, weight, bias = (torch.randn(shape, generator=g) for shape in
                           ((2, 3, 8, 9), (4, 3, 3, 2), (4,)))
        result.append(conv2d(x, weight, bias, 2, 1, 2))
        result.append(device_agnostic(
            conv2d, torch.ones(2, 3, 6, 6, device="meta"), torch.ones(4, 3, 3, 3, device="meta"),
            torch.ones(4, device="meta"), stride=2, padding=1))
    return result
