"""Student answers for ch08: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

_INCEPTION = """
class Inception(nn.Module):
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
{forward}
"""

_FORWARD = """\
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)"""


def _inception_sub(old, new, forward=_FORWARD):
    source = _INCEPTION.replace("{forward}", forward)
    assert old in source, old
    return source.replace(old, new)


def _forward_sub(old, new):
    assert old in _FORWARD, old
    return _INCEPTION.replace("{forward}", _FORWARD.replace(old, new))


_GOOGLENET = """
def googlenet(in_channels=1, num_classes=10):
    b1 = nn.Sequential(nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
"""


def _googlenet_sub(old, new, count=1):
    assert _GOOGLENET.count(old) >= count, old
    return _GOOGLENET.replace(old, new, count)


ALTERNATIVES = {
    "Inception": {
        "d2l 1.0.3 with lazy convolutions (in_channels unused)": """
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        super(Inception, self).__init__(**kwargs)
        self.p1_1 = nn.LazyConv2d(c1, kernel_size=1)
        self.p2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.p2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.p3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.p1_1(x))
        b2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        b3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        b4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)
""",
        "padding='same', nn.ReLU modules, a list and dim=-3": """
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.relu = nn.ReLU()
        self.p1_1 = nn.Conv2d(in_channels, c1, 1)
        self.p2_1 = nn.Conv2d(in_channels, c2[0], 1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], 3, padding="same")
        self.p3_1 = nn.Conv2d(in_channels, c3[0], 1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], 5, padding="same")
        self.p4_1 = nn.MaxPool2d(3, 1, 1)
        self.p4_2 = nn.Conv2d(in_channels, c4, 1)

    def forward(self, x):
        r = self.relu
        outs = [r(self.p1_1(x)), r(self.p2_2(r(self.p2_1(x)))), r(self.p3_2(r(self.p3_1(x)))),
                r(self.p4_2(self.p4_1(x)))]
        return torch.cat(outs, dim=-3)
""",
        "layers created in another order, torch.concat, F.max_pool2d in p4_1's place": """
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p4_1 = nn.MaxPool2d(kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=(1, 1))
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=(5, 5), padding=(2, 2))
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=(1, 1))
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=(3, 3), padding=(1, 1))
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=(1, 1))
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=(1, 1))

    def forward(self, x):
        pooled = F.max_pool2d(x, 3, stride=1, padding=1)
        return torch.concat([
            torch.relu(self.p1_1(x)),
            torch.relu(self.p2_2(torch.relu(self.p2_1(x)))),
            torch.relu(self.p3_2(torch.relu(self.p3_1(x)))),
            torch.relu(self.p4_2(pooled)),
        ], dim=1)
""",
        "in-place ReLUs": _forward_sub(
            "p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))\n"
            "        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))\n"
            "        p4 = F.relu(self.p4_2(self.p4_1(x)))",
            "p2 = F.relu(self.p2_2(F.relu(self.p2_1(x), inplace=True)), inplace=True)\n"
            "        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x), inplace=True)), inplace=True)\n"
            "        p4 = F.relu(self.p4_2(self.p4_1(x)), inplace=True)"),
    },
    "googlenet": {
        "d2l 1.0.3 style: lazy layers and block methods": """
def _b1():
    return nn.Sequential(nn.LazyConv2d(64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
                         nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

def _b2():
    return nn.Sequential(nn.LazyConv2d(64, kernel_size=1), nn.ReLU(),
                         nn.LazyConv2d(192, kernel_size=3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

def _b3():
    return nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                         Inception(256, 128, (128, 192), (32, 96), 64),
                         nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

def _b4():
    return nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                         Inception(512, 160, (112, 224), (24, 64), 64),
                         Inception(512, 128, (128, 256), (24, 64), 64),
                         Inception(512, 112, (144, 288), (32, 64), 64),
                         Inception(528, 256, (160, 320), (32, 128), 128),
                         nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

def _b5():
    return nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                         Inception(832, 384, (192, 384), (48, 128), 128),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())

def googlenet(in_channels=1, num_classes=10):
    return nn.Sequential(_b1(), _b2(), _b3(), _b4(), _b5(), nn.LazyLinear(num_classes))
""",
        "one flat nn.Sequential, AdaptiveAvgPool2d(1), padding='same' in b2": """
def googlenet(in_channels=1, num_classes=10):
    pool = lambda: nn.MaxPool2d(3, 2, 1)
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, 7, 2, 3), nn.ReLU(inplace=True), pool(),
        nn.Conv2d(64, 64, 1), nn.ReLU(inplace=True), nn.Conv2d(64, 192, 3, padding="same"),
        nn.ReLU(inplace=True), pool(),
        Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64),
        pool(),
        Inception(480, 192, (96, 208), (16, 48), 64),
        Inception(512, 160, (112, 224), (24, 64), 64),
        Inception(512, 128, (128, 256), (24, 64), 64),
        Inception(512, 112, (144, 288), (32, 64), 64),
        Inception(528, 256, (160, 320), (32, 128), 128), pool(),
        Inception(832, 256, (160, 320), (32, 128), 128),
        Inception(832, 384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, num_classes))
