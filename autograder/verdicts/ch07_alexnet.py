# ch07's exercises, declared by requirement (see Requirement and Exercise in runtime.py; the
# docstrings' lists, the notebook's checks, the grading and the feedback all come from here).
# The networks are checked by behaviour: seeded_weights gives every layer He-scaled weights
# and non-zero biases, under which a missing ReLU or a wrong padding changes the output.
from collections import OrderedDict

from torch import nn

# A fixed input for AlexNet: smooth, positive and negative, every pixel different.
_X224 = ("x224 = torch.linspace(-1, 1, 224 * 224).reshape(1, 1, 224, 224).sin()\n"
         "net = seeded_weights(alexnet(), x224)")


def _ends(net):
    """The first convolution's input channels and the last Linear's outputs: what in_channels
    and num_classes set, whatever the layers between them (a requirement of their own)."""
    layers = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    return [layers[0].weight.shape[1], layers[-1].weight.shape[0]]


def _alexnet_hidden(ns):
    """For other in_channels and num_classes, built on the meta device (no memory): the
    output's shape and the two layers they set."""
    out = {}
    for c, k in ((3, 5), (4, 2)):
        with torch.device("meta"), torch.no_grad():
            net = ns["alexnet"](in_channels=c, num_classes=k)
            y = net(torch.zeros(2, c, 224, 224))
        out[f"alexnet({c}, {k})"] = [tuple(y.shape), _ends(net)]
    return out


declare(
    "alexnet",
    Requirement("layers", 1, "d2l's layers and sizes: five convolutions (96 11x11 stride 4 "
                "padding 1; 256 5x5 padding 2; 384, 384, 256 3x3 padding 1), 3x3 max-pooling "
                "with stride 2 after the first, second and fifth, then Flatten (6400), "
                "Linear 4096, Linear 4096, Linear num_classes: 46,764,746 parameters",
                visible=[("[tuple(p.shape) for p in net.parameters()]",
                          "compare each layer's channels and kernel with the list above"),
                         ("parameters_to_vector(net.parameters()).numel()",
                          "Flatten must give 256 * 5 * 5 = 6400 features"),
                         ("isinstance(net, nn.Sequential)", "return one nn.Sequential")]),
    Requirement("forward", 1, "the forward pass in eval mode: each convolution and hidden "
                "Linear followed by a ReLU, the poolings where listed, logits at the end",
                visible=[("net.eval()(x224)",
                          "a ReLU after every convolution and hidden Linear; the poolings 3x3 "
                          "with stride 2; padding as listed")],
                rtol=5e-4, atol=5e-5),
    Requirement("dropout", 0.5, "in training mode, Dropout(0.5) after the ReLU of each of the "
                "two hidden Linear layers, and nowhere else",
                visible=[("call_order(['linear', 'dropout'], net.train(), x224)",
                          "nn.Dropout(0.5) after each hidden Linear's ReLU, none after the "
                          "last Linear")]),
    Requirement("arguments", 0.5, "in_channels and num_classes change the first convolution "
                "and the last Linear",
                # built on the CPU, not the meta device: its one-time set-up (1.3 s) would
                # put this cell over the 2 s a test cell may take
                visible=[("(lambda net: (net(torch.zeros(1, 3, 224, 224)), [[m.weight.shape for "
                          "m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))][i][j] "
                          "for i, j in ((0, 1), (-1, 0))])[1])(alexnet(in_channels=3, "
                          "num_classes=5))",
                          "the first convolution's input channels and the last Linear's "
                          "outputs: use in_channels in the first Conv2d and num_classes in the "
                          "last Linear")],
                hidden=_alexnet_hidden),
    setup=_X224,
)


# --- layer_shapes ------------------------------------------------------------------------
class _Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        return x + self.conv(x)


def _entry(entry):
    # What each entry says, however it is typed (the types are a requirement of their own):
    # a pair as a tuple or a list, a shape as a tuple, a torch.Size or a list of ints.
    if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
        return f"not a (name, shape) pair: {type(entry).__name__}"
    name, shape = entry
    ints = isinstance(shape, (tuple, list)) and all(
        isinstance(d, int) and not isinstance(d, bool) for d in shape)
    return [str(name) if isinstance(name, str) else repr(name)[:100],
            [int(d) for d in shape] if ints else f"not a sequence of ints: {shape!r}"[:100]]


def _types(entry):
    """Whether a (name, shape) entry is a pair in a tuple, its name a str and its shape a tuple
    (a torch.Size is one) of ints."""
    pair = isinstance(entry, (tuple, list)) and len(entry) == 2
    return [isinstance(entry, tuple) and pair, pair and isinstance(entry[0], str),
            pair and isinstance(entry[1], tuple) and all(type(d) is int for d in entry[1])]


def _nets():
    nets = [
        (nn.Sequential(
            nn.Conv2d(2, 6, kernel_size=5, stride=2, padding=1), nn.ReLU(),
            nn.MaxPool2d(3, 2), nn.Conv2d(6, 10, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.LazyLinear(24), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(24, 7)), ((3, 2, 30, 30), (1, 2, 33, 34))),
        (nn.Sequential(OrderedDict([
            ("features", nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2))),
            ("block", _Residual(4)),
            ("pool", nn.AdaptiveAvgPool2d((3, 2))),
            ("flatten", nn.Flatten()),
            ("head", nn.Sequential(nn.Linear(24, 12), nn.Tanh(), nn.Linear(12, 3))),
        ])), ((2, 1, 13, 11), (4, 1, 8, 9))),
        (nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(3, stride=1), nn.Flatten()),
         ((5, 3, 14, 12),)),
    ]
    with torch.no_grad():
        nets[0][0][0](torch.zeros(1, 2, 30, 30))
        nets[0][0](torch.zeros(1, 2, 30, 30))  # materialise the lazy layer
    return nets


