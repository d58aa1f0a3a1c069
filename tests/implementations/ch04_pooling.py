"""Student answers for ch04: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "pool2d": {
        "d2l's loop, dtype and device kept, ValueError": """
def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype,
                    device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == 'avg':
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
            else:
                raise ValueError(mode)
    return Y
""",
        "Tensor.unfold, vectorised": """
def pool2d(X, pool_size, mode="max"):
    windows = X.unfold(0, pool_size[0], 1).unfold(1, pool_size[1], 1)
    if mode == "max":
        return windows.amax(dim=(2, 3))
    if mode == "avg":
        return windows.mean(dim=(2, 3))
    raise ValueError("unknown mode " + str(mode))
""",
        "list of rows and torch.stack": """
def pool2d(X, pool_size, mode="max"):
    if mode not in {"max", "avg"}:
        raise ValueError(mode)
    ph, pw = pool_size
    reduce = (lambda w: w.max()) if mode == "max" else (lambda w: w.sum() / (ph * pw))
    rows = []
    for i in range(X.shape[0] - ph + 1):
        rows.append(torch.stack([reduce(X[i:i + ph, j:j + pw])
                                 for j in range(X.shape[1] - pw + 1)]))
    return torch.stack(rows)
""",
        "F.unfold on a batch of one": """
def pool2d(X, pool_size, mode="max"):
    if mode != "max" and mode != "avg":
        raise ValueError(f"bad mode {mode}")
    H, W = X.shape
    cols = F.unfold(X[None, None], pool_size)  # (1, ph * pw, L)
    vals = cols.max(dim=1).values if mode == "max" else cols.mean(dim=1)
    return vals.reshape(H - pool_size[0] + 1, W - pool_size[1] + 1)
