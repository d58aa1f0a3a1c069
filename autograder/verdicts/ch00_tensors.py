# ch00's exercises, declared by requirement (see Requirement and Exercise in runtime.py): each
# requirement's statement, points, visible expressions (the notebook's test cell checks them
# against the reference's stored values) and hidden inputs (grading only). Everything the
# docstrings list, the notebook checks, grading scores and the feedback says comes from here.
#
# One mistake costs one share: where a requirement is about the type of the result (a Python
# int or float, a tuple), the other requirements read the values through int() or float(), so
# that a NumPy integer or a one-element tensor costs that requirement only.
import struct

# What "without torch.cdist" rules out: every built-in that computes pairwise distances
# (SciPy's and scikit-learn's too, where the student's code imported them).
BUILT_IN_DISTANCES = [
    "torch.cdist", "torch.functional.cdist", "torch.pdist", "torch.nn.functional.pdist",
    "torch.nn.functional.pairwise_distance", "torch.pairwise_distance", "torch._euclidean_dist",
    "torch.nn.PairwiseDistance.forward",
    "scipy.spatial.distance.cdist", "scipy.spatial.distance.pdist",
    "sklearn.metrics.pairwise.euclidean_distances", "sklearn.metrics.pairwise.pairwise_distances",
    "sklearn.metrics.pairwise_distances",
]
# What "without matrix_rank" rules out: the library functions that return the rank.
BUILT_IN_RANK = ["torch.linalg.matrix_rank", "torch.matrix_rank", "numpy.linalg.matrix_rank"]
# What "without is_contiguous()" rules out: asking PyTorch or NumPy about a tensor made with
# these strides.
BUILT_IN_CONTIGUITY = ["torch.Tensor.is_contiguous", "torch.empty_strided", "torch.as_strided",
                       "torch.Tensor.as_strided", "numpy.lib.stride_tricks.as_strided"]


# --- pairwise_distances ------------------------------------------------------------------
def _pairwise_inputs():
    g = gen(2024)
    inputs = [torch.randn(shape, generator=g, dtype=dtype) * 3 + 1
              for shape in ((1, 1), (1, 4), (2, 3), (7, 1), (50, 3), (40, 16), (30, 100))
              for dtype in (torch.float32, torch.float64)]
    repeated = torch.randn(6, 5, generator=g)  # distance 0 off the diagonal, and the origin
    inputs.append(torch.cat((repeated, repeated[:3], torch.zeros(2, 5))))
    inputs.append(1000 + torch.randn(40, 3, generator=g, dtype=torch.float64))
    # Enough float32 points that ||a||² + ||b||² - 2 a·b rounds below 0 without a clamp.
    inputs.append(torch.randn(150, 8, generator=g))
    return inputs


def _pairwise_cases(ns, what):
    return [what(ns["pairwise_distances"], points) for points in _pairwise_inputs()]


def _squared(f, points):
    # Squared distances in float64: the matrix-product route rounds by up to ~sqrt(eps) |p| on
    # the diagonal, but its squares agree within the tolerance. A nan (no clamp) counts as 0
    # here: it costs the "no nan" requirement, not this one.
    return torch.as_tensor(f(points)).double().nan_to_num(0.0) ** 2


def _nan_or_negative(f, points):
    d = torch.as_tensor(f(points))
    return [bool(d.isnan().any()), bool((d < 0).any())]


def _untouched(f, x):
    before = x.clone()
    f(x)
    return torch.equal(x, before)


_PAIRWISE_SETUP = '''\
import inspect
import sys


# How many lines of the notebook's own code run while fn(*args) runs: a loop over 300
# points or coordinates runs hundreds, a vectorised answer a handful.
def python_lines(fn, *args):
    mine, count = inspect.unwrap(fn).__globals__, 0

    def trace(frame, event, arg):
        nonlocal count
        if frame.f_globals is not mine:
            return None
        count += event == "line"
        return trace

    old = sys.gettrace()
    sys.settrace(trace)
    try:
        fn(*args)
    finally:
        sys.settrace(old)
    return count


# device_check(fn, *args), except that copying meta tensors to the CPU (.cpu()), which a
# correct answer may do before moving its result back, says nothing about devices.
def on_device(fn, *args):
    result = device_check(fn, *args)
    return "ok" if "Cannot copy out of meta tensor" in result else result


# Whether fn(x) leaves x as it was.
def unchanged(fn, x):
    before = x.clone()
    fn(x)
    return torch.equal(x, before)'''