def _shapes_hidden(ns, what):
    out = []
    for net, shapes in _nets():
        for mode in (True, False):
            net.train(mode)
            for shape in shapes:
                out.append(what(ns["layer_shapes"], net, shape, mode))
    return out


def _entries(f, net, shape, mode):
    return [_entry(e) for e in f(net, shape)]


def _entry_types(f, net, shape, mode):
    got = f(net, shape)  # how many entries is the entries requirement's
    return [isinstance(got, list), sorted({tuple(_types(e)) for e in got})]


def _untouched(f, net, shape, mode):
    before = [p.detach().clone() for p in net.parameters()]
    f(net, shape)
    return [all(m.training == mode for m in net.modules()),
            all(torch.equal(p, q) for p, q in zip(net.parameters(), before))]


_LENET = ("lenet = nn.Sequential(\n"
          "    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2),\n"
          "    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2), nn.Flatten(),\n"
          "    nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),\n"
          "    nn.Linear(84, 10))\n"
          "nested = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), nn.Flatten())")

declare(
    "layer_shapes",
    Requirement("entries", 1.25, "one (class name, output shape) pair per top-level layer, in "
                "order: type(layer).__name__ and the shape of the layer's output as a tuple "
                "of ints, for the batch size given",
                visible=[("layer_shapes(lenet, (2, 1, 28, 28))",
                          "each entry pairs a layer's class name with the shape of that "
                          "layer's output, which the next layer then reads"),
                         ("layer_shapes(nested, (3, 1, 5, 5))",
                          "net.children(): a nested Sequential is one layer")],
                hidden=lambda ns: _shapes_hidden(ns, _entries)),
    Requirement("types", 0.25, "a list of tuples whose shapes are tuples of ints",
                visible=[("[(isinstance(name, str), isinstance(shape, tuple) and all(type(d) "
                          "is int for d in shape)) for name, shape in layer_shapes(lenet, "
                          "(1, 1, 28, 28))[:2]]",
                          "tuple(X.shape): a torch.Size is a tuple too, a list is not")],
                hidden=lambda ns: _shapes_hidden(ns, _entry_types)),
    Requirement("untouched", 0.5, "leaves the net in its mode with its parameters unchanged",
                visible=[("(layer_shapes(lenet.train(), (1, 1, 28, 28)), lenet.training)[1]",
                          "do not leave the net in eval mode: restore its mode"),
                         ("(layer_shapes(lenet.eval(), (1, 1, 28, 28)), lenet.training)[1]",
                          "do not switch the net to training mode")],
                hidden=lambda ns: _shapes_hidden(ns, _untouched)),
    setup=_LENET,
)


# --- small_alexnet -----------------------------------------------------------------------
_X28 = "x28 = torch.linspace(-1, 1, 4 * 28 * 28).reshape(4, 1, 28, 28).sin()"


def _small_hidden(ns):
    out = {}
    for k in (10, 4):
        net = ns["small_alexnet"](num_classes=k)
        out[k] = behaviour(seeded_weights(net, torch.zeros(2, 1, 28, 28)),
                           torch.randn(16, 1, 28, 28, generator=gen(73 + k)))
    return out


declare(
    "small_alexnet",
    Requirement("logits", 0.5, "logits of shape (N, num_classes) for inputs (N, 1, 28, 28) "
                "(no softmax)",
                visible=[("small_alexnet()(x28).shape", "the network must work on 28x28 "
                          "inputs: small kernels, few poolings"),
                         ("small_alexnet(num_classes=4)(x28).shape",
                          "the last Linear has num_classes outputs"),
                         ("behaviour(seeded_weights(small_alexnet(), x28), x28)['logits']",
                          "no softmax at the end: the loss applies it")]),
    Requirement("size", 0.25, "fewer than 2,000,000 parameters, every one of them used",
                visible=[("parameters_to_vector(seeded_weights(small_alexnet(), x28)"
                          ".parameters()).numel() < 2_000_000",
                          "a few hundred units in the dense layers, not 4096"),
                         ("behaviour(seeded_weights(small_alexnet(), x28), x28)"
                          "['every parameter used']",
                          "every layer you define must be used in forward")]),
    Requirement("convolutional", 0.25, "convolutions and max-pooling come first",
                visible=[("called(['conv2d', 'max_pool2d'], small_alexnet(), x28)",
                          "an AlexNet-style network starts with nn.Conv2d and nn.MaxPool2d")]),
    Requirement("dropout", 1, "dropout active in training mode only; in eval mode the output "
                "is deterministic and each image is processed on its own",
                visible=[("behaviour(seeded_weights(small_alexnet(), x28), x28)"
                          "['training: dropout active']",
                          "nn.Dropout in the dense layers"),
                         ("behaviour(seeded_weights(small_alexnet(), x28), x28)"
                          "['eval: deterministic']",
                          "F.dropout needs training=self.training; nn.Dropout does it for you"),
                         ("behaviour(seeded_weights(small_alexnet(), x28), x28)"
                          "['eval: images independent']",
                          "flatten with x.flatten(1), not a reshape that mixes the batch")],
                hidden=_small_hidden),
    setup=_X28,
)