""",
        "running maximum from -inf over the offsets": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    ph, pw = pool_size
    oh, ow = X.shape[0] - ph + 1, X.shape[1] - pw + 1
    if mode == "max":
        Y = torch.full((oh, ow), float("-inf"), dtype=X.dtype, device=X.device)
    else:
        Y = torch.zeros((oh, ow), dtype=X.dtype, device=X.device)
    for a in range(ph):
        for b in range(pw):
            part = X[a:a + oh, b:b + ow]
            Y = torch.maximum(Y, part) if mode == "max" else Y + part / (ph * pw)
    return Y
""",
    },
    "max_pool2d": {
        "F.unfold and max over the window": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    kh, kw = pair(kernel_size)
    sh, sw = pair(kernel_size if stride is None else stride)
    ph, pw = pair(padding)
    N, C, H, W = input.shape
    x = F.pad(input, (pw, pw, ph, ph), value=-float("inf"))
    oh = (H + 2 * ph - kh) // sh + 1
    ow = (W + 2 * pw - kw) // sw + 1
    cols = F.unfold(x, (kh, kw), stride=(sh, sw))  # (N, C * kh * kw, L)
    return cols.reshape(N, C, kh * kw, oh * ow).max(dim=2).values.reshape(N, C, oh, ow)
""",
        "torch.maximum over strided slices": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    kh, kw = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * 2
    if stride is None:
        stride = (kh, kw)
    sh, sw = stride if isinstance(stride, (tuple, list)) else (stride,) * 2
    ph, pw = padding if isinstance(padding, (tuple, list)) else (padding,) * 2
    N, C, H, W = input.shape
    x = F.pad(input, (pw, pw, ph, ph), value=float("-inf"))
    oh = (H + 2 * ph - kh) // sh + 1
    ow = (W + 2 * pw - kw) // sw + 1
    out = None
    for a in range(kh):
        for b in range(kw):
            part = x[:, :, a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]
            out = part if out is None else torch.maximum(out, part)
    return out
""",
        "torch.full border on the device and a double loop": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if stride is None:
        stride = kernel_size
    if isinstance(stride, int):
        stride = (stride, stride)
    if isinstance(padding, int):
        padding = (padding, padding)
    N, C, H, W = input.shape
    xp = torch.full((N, C, H + 2 * padding[0], W + 2 * padding[1]), float("-inf"),
                    dtype=input.dtype, device=input.device)
    xp[:, :, padding[0]:padding[0] + H, padding[1]:padding[1] + W] = input
    oh = (H + 2 * padding[0] - kernel_size[0]) // stride[0] + 1
    ow = (W + 2 * padding[1] - kernel_size[1]) // stride[1] + 1
    rows = []
    for i in range(oh):
        cols = []
        for j in range(ow):
            win = xp[:, :, i * stride[0]:i * stride[0] + kernel_size[0],
                     j * stride[1]:j * stride[1] + kernel_size[1]]
            cols.append(win.flatten(2).max(dim=2).values)
        rows.append(torch.stack(cols, dim=-1))
    return torch.stack(rows, dim=-2)
""",
        "a very negative finite border": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    lowest = torch.finfo(input.dtype).min
    x = F.pad(input, (p[1], p[1], p[0], p[0]), value=lowest)
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).flatten(-2).max(-1)[0]
""",
    },
    "avg_pool2d": {
        "F.unfold and mean": """
def avg_pool2d(input, kernel_size, stride=None):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)
    kh, kw = pair(kernel_size)
    sh, sw = pair(kernel_size if stride is None else stride)
    N, C, H, W = input.shape
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    cols = F.unfold(input, (kh, kw), stride=(sh, sw))
    return cols.reshape(N, C, kh * kw, oh * ow).mean(dim=2).reshape(N, C, oh, ow)
""",
        "a convolution with a constant kernel": """
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    stride = (kh, kw) if stride is None else stride
    N, C, H, W = input.shape
    weight = torch.full((1, 1, kh, kw), 1.0 / (kh * kw), dtype=input.dtype, device=input.device)
    out = F.conv2d(input.reshape(N * C, 1, H, W), weight, stride=stride)
    return out.reshape(N, C, out.shape[-2], out.shape[-1])
""",
        "sum of strided slices": """
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = kernel_size if isinstance(kernel_size, tuple) else (kernel_size, kernel_size)
    sh, sw = (kh, kw) if stride is None else (
        stride if isinstance(stride, tuple) else (stride, stride))
    H, W = input.shape[-2:]
    oh, ow = (H - kh) // sh + 1, (W - kw) // sw + 1
    total = 0
    for a in range(kh):
        for b in range(kw):
            total = total + input[..., a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw]
    return total / (kh * kw)
""",
        "reshape when the windows tile, unfold otherwise": """
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    sh, sw = (kh, kw) if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    N, C, H, W = input.shape
    if (sh, sw) == (kh, kw):
        oh, ow = H // kh, W // kw
        x = input[:, :, :oh * kh, :ow * kw]
        return x.reshape(N, C, oh, kh, ow, kw).mean(dim=(3, 5))
    return input.unfold(2, kh, sh).unfold(3, kw, sw).mean(dim=(-1, -2))
""",
    },
    "global_avg_pool": {
        "flatten the spatial dimensions": """
def global_avg_pool(x):
    return x.flatten(2).mean(-1)
""",
        "sum divided by H * W": """
def global_avg_pool(x):
    N, C, H, W = x.shape
    return x.sum(dim=(-1, -2)) / (H * W)
""",
        "sum over the H * W values, divided by their number": """
def global_avg_pool(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h * w).sum(-1) / (h * w)
""",
        "the mean of the rows, then of the columns": """
def global_avg_pool(x):
    return x.mean(-1).mean(-1)
""",
    },
}

