"""Student answers for ch07: correct ones written differently from the solution, and the
mistakes students really make. Each must get, respectively, full marks and zero."""

_ALEXNET_HEAD = """
def alexnet(in_channels=1, num_classes=10):
    return nn.Sequential(
"""

ALTERNATIVES = {
    "alexnet": {
        "d2l 1.0.3: lazy layers": """
def alexnet(in_channels=1, num_classes=10):
    return nn.Sequential(
        nn.LazyConv2d(96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(num_classes))
""",
        "features and classifier blocks, in-place ReLU and dropout": """
from collections import OrderedDict

def alexnet(in_channels=1, num_classes=10):
    features = nn.Sequential(
        nn.Conv2d(in_channels, 96, 11, 4, 1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
    classifier = nn.Sequential(
        nn.Linear(256 * 5 * 5, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5, inplace=True),
        nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5, inplace=True),
        nn.Linear(4096, num_classes))
    return nn.Sequential(OrderedDict(features=features, flatten=nn.Flatten(),
                                     classifier=classifier))
""",
        "dropout before each ReLU (they commute), a loop over the convolutions": """
def alexnet(in_channels=1, num_classes=10):
    layers = []
    spec = [(96, 11, 4, 1, True), (256, 5, 1, 2, True), (384, 3, 1, 1, False),
            (384, 3, 1, 1, False), (256, 3, 1, 1, True)]
    channels = in_channels
    for out, k, s, p, pool in spec:
        layers += [nn.Conv2d(channels, out, kernel_size=k, stride=s, padding=p), nn.ReLU()]
        if pool:
            layers.append(nn.MaxPool2d(3, stride=2))
        channels = out
    layers += [nn.Flatten(), nn.Linear(6400, 4096), nn.Dropout(), nn.ReLU(),
               nn.Linear(4096, 4096), nn.Dropout(), nn.ReLU(), nn.Linear(4096, num_classes)]
    return nn.Sequential(*layers)
""",
    },
    "layer_shapes": {
        "d2l's layer_summary, random input, torch.Size shapes": """
def layer_shapes(net, input_shape):
    X = torch.randn(*input_shape)
    result = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            result.append((layer.__class__.__name__, X.shape))
    return result
""",
        "eval mode while measuring, then the mode restored": """
def layer_shapes(net, input_shape):
    was_training = net.training
    net.eval()
    out = []
    try:
        with torch.inference_mode():
            x = torch.ones(input_shape)
            for _, module in net.named_children():
                x = module(x)
                out.append((type(module).__name__, tuple(int(d) for d in x.shape)))
    finally:
        net.train(was_training)
    return out
""",
        "a list comprehension with a walrus, no no_grad": """
def layer_shapes(net, input_shape):
    x = torch.zeros(input_shape)
    return [(type(m).__name__, tuple((x := m(x)).shape)) for m in net.children()]
""",
    },
    "small_alexnet": {
        "own nn.Module with F.relu and F.dropout(training=self.training)": """
class SmallAlexNet(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 3 * 3, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, num_classes)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = x.flatten(1)
        x = self.drop(F.relu(self.fc1(x)))
        x = F.dropout(F.relu(self.fc2(x)), 0.5, training=self.training)
        return self.fc3(x)


def small_alexnet(num_classes=10):
    return SmallAlexNet(num_classes)
""",
        "lazy layers, d2l style, with 11x11-free 5x5 first layer": """
def small_alexnet(num_classes=10):
    return nn.Sequential(
        nn.LazyConv2d(48, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.LazyConv2d(128, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.LazyConv2d(192, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(192, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(128, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.LazyLinear(512), nn.ReLU(), nn.Dropout(0.5),
        nn.LazyLinear(512), nn.ReLU(), nn.Dropout(0.5), nn.LazyLinear(num_classes))
""",
        "batch normalisation and global average pooling": """
def small_alexnet(num_classes=10):
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]
    return nn.Sequential(
        *block(1, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
        *block(64, 128), *block(128, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Dropout(0.3), nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, num_classes))
""",
    },
}


def _alexnet(first="nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),",
             pool="nn.MaxPool2d(kernel_size=3, stride=2)", conv3="nn.ReLU(),",
             act="nn.ReLU()", drop1="nn.Dropout(0.5),", drop2="nn.Dropout(0.5),", pre="",
             last="nn.Linear(4096, num_classes),"):
    return _ALEXNET_HEAD + f"""
        {first}
        {pool},
        nn.Conv2d(96, 256, kernel_size=5, padding=2), {act},
        {pool},
        nn.Conv2d(256, 384, kernel_size=3, padding=1), {conv3}
        nn.Conv2d(384, 384, kernel_size=3, padding=1), {act},
        nn.Conv2d(384, 256, kernel_size=3, padding=1), {act},
        {pool},
        nn.Flatten(), {pre}
        nn.LazyLinear(4096), {act}, {drop1}
        nn.Linear(4096, 4096), {act}, {drop2}
        {last}
    )
"""