declare(
    "pairwise_distances",
    Requirement("values", 1.25, "[i, j] = ||points[i] - points[j]||, the Euclidean distance "
                "(the square root of the summed squared differences): an (N, N) tensor, 0 on "
                "the diagonal",
                visible=[("pairwise_distances(torch.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))",
                          "an (N, N) table of ||p_i - p_j||: the square root of the sum over "
                          "the coordinates (the last dimension) of the squared differences"),
                         ("pairwise_distances(torch.tensor([[1.0, 2.0, 2.0], [0.0, 0.0, 0.0], "
                          "[1.0, 2.0, 2.0]]))",
                          "sum the squared differences over the coordinates (the last "
                          "dimension), not over the points"),
                         ("pairwise_distances(torch.tensor([[2.0, 3.0, 6.0]]))",
                          "one point: a 1 x 1 table")],
                hidden=lambda ns: _pairwise_cases(ns, _squared)),
    Requirement("no nan", 0.5, "no nan and no negative distance: a squared distance that "
                "rounds below 0 counts as 0",
                visible=[("bool(pairwise_distances(torch.randn(150, 8)).isnan().any())",
                          "||a||² + ||b||² - 2 a·b can round below 0, and the square root of "
                          "a negative number is nan: clamp the squares at 0 first"),
                         ("bool((pairwise_distances(torch.randn(150, 8)) < 0).any())",
                          "a distance is never negative: clamp the squares at 0, then take "
                          "the square root")],
                hidden=lambda ns: _pairwise_cases(ns, _nan_or_negative)),
    Requirement("no loop", 0.5, "no Python loop over the points or the coordinates: all pairs "
                "at once (broadcasting or one matrix product)",
                visible=[("python_lines(pairwise_distances, torch.randn(300, 2)) < 100",
                          "hundreds of lines ran for 300 points: compute all pairs at once, "
                          "without a loop over the points"),
                         ("python_lines(pairwise_distances, torch.randn(3, 300)) < 100",
                          "hundreds of lines ran for 300 coordinates: no loop over the "
                          "coordinates either")]),
    Requirement("dtype", 0.25, "the result has points' dtype (float64 in, float64 out)",
                visible=[("pairwise_distances(torch.ones(3, 2, dtype=torch.float64)).dtype",
                          "compute with torch on points itself; NumPy's default is float64"),
                         ("pairwise_distances(torch.ones(3, 2)).dtype",
                          "float32 points give a float32 table")],
                hidden=lambda ns: _pairwise_cases(ns, lambda f, p: str(f(p).dtype))),
    Requirement("device", 0.25, "the result is on points' device (a GPU on Colab)",
                visible=[('on_device(pairwise_distances, torch.randn(5, 3, device="meta"))',
                          "the meta device stands in for a GPU: make new tensors on "
                          "points.device, return a tensor on points' device"),
                         ('on_device(pairwise_distances, torch.randn(4, 2, device="meta", '
                          'dtype=torch.float64))', "every new tensor on points.device")]),
    Requirement("points unchanged", 0.25, "points is not modified",
                visible=[("unchanged(pairwise_distances, torch.randn(4, 3))",
                          "do not change points in place (-=, sub_): work on a new tensor")],
                hidden=lambda ns: _pairwise_cases(ns, _untouched)),
    forbidden=BUILT_IN_DISTANCES,
    setup=_PAIRWISE_SETUP,
)


# --- summary_stats -----------------------------------------------------------------------
def _stats_inputs(shapes):
    g, out = gen(7), []
    for shape in shapes:
        for dtype in (torch.float32, torch.float64):
            shift, scale = torch.randn(2, generator=g, dtype=torch.float64).tolist()
            out.append((torch.randn(shape, generator=g, dtype=torch.float64)
                        * (abs(scale) + 0.5) + shift).to(dtype))
    return out


# Odd and even sizes, n = 1 (ddof=1 gives nan), sizes 999 and 1000, constants.
_STATS_1D = ((1,), (2,), (3,), (4,), (5,), (10,), (999,), (1000,))
# Several dimensions (a reduction over one dimension only is wrong there).
_STATS_ND = ((4, 5), (3, 4, 5), (2, 3, 2, 2), (1, 6), (6, 1))


def _stats_1d():
    return _stats_inputs(_STATS_1D) + [torch.full((6,), 0.0), torch.full((5,), -3.5)]


def _stat(k):
    return lambda ns: [float(ns["summary_stats"](x)[k]) for x in _stats_1d()]


_STATS_TOL = {"rtol": 1e-5, "atol": 1e-5}  # n and n - 1 differ by 5e-4 for n = 1000


def _same_as_flattened(ns):
    f = ns["summary_stats"]
    xs = _stats_inputs(_STATS_ND) + [torch.full((3, 2), 0.0), torch.full((3, 2), -3.5)]
    return [[float(a) - float(b) for a, b in zip(f(x.clone()), f(x.clone().flatten()))]
            for x in xs]


def _floats(ns):
    f = ns["summary_stats"]
    results = [f(x) for x in _stats_1d() + _stats_inputs(_STATS_ND)]
    return all(type(r) is tuple and len(r) == 3 and all(isinstance(s, float) for s in r)
               for r in results)