WRONG = {
    "pool2d": {
        "mode: d2l's original (float32 output, zeros for an unknown mode)": """
def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == 'avg':
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
    return Y
""",
        "device: output made on the CPU (d2l's torch.zeros without device=)": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            w = X[i:i + p_h, j:j + p_w]
            Y[i, j] = w.max() if mode == "max" else w.mean()
    return Y
""",
        "mode: no ValueError for an unknown mode": """
def pool2d(X, pool_size, mode="max"):
    windows = X.unfold(0, pool_size[0], 1).unfold(1, pool_size[1], 1)
    return windows.amax(dim=(2, 3)) if mode == "max" else windows.mean(dim=(2, 3))
""",
        "max: off by one: range(H - p_h)": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    p_h, p_w = pool_size
    Y = X.new_zeros((X.shape[0] - p_h, X.shape[1] - p_w))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            w = X[i:i + p_h, j:j + p_w]
            Y[i, j] = w.max() if mode == "max" else w.mean()
    return Y
""",
        "max: height and width of the window swapped": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    p_w, p_h = pool_size
    Y = X.new_zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            w = X[i:i + p_h, j:j + p_w]
            Y[i, j] = w.max() if mode == "max" else w.mean()
    return Y
""",
        "avg: sum instead of mean for avg": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    windows = X.unfold(0, pool_size[0], 1).unfold(1, pool_size[1], 1)
    return windows.amax(dim=(2, 3)) if mode == "max" else windows.sum(dim=(2, 3))
""",
        "max: running maximum started at 0": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    ph, pw = pool_size
    oh, ow = X.shape[0] - ph + 1, X.shape[1] - pw + 1
    Y = torch.zeros((oh, ow), dtype=X.dtype)
    for a in range(ph):
        for b in range(pw):
            part = X[a:a + oh, b:b + ow]
            Y = torch.maximum(Y, part) if mode == "max" else Y + part / (ph * pw)
    return Y
""",
        "gradients: values through .item(): no gradient": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    ph, pw = pool_size
    rows = [[(X[i:i + ph, j:j + pw].max() if mode == "max" else X[i:i + ph, j:j + pw].mean()).item()
             for j in range(X.shape[1] - pw + 1)] for i in range(X.shape[0] - ph + 1)]
    return torch.tensor(rows, dtype=X.dtype)
""",
        "forbidden: built-in pooling with stride 1": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    pool = F.max_pool2d if mode == "max" else F.avg_pool2d
    return pool(X[None, None], pool_size, stride=1)[0, 0]
""",
        "max: [max] running maximum started at 0 (made on X's device)": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    ph, pw = pool_size
    oh, ow = X.shape[0] - ph + 1, X.shape[1] - pw + 1
    Y = X.new_zeros((oh, ow))
    for a in range(ph):
        for b in range(pw):
            part = X[a:a + oh, b:b + ow]
            Y = torch.maximum(Y, part) if mode == "max" else Y + part / (ph * pw)
    return Y
""",
        "avg: [avg] divides X in place (X /= p_h * p_w), then sums the windows": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    ph, pw = pool_size
    if mode == "avg":
        X /= ph * pw  # divide once rather than in every window
        return X.unfold(0, ph, 1).unfold(1, pw, 1).sum(dim=(2, 3))
    return X.unfold(0, ph, 1).unfold(1, pw, 1).amax(dim=(2, 3))
""",
        "gradients: [gradients] the loop under torch.no_grad() (pooling has nothing to learn)": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    p_h, p_w = pool_size
    Y = X.new_zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    with torch.no_grad():
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                w = X[i:i + p_h, j:j + p_w]
                Y[i, j] = w.max() if mode == "max" else w.mean()
    return Y
""",
        "mode: [mode] assert instead of ValueError": """
def pool2d(X, pool_size, mode="max"):
    assert mode in ("max", "avg"), f"unknown mode {mode}"
    windows = X.unfold(0, pool_size[0], 1).unfold(1, pool_size[1], 1)
    return windows.amax(dim=(2, 3)) if mode == "max" else windows.mean(dim=(2, 3))
""",
        "dtype: [dtype] torch.zeros(..., device=X.device): float32 whatever X is": """
def pool2d(X, pool_size, mode="max"):
    if mode not in ("max", "avg"):
        raise ValueError(mode)
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1), device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            w = X[i:i + p_h, j:j + p_w]
            Y[i, j] = w.max() if mode == "max" else w.mean()
    return Y
""",
    },
    "max_pool2d": {
        "padding: zero padding": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    x = F.pad(input, (p[1], p[1], p[0], p[0]))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "values: stride defaults to 1": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    stride = 1 if stride is None else stride
    s = (stride,) * 2 if isinstance(stride, int) else stride
    p = (padding,) * 2 if isinstance(padding, int) else padding
    x = F.pad(input, (p[1], p[1], p[0], p[0]), value=float("-inf"))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "settings: ints only (kernel_size used for both directions)": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    stride = kernel_size if stride is None else stride
    x = F.pad(input, (padding, padding, padding, padding), value=float("-inf"))
    return x.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride).amax(dim=(-2, -1))
""",
        "values: ceil instead of floor (partial windows kept)": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    H, W = input.shape[-2:]
    extra_h = (-(H + 2 * p[0] - k[0])) % s[0]
    extra_w = (-(W + 2 * p[1] - k[1])) % s[1]
    x = F.pad(input, (p[1], p[1] + extra_w, p[0], p[0] + extra_h), value=float("-inf"))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "padding: F.pad with the padding pair in the wrong order": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    x = F.pad(input, (p[0], p[0], p[1], p[1]), value=float("-inf"))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "forbidden: torch.max_pool2d, the alias": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    return torch.max_pool2d(input, kernel_size, stride if stride is not None else kernel_size,
                            padding)
""",
        "forbidden: two 1-D max poolings (separable)": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    N, C, H, W = input.shape
    x = F.max_pool1d(input.reshape(N * C * H, 1, W), k[1], s[1], p[1])
    W2 = x.shape[-1]
    x = x.reshape(N, C, H, W2).transpose(2, 3).reshape(N * C * W2, 1, H)
    x = F.max_pool1d(x, k[0], s[0], p[0])
    return x.reshape(N, C, W2, -1).transpose(2, 3)
""",
        "non-contiguous: view on the input (fails on non-contiguous tensors)": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    N, C, H, W = input.shape
    x = F.pad(input.view(N * C, 1, H, W), (p[1], p[1], p[0], p[0]), value=float("-inf"))
    out = x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
    return out.view(N, C, out.shape[-2], out.shape[-1])
""",
        "device: -inf border made on the CPU": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    N, C, H, W = input.shape
    x = torch.full((N, C, H + 2 * p[0], W + 2 * p[1]), float("-inf"), dtype=input.dtype)
    x[:, :, p[0]:p[0] + H, p[1]:p[1] + W] = input
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "dtype: [dtype] -inf border from torch.full without dtype=: float32": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    N, C, H, W = input.shape
    x = torch.full((N, C, H + 2 * p[0], W + 2 * p[1]), float("-inf"), device=input.device)
    x[:, :, p[0]:p[0] + H, p[1]:p[1] + W] = input
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "gradients: [gradients] pads input.data: no graph": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    x = F.pad(input.data, (p[1], p[1], p[0], p[0]), value=float("-inf"))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "settings: [settings] type(v) == tuple: a torch.Size kernel_size fails": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    pair = lambda v: v if type(v) == tuple else (v, v)
    k = pair(kernel_size)
    s = k if stride is None else pair(stride)
    p = pair(padding)
    x = F.pad(input, (p[1], p[1], p[0], p[0]), value=float("-inf"))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
        "values: [values] batch and channels swapped when reshaping back": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    N, C, H, W = input.shape
    x = F.pad(input.reshape(N * C, H, W), (p[1], p[1], p[0], p[0]), value=float("-inf"))
    out = x.unfold(1, k[0], s[0]).unfold(2, k[1], s[1]).amax(dim=(-2, -1))
    return out.reshape(C, N, out.shape[-2], out.shape[-1]).transpose(0, 1)
""",
        "padding: [padding] -inf padding on the top and left only": """
def max_pool2d(input, kernel_size, stride=None, padding=0):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    p = (padding,) * 2 if isinstance(padding, int) else padding
    x = F.pad(input, (p[1], 0, p[0], 0), value=float("-inf"))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).amax(dim=(-2, -1))
