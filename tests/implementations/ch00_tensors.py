"""Student answers for ch00: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

ALTERNATIVES = {
    "pairwise_distances": {
        "matrix product, clamped (the fast route)": """
def pairwise_distances(points):
    sq = (points * points).sum(dim=1)
    d2 = sq[:, None] + sq[None, :] - 2 * points @ points.T
    return d2.clamp_min(0).sqrt()
""",
        "vector_norm of the broadcast differences": """
def pairwise_distances(points):
    return torch.linalg.vector_norm(points.unsqueeze(1) - points.unsqueeze(0), dim=-1)
""",
        "einsum and relu": """
def pairwise_distances(points):
    gram = torch.einsum("id,jd->ij", points, points)
    sq = torch.diagonal(gram)
    return torch.sqrt(torch.relu(sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * gram))
""",
        "vmap over the rows": """
def pairwise_distances(points):
    return torch.vmap(lambda p: ((points - p) ** 2).sum(dim=1).sqrt())(points)
""",
        "NumPy on the CPU, back to the device": """
def pairwise_distances(points):
    p = points.detach().cpu().numpy()
    d = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(axis=-1))
    return torch.from_numpy(d).to(device=points.device, dtype=points.dtype)
""",
        "torch.maximum with a zero tensor, norm with p=2": """
def pairwise_distances(points):
    n2 = points.norm(dim=1, keepdim=True) ** 2
    d2 = n2 + n2.T - 2 * points.matmul(points.t())
    return torch.maximum(d2, torch.zeros_like(d2)).sqrt()
""",
    },
    "summary_stats": {
        "NumPy on the CPU": """
def summary_stats(x):
    a = x.detach().cpu().numpy()
    return float(np.mean(a)), float(np.median(a)), float(np.std(a))
""",
        "quantile and unbiased=False": """
def summary_stats(x):
    return (x.mean().item(), torch.quantile(x.flatten(), 0.5).item(),
            torch.std(x, unbiased=False).item())
""",
        "var_mean and kthvalue": """
