# ch08's exercises, declared by requirement (see Requirement and Exercise in runtime.py; the
# docstrings' lists, the notebook's checks, the grading and the feedback all come from here).
# The networks are checked by behaviour: seeded_weights gives every layer He-scaled weights
# and non-zero biases, under which a missing ReLU or a wrong padding changes the output.
import contextlib

from torch import nn
from torch.nn import functional as F

_CONVS = ("p1_1", "p2_1", "p2_2", "p3_1", "p3_2", "p4_2")

# Distinct channel counts, so that no two paths can be swapped unnoticed; sizes down to 1x1,
# where the paddings matter most.
_CONFIGS = [(6, 4, (3, 5), (2, 7), 2, (2, 6, 9, 8)),
            (5, 3, (4, 6), (5, 2), 7, (3, 5, 5, 7)),
            (8, 2, (5, 3), (3, 4), 6, (2, 8, 1, 1)),
            (3, 6, (5, 4), (4, 9), 5, (2, 3, 2, 3))]


def _inception_outputs(ns):
    out = []
    for i, (cin, c1, c2, c3, c4, shape) in enumerate(_CONFIGS):
        X = torch.randn(shape, generator=gen(80 + i))
        block = ns["Inception"](cin, c1, c2, c3, c4)
        with torch.no_grad():
            out.append(seeded_weights(block, X)(X))
    return out


def _inception_layers(ns):
    out = []
    for cin, c1, c2, c3, c4, shape in _CONFIGS:
        block = ns["Inception"](cin, c1, c2, c3, c4)
        # a first call gives lazy layers their shapes; a forward that fails at torch.cat
        # (paths of different sizes) is the forward requirement's
        with contextlib.suppress(RuntimeError):
            block(torch.zeros(shape))
        convs = [getattr(block, name) for name in _CONVS]
        out.append([[tuple(m.weight.shape), m.bias is not None] for m in convs])
    return out


_BLOCK = ("block = Inception(3, 2, (2, 3), (2, 2), 2)\n"
          "x = torch.linspace(-1, 1, 27).reshape(1, 3, 3, 3).sin()\n"
          "try:  # seeded weights; a first call gives lazy layers their shapes\n"
          "    seeded_weights(block, x)\n"
          "except RuntimeError:  # paths of different sizes: the forward checks say so\n"
          "    seeded_weights(block)\n"
          "x1 = torch.linspace(-1, 1, 3).reshape(1, 3, 1, 1)\n"
          "x4 = -torch.linspace(0.1, 2, 48).reshape(1, 3, 4, 4) * torch.tensor([1.0, -1.0, 0.5])"
          "[:, None, None]")

declare(
    "Inception",
    Requirement("layers", 1, "the attributes p1_1, p2_1, p2_2, p3_1, p3_2 and p4_2 are "
                "convolutions with biases and the listed kernel sizes and channels",
                visible=[("[tuple(getattr(block, name).weight.shape) for name in "
                          "['p1_1', 'p2_1', 'p2_2', 'p3_1', 'p3_2', 'p4_2']]",
                          "compare each path's channels and kernel sizes with the list above"),
                         ("[getattr(block, name).bias is not None for name in "
                          "['p1_1', 'p2_1', 'p2_2', 'p3_1', 'p3_2', 'p4_2']]",
                          "keep the convolutions' biases (the default)")],
                hidden=_inception_layers),
    # A wrong padding or stride makes the paths' sizes differ and torch.cat fail: the sizes
    # are part of the forward pass, not a requirement of their own.
    Requirement("forward", 2, "the four paths, each convolution followed by a ReLU (and nothing "
                "else), concatenated on the channel dimension in the order 1, 2, 3, 4, each "
                "keeping H x W down to 1 x 1 (padding 1 for the 3x3 convolution and the 3x3 "
                "max-pooling with stride 1, 2 for the 5x5)",
                visible=[("block(x)", "a ReLU after every convolution and only there; the "
                          "four paths' outputs joined on the channel dimension (dim 1), path 1 "
                          "first"),
                         ("block(x4)[:, -2:]",
                          "path 4 max-pools the input itself (no ReLU before the pooling), "
                          "then applies its 1x1 convolution and a ReLU"),
                         ("block(x1)", "every path keeps H x W: the max-pooling of path 4 needs "
                          "stride 1 and padding 1, the 5x5 convolution padding 2")],
                hidden=_inception_outputs, rtol=5e-4, atol=5e-5),
    setup=_BLOCK,
)


class _Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def _googlenet_outputs(ns):
    # Inputs just large enough for b5 to see 2x2 maps (global average and max pooling
    # differ) and for every padding to matter; the default arguments (other ones are the
    # arguments requirement's).
    out = []
    for size in (64, 40):
        X = torch.randn(2, 1, size, size, generator=gen(82 + size))
        with torch.no_grad():
            out.append(seeded_weights(ns["googlenet"](), X[:1])(X))
    return out


def _googlenet_layers(ns):
    net = ns["googlenet"]()
    with torch.no_grad():
        net(torch.zeros(1, 1, 64, 64))  # materialises lazy layers
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    return [sum(p.numel() for p in net.parameters()),
            sorted(tuple(m.weight.shape) for m in layers)]


def _ends(net):
    """The first convolution's input channels and the last Linear's outputs: what in_channels
    and num_classes set, whatever the layers between them (a requirement of their own)."""
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    return [layers[0].weight.shape[1], layers[-1].weight.shape[0]]


def _googlenet_arguments(ns):
    """For other in_channels and num_classes, built on the meta device (no memory): the
    output's shape and the two layers they set."""
    out = {}
    for c, k in ((3, 7), (4, 2)):
        with torch.device("meta"), torch.no_grad():
            net = ns["googlenet"](c, k)
            y = net(torch.zeros(2, c, 64, 64))
        out[f"googlenet({c}, {k})"] = [tuple(y.shape), _ends(net)]
    return out


_NET = ("x64 = torch.linspace(-1, 1, 2 * 64 * 64).reshape(2, 1, 64, 64).sin()\n"
        "net = seeded_weights(googlenet(), x64)")

declare(
    "googlenet",
    Requirement("layers", 1, "b1, b2 and the nine Inception blocks with d2l's channel counts, "
                "then Linear(1024, num_classes): 5,977,530 parameters, in one nn.Sequential",
                visible=[("parameters_to_vector(net.parameters()).numel()",
                          "compare the channel counts of b1, b2 and the Inception blocks with "
                          "the table"),
                         ("isinstance(net, nn.Sequential)", "return one nn.Sequential")],
                hidden=_googlenet_layers),
    Requirement("forward", 1.5, "the forward pass: b1's and b2's ReLUs, the max-poolings "
                "(3x3, stride 2, padding 1) after b1, b2, b3 and b4, global average pooling "
                "and Flatten after b5",
                visible=[("net.eval()(x64)",
                          "a ReLU after each of b1's and b2's convolutions; padding 1 for the "
                          "poolings; AdaptiveAvgPool2d((1, 1)) (average, not max) in b5")],
                hidden=_googlenet_outputs, rtol=5e-4, atol=5e-5),
    Requirement("arguments", 0.5, "in_channels and num_classes change the first convolution "
                "and the last Linear",
                visible=[("(lambda shapes: [shapes[0][1], shapes[-1][0]])(meta_shapes(googlenet, "
                          "(1, 3, 64, 64), 3, 7))",
                          "the first convolution's input channels and the last Linear's "
                          "outputs: use in_channels in b1's convolution and num_classes in the "
                          "Linear")],
                hidden=_googlenet_arguments),
    uses={"Inception": _Inception},
    setup=_NET,
)