_X4 = "torch.tensor([1.0, 2.0, 4.0, 10.0])"

declare(
    "summary_stats",
    Requirement("mean", 0.25, "the mean of the elements",
                visible=[(f"float(summary_stats({_X4})[0])",
                          "the mean of all the elements, as a Python float"),
                         ("float(summary_stats(torch.tensor([-1.5, 0.5, 4.0]))[0])",
                          "the sum divided by the number of elements")],
                hidden=_stat(0), **_STATS_TOL),
    Requirement("median", 0.5, "the median as np.median: the middle value for an odd number of "
                "elements, the average of the two middle values for an even number "
                "(torch.median returns the lower one)",
                visible=[(f"float(summary_stats({_X4})[1])",
                          "for an even number of values average the two middle ones: "
                          "torch.median returns the lower one"),
                         ("float(summary_stats(torch.tensor([5.0, 1.0, 3.0]))[1])",
                          "for an odd number of values the median is the middle one"),
                         ("float(summary_stats(torch.tensor([7.0, -1.0, 2.0, 0.0, 9.0, 3.0]))[1])",
                          "sort the values: the two middle ones of 6 are the 3rd and the 4th")],
                hidden=_stat(1), **_STATS_TOL),
    Requirement("std", 0.5, "the standard deviation as np.std: the square root of the mean of "
                "(x - mean)², dividing by n, not by n - 1 as torch.std does",
                visible=[(f"float(summary_stats({_X4})[2])",
                          "divide by n as np.std does: torch.std divides by n - 1 unless told "
                          "otherwise (the demo above shows how)"),
                         ("float(summary_stats(torch.tensor([2.5]))[2])",
                          "one value has std 0 (dividing by n - 1 = 0 gives nan)")],
                hidden=_stat(2), **_STATS_TOL),
    Requirement("all elements", 0.25, "the statistics of all the elements whatever x's shape: "
                "the same as for x.flatten()",
                visible=[("summary_stats(torch.tensor([[1.0, 2.0], [4.0, 10.0]])) == "
                          f"summary_stats({_X4})",
                          "reduce over all the elements, not along one dimension"),
                         ("summary_stats(torch.tensor([[5.0], [1.0], [3.0]])) == "
                          "summary_stats(torch.tensor([5.0, 1.0, 3.0]))",
                          "an (n, 1) tensor holds n values")],
                hidden=_same_as_flattened),
    Requirement("floats", 0.25, "returns a tuple of three Python floats (.item() or float(), "
                "not tensors)",
                visible=[(f"[isinstance(s, float) for s in summary_stats({_X4})]",
                          "tensors are not floats: use .item()"),
                         (f"type(summary_stats({_X4})).__name__",
                          "return mean, median, std (a tuple)")],
                hidden=_floats),
    Requirement("x unchanged", 0.25, "x is not modified",
                visible=[("unchanged(summary_stats, torch.tensor([3.0, 1.0, 2.0, 8.0]))",
                          "x.flatten() and x.view(-1) share x's memory: do not change them in "
                          "place (-=, sub_, sort_)")],
                hidden=lambda ns: [_untouched(ns["summary_stats"], x)
                                   for x in _stats_1d() + _stats_inputs(_STATS_ND)]),
    setup='''\
# Whether fn(x) leaves x as it was.
def unchanged(fn, x):
    before = x.clone()
    fn(x)
    return torch.equal(x, before)''',
)


# --- matrix_rank -------------------------------------------------------------------------
def _with_singular_values(g, m, n, s, dtype=torch.float64):
    """An m x n matrix U diag(s) V^T with random orthonormal U, V (built in float64)."""
    k = len(s)
    U = torch.linalg.qr(torch.randn(m, k, generator=g, dtype=torch.float64)).Q
    V = torch.linalg.qr(torch.randn(n, k, generator=g, dtype=torch.float64)).Q
    return ((U * torch.tensor(s, dtype=torch.float64)) @ V.T).to(dtype)


def _ranks(cases):
    """Ranks of (M, tol) cases, tol None for the default, through int() (a tensor or a NumPy
    integer costs the "int" requirement only)."""
    def run(ns):
        f = ns["matrix_rank"]
        return [int(f(M) if tol is None else f(M, tol)) for M, tol in cases()]
    return run


def _rounding_cases():
    # Products of rank r, float32 and float64: rounding noise must not count.
    g, cases = gen(11), []
    for m, n, r in ((6, 5, 2), (8, 8, 3), (20, 10, 4), (5, 40, 2), (30, 30, 10), (7, 3, 3)):
        for dtype in (torch.float32, torch.float64):
            cases.append((torch.randn(m, r, generator=g, dtype=dtype)
                          @ torch.randn(r, n, generator=g, dtype=dtype), None))
    cases += [(torch.tensor([[-2.0]]), None), (torch.randn(1, 5, generator=g), None),
              (torch.diag(torch.tensor([1.0, 1e-20, 0.0], dtype=torch.float64)), None)]
    return cases


