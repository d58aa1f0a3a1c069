# Probes of ch00 (see autograder/verdicts/__init__.py). Each calls the student's functions on
# fixed inputs and returns plain data; the grader compares it with the reference's in its own
# process. Inputs are generated here, in both processes, from fixed seeds.
import struct
import sys


def _python_lines(ns, fn, *args, limit=100):
    """Lines of the student's own code (globals ns) run by fn(*args), counted up to limit:
    a loop over 300 points or coordinates runs hundreds, a vectorised answer a handful."""
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        if frame.f_globals is not ns or count >= limit:
            return None
        if event == "line":
            count += 1
        return trace

    old = sys.gettrace()
    sys.settrace(trace)
    try:
        fn(*args)
    finally:
        sys.settrace(old)
    return count


def _device_ok(fn, *args):
    """As expect_device_agnostic: on "meta" tensors (a stand-in for a GPU) fn gives a meta
    result or fails for a reason other than devices (meta tensors cannot do everything)."""
    try:
        result = fn(*args)
    except NotImplementedError:
        return True
    except Exception as error:  # noqa: BLE001 - only device errors count
        return "device" not in str(error)
    return not isinstance(result, torch.Tensor) or result.device.type == "meta"


def probe_pairwise_distances(ns):
    f = ns["pairwise_distances"]
    g = gen(2024)
    inputs = [torch.randn(shape, generator=g, dtype=dtype) * 3 + 1
              for shape in ((1, 1), (1, 4), (2, 3), (7, 1), (50, 3), (40, 16), (30, 100))
              for dtype in (torch.float32, torch.float64)]
    repeated = torch.randn(6, 5, generator=g)
    inputs.append(torch.cat((repeated, repeated[:3], torch.zeros(2, 5))))
    inputs.append(1000 + torch.randn(40, 3, generator=g, dtype=torch.float64))
    # Enough float32 points that ||a||² + ||b||² - 2 a·b rounds below 0 without a clamp.
    inputs.append(torch.randn(150, 8, generator=g))
    cases = []
    with forbid("pairwise_distances", (
            "torch.cdist", "torch.functional.cdist", "torch.pdist", "torch.nn.functional.pdist",
            "torch.nn.functional.pairwise_distance", "torch.pairwise_distance",
            "torch._euclidean_dist", "scipy.spatial.distance.cdist",
            "scipy.spatial.distance.pdist", "sklearn.metrics.pairwise.euclidean_distances",
            "sklearn.metrics.pairwise.pairwise_distances", "sklearn.metrics.pairwise_distances")):
        for points in inputs:
            d = require_tensor(f(points), "pairwise_distances")
            cases.append((points, d))  # points after the call: it must not modify them
    loops = max(_python_lines(ns, f, torch.randn(300, 2, generator=g)),
                _python_lines(ns, f, torch.randn(3, 300, generator=g)))
    return {"cases": cases, "no_loop": loops < 100,
            "device": _device_ok(f, torch.randn(5, 3, device="meta"))}


def compare_pairwise_distances(got, want):
    # The matrix-product route is correct but rounds differently, by up to ~sqrt(eps) |p| on
    # the diagonal: compare squared distances with a tolerance scaled by the squared norms.
    try:
        if got["no_loop"] is not True:
            return "a Python loop over the points or the coordinates"
        if got["device"] is not True:
            return "the result is not on the device of points"
        if len(got["cases"]) != len(want["cases"]):
            return "wrong number of results"
        for (points_got, d), (points, _) in zip(got["cases"], want["cases"]):
            n = points.shape[0]
            where = f"points of shape {tuple(points.shape)}, {points.dtype}"
            if not torch.equal(points_got, points):
                return f"{where}: points modified"
            if tuple(d.shape) != (n, n) or d.dtype != points.dtype:
                return f"{where}: got {tuple(d.shape)} {d.dtype}, expected {(n, n)} " \
                       f"{points.dtype}"
            p = points.double()
            ref = ((p[:, None, :] - p[None, :, :]) ** 2).sum(-1)
            sq = (p * p).sum(-1)
            allowed = 64 * torch.finfo(points.dtype).eps * (sq[:, None] + sq[None, :]) + 1e-30
            err = (d.double() ** 2 - ref).abs()
            bad = err.isnan() | (err > allowed) | (d.double() < 0)
            if bool(bad.any()):
                return f"{where}: {int(bad.sum())} of {n * n} distances wrong"
        return None
    except Exception as error:  # noqa: BLE001 - a malformed result is a wrong one
        return f"malformed result ({type(error).__name__}: {error})"


def probe_summary_stats(ns):
    g = gen(7)
    results = []
    # Odd and even sizes, n = 1, several dimensions, both dtypes, and constants.
    for shape in ((1,), (2,), (3,), (4,), (5,), (10,), (999,), (1000,), (4, 5), (3, 4, 5),
                  (2, 3, 2, 2), (1, 6)):
        for dtype in (torch.float32, torch.float64):
            shift, scale = torch.randn(2, generator=g, dtype=torch.float64).tolist()
            x = (torch.randn(shape, generator=g, dtype=torch.float64) * (abs(scale) + 0.5)
                 + shift).to(dtype)
            results.append((ns["summary_stats"](x), x))
    for value in (0.0, -3.5):
        x = torch.full((3, 2), value)
        results.append((ns["summary_stats"](x), x))
    return results


