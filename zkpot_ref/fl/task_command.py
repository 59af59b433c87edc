"""``zkpot task``: publish a ZKPoT task, train a model for it, or show one.

Lesson: the task publisher's job, from data to keys (the statement: ``pot/``).

    zkpot task create tasks/digits16 --srs srs.zkptau --test-size 16 --hidden 32
    zkpot task train  tasks/digits16 --out model.zkm
    zkpot task show   tasks/digits16

``create`` takes the data (the bundled digits, or MNIST IDX files with ``--mnist``), the
project's fixed train/test split (``data.train_test_split``), and a seeded sample of
``--test-size`` images from the public test part; with the architecture and the public
shifts that is the task. It picks the range-table width (8 or 16 bits) that gives the
smaller circuit domain, builds the keys from the verified SRS (``pot/keys.py``, cached)
and writes ``task.zkt`` and ``vk.bin`` into the task directory. ``train`` trains the MLP
on the training part and quantizes it with the task's shifts (a model ``zkpot prove``
accepts). Everything is checked before the long work starts; mistakes are one ``error:``
line.

Read next: ``grid.py`` (the sweep behind docs/fl_grid.md: every defence against every
attack), then ``../chain.py`` (part 9).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from zkpot_ref.errors import MalformedInput


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="choose the public test set, build the keys")
    create.add_argument("directory", help="the task directory to write")
    create.add_argument("--srs", required=True, help="ceremony file or snarkjs .ptau")
    create.add_argument("--test-size", type=int, default=16, help="public test images (16)")
    create.add_argument("--hidden", default="32", help="hidden widths, comma separated ('32')")
    create.add_argument("--shift", type=int, default=32, help="requantization shift n (32)")
    create.add_argument("--table-bits", default="auto", help="8, 16 or auto (default)")
    create.add_argument("--seed", type=int, default=0, help="which test images (default 0)")
    create.add_argument("--name", default="digits", help="a label for the task")
    create.add_argument("--mnist", nargs=2, metavar=("IMAGES", "LABELS"), default=None,
                        help="MNIST IDX files instead of the bundled digits")
    create.add_argument("--cache", default=None, help="key cache directory")
    create.add_argument("--backend", default=os.environ.get("ZKPOT_BACKEND") or "reference",
                        help="backend for key generation: reference, processes (two cores), "
                        "jax (default: $ZKPOT_BACKEND or reference)")
    train = actions.add_parser("train", help="train and quantize a model for a task")
    train.add_argument("directory", help="a task directory")
    train.add_argument("--out", required=True, help="the model file to write (.zkm)")
    train.add_argument("--epochs", type=int, default=5, help="training epochs (5)")
    train.add_argument("--seed", type=int, default=0, help="training seed (0)")
    train.add_argument("--mnist", nargs=2, metavar=("IMAGES", "LABELS"), default=None,
                       help="MNIST IDX files (if the task was made from MNIST)")
    show = actions.add_parser("show", help="print a task's public parameters")
    show.add_argument("directory", help="a task directory")


def run(args: argparse.Namespace) -> int:
    return {"create": create, "train": train, "show": show}[args.action](args)


def _data(mnist: list[str] | None):
    from zkpot_ref.fl.data import load_digits, load_mnist_idx, train_test_split

    return train_test_split(load_mnist_idx(*mnist) if mnist else load_digits())


def create(args: argparse.Namespace) -> int:
    import numpy as np

    from zkpot_ref import backend
    from zkpot_ref.fl.command import parse_hidden
    from zkpot_ref.plonk.preprocess import domain_size_for
    from zkpot_ref.pot.command import TASK_FILE, VK_FILE
    from zkpot_ref.pot.keys import default_cache, load_or_build, load_srs
    from zkpot_ref.pot.statement import build, smallest_table
    from zkpot_ref.pot.task import TABLE_BITS, Task

    hidden = parse_hidden(args.hidden)
    if args.table_bits not in ("auto", *map(str, TABLE_BITS)):
        raise MalformedInput(f"--table-bits must be 8, 16 or auto, not {args.table_bits!r}")
    out = Path(args.directory)
    if out.exists() and not out.is_dir():
        raise MalformedInput(f"{out} exists and is not a directory")
    chosen = backend.use(args.backend)
    _, test = _data(args.mnist)
    if not 1 <= args.test_size <= len(test):
        raise MalformedInput(f"--test-size must be in 1..{len(test)}, not {args.test_size}")
    if args.seed < 0:
        raise MalformedInput(f"--seed must be >= 0, not {args.seed}")
    pick = np.sort(np.random.default_rng(args.seed).choice(len(test), args.test_size,
                                                            replace=False))
    sizes = (test.images.shape[1], *hidden, 10)
    shifts = (args.shift,) * len(hidden)
    bits = 8 if args.table_bits == "auto" else int(args.table_bits)
    task = Task(args.name, sizes, test.pixel_max, shifts, test.images[pick], test.labels[pick],
                bits)
    if args.table_bits == "auto":
        task, built = smallest_table(task)
    else:
        built = build(task)
    domain = domain_size_for(built.circuit)
    print(f"task: {sizes} MLP, {task.n} public test images, {len(built.circuit.gates)} rows "
          f"(domain 2^{domain.bit_length() - 1}, {task.table_bits}-bit range table)")
    srs = load_srs(args.srs, _progress)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MalformedInput(f"cannot create {out}: {exc.strerror}") from None
    start = time.perf_counter()
    keys = load_or_build(task, srs, args.cache or default_cache(), chosen, _progress)
    task.save(out / TASK_FILE)
    (out / VK_FILE).write_bytes(keys.vk.to_bytes())
    print(f"keys ready in {time.perf_counter() - start:.1f} s; wrote {out / TASK_FILE} and "
          f"{out / VK_FILE} (task id {task.task_id:064x})")
    return 0


def train(args: argparse.Namespace) -> int:
    from zkpot_ref import quant
    from zkpot_ref.fl.model import TrainConfig, init_params
    from zkpot_ref.fl.model import train as train_params
    from zkpot_ref.pot.command import load_task_dir
    from zkpot_ref.pot.commit import save_model

    task, _ = load_task_dir(args.directory)
    if args.epochs < 1 or args.seed < 0:
        raise MalformedInput("--epochs must be >= 1 and --seed >= 0")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise MalformedInput(f"cannot write {out}: directory {out.parent} does not exist")
    train_data, _ = _data(args.mnist)
    if train_data.images.shape[1] != task.sizes[0] or train_data.pixel_max != task.pixel_max:
        raise MalformedInput("this data does not match the task (use --mnist for MNIST tasks)")
    params = train_params(init_params(task.sizes, args.seed), train_data,
                          TrainConfig(epochs=args.epochs), args.seed)
    ranges = quant.activation_ranges(params, train_data.images, task.pixel_max)
    model = quant.quantize_model(params, ranges, task.pixel_max, task.shifts)
    save_model(model, out)
    count = quant.count_correct(model, task.images, task.labels)
    print(f"wrote {out}: {count}/{task.n} of the task's test images correct")
    return 0


def show(args: argparse.Namespace) -> int:
    from zkpot_ref.pot.command import load_task_dir

    task, vk = load_task_dir(args.directory)
    print(f"task {task.name!r} id {task.task_id:064x}")
    print(f"  MLP {task.sizes}, pixels 0..{task.pixel_max}, shifts {task.shifts}, "
          f"{task.table_bits}-bit table")
    print(f"  {task.n} public test images; labels {sorted(set(task.labels.tolist()))}")
    print(f"  verification key: domain 2^{vk.power}, {len(vk.to_bytes())} bytes")
    return 0