""",
    },
    "avg_pool2d": {
        "values: stride defaults to 1": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = (1, 1) if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    return input.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).mean(dim=(-2, -1))
""",
        "settings: reshape that ignores the stride": """
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    N, C, H, W = input.shape
    oh, ow = H // kh, W // kw
    x = input[:, :, :oh * kh, :ow * kw]
    return x.reshape(N, C, oh, kh, ow, kw).mean(dim=(3, 5))
""",
        "values: sum instead of mean": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    return input.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).sum(dim=(-2, -1))
""",
        "settings: divides by kernel_size[0] squared": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    return input.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).sum(dim=(-2, -1)) / k[0] ** 2
""",
        "values: crops the wrong end of a non-divisible input": """
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    sh, sw = (kh, kw) if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    N, C, H, W = input.shape
    if (sh, sw) != (kh, kw):
        return input.unfold(2, kh, sh).unfold(3, kw, sw).mean(dim=(-1, -2))
    oh, ow = H // kh, W // kw
    x = input[:, :, H - oh * kh:, W - ow * kw:]
    return x.reshape(N, C, oh, kh, ow, kw).mean(dim=(3, 5))
""",
        "values: ceil mode: zero-padded partial windows": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    H, W = input.shape[-2:]
    x = F.pad(input, (0, (-(W - k[1])) % s[1], 0, (-(H - k[0])) % s[0]))
    return x.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).mean(dim=(-2, -1))
""",
        "forbidden: F.avg_pool2d under its C name": """
def avg_pool2d(input, kernel_size, stride=None):
    stride = kernel_size if stride is None else stride
    return torch._C._nn.avg_pool2d(input, kernel_size, stride)
