"""``python -m dlcourse data [NAME ...]``: get the datasets ready (see dlcourse.data)."""

import sys

from .data import DATASETS, main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "data" or any(name not in DATASETS for name in args[1:]):
        sys.exit(f"usage: python -m dlcourse data [{' | '.join(DATASETS)} ...]")
    main(args[1:] or tuple(DATASETS))