def _embedded(m, n, s, dtype=torch.float64):
    """An m x n matrix with the singular values s on its diagonal: exact, no rounding noise,
    so that an answer without a tolerance is not judged here."""
    M = torch.zeros(m, n, dtype=dtype)
    M[range(len(s)), range(len(s))] = torch.tensor(s, dtype=dtype)
    return M


def _eps_cases():
    # Singular values above float64's tolerance and below float32's: eps must be that of M's
    # dtype. The rotated matrix is also lost by the eigenvalues of M^T M (and its rounding
    # noise by an answer without a tolerance); the others have exact singular values.
    cases = [(_with_singular_values(gen(12), 6, 9, [3.0, 1.0, 3e-9]), None),
             (_embedded(6, 9, [3.0, 1.0, 3e-9]), None), (_embedded(9, 6, [2.0, 4e-10]), None),
             (_embedded(3, 3, [1.0, 5e-10, 1e-12]), None)]
    cases += [(_embedded(m, n, [1.0, 2e-12]), None) for m, n in ((2, 2000), (2000, 2))]
    cases += [(_with_singular_values(gen(12), m, n, [1.0, 2e-12]), None)
              for m, n in ((2, 2000), (2000, 2))]
    return cases


def _max_cases():
    # Between min(m, n) * eps and max(m, n) * eps.
    g = gen(13)
    return [(_embedded(m, n, [1.0, s]), None) for m, n in ((2, 2000), (2000, 2), (3, 900))
            for s in (1.4e-14, 3e-14)] + [
        (_with_singular_values(g, m, n, [1.0, 1.4e-14]), None) for m, n in ((2, 2000), (2000, 2))]


def _zero_cases():
    # Zero matrices (sigma_max = 0, so the default tol is 0), and a zero singular value with
    # tol=0.0.
    D = torch.diag(torch.tensor([1.0, 1e-20, 0.0], dtype=torch.float64))
    return [(torch.zeros(shape, dtype=dtype), None) for shape in ((1, 1), (4, 2), (3, 7))
            for dtype in (torch.float32, torch.float64)] + [(D, 0.0)]


def _tol_cases():
    # A given tol is absolute (not relative to sigma_max), tol=0.0 is not None, an int works.
    M = _with_singular_values(gen(14), 5, 4, [10.0, 5.0, 0.5, 0.01])
    D = torch.diag(torch.tensor([1.0, 1e-20], dtype=torch.float64))
    return [(M, tol) for tol in (1.0, 0.1, 0.001, 20.0, 7.0, 2)] + [
        (D, 0.0), (torch.diag(torch.tensor([10.0, 1.0, 0.01])), 0.5),
        (torch.diag(torch.tensor([3.0, 2.0, 1.0])), 0.0), (M.float(), 0.2), (M, 0)]


def _rank_types(ns):
    f = ns["matrix_rank"]
    cases = _rounding_cases() + _zero_cases() + _tol_cases()
    return sorted({type(f(M) if tol is None else f(M, tol)).__name__ for M, tol in cases})