WRONG = {
    "alexnet": {
        "forward: a ReLU missing after the third convolution": _alexnet(conv3=""),
        "forward: padding 0 in the first convolution": _alexnet(
            first="nn.Conv2d(in_channels, 96, kernel_size=11, stride=4), nn.ReLU(),"),
        "layers: max-pooling with the default stride (3)": _alexnet(pool="nn.MaxPool2d(3)"),
        "layers: max-pooling 2x2 with stride 2": _alexnet(pool="nn.MaxPool2d(2, 2)"),
        "dropout: no dropout": _alexnet(drop1="", drop2=""),
        "dropout: dropout 0.2 instead of 0.5": _alexnet(drop1="nn.Dropout(0.2),",
                                                        drop2="nn.Dropout(0.2),"),
        "dropout: dropout after every Linear, the last one too": _alexnet(
            last="nn.Linear(4096, num_classes), nn.Dropout(0.5),"),
        "dropout: dropout before the first Linear instead of after the second": _alexnet(
            pre="nn.Dropout(0.5),", drop2=""),
        "arguments: in_channels ignored": _alexnet(
            first="nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),"),
        "arguments: num_classes ignored": _alexnet(last="nn.Linear(4096, 10),"),
        "forward: sigmoid activations (LeNet's)": _alexnet(
            first="nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.Sigmoid(),",
            act="nn.Sigmoid()", conv3="nn.Sigmoid(),"),
        "layers: d2l's class, its nn.Sequential in a module of its own": """
class AlexNet(nn.Module):
    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
            nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
            nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
            nn.LazyLinear(num_classes))

    def forward(self, X):
        return self.net(X)


def alexnet(in_channels=1, num_classes=10):
    return AlexNet(in_channels, num_classes)
""",
        "layers: ImageNet widths in the dense layers, 1000 hidden units": _alexnet().replace(
            "nn.LazyLinear(4096)", "nn.LazyLinear(1000)").replace(
            "nn.Linear(4096, 4096)", "nn.Linear(1000, 4096)"),
    },
    "layer_shapes": {
        "entries: module names instead of class names": """
def layer_shapes(net, input_shape):
    X = torch.zeros(input_shape)
    out = []
    with torch.no_grad():
        for name, layer in net.named_children():
            X = layer(X)
            out.append((name, tuple(X.shape)))
    return out
""",
        "entries: the input shape of each layer instead of its output": """
def layer_shapes(net, input_shape):
    X = torch.zeros(input_shape)
    out = []
    with torch.no_grad():
        for layer in net.children():
            out.append((type(layer).__name__, tuple(X.shape)))
            X = layer(X)
    return out
""",
        "entries: recursing into nested modules": """
def layer_shapes(net, input_shape):
    X = torch.zeros(input_shape)
    out = []
    with torch.no_grad():
        for layer in net.modules():
            if len(list(layer.children())) == 0:
                X = layer(X)
                out.append((type(layer).__name__, tuple(X.shape)))
    return out
""",
        "entries: str(layer) instead of its class name": """
def layer_shapes(net, input_shape):
    X = torch.zeros(input_shape)
    out = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            out.append((str(layer), tuple(X.shape)))
    return out
""",
        "entries: batch of one whatever input_shape says": """
def layer_shapes(net, input_shape):
    X = torch.zeros((1, *input_shape[1:]))
    out = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            out.append((type(layer).__name__, tuple(X.shape)))
    return out
""",
        "types: shapes as lists": """
def layer_shapes(net, input_shape):
    X = torch.zeros(input_shape)
    out = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            out.append((type(layer).__name__, list(X.shape)))
    return out
""",
        "untouched: switches to eval mode and leaves it there": """
def layer_shapes(net, input_shape):
    net.eval()
    X = torch.zeros(input_shape)
    out = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            out.append((type(layer).__name__, tuple(X.shape)))
    return out
""",
    },
    "small_alexnet": {
        "logits: AlexNet's layers at 28x28 (too small for 11x11 stride 4 and three poolings)": """
def small_alexnet(num_classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 96, 11, 4, 1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.LazyLinear(512), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(512, num_classes))
""",
        "size: 4096-unit dense layers (over 2 M parameters)": """
def small_alexnet(num_classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, num_classes))
""",
        "dropout: no dropout": """
def small_alexnet(num_classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, num_classes))
""",
        "dropout: dropout after the last layer": """
def small_alexnet(num_classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, num_classes), nn.Dropout(0.5))
""",
        "dropout: F.dropout without training=self.training (on in eval mode)": """
class Small(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 256)
        self.fc2 = nn.Linear(256, num_classes)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.dropout(F.relu(self.fc1(x.flatten(1))), 0.5)
        return self.fc2(x)


def small_alexnet(num_classes=10):
    return Small(num_classes)
""",
        "logits: num_classes ignored": """
def small_alexnet(num_classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, 10))
""",
        "logits: a softmax at the end": """
def small_alexnet(num_classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(256, num_classes), nn.Softmax(dim=1))
""",
        "dropout: flatten that mixes the batch": """
class Small(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Linear(32 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5),
                                        nn.Linear(256, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = x.permute(1, 0, 2, 3).reshape(x.shape[0], -1)
        return self.classifier(x)


def small_alexnet(num_classes=10):
    return Small(num_classes)
""",
        "size: a layer defined but never used": """
class Small(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 256)
        self.fc2 = nn.Linear(256, num_classes)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(self.drop(F.relu(self.fc1(x.flatten(1)))))


def small_alexnet(num_classes=10):
    return Small(num_classes)
""",
        "convolutional: an MLP (no convolutions)": """
def small_alexnet(num_classes=10):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(512, num_classes))
""",
    },
}