""",
        "settings: adaptive average pooling to the output size": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    H, W = input.shape[-2:]
    return F.adaptive_avg_pool2d(input[..., :H // k[0] * k[0], :W // k[1] * k[1]],
                                 (H // k[0], W // k[1]))
""",
        "non-contiguous: [non-contiguous] .view(N * C, 1, H, W) before a convolution": """
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    stride = (kh, kw) if stride is None else stride
    N, C, H, W = input.shape
    weight = torch.full((1, 1, kh, kw), 1.0 / (kh * kw), dtype=input.dtype, device=input.device)
    out = F.conv2d(input.view(N * C, 1, H, W), weight, stride=stride)
    return out.view(N, C, out.shape[-2], out.shape[-1])
""",
        "dtype: [dtype] averaging kernel from torch.full without dtype=: float32": """
def avg_pool2d(input, kernel_size, stride=None):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    stride = (kh, kw) if stride is None else stride
    N, C, H, W = input.shape
    weight = torch.full((1, 1, kh, kw), 1.0 / (kh * kw), device=input.device)
    out = F.conv2d(input.reshape(N * C, 1, H, W), weight, stride=stride)
    return out.reshape(N, C, out.shape[-2], out.shape[-1])
""",
        "device: [device] output buffer made on the CPU, filled window by window": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    N, C, H, W = input.shape
    oh, ow = (H - k[0]) // s[0] + 1, (W - k[1]) // s[1] + 1
    out = torch.zeros(N, C, oh, ow, dtype=input.dtype)
    for i in range(oh):
        for j in range(ow):
            window = input[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            out[:, :, i, j] = window.mean(dim=(-2, -1))
    return out
""",
        "gradients: [gradients] computed under torch.no_grad() (pooling has nothing to learn)": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    with torch.no_grad():
        return input.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).mean(dim=(-2, -1))
""",
        "values: [values] batch and channels swapped when reshaping back": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    N, C, H, W = input.shape
    x = input.reshape(N * C, H, W)
    out = x.unfold(1, k[0], s[0]).unfold(2, k[1], s[1]).mean(dim=(-2, -1))
    return out.reshape(C, N, out.shape[-2], out.shape[-1]).transpose(0, 1)
""",
        "settings: [settings] type(v) == tuple: a torch.Size kernel_size fails": """
def avg_pool2d(input, kernel_size, stride=None):
    pair = lambda v: v if type(v) == tuple else (v, v)
    k = pair(kernel_size)
    s = k if stride is None else pair(stride)
    return input.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).mean(dim=(-2, -1))
""",
        "values: [values] divides the input in place (input /= k_h * k_w), then sums": """
def avg_pool2d(input, kernel_size, stride=None):
    k = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    s = k if stride is None else ((stride,) * 2 if isinstance(stride, int) else stride)
    input /= k[0] * k[1]  # divide once rather than in every window
    return input.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).sum(dim=(-2, -1))
""",
    },
    "global_avg_pool": {
        "shape: keepdim: (N, C, 1, 1)": """
def global_avg_pool(x):
    return x.mean(dim=(2, 3), keepdim=True)
""",
        "values: mean over the wrong dimensions": """
def global_avg_pool(x):
    return x.mean(dim=(1, 2))
""",
        "forbidden: adaptive average pooling then flatten, as the section shows": """
def global_avg_pool(x):
    return F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)
""",
        "forbidden: the section's nn.AdaptiveAvgPool2d module": """
def global_avg_pool(x):
    return nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())(x)
""",
        "values: sum instead of mean": """
def global_avg_pool(x):
    return x.sum(dim=(2, 3))
""",
        "shape: squeeze() also drops N = 1 or C = 1": """
def global_avg_pool(x):
    return x.mean(dim=(2, 3), keepdim=True).squeeze()
""",
        "values: global max pooling": """
def global_avg_pool(x):
    return x.amax(dim=(2, 3))
""",
        "values: flatten(1) averages the channels too": """
def global_avg_pool(x):
    return x.flatten(1).mean(1)
""",
        "non-contiguous: [non-contiguous] x.view(N, C, -1).mean(-1)": """
def global_avg_pool(x):
    return x.view(x.shape[0], x.shape[1], -1).mean(-1)
""",
        "dtype and device: [dtype and device] a loop filling torch.zeros(N, C)": """
def global_avg_pool(x):
    N, C = x.shape[:2]
    out = torch.zeros(N, C)
    for n in range(N):
        for c in range(C):
            out[n, c] = x[n, c].mean()
    return out
""",
        "dtype and device: [dtype and device] x.float() first: float64 becomes float32": """
def global_avg_pool(x):
    return x.float().mean(dim=(2, 3))
""",
        "values: [values] divides by H * H (square maps assumed)": """
def global_avg_pool(x):
    return x.sum(dim=(2, 3)) / x.shape[2] ** 2
""",
        "shape: [shape] keepdim, then squeeze(-1) once: (N, C, 1)": """
def global_avg_pool(x):
    return x.mean(dim=(2, 3), keepdim=True).squeeze(-1)
""",
    },
}