def _with_singular_values(g, m, n, s, dtype=torch.float64):
    k = len(s)
    U = torch.linalg.qr(torch.randn(m, k, generator=g, dtype=torch.float64)).Q
    V = torch.linalg.qr(torch.randn(n, k, generator=g, dtype=torch.float64)).Q
    return ((U * torch.tensor(s, dtype=torch.float64)) @ V.T).to(dtype)


def probe_matrix_rank(ns):
    g = gen(11)
    cases = []
    # Rounding noise of rank-r products (no tolerance, or eps of the wrong dtype counts it).
    for m, n, r in ((6, 5, 2), (8, 8, 3), (20, 10, 4), (5, 40, 2), (30, 30, 10), (7, 3, 3)):
        for dtype in (torch.float32, torch.float64):
            cases.append((torch.randn(m, r, generator=g, dtype=dtype)
                          @ torch.randn(r, n, generator=g, dtype=dtype), None))
    # Above float64's tolerance, below float32's; eigenvalues of M^T M lose it.
    cases.append((_with_singular_values(g, 6, 9, [3.0, 1.0, 3e-9]), None))
    # Between min(m, n) * eps and max(m, n) * eps.
    for m, n in ((2, 2000), (2000, 2)):
        cases.append((_with_singular_values(g, m, n, [1.0, 1.4e-14]), None))
        cases.append((_with_singular_values(g, m, n, [1.0, 2e-12]), None))
    for shape in ((1, 1), (4, 2), (3, 7)):
        for dtype in (torch.float32, torch.float64):
            cases.append((torch.zeros(shape, dtype=dtype), None))
    cases += [(torch.tensor([[-2.0]]), None), (torch.randn(1, 5, generator=g), None)]
    # A given tol is absolute, tol=0.0 is not None, an int tol works.
    M = _with_singular_values(g, 5, 4, [10.0, 5.0, 0.5, 0.01])
    cases += [(M, tol) for tol in (1.0, 0.1, 0.001, 20.0, 7.0, 2)]
    D = torch.diag(torch.tensor([1.0, 1e-20, 0.0], dtype=torch.float64))
    cases += [(D, 0.0), (D, None), (torch.diag(torch.tensor([10.0, 1.0, 0.01])), 0.5)]
    with forbid("matrix_rank", ("torch.linalg.matrix_rank", "torch.matrix_rank",
                                "numpy.linalg.matrix_rank")):
        return [ns["matrix_rank"](M) if tol is None else ns["matrix_rank"](M, tol=tol)
                for M, tol in cases]


def probe_float32_fields(ns):
    g = gen(32)
    values = []
    for b in torch.randint(0, 2 ** 32, (600,), generator=g).tolist():
        v = struct.unpack("<f", struct.pack("<I", b))[0]
        if not math.isnan(v):
            values.append(v)
    values += [0.0, -0.0, math.inf, -math.inf, 1.0, -1.0, 0.15625, -2.0, 2.0 ** -149,
               -(2.0 ** -149), 2.0 ** -126, 2.0 ** -126 - 2.0 ** -149, 2.0 ** -140,
               float(torch.finfo(torch.float32).max), -float(torch.finfo(torch.float32).max),
               3.0, 0.75, -123.25, 2.0 ** 127, 1.0 + 2.0 ** -23]
    results = [ns["float32_fields"](v) for v in values]
    # NumPy integers become tensors in plain() and fail the comparison by themselves.
    return {"fields": results, "returns tuples": all(type(r) is tuple for r in results)}


def probe_contiguous_strides(ns):
    f = ns["contiguous_strides"]
    g = gen(9)
    shapes = [tuple(torch.randint(1, 6, (int(torch.randint(0, 7, (1,), generator=g)),),
                                  generator=g).tolist()) for _ in range(30)]
    shapes += [(), (1, 1, 1), (7,), (5, 1, 3)]
    results = [f(kind(shape)) for shape in shapes for kind in (tuple, list, torch.Size)]
    # Too large for any memory: strides must be computed, not read off a tensor.
    results += [f((2 ** 21,) * 3), f((3, 2 ** 40, 2 ** 21))]
    return {"strides": results, "returns tuples": all(type(r) is tuple for r in results)}


def probe_storage_index(ns):
    f = ns["storage_index"]
    g = gen(5)
    # Views of 0, 1, 2, ...: an element's value is its storage position.
    base = torch.arange(4 * 5 * 6 * 7).reshape(4, 5, 6, 7)
    views = (base, base.permute(3, 1, 0, 2), base[1:, ::2, 3, 1:6:2], base[2],
             base[:, 1].transpose(0, 2), base[3, 4, 5], base[1, :, :, 2].diagonal(),
             base[0, 0, 0].expand(3, 7), base[2:, 1:4].unsqueeze(1), base.narrow(3, 4, 2))
    results = []
    for view in views:
        for _ in range(5):
            index = tuple(int(torch.randint(0, s, (1,), generator=g)) for s in view.shape)
            results.append(f(index, view.stride(), view.storage_offset()))
            results.append(f(list(index), list(view.stride()), view.storage_offset()))
        if view.storage_offset() == 0:
            results.append(f(tuple(s - 1 for s in view.shape), view.stride()))
    results += [f((), ()), f((), (), 3), f((1, 2), (1, 4)), f((0, 1), (4, 2), offset=5)]
    return results
