# Probes of ch04 (see autograder/verdicts/__init__.py). Built-in pooling gives the same
# numbers as a correct answer, so using one is left to the tests in the kernel. Pool sizes
# are passed as tuples, the documented "pair".


def _grads(out, x, seed):
    """The gradient of a fixed random projection of ``out``; a result cut off from the graph
    (.item(), torch.tensor of floats) has none."""
    if not out.requires_grad:
        return "the result does not require grad"
    weights = torch.randn(out.shape, generator=gen(seed), dtype=out.dtype)
    return torch.autograd.grad((out * weights).sum(), x)[0]


def _raises(fn, *args):
    try:
        fn(*args)
    except Exception as error:  # noqa: BLE001 - which exception is the answer
        return type(error).__name__
    return "nothing raised"


def _calls(fn, g, cases, shifts=(0.0,)):
    """fn(x, *args) on random (N, C, H, W) inputs for each (args, shape, dtype) case, with the
    result, its dtype and whether x survived; some inputs shifted to mostly negative values."""
    result = []
    for args, shape, dtype in cases:
        for shift in shifts:
            x = torch.randn(shape, generator=g, dtype=dtype) + shift
            before = x.clone()
            out = fn(x, *args)
            result.append([out, str(out.dtype), torch.equal(x, before)])
    return result


def probe_pool2d(ns):
    pool2d, g, result = ns["pool2d"], gen(41), []
    for H, W, p_h, p_w in ((4, 5, 2, 3), (6, 3, 3, 1), (5, 7, 1, 4), (3, 3, 3, 3), (5, 5, 1, 1)):
        for mode in ("max", "avg"):
            for dtype in (torch.float32, torch.float64):
                X = torch.randn(H, W, generator=g, dtype=dtype)
                before = X.clone()
                out = pool2d(X, (p_h, p_w), mode)
                result.append([out, str(out.dtype), torch.equal(X, before)])
    # only negative values: a running maximum started at 0 shows
    result.append(pool2d(-1 - torch.rand(5, 6, generator=g), (2, 3)))
    result.append(pool2d(torch.randn(4, 4, generator=g), (2, 2)))  # the default mode
    for mode in ("max", "avg"):
        X = torch.randn(5, 6, generator=g, dtype=torch.float64).requires_grad_()
        result.append(_grads(pool2d(X, (2, 3), mode), X, 42))
    result.append([_raises(pool2d, torch.randn(4, 4, generator=g), (2, 2), bad)
                   for bad in ("min", "mean", "sum")])
    result.append(device_agnostic(pool2d, torch.ones(3, 4, device="meta"), (2, 2)))
    return result


def probe_max_pool2d(ns):
    max_pool2d, g = ns["max_pool2d"], gen(43)
    configs = [  # kernel_size, stride, padding: ints and pairs, stride None or not
        (2, None, 0), (3, None, 1), ((2, 3), None, 0), ((3, 2), None, (1, 0)), (3, 1, 1),
        (3, 2, 1), ((2, 4), (1, 3), (1, 2)), (4, (3, 2), 2), ((1, 3), (2, 1), (0, 1)),
        (5, 2, 2),
    ]
    cases = [((k, s, p), (2, 3, 7 + i % 3, 9 - i % 4), torch.float32)
             for i, (k, s, p) in enumerate(configs)]
    cases.append(((3, 2, 1), (2, 3, 8, 6), torch.float64))
    # shift -4: mostly negative values, where zero padding shows
    result = _calls(max_pool2d, g, cases, shifts=(0.0, -4.0))
    result.append(max_pool2d(torch.randn(1, 2, 5, 7, generator=g), 2))  # default stride
    x = torch.randn(2, 3, 6, 9, generator=g)
    for x_nc in (x.transpose(2, 3), x.contiguous(memory_format=torch.channels_last)):
        result.append(max_pool2d(x_nc, 2, padding=1))  # non-contiguous: no .view
    x = torch.randn(2, 2, 7, 8, generator=g, dtype=torch.float64).requires_grad_()
    result.append(_grads(max_pool2d(x, 3, stride=2, padding=1), x, 44))
    result.append(device_agnostic(max_pool2d, torch.ones(2, 3, 6, 6, device="meta"), 3, 2, 1))
    return result


def probe_avg_pool2d(ns):
    avg_pool2d, g = ns["avg_pool2d"], gen(45)
    configs = [(2, None), (3, None), ((2, 3), None), ((3, 1), None), (3, 1), (2, 3),
               ((2, 4), (1, 3)), (4, (3, 2)), ((1, 2), (2, 1)), ((3, 2), 2)]
    cases = [((k, s), (2, 3, 7 + i % 3, 9 - i % 4), torch.float32)
             for i, (k, s) in enumerate(configs)]
    cases.append(((3, 2), (2, 3, 9, 7), torch.float64))
    # shift +1: a mean of zero would hide a wrong divisor
    result = _calls(avg_pool2d, g, cases, shifts=(1.0,))
    result.append(avg_pool2d(torch.randn(1, 2, 5, 7, generator=g), 2))  # default stride
    x = torch.randn(2, 3, 6, 9, generator=g)
    for x_nc in (x.transpose(2, 3), x.contiguous(memory_format=torch.channels_last)):
        result.append(avg_pool2d(x_nc, 3))  # non-contiguous: no .view
    x = torch.randn(2, 2, 7, 8, generator=g, dtype=torch.float64).requires_grad_()
    result.append(_grads(avg_pool2d(x, 3, stride=2), x, 46))
    result.append(device_agnostic(avg_pool2d, torch.ones(2, 3, 6, 6, device="meta"), 3, 2))
    return result


def probe_global_avg_pool(ns):
    g, result = gen(47), []
    for shape in ((1, 1, 1, 1), (1, 5, 3, 3), (4, 1, 2, 6), (3, 7, 5, 2), (2, 3, 1, 8)):
        for dtype in (torch.float32, torch.float64):
            out = ns["global_avg_pool"](torch.randn(shape, generator=g, dtype=dtype) + 0.5)
            result.append([out, str(out.dtype)])
    result.append(device_agnostic(ns["global_avg_pool"], torch.ones(2, 3, 4, 4, device="meta")))
    return result