def summary_stats(x):
    v = x.reshape(-1)
    n = v.numel()
    var, mean = torch.var_mean(v, correction=0)
    lo = v.kthvalue((n + 1) // 2).values
    hi = v.kthvalue(n // 2 + 1).values
    return float(mean), float((lo + hi) / 2), float(var.sqrt())
""",
        "by the formulas, in float64": """
def summary_stats(x):
    v = x.double().flatten()
    n = len(v)
    mean = v.sum() / n
    s = torch.sort(v).values
    median = s[n // 2] if n % 2 == 1 else (s[n // 2 - 1] + s[n // 2]) / 2
    std = torch.sqrt(((v - mean) ** 2).sum() / n)
    return float(mean), float(median), float(std)
""",
    },
    "matrix_rank": {
        "torch.linalg.svd and a Python threshold": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svd(M, full_matrices=False).S
    if tol is None:
        tol = S[0].item() * max(M.shape[0], M.shape[1]) * torch.finfo(M.dtype).eps
    return int(torch.count_nonzero(S > tol))
""",
        "NumPy's SVD": """
def matrix_rank(M, tol=None):
    a = M.detach().cpu().numpy()
    s = np.linalg.svd(a, compute_uv=False)
    if tol is None:
        tol = s.max() * max(a.shape) * np.finfo(a.dtype).eps
    return int(np.sum(s > tol))
""",
        "torch.svd (older API), a loop over the values": """
def matrix_rank(M, tol=None):
    _, S, _ = torch.svd(M)
    threshold = max(M.shape) * torch.finfo(M.dtype).eps * S.max() if tol is None else tol
    rank = 0
    for s in S.tolist():
        if s > threshold:
            rank += 1
    return rank
""",
    },
    "float32_fields": {
        "struct, big-endian": """
import struct

def float32_fields(x: float):
    (bits,) = struct.unpack(">I", struct.pack(">f", x))
    return bits >> 31, (bits >> 23) & 255, bits & (2 ** 23 - 1)
""",
        "NumPy view as uint32": """
def float32_fields(x: float):
    bits = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    return (bits >> 31) & 1, (bits >> 23) & 0xFF, bits & 0x7FFFFF
""",
        "signed int32 view, shifts masked": """
def float32_fields(x: float):
    b = torch.tensor([x], dtype=torch.float32).view(torch.int32).item()
    return (b >> 31) & 1, (b >> 23) & 0xFF, b & 0x7FFFFF
""",
        "from the value with math (special cases handled)": """
def float32_fields(x: float):
    sign = 1 if math.copysign(1.0, x) < 0 else 0
    a = abs(x)
    if math.isinf(a):
        return sign, 255, 0
    if a < 2.0 ** -126:  # zero or subnormal
        return sign, 0, int(a * 2.0 ** 149)
    m, e = math.frexp(a)  # a = m * 2**e, 0.5 <= m < 1
    return sign, e - 1 + 127, int((2 * m - 1) * 2 ** 23)
""",
        "int.from_bytes of the bytes": """
import struct

def float32_fields(x: float):
    bits = int.from_bytes(struct.pack("<f", x), "little")
    binary = format(bits, "032b")
    return int(binary[0], 2), int(binary[1:9], 2), int(binary[9:], 2)
""",
    },
    "contiguous_strides": {
        "math.prod of the later sizes": """
def contiguous_strides(shape):
    shape = tuple(shape)
    return tuple(math.prod(shape[k + 1:]) for k in range(len(shape)))
""",
        "itertools.accumulate": """
from itertools import accumulate
import operator

def contiguous_strides(shape):
    if len(shape) == 0:
        return ()
    sizes = list(shape)[1:][::-1]
    return tuple(accumulate([1] + sizes, operator.mul))[::-1]
""",
        "recursion": """
def contiguous_strides(shape):
    shape = tuple(int(s) for s in shape)
    if not shape:
        return ()
    rest = contiguous_strides(shape[1:])
    return ((rest[0] * shape[1],) if rest else (1,)) + rest
""",
        "index loop from the end, a preallocated list": """
def contiguous_strides(shape):
    n = len(shape)
    strides = [1] * n
    for k in range(n - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    return tuple(int(s) for s in strides)
""",
    },
    "storage_index": {
        "an explicit loop": """
def storage_index(index, strides, offset=0):
    position = offset
    for k in range(len(index)):
        position += index[k] * strides[k]
    return position
""",
        "NumPy dot, converted to int": """
def storage_index(index, strides, offset=0):
    i = np.asarray(index, dtype=np.int64)
    return int(offset + np.dot(i, np.asarray(strides, dtype=np.int64)))
""",
        "functools.reduce": """
from functools import reduce

def storage_index(index, strides, offset=0):
    return reduce(lambda acc, pair: acc + pair[0] * pair[1], zip(index, strides), offset)
""",
        "torch dot, item()": """
def storage_index(index, strides, offset=0):
    if len(index) == 0:
        return int(offset)
    i = torch.tensor(list(index), dtype=torch.int64)
    s = torch.tensor(list(strides), dtype=torch.int64)
    return offset + int(torch.dot(i, s).item())
""",
    },
    "is_contiguous": {
        "compared with contiguous_strides, size-1 dimensions dropped": """
def is_contiguous(shape, strides):
    shape, strides = tuple(shape), tuple(strides)
    if 0 in shape:
        return True
    expected = contiguous_strides(shape)
    return all(s == e for n, s, e in zip(shape, strides, expected) if n != 1)
""",
        "math.prod of the later sizes": """
def is_contiguous(shape, strides):
    import math
    shape = [int(n) for n in shape]
    if math.prod(shape) == 0:
        return True
    return all(shape[d] == 1 or strides[d] == math.prod(shape[d + 1:])
               for d in range(len(shape)))
""",
        "NumPy cumulative product from the right": """
def is_contiguous(shape, strides):
    n = np.array(shape, dtype=np.int64)
    if n.size and (n == 0).any():
        return True
    keep = n != 1
    n, s = n[keep], np.array(strides, dtype=np.int64)[keep]
    expected = np.cumprod(np.concatenate([[1], n[::-1][:-1]]))[::-1]
    return bool((s == expected).all())
""",
        "a while loop from the last dimension": """
def is_contiguous(shape, strides):
    if any(n == 0 for n in shape):
        return True
    d, step = len(shape) - 1, 1
    while d >= 0:
        if shape[d] > 1 and strides[d] != step:
            return False
        step *= shape[d]
        d -= 1
    return True
""",
    },
}

WRONG = {
    "pairwise_distances": {
        "values: squared distances (no square root)": """
def pairwise_distances(points):
    diff = points[:, None, :] - points[None, :, :]
    return (diff ** 2).sum(-1)
""",
        "no nan: matrix product without the clamp (nan on the diagonal)": """
def pairwise_distances(points):
    sq = (points ** 2).sum(1)
    return (sq[:, None] + sq[None, :] - 2 * points @ points.T).sqrt()
""",
        "no loop: a Python loop over the rows": """
def pairwise_distances(points):
    rows = [((points - p) ** 2).sum(dim=1).sqrt() for p in points]
    return torch.stack(rows)
""",
        "no loop: a pure Python double loop": """
def pairwise_distances(points):
    P = points.tolist()
    n = len(P)
    out = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            out[i][j] = math.dist(P[i], P[j])
    return torch.tensor(out, dtype=points.dtype, device=points.device)
""",
        "forbidden: torch.cdist": """
def pairwise_distances(points):
    return torch.cdist(points, points)
""",
        "forbidden: cdist imported under another name": """
from torch import cdist as all_distances

def pairwise_distances(points):
    return all_distances(points, points)
""",
        "no loop: a loop over the coordinates": """
def pairwise_distances(points):
    d2 = torch.zeros(points.shape[0], points.shape[0], dtype=points.dtype, device=points.device)
    for k in range(points.shape[1]):
        d2 = d2 + (points[:, k, None] - points[None, :, k]) ** 2
    return d2.sqrt()
""",
        "dtype: NumPy result: float64 and on the CPU": """
def pairwise_distances(points):
    p = points.numpy().astype(np.float64)
    return torch.from_numpy(np.sqrt(((p[:, None] - p[None]) ** 2).sum(-1)))
""",
        "values: L1 distance": """
def pairwise_distances(points):
    return (points[:, None, :] - points[None, :, :]).abs().sum(-1)
""",
        "values: norm over the wrong dimension": """
def pairwise_distances(points):
    return (points[:, None, :] - points[None, :, :]).norm(dim=1)
""",
        "dtype: computes in float64 and returns float64 (dtype)": """
def pairwise_distances(points):
    p = points.double()  # for precision
    diff = p[:, None, :] - p[None, :, :]
    return (diff ** 2).sum(-1).sqrt()
""",
        "device: zeroes the diagonal with torch.eye made on the CPU (device)": """
def pairwise_distances(points):
    sq = (points ** 2).sum(1)
    d2 = (sq[:, None] + sq[None, :] - 2 * points @ points.T).clamp_min(0)
    d2 = d2 * (1 - torch.eye(len(points), dtype=points.dtype))
    return d2.sqrt()
""",
        "points unchanged: centres points in place first (points modified)": """
def pairwise_distances(points):
    points -= points.mean(dim=0)  # distances do not change, rounding improves
    diff = points[:, None, :] - points[None, :, :]
    return (diff ** 2).sum(-1).sqrt()
""",
        "no nan: sign(d2) * sqrt(|d2|) against nan (negative distances)": """
def pairwise_distances(points):
    sq = (points ** 2).sum(1)
    d2 = sq[:, None] + sq[None, :] - 2 * points @ points.T
    return d2.sign() * d2.abs().sqrt()
""",
    },
    "summary_stats": {
        "median: torch.median and torch.std (the defaults)": """
def summary_stats(x):
    return x.mean().item(), x.median().item(), x.std().item()
""",
        "std: correct median, torch.std's n - 1": """
def summary_stats(x):
    return x.mean().item(), torch.quantile(x.flatten(), 0.5).item(), x.std().item()
""",
        "median: correct std, torch.median's lower middle": """
def summary_stats(x):
    return x.mean().item(), x.median().item(), x.std(correction=0).item()
""",
        "floats: tensors instead of floats": """
def summary_stats(x):
    return x.mean(), torch.quantile(x.flatten(), 0.5), x.std(correction=0)
""",
        "median: upper middle value for the median": """
def summary_stats(x):
    v = x.flatten().sort().values
    return v.mean().item(), v[v.numel() // 2].item(), v.std(correction=0).item()
""",
        "median: average of the two middles also for odd sizes": """
def summary_stats(x):
    v = x.flatten().sort().values
    n = v.numel()
    m = ((v[n // 2 - 1] + v[n // 2]) / 2) if n > 1 else v[0]
    return v.mean().item(), m.item(), v.std(correction=0).item()
""",
        "all elements: median over the last dimension only": """
def summary_stats(x):
    med = torch.quantile(x, 0.5, dim=-1).mean()
    return x.mean().item(), med.item(), x.std(correction=0).item()
""",
        "mean: mean with floor division (//)": """
def summary_stats(x):
    v = x.flatten()
    mean = v.sum().item() // v.numel()
    return mean, torch.quantile(v, 0.5).item(), v.std(correction=0).item()
""",
        "x unchanged: centres x in place to compute the std (x modified)": """
def summary_stats(x):
    v = x.flatten()  # a view of x
    mean = v.mean().item()
    median = torch.quantile(v, 0.5).item()
    v -= mean
    return mean, median, (v * v).mean().sqrt().item()
""",
    },
    "matrix_rank": {
        "strictly greater: torch.linalg.matrix_rank": """
def matrix_rank(M, tol=None):
    if tol is None:
        return int(torch.linalg.matrix_rank(M))
    return int(torch.linalg.matrix_rank(M, atol=tol))
""",
        "forbidden: numpy.linalg.matrix_rank": """
def matrix_rank(M, tol=None):
    return int(np.linalg.matrix_rank(M.numpy(), tol=tol))
""",
        "rounding: counts the non-zero singular values (no tolerance)": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    return int((S > (0 if tol is None else tol)).sum())
""",
        "eps: float32's eps for every dtype": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    if tol is None:
        tol = max(M.shape) * 1.1920929e-07 * S.max()
    return int((S > tol).sum())
""",
        "rounding: float64's eps for every dtype": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    if tol is None:
        tol = max(M.shape) * np.finfo(float).eps * S.max()
    return int((S > tol).sum())
""",
        "max(m, n): min(m, n) in the tolerance": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    if tol is None:
        tol = min(M.shape) * torch.finfo(M.dtype).eps * S.max()
    return int((S > tol).sum())
""",
        "strictly greater: >= instead of >": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    if tol is None:
        tol = max(M.shape) * torch.finfo(M.dtype).eps * S.max()
    return int((S >= tol).sum())
""",
        "given tol: a given tol taken as relative to sigma_max": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    rtol = max(M.shape) * torch.finfo(M.dtype).eps if tol is None else tol
    return int((S > rtol * S.max()).sum())
""",
        "strictly greater: `if not tol`: tol=0.0 becomes the default": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    if not tol:
        tol = max(M.shape) * torch.finfo(M.dtype).eps * S.max()
    return int((S > tol).sum())
""",
        "int: returns a tensor": """
def matrix_rank(M, tol=None):
    S = torch.linalg.svdvals(M)
    if tol is None:
        tol = max(M.shape) * torch.finfo(M.dtype).eps * S.max()
    return (S > tol).sum()
""",
        "rounding: eigenvalues of M^T M instead of the SVD": """
def matrix_rank(M, tol=None):
    small = M.T @ M if M.shape[0] >= M.shape[1] else M @ M.T
    S = torch.linalg.eigvalsh(small).clamp_min(0).sqrt()
    if tol is None:
        tol = max(M.shape) * torch.finfo(M.dtype).eps * S.max()
    return int((S > tol).sum())
""",
    },
    "float32_fields": {
        "sign: math.frexp without the special cases": """
def float32_fields(x: float):
    sign = 1 if x < 0 else 0
    m, e = math.frexp(abs(x))
    return sign, e - 1 + 127, int((2 * m - 1) * 2 ** 23)
""",
        "sign: x < 0 for the sign (-0.0 gets 0)": """
import struct

def float32_fields(x: float):
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    return int(x < 0), (bits >> 23) & 0xFF, bits & 0x7FFFFF
""",
        "exponent: unbiased exponent": """
import struct

def float32_fields(x: float):
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    return bits >> 31, ((bits >> 23) & 0xFF) - 127, bits & 0x7FFFFF
""",
        "exponent: float64 layout": """
import struct

def float32_fields(x: float):
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    return bits >> 63, (bits >> 52) & 0x7FF, bits & (2 ** 52 - 1)
""",
        "sign: signed int32 view: sign -1": """
def float32_fields(x: float):
    b = torch.tensor(x, dtype=torch.float32).view(torch.int32).item()
    return b >> 31, (b >> 23) & 0xFF, b & 0x7FFFFF
""",
        "fraction: implicit leading 1 in the fraction": """
import struct

def float32_fields(x: float):
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    e = (bits >> 23) & 0xFF
    f = bits & 0x7FFFFF
    return bits >> 31, e, f | (1 << 23) if 0 < e < 255 else f
""",
        "sign: bytes in the wrong order": """
import struct

def float32_fields(x: float):
    bits = struct.unpack(">I", struct.pack("<f", x))[0]
    return bits >> 31, (bits >> 23) & 0xFF, bits & 0x7FFFFF
""",
        "tuple of ints: NumPy integers instead of Python ints": """
def float32_fields(x: float):
    b = np.array(x, dtype=np.float32).view(np.uint32)
    return b >> 31, (b >> 23) & 0xFF, b & 0x7FFFFF
""",
        "exponent: math.frexp, exponent off by one (frexp's mantissa is in [0.5, 1))": """
def float32_fields(x: float):
    sign = 1 if math.copysign(1.0, x) < 0 else 0
    a = abs(x)
    if math.isinf(a):
        return sign, 255, 0
    if a < 2.0 ** -126:
        return sign, 0, int(a * 2.0 ** 149)
    m, e = math.frexp(a)
    return sign, e + 127, int((2 * m - 1) * 2 ** 23)
""",
        "special values: math.frexp, zeros and infinities handled, subnormals forgotten": """
def float32_fields(x: float):
    sign = 1 if math.copysign(1.0, x) < 0 else 0
    a = abs(x)
    if a == 0:
        return sign, 0, 0
    if math.isinf(a):
        return sign, 255, 0
    m, e = math.frexp(a)
    return sign, e - 1 + 127, int((2 * m - 1) * 2 ** 23)
""",
    },
    "contiguous_strides": {
        "values: column-major (Fortran) order": """
def contiguous_strides(shape):
    strides, step = [], 1
    for size in shape:
        strides.append(step)
        step *= size
    return tuple(strides)
""",
        "values: product including the dimension's own size": """
def contiguous_strides(shape):
    shape = tuple(shape)
    return tuple(math.prod(shape[k:]) for k in range(len(shape)))
""",
        "tuple of ints: a list instead of a tuple": """
def contiguous_strides(shape):
    strides = [1] * len(shape)
    for k in range(len(shape) - 2, -1, -1):
        strides[k] = strides[k + 1] * shape[k + 1]
    return strides
""",
        "any size: reads them off a new tensor": """
def contiguous_strides(shape):
    return torch.empty(tuple(shape)).stride()
""",
        "values: (1,) for the shape ()": """
def contiguous_strides(shape):
    strides = [1]
    for size in reversed(tuple(shape)[1:]):
        strides.insert(0, strides[0] * size)
    return tuple(strides)
""",
        "tuple of ints: NumPy cumprod: NumPy integers": """
def contiguous_strides(shape):
    if len(shape) == 0:
        return ()
    later = np.cumprod(np.array(list(shape)[1:][::-1], dtype=np.int64))
    return tuple(np.concatenate(([1], later))[::-1])
""",
        "values: works for a tuple only (shape[1:] + (1,))": """
def contiguous_strides(shape):
    sizes = shape[1:] + (1,)  # the sizes after each dimension
    return tuple(math.prod(sizes[k:]) for k in range(len(shape)))
""",
    },
    "storage_index": {
        "offset: offset forgotten": """
def storage_index(index, strides, offset=0):
    return sum(i * s for i, s in zip(index, strides))
""",
        "position: strides paired in reverse": """
def storage_index(index, strides, offset=0):
    return offset + sum(i * s for i, s in zip(index, reversed(tuple(strides))))
""",
        "offset: offset added once per dimension": """
def storage_index(index, strides, offset=0):
    return sum(offset + i * s for i, s in zip(index, strides)) if len(index) else offset
""",
        "int: returns a tensor": """
def storage_index(index, strides, offset=0):
    return offset + (torch.tensor(list(index) or [0]) * torch.tensor(list(strides) or [0])).sum()
""",
        "int: NumPy dot: a NumPy integer": """
def storage_index(index, strides, offset=0):
    return offset + np.dot(np.array(index, dtype=np.int64), np.array(strides, dtype=np.int64))
""",
        "position: 1-based thinking: index - 1": """
def storage_index(index, strides, offset=0):
    return offset + sum(max(i - 1, 0) * s for i, s in zip(index, strides))
""",
        "position: assumes the last stride is 1 (a contiguous tensor)": """
def storage_index(index, strides, offset=0):
    if len(index) == 0:
        return offset
    head = sum(i * s for i, s in zip(index[:-1], strides[:-1]))
    return offset + head + index[-1]
""",
    },
    "is_contiguous": {
        "values: only checks that the last stride is 1": """
def is_contiguous(shape, strides):
    if 0 in tuple(shape):
        return True
    dims = [s for n, s in zip(shape, strides) if n != 1]
    return not dims or dims[-1] == 1
""",
        "values: strides decreasing taken for row-major": """
def is_contiguous(shape, strides):
    if 0 in tuple(shape):
        return True
    dims = [s for n, s in zip(shape, strides) if n != 1]
    return all(a > b for a, b in zip(dims, dims[1:])) and (not dims or dims[-1] == 1)
""",
        "values: column-major (Fortran) order": """
def is_contiguous(shape, strides):
    if 0 in tuple(shape):
        return True
    step = 1
    for n, s in zip(shape, strides):
        if n != 1:
            if s != step:
                return False
            step *= n
    return True
""",
        "values: a dimension's own size in its stride": """
def is_contiguous(shape, strides):
    if 0 in tuple(shape):
        return True
    step = 1
    for n, s in zip(reversed(tuple(shape)), reversed(tuple(strides))):
        if n != 1:
            step *= n
            if s != step and s != 1:
                return False
    return True
""",
        "size-1 dimensions: the strides must equal contiguous_strides exactly": """
def is_contiguous(shape, strides):
    if 0 in tuple(shape):
        return True
    return tuple(strides) == contiguous_strides(shape)
""",
        "empty: no special case for a tensor without elements": """
def is_contiguous(shape, strides):
    step = 1
    for n, s in zip(reversed(tuple(shape)), reversed(tuple(strides))):
        if n != 1:
            if s != step:
                return False
            step *= n
    return True
""",
        "bool: returns a tensor": """
def is_contiguous(shape, strides):
    if 0 in tuple(shape):
        return torch.tensor(True)
    keep = [d for d, n in enumerate(shape) if n != 1]
    expected = contiguous_strides(shape)
    return torch.tensor([strides[d] == expected[d] for d in keep] or [True]).all()
""",
        "forbidden: asks torch.empty_strided(...).is_contiguous()": """
def is_contiguous(shape, strides):
    return torch.empty_strided(tuple(shape), tuple(strides)).is_contiguous()
""",
    },
}