declare(
    "matrix_rank",
    Requirement("rounding", 0.5, "with tol=None, counts the singular values above max(m, n) · "
                "eps · sigma_max only: a product of rank r has rank r, although rounding leaves "
                "tiny non-zero singular values",
                visible=[("int(matrix_rank(torch.eye(4)))",
                          "count the singular values above tol, in a Python int"),
                         ("int(matrix_rank(torch.randn(6, 2) @ torch.randn(2, 5)))",
                          "rounding leaves tiny non-zero singular values: count only those "
                          "above max(m, n) * eps * sigma_max"),
                         ("int(matrix_rank(torch.randn(7, 3, dtype=torch.float64) "
                          "@ torch.randn(3, 8, dtype=torch.float64)))",
                          "in float64 too: a tolerance, not > 0")],
                hidden=_ranks(_rounding_cases)),
    Requirement("eps", 0.25, "eps is the machine epsilon of M's dtype "
                "(torch.finfo(M.dtype).eps): a float64 matrix keeps a singular value of 1e-9 "
                "· sigma_max",
                visible=[("int(matrix_rank(torch.diag(torch.tensor([1.0, 1e-9], "
                          "dtype=torch.float64))))",
                          "eps is the one of M's dtype: torch.finfo(M.dtype).eps (and take the "
                          "singular values from the SVD, not from eigenvalues of M^T M)")],
                hidden=_ranks(_eps_cases)),
    Requirement("max(m, n)", 0.25, "the default tolerance uses the larger dimension, max(m, n)",
                visible=[("int(matrix_rank(torch.eye(2, 200, dtype=torch.float64) "
                          "* torch.tensor([[1.0], [1e-14]], dtype=torch.float64)))",
                          "max(M.shape), not min: 200 * eps is above 1e-14"),
                         ("int(matrix_rank(torch.eye(200, 2, dtype=torch.float64) "
                          "* torch.tensor([1.0, 1e-14], dtype=torch.float64)))",
                          "max(M.shape) for tall matrices too")],
                hidden=_ranks(_max_cases)),
    Requirement("strictly greater", 0.25, "counts singular values strictly greater than tol: "
                "a zero matrix has rank 0",
                visible=[("int(matrix_rank(torch.zeros(3, 5)))",
                          "sigma_max = 0 gives tol = 0: count S > tol, not S >= tol"),
                         ("int(matrix_rank(torch.zeros(2, 2, dtype=torch.float64)))",
                          "S > tol, strictly")],
                hidden=_ranks(_zero_cases)),
    Requirement("given tol", 0.5, "a given tol (0.0 and ints included) is an absolute "
                "threshold, used as it is",
                visible=[("[int(matrix_rank(torch.diag(torch.tensor([10.0, 1.0, 0.01])), tol=t)) "
                          "for t in (0.5, 5.0, 20.0)]",
                          "tol is an absolute threshold, not relative to sigma_max"),
                         ("int(matrix_rank(torch.diag(torch.tensor([1.0, 1e-20], "
                          "dtype=torch.float64)), tol=0.0))",
                          "tol=0.0 is a threshold of 0, not the default: test `tol is None`, "
                          "not `not tol`"),
                         ("int(matrix_rank(torch.diag(torch.tensor([3.0, 2.5, 1.0])), 2))",
                          "tol is the second argument; an int works as well")],
                hidden=_ranks(_tol_cases)),
    Requirement("int", 0.25, "returns a Python int (int(...), not a tensor)",
                visible=[("type(matrix_rank(torch.eye(3))).__name__",
                          "a count made with torch is a 0-dim tensor: convert it to a Python "
                          "int"),
                         ("type(matrix_rank(torch.eye(3), tol=0.5)).__name__",
                          "an int with a given tol too")],
                hidden=_rank_types),
    forbidden=BUILT_IN_RANK,
)