""",
        "named blocks from a table of Inception arguments": """
from collections import OrderedDict

_TABLE = {
    "b3": [(192, 64, (96, 128), (16, 32), 32), (256, 128, (128, 192), (32, 96), 64)],
    "b4": [(480, 192, (96, 208), (16, 48), 64), (512, 160, (112, 224), (24, 64), 64),
           (512, 128, (128, 256), (24, 64), 64), (512, 112, (144, 288), (32, 64), 64),
           (528, 256, (160, 320), (32, 128), 128)],
    "b5": [(832, 256, (160, 320), (32, 128), 128), (832, 384, (192, 384), (48, 128), 128)],
}

def googlenet(in_channels=1, num_classes=10):
    blocks = OrderedDict()
    blocks["b1"] = nn.Sequential(nn.Conv2d(in_channels, 64, 7, stride=2, padding=3), nn.ReLU(),
                                 nn.MaxPool2d(3, stride=2, padding=1))
    blocks["b2"] = nn.Sequential(nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, padding=1),
                                 nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1))
    for name, rows in _TABLE.items():
        layers = [Inception(*row) for row in rows]
        tail = [nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten()] if name == "b5" else \\
            [nn.MaxPool2d(3, stride=2, padding=1)]
        blocks[name] = nn.Sequential(*layers, *tail)
    blocks["fc"] = nn.Linear(1024, num_classes)
    return nn.Sequential(blocks)
""",
    },
}

WRONG = {
    "Inception": {
        "forward: no ReLU on path 1":
            _forward_sub("p1 = F.relu(self.p1_1(x))", "p1 = self.p1_1(x)"),
        "forward: no ReLU between the two convolutions of path 2":
            _forward_sub("F.relu(self.p2_2(F.relu(self.p2_1(x))))",
                         "F.relu(self.p2_2(self.p2_1(x)))"),
        "forward: no ReLU at the end of path 3":
            _forward_sub("p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))",
                         "p3 = self.p3_2(F.relu(self.p3_1(x)))"),
        "forward: no ReLU at the end of path 4 (the pooling path)":
            _forward_sub("p4 = F.relu(self.p4_2(self.p4_1(x)))", "p4 = self.p4_2(self.p4_1(x))"),
        "forward: ReLU on the input of the pooling path":
            _forward_sub("p4 = F.relu(self.p4_2(self.p4_1(x)))",
                         "p4 = F.relu(self.p4_2(self.p4_1(F.relu(x))))"),
        "forward: max-pooling without padding": _inception_sub(
            "nn.MaxPool2d(kernel_size=3, stride=1, padding=1)",
            "nn.MaxPool2d(kernel_size=3, stride=1)"),
        "forward: max-pooling with the default stride (= kernel size)": _inception_sub(
            "nn.MaxPool2d(kernel_size=3, stride=1, padding=1)",
            "nn.MaxPool2d(kernel_size=3, padding=1)"),
        "forward: average pooling instead of max-pooling": _inception_sub(
            "nn.MaxPool2d(kernel_size=3, stride=1, padding=1)",
            "nn.AvgPool2d(kernel_size=3, stride=1, padding=1)"),
        "forward: paths concatenated in the wrong order":
            _forward_sub("torch.cat((p1, p2, p3, p4), dim=1)",
                         "torch.cat((p4, p1, p2, p3), dim=1)"),
        "layers: path 3 copied from path 2 (3x3 instead of 5x5)": _inception_sub(
            "kernel_size=5, padding=2", "kernel_size=3, padding=1"),
        "forward: 5x5 convolution with padding 1": _inception_sub(
            "kernel_size=5, padding=2", "kernel_size=5, padding=1"),
        "layers: c2[0] and c2[1] swapped": _inception_sub(
            "self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)\n"
            "        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)",
            "self.p2_1 = nn.Conv2d(in_channels, c2[1], kernel_size=1)\n"
            "        self.p2_2 = nn.Conv2d(c2[1], c2[0], kernel_size=3, padding=1)"),
        "layers: d2l 1.0.3's attribute names b1_1 ... b4_2 instead of p1_1 ... p4_2": """