# --- float32_fields ----------------------------------------------------------------------
def _bits_to_float(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


def _normal_values():
    # Random bit patterns: every exponent, both signs, any fraction (NaN, inf, zero and
    # subnormal patterns left to the "special values" requirement), and edge values.
    g = gen(32)
    values = [_bits_to_float(b) for b in torch.randint(0, 2 ** 32, (3000,), generator=g).tolist()
              if 0 < (b >> 23) & 0xFF < 255]
    return values + [1.0, -1.0, 0.15625, -2.0, 2.0 ** -126, -(2.0 ** -126), 3.0, 0.75, -123.25,
                     2.0 ** 127, 1.0 + 2.0 ** -23, float(torch.finfo(torch.float32).max),
                     -float(torch.finfo(torch.float32).max)]


def _special_values():
    g = gen(33)
    subnormals = [_bits_to_float(int(s) << 31 | int(f)) for s, f in zip(
        torch.randint(0, 2, (60,), generator=g).tolist(),
        torch.randint(1, 2 ** 23, (60,), generator=g).tolist())]
    return subnormals + [0.0, -0.0, math.inf, -math.inf, 2.0 ** -149, -(2.0 ** -149),
                         2.0 ** -126 - 2.0 ** -149, 2.0 ** -140, -(2.0 ** -127)]


def _field(k, values):
    return lambda ns: [int(ns["float32_fields"](v)[k]) for v in values()]


def _fields_types(ns):
    return returned_types(ns["float32_fields"],
                          [(v,) for v in _normal_values() + _special_values()], elements=True)


declare(
    "float32_fields",
    Requirement("sign", 0.5, "sign is 1 for a negative number and for -0.0 (its sign bit is "
                "set, although -0.0 < 0 is False), 0 otherwise",
                visible=[("[int(float32_fields(v)[0]) for v in (1.5, -2.0, -0.0, 0.0, "
                          "-float('inf'))]",
                          "read the sign bit: -0.0 has it set; an int32 view is signed, and a "
                          "negative int shifted right stays negative: keep only the bit you "
                          "want")],
                hidden=lambda ns: [int(ns["float32_fields"](v)[0])
                                   for v in _normal_values() + _special_values()]),
    Requirement("exponent", 0.5, "exponent is the stored 8-bit field e, biased: x = ±(1 + f / "
                "2**23) · 2**(e - 127) for normal numbers, e from 1 to 254",
                visible=[("[int(float32_fields(v)[1]) for v in (0.15625, 1.0, -2.0, 2.0 ** 127, "
                          "2.0 ** -126)]",
                          "0.15625 = 1.25 * 2**-3 has e = -3 + 127 = 124: the stored field, "
                          "with the bias; the bits of a float32, not of a float64")],
                hidden=_field(1, _normal_values)),
    Requirement("fraction", 0.5, "fraction is the 23 stored bits f as an int, without the "
                "implicit leading 1 (0 to 2**23 - 1)",
                visible=[("[int(float32_fields(v)[2]) for v in (0.15625, 1.0, 0.75, -123.25, "
                          "1.0 + 2.0 ** -23)]",
                          "0.15625 = 1.25 * 2**-3: f = 0.25 * 2**23 = 2**21, without the "
                          "leading 1; only the low 23 bits, without the exponent and sign "
                          "above them")],
                hidden=_field(2, _normal_values)),
    Requirement("special values", 0.25, "zeros and subnormals have exponent 0 (x = ±f · "
                "2**-149), ±inf exponent 255 and fraction 0",
                visible=[("[[int(k) for k in float32_fields(v)[1:]] for v in (0.0, -0.0, "
                          "2.0 ** -149, 2.0 ** -126 - 2.0 ** -149, float('inf'))]",
                          "read the bits rather than computing them with math.frexp or log2: "
                          "zero, subnormals and inf are special cases there")],
                hidden=lambda ns: [[int(k) for k in ns["float32_fields"](v)[1:]]
                                   for v in _special_values()]),
    Requirement("tuple of ints", 0.25, "returns a tuple of three Python ints (not NumPy or "
                "torch integers)",
                visible=[("type(float32_fields(0.15625)).__name__",
                          "return sign, exponent, fraction (a tuple)"),
                         ("[type(k).__name__ for k in float32_fields(-2.0)]",
                          "NumPy integers are not Python ints: int(...) or .item()")],
                hidden=_fields_types),
)


# --- contiguous_strides ------------------------------------------------------------------
def _shapes():
    g = gen(9)
    shapes = [tuple(torch.randint(1, 6, (int(torch.randint(0, 7, (1,), generator=g)),),
                                  generator=g).tolist()) for _ in range(60)]
    return shapes + [(), (1, 1, 1), (7,), (5, 1, 3), (1, 4), (4, 1)]


def _strides_of_every_kind(ns):
    f = ns["contiguous_strides"]
    return [[int(s) for s in f(kind(shape))] for shape in _shapes()
            for kind in (tuple, list, torch.Size)]


def _huge(ns):
    f = ns["contiguous_strides"]
    return [[int(s) for s in f(shape)] for shape in ((3, 2 ** 40, 2 ** 21), (2 ** 30,) * 2,
                                                      (2 ** 21, 1, 2 ** 21, 2 ** 20))]


def _strides_types(ns):
    return returned_types(ns["contiguous_strides"],
                          [(kind(shape),) for shape in _shapes()
                           for kind in (tuple, list, torch.Size)], elements=True)


declare(
    "contiguous_strides",
    Requirement("values", 0.5, "the strides of a contiguous (row-major) tensor of this shape: "
                "how many elements one step along each dimension skips in storage, for a tuple, "
                "a list or a torch.Size; () for the shape ()",
                visible=[("[int(s) for s in contiguous_strides((2, 3, 4))]",
                          "row-major: the last index runs fastest (stride 1), and one step along "
                          "a dimension skips everything the dimensions after it hold, not its "
                          "own size"),
                         ("[int(s) for s in contiguous_strides([5, 1, 3])]",
                          "a list works as a tuple does"),
                         ("[int(s) for s in contiguous_strides(torch.Size([4, 2]))]",
                          "a torch.Size too"),
                         ("[int(s) for s in contiguous_strides(())]",
                          "a 0-dimensional tensor has no strides: ()")],
                hidden=_strides_of_every_kind),
    Requirement("any size", 0.25, "computed from the shape alone: works for shapes no memory "
                "holds, such as (2**21, 2**21, 2**21)",
                visible=[("[int(s) for s in contiguous_strides((2 ** 21,) * 3)]",
                          "compute the strides from the shape; a tensor of this shape cannot "
                          "be created")],
                hidden=_huge),
    Requirement("tuple of ints", 0.25, "returns a tuple of Python ints (not a list, not NumPy "
                "integers)",
                visible=[("type(contiguous_strides((2, 3))).__name__", "return tuple(...)"),
                         ("[type(s).__name__ for s in contiguous_strides((2, 3, 4))]",
                          "NumPy integers are not Python ints: int(...)")],
                hidden=_strides_types),
)


# --- storage_index -----------------------------------------------------------------------
def _views():
    # Views of 0, 1, 2, ...: transposes, slices with steps, expand (stride 0), a diagonal.
    base = torch.arange(4 * 5 * 6 * 7).reshape(4, 5, 6, 7)
    return (base, base.permute(3, 1, 0, 2), base[1:, ::2, 3, 1:6:2], base[2],
            base[:, 1].transpose(0, 2), base[3, 4, 5], base[1, :, :, 2].diagonal(),
            base[0, 0, 0].expand(3, 7), base[2:, 1:4].unsqueeze(1), base.narrow(3, 4, 2))


def _index_cases():
    g, cases = gen(5), []
    for view in _views():
        for _ in range(20):
            index = tuple(int(torch.randint(0, s, (1,), generator=g)) for s in view.shape)
            cases.append((index, view.stride(), view.storage_offset()))
    return cases + [((), (), 0), ((), (), 3), ((1, 2), (1, 4), 0), ((0, 1), (4, 2), 5)]


def _positions(ns):
    f = ns["storage_index"]
    return [int(f(kind(index), kind(strides))) for index, strides, _ in _index_cases()
            for kind in (tuple, list)]


def _offsets(ns):
    # f(index, strides, offset) - f(index, strides): the offset, added once, whatever else the
    # answer does with the strides.
    f = ns["storage_index"]
    out = []
    for index, strides, offset in _index_cases():
        out.append(int(f(index, strides, offset)) - int(f(index, strides)))
        out.append(int(f(list(index), list(strides), offset=offset)) - int(f(index, strides)))
    return out


def _index_types(ns):
    f = ns["storage_index"]
    return sorted({type(f(index, strides, offset)).__name__ for index, strides, offset in
                   _index_cases()} | {type(f(list(index), list(strides))).__name__
                                      for index, strides, _ in _index_cases()})


declare(
    "storage_index",
    Requirement("position", 0.5, "the storage position of element index of a tensor with "
                "these strides and offset 0, for any number of dimensions (tuples or lists)",
                visible=[("int(storage_index((1, 2), (4, 1)))",
                          "strides (4, 1): one step along dimension 0 skips 4 storage elements, "
                          "one step along dimension 1 skips 1; element (1, 2) is that many steps "
                          "from element (0, 0)"),
                         ("int(storage_index((1, 2), (1, 4)))",
                          "each dimension moves by its own stride (here those of a transpose): "
                          "the k-th index goes with the k-th stride"),
                         ("int(storage_index([2, 0, 3], [1, 12, 4]))",
                          "lists work as tuples do; indices count from 0"),
                         ("int(storage_index((), ()))",
                          "no dimensions: the only element is at the offset, 0 here")],
                hidden=_positions),
    Requirement("offset", 0.25, "a storage offset (0 by default) moves every element by that "
                "many positions",
                visible=[("int(storage_index((0, 1), (4, 2), offset=5)) "
                          "- int(storage_index((0, 1), (4, 2)))",
                          "the offset is where element (0, ..., 0) sits: it moves the position "
                          "once, not once per dimension"),
                         ("int(storage_index((), (), 3))",
                          "offset is the third argument")],
                hidden=_offsets),
    Requirement("int", 0.25, "returns a Python int (not a tensor or a NumPy integer)",
                visible=[("type(storage_index((1, 2), (4, 1))).__name__",
                          "a tensor or a NumPy integer is not a Python int: convert it"),
                         ("type(storage_index([1, 2], [4, 1], 3)).__name__",
                          "an int for lists too")],
                hidden=_index_types),
)


# --- is_contiguous -----------------------------------------------------------------------
def _real_views():
    # Views of a 4 x 5 x 6 tensor with every size >= 2: contiguous ones (a prefix slice, one
    # index) and every way of losing it (transpose, step, narrowed inner dimension, expand).
    base = torch.zeros(4, 5, 6)
    return (base, base[1:], base[2], base[1:3, :, :], base.transpose(0, 2), base.permute(1, 0, 2),
            base[:, ::2], base[..., 1:5], base[:, 2:4], base[0, :, :2], base[:, 0].expand(3, 4, 6),
            base.flatten()[::3], base.unfold(2, 3, 2), base.mT)


def _stride_cases(with_ones, with_zeros, count=60, seed=31):
    """(shape, strides) pairs, half with contiguous strides, half with one stride changed;
    shapes holding a 1 only if with_ones, a 0 only if with_zeros."""
    g, cases = gen(seed), []
    for k in range(count):
        ndim = int(torch.randint(1, 6, (1,), generator=g))
        shape = [int(s) for s in torch.randint(2, 6, (ndim,), generator=g)]
        if with_ones:
            shape[int(torch.randint(0, ndim, (1,), generator=g))] = 1
        if with_zeros:
            shape[int(torch.randint(0, ndim, (1,), generator=g))] = 0
        strides = list(torch.empty(*[max(s, 1) for s in shape]).stride())
        where = int(torch.randint(0, ndim, (1,), generator=g))
        if k % 2:  # a changed stride: on a size-1 dimension it must not matter
            strides[where] += int(torch.randint(1, 9, (1,), generator=g))
        elif with_ones:  # a size-1 dimension with any stride at all
            strides[shape.index(1)] = int(torch.randint(0, 50, (1,), generator=g))
        cases.append((tuple(shape), tuple(strides)))
    return cases


def _contiguity(ns):
    f = ns["is_contiguous"]
    return ([bool(f(tuple(v.shape), v.stride())) for v in _real_views()]
            + [bool(f(list(shape), list(strides))) for shape, strides in
               _stride_cases(with_ones=False, with_zeros=False)] + [bool(f((), ()))])


def _size_one(ns):
    # The student's own answer with and without the size-1 dimensions: equal when their
    # strides are ignored, whatever the answer does with the other dimensions.
    f = ns["is_contiguous"]
    x = torch.zeros(3, 4)
    views = (x[:, 1:2], x[1:2].t(), x.unsqueeze(1), x.t().unsqueeze(0), x[None, :, None, 0])
    cases = [(tuple(v.shape), v.stride()) for v in views] + _stride_cases(
        with_ones=True, with_zeros=False, seed=32)
    out = []
    for shape, strides in cases:
        kept = [(n, s) for n, s in zip(shape, strides) if n != 1]
        out.append(bool(f(shape, strides)) == bool(f(tuple(n for n, _ in kept),
                                                      tuple(s for _, s in kept))))
    return out


def _empty(ns):
    f = ns["is_contiguous"]
    return [bool(f(shape, strides)) for shape, strides in
            _stride_cases(with_ones=False, with_zeros=True, count=30, seed=33)
            + [((0,), (7,)), ((3, 0), (1, 3)), ((0, 2, 3), (1, 1, 1))]]


def _contiguity_types(ns):
    return returned_types(ns["is_contiguous"], [
        (shape, strides) for shape, strides in _stride_cases(with_ones=True, with_zeros=False)
        + _stride_cases(with_ones=False, with_zeros=True, count=10)] + [((), ())])


declare(
    "is_contiguous",
    Requirement("values", 0.5, "True exactly when the tensor is row-major: stepping through "
                "x.flatten() order moves one storage element at a time (transposes, steps, "
                "narrowed inner dimensions and expand break it; the storage offset does not "
                "matter)",
                visible=[("bool(is_contiguous((3, 4), (4, 1)))", "a freshly made 3 x 4 tensor"),
                         ("bool(is_contiguous((4, 3), (1, 4)))",
                          "x.t(): the last index no longer runs fastest"),
                         ("bool(is_contiguous((3, 2), (4, 2)))",
                          "x[:, ::2]: one step along the last dimension skips an element"),
                         ("bool(is_contiguous((3, 2), (4, 1)))",
                          "x[:, :2]: the rows are 4 elements apart but hold only 2"),
                         ("bool(is_contiguous((2, 4), (4, 1)))",
                          "x[1:]: only the shape and the strides matter, not the offset"),
                         ("bool(is_contiguous((3, 4), (0, 1)))",
                          "x[0].expand(3, 4): stride 0 repeats the same storage row")],
                hidden=_contiguity),
    Requirement("size-1 dimensions", 0.25, "a dimension of size 1 is never stepped along, so "
                "its stride does not matter (as PyTorch's is_contiguous() decides)",
                visible=[("bool(is_contiguous((3, 1, 4), (4, 7, 1))) "
                          "== bool(is_contiguous((3, 4), (4, 1)))",
                          "the middle dimension has one index, so its stride 7 is never used: "
                          "the answer is the one for the 3 x 4 tensor without it"),
                         ("bool(is_contiguous((4, 1), (1, 4))) == bool(is_contiguous((4,), (1,)))",
                          "x[1:2].t() is a transpose, and as contiguous as the 4 numbers it holds"),
                         ("[bool(is_contiguous((3, 1), (4, s))) == bool(is_contiguous((3,), (4,))) "
                          "for s in (1, 4, 9)]",
                          "x[:, 1:2]: whatever the stride of its size-1 dimension, the answer is "
                          "the one for its 3 numbers 4 apart")],
                hidden=_size_one),
    Requirement("empty", 0.125, "a tensor with no elements (a 0 in its shape) is contiguous "
                "whatever its strides",
                visible=[("bool(is_contiguous((0, 3), (1, 5)))",
                          "no elements: nothing is ever looked up in storage")],
                hidden=_empty),
    Requirement("bool", 0.125, "returns a Python bool (not a tensor or a NumPy bool)",
                visible=[("type(is_contiguous((2, 3), (3, 1))).__name__", "True or False"),
                         ("type(is_contiguous([2, 3], [1, 2])).__name__", "for lists too")],
                hidden=_contiguity_types),
    forbidden=BUILT_IN_CONTIGUITY,
)