class Inception(nn.Module):
    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.b1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.b2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.b2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.b3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.b3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.b1_1(x))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
        b4 = F.relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)
""",
        "layers: convolutions without bias": _INCEPTION.replace("{forward}", _FORWARD).replace(
            "kernel_size=1)", "kernel_size=1, bias=False)"),
        "forward: path 4 convolves the input instead of the pooled input":
            _forward_sub("self.p4_2(self.p4_1(x))", "self.p4_2(x)"),
        "forward: paths added instead of concatenated (needs equal channels: fails)": _forward_sub(
            "torch.cat((p1, p2, p3, p4), dim=1)", "p1 + p2 + p3 + p4"),
    },
    "googlenet": {
        "forward: no ReLU between b2's two convolutions": _googlenet_sub(
            "nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),", "nn.Conv2d(64, 64, kernel_size=1),"),
        "forward: b3's max-pooling without padding (global pooling hides the size)": _googlenet_sub(
            """Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))""",
            """Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2))"""),
        "forward: no max-pooling at the end of b4": _googlenet_sub(
            """Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))""",
            """Inception(528, 256, (160, 320), (32, 128), 128))"""),
        "forward: global max-pooling instead of average": _googlenet_sub(
            "nn.AdaptiveAvgPool2d((1, 1))", "nn.AdaptiveMaxPool2d((1, 1))"),
        "forward: b1's convolution without padding": _googlenet_sub(
            "kernel_size=7, stride=2, padding=3", "kernel_size=7, stride=2"),
        "forward: b1 without its ReLU": _googlenet_sub(
            "kernel_size=7, stride=2, padding=3), nn.ReLU(),",
            "kernel_size=7, stride=2, padding=3),"),
        "layers: a wrong channel count in b4 (typo 128 for 112)": _googlenet_sub(
            "Inception(512, 112, (144, 288), (32, 64), 64)",
            "Inception(512, 128, (144, 288), (32, 64), 64)"),
        "layers: a bottleneck width typo that keeps the shapes (128 for 144)": _googlenet_sub(
            "Inception(512, 112, (144, 288), (32, 64), 64)",
            "Inception(512, 112, (128, 288), (32, 64), 64)"),
        "forward: b2's 3x3 convolution without padding": _googlenet_sub(
            "nn.Conv2d(64, 192, kernel_size=3, padding=1)", "nn.Conv2d(64, 192, kernel_size=3)"),
        "arguments: in_channels ignored":
            _googlenet_sub("nn.Conv2d(in_channels, 64", "nn.Conv2d(1, 64"),
        "arguments: num_classes ignored": _googlenet_sub("nn.Linear(1024, num_classes)",
                                              "nn.Linear(1024, 10)"),
        "layers: d2l's class, its nn.Sequential in a module of its own": _googlenet_sub(
            "def googlenet(", "def _blocks(") + """

class GoogleNet(nn.Module):
    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.net = _blocks(in_channels, num_classes)

    def forward(self, X):
        return self.net(X)


def googlenet(in_channels=1, num_classes=10):
    return GoogleNet(in_channels, num_classes)
""",
        "layers: no Flatten before the Linear layer": _googlenet_sub(
            "nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())", "nn.AdaptiveAvgPool2d((1, 1)))"),
        "forward: average pooling in the blocks instead of max-pooling": _GOOGLENET.replace(
            "nn.MaxPool2d(kernel_size=3, stride=2, padding=1)",
            "nn.AvgPool2d(kernel_size=3, stride=2, padding=1)"),
    },
}
