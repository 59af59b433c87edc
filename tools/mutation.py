"""Mutation testing for zkpot's soundness-critical modules: do the tests catch a broken verifier?

A *mutant* is the module with one small semantic change — ``<`` for ``<=``, an ``and``
operand dropped, an ``if`` forced True, a ``raise`` deleted, ``return False`` turned into
``return True``, a constant off by one. The module's tests *kill* it if at least one fails.
A survivor is either a gap in the tests (write the test that breaks exactly that check)
or an *equivalent* mutant (no input can tell it apart: a cache, a log line); those are
listed with a one-line reason in ``tools/mutation_equivalent.txt``.
Score per module = killed / (total - equivalent).

Why our own small AST mutator and not mutmut / cosmic-ray: both want a config of their own
and mutate or import in place, while here every mutant must run in a throw-away copy (the
worktree is shared), against a chosen, fast subset of tests, under ``nice``; and both
generate mostly string/number mutants where we want the verifier-shaped ones above. This
file is ~400 lines of ``ast`` and ``subprocess`` a student can read.

How it runs, per module: copy the repository (tracked and untracked-but-not-ignored files)
into a temporary directory; run the module's tests once with the module *instrumented*
(a probe before every statement) to learn which test executes which statement and how long
each takes; then for each sampled mutant write the mutated module into the copy and run
only the tests that execute the mutated statement, fastest first, with ``-x`` and a
timeout (a timeout counts as killed). A mutant no test executes survives as "not covered".
Only code inside functions is mutated (module-level constants are imported by the tests
themselves, so mutating them tests nothing).

Usage: ``python tools/mutation.py`` (every module in MODULES), or
``python tools/mutation.py --module zkpot_ref/kzg.py --sample 10 --seed 1``;
``--list`` prints the mutants without running them. ``make mutation`` runs the default set.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = ROOT / "tools" / "mutation_equivalent.txt"

#: module -> (test files, functions to mutate (prefixes of qualified names; () = all),
#: sample size). Modules whose tests build proofs cost ~20 s a mutant on a busy machine;
#: they get smaller samples so a full run stays near an hour. Fast ones first.
MODULES: dict[str, tuple[tuple[str, ...], tuple[str, ...], int]] = {
    "zkpot_ref/transcript.py": (("tests/test_transcript.py",), (), 25),
    "zkpot_ref/ledger/signatures.py": (("tests/ledger/test_signatures.py",),
                                       ("verify", "_verify_uncached", "_key_odd_multiples"), 25),
    "zkpot_ref/ledger/bft.py": (("tests/ledger/test_bft.py",), (), 25),
    "zkpot_ref/ledger/block.py": (("tests/ledger/test_block.py",),
                                  ("verify_certificate", "validate_block", "Block.decode",
                                   "Block.__post_init__", "leader_of"), 20),
    "zkpot_ref/ledger/recovery.py": (("tests/ledger/test_replica.py",), ("check_commit",), 15),
    "zkpot_ref/ledger/log.py": (("tests/ledger/test_log.py",), (), 25),
    "zkpot_ref/quant.py": (("tests/test_quant.py",), (), 25),
    "zkpot_ref/gadgets/commitment.py": (("tests/gadgets/test_commitment.py",), (), 25),
    "zkpot_ref/gadgets/nn_layers.py": (("tests/gadgets/test_nn_layers.py",), (), 20),
    "zkpot_ref/gadgets/nn_argmax.py": (("tests/gadgets/test_nn_argmax.py",), (), 20),
    "zkpot_ref/kzg.py": (("tests/test_kzg.py",), (), 25),
    "zkpot_ref/ceremony.py": (("tests/test_ceremony.py",),
                              ("_merge", "_check_points", "check_ceremony", "verify_ceremony",
                               "check_name", "pok_challenge", "transcript_digest"), 20),
    "zkpot_ref/gadgets/nn_limbs.py": (("tests/gadgets/test_nn_limbs.py",), (), 15),
    # both verifiers: test_verifier.py, and test_lookup.py for the lookup argument's terms
    "zkpot_ref/plonk/verifier.py": (("tests/plonk/test_verifier.py",
                                     "tests/plonk/test_lookup.py"), (), 20),
    "zkpot_ref/plonk/verifier_unoptimised.py": (("tests/plonk/test_verifier.py",
                                                 "tests/plonk/test_lookup.py"), (), 15),
    "zkpot_ref/plonk/lookup.py": (("tests/plonk/test_lookup.py",), ("linearisation",), 10),
    "zkpot_ref/gadgets/commitment_circuit.py": (("tests/gadgets/test_commitment_circuit.py",),
                                                (), 15),
    "zkpot_ref/pot/statement.py": (("tests/pot/test_statement.py",), (), 15),
}

# -- the mutants -------------------------------------------------------------------------

BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Add, ast.FloorDiv: ast.Mult,
               ast.Mod: ast.FloorDiv, ast.LShift: ast.RShift, ast.RShift: ast.LShift,
               ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.BitXor: ast.BitOr,
               ast.Pow: ast.Mult, ast.Div: ast.Mult}
#: "boundary": off by one; "negate": the opposite comparison
CMP_BOUNDARY = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
CMP_NEGATE = {ast.Lt: ast.GtE, ast.LtE: ast.Gt, ast.Gt: ast.LtE, ast.GtE: ast.Lt,
              ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
              ast.Is: ast.IsNot, ast.IsNot: ast.Is}
OPERATORS = ("arith", "compare-boundary", "compare-negate", "bool-drop", "bool-swap",
             "if-true", "if-false", "not-drop", "raise-delete", "return-flip", "return-true",
             "constant")


@dataclass(frozen=True)
class Mutant:
    """One mutation: replace source[start:end] (a node's span) by ``replacement``."""

    path: str
    function: str  # qualified name of the enclosing function
    line: int  # the mutated node's first line
    statement: int  # first line of the enclosing statement (the coverage probe)
    operator: str
    original: str
    replacement: str
    start: tuple[int, int]
    end: tuple[int, int]

    @property
    def key(self) -> str:
        """Stable across line drift: what the allow-list of equivalent mutants matches."""
        return (f"{self.path}::{self.function}: {self.operator} "
                f"`{self.original}` -> `{self.replacement}`")

    def describe(self) -> str:
        return f"{self.path}:{self.line} ({self.function}) {self.operator}: " \
               f"`{self.original}` -> `{self.replacement}`"

    def apply(self, source: str) -> str:
        lines = source.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line.encode()))
        data = source.encode()
        a = offsets[self.start[0] - 1] + self.start[1]
        b = offsets[self.end[0] - 1] + self.end[1]
        return (data[:a] + self.replacement.encode() + data[b:]).decode()


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Finder(ast.NodeVisitor):
    """Collects every mutation site inside function bodies (not annotations, f-strings,
    asserts, docstrings, or the arguments of log calls)."""

    def __init__(self, path: str, source: str, functions: tuple[str, ...]) -> None:
        self.path, self.source, self.functions = path, source, functions
        self.scope: list[str] = []
        self.statement = 0
        self.in_function = 0
        self.returns_bool: list[bool] = []
        self.found: list[Mutant] = []

    # -- bookkeeping
    def _wanted(self) -> bool:
        name = ".".join(self.scope)
        return self.in_function > 0 and (
            not self.functions or any(name == f or name.startswith(f + ".") for f in self.functions)
        )

    def _add(self, node: ast.AST, operator: str, new: ast.AST | str) -> None:
        if not self._wanted():
            return
        original = ast.get_source_segment(self.source, node)
        if original is None:
            return
        replacement = new if isinstance(new, str) else ast.unparse(new)
        if isinstance(node, ast.expr):
            replacement = f"({replacement})"
        self.found.append(Mutant(self.path, ".".join(self.scope), node.lineno, self.statement,
                                 operator, _short(original), replacement,
                                 (node.lineno, node.col_offset),
                                 (node.end_lineno, node.end_col_offset)))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.in_function += 1
        returns = node.returns
        self.returns_bool.append(isinstance(returns, ast.Name) and returns.id == "bool"
                                 or isinstance(returns, ast.Constant) and returns.value == "bool")
        for statement in node.body:  # skip decorators, arguments, annotations
            self.visit(statement)
        self.returns_bool.pop()
        self.in_function -= 1
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        for statement in node.body:
            self.visit(statement)
        self.scope.pop()

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.stmt):
            self.statement = node.lineno
        super().generic_visit(node)

    # -- what is never mutated
    def visit_Assert(self, node: ast.Assert) -> None:  # internal invariants, not checks
        pass

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:  # messages
        pass

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.statement = node.lineno
        if node.value is not None:
            self.visit(node.value)

    def visit_Expr(self, node: ast.Expr) -> None:
        self.statement = node.lineno
        value = node.value
        if isinstance(value, ast.Constant):  # a docstring
            return
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
                value.func.attr in ("info", "debug", "warning", "error", "exception"):
            return  # a log line
        self.generic_visit(node)

    # -- the operators
    def visit_BinOp(self, node: ast.BinOp) -> None:
        swap = BINOP_SWAPS.get(type(node.op))
        if swap is not None:
            self._add(node, "arith", ast.BinOp(node.left, swap(), node.right))
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.statement = node.lineno
        swap = BINOP_SWAPS.get(type(node.op))
        if swap is not None:
            self._add(node, "arith", ast.AugAssign(node.target, swap(), node.value))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        for i, op in enumerate(node.ops):
            for name, table in (("compare-boundary", CMP_BOUNDARY), ("compare-negate", CMP_NEGATE)):
                new = table.get(type(op))
                if new is not None:
                    ops = list(node.ops)
                    ops[i] = new()
                    self._add(node, name, ast.Compare(node.left, ops, node.comparators))
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        for i in range(len(node.values)):
            rest = node.values[:i] + node.values[i + 1:]
            self._add(node, "bool-drop", rest[0] if len(rest) == 1 else ast.BoolOp(node.op, rest))
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self._add(node, "bool-swap", ast.BoolOp(other, node.values))
        self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if isinstance(node.op, ast.Not):
            self._add(node, "not-drop", node.operand)
        self.generic_visit(node)

    def _condition(self, node: ast.If | ast.While | ast.IfExp) -> None:
        self._add(node.test, "if-true", "True")
        if not isinstance(node, ast.While):
            self._add(node.test, "if-false", "False")

    def visit_If(self, node: ast.If) -> None:
        self.statement = node.lineno
        if not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            self._condition(node)
        self.generic_visit(node)

    def visit_While(self, node: ast.While) -> None:
        self.statement = node.lineno
        self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._condition(node)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        self.statement = node.lineno
        self._add(node, "raise-delete", "pass")

    def visit_Return(self, node: ast.Return) -> None:
        self.statement = node.lineno
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            self._add(node, "return-flip", f"return {not value.value}")
            return
        if value is not None and self.returns_bool and self.returns_bool[-1]:
            self._add(node, "return-true", "return True")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool):
            self._add(node, "constant", repr(not value))
        elif isinstance(value, int):
            self._add(node, "constant", repr(value + 1))
            if value > 1:
                self._add(node, "constant", repr(value - 1))


def find_mutants(path: str, source: str, functions: tuple[str, ...] = ()) -> list[Mutant]:
    """Every mutant of ``source`` (inside ``functions`` if given), in source order, each
    one checked to compile."""
    finder = _Finder(path, source, functions)
    finder.visit(ast.parse(source))
    out = []
    for mutant in sorted(set(finder.found), key=lambda m: (m.start, m.operator, m.replacement)):
        try:
            compile(mutant.apply(source), path, "exec")
        except SyntaxError:
            continue
        out.append(mutant)
    return out


def sample(mutants: list[Mutant], count: int, seed: int, path: str) -> list[Mutant]:
    """A seeded sample, the same for one (seed, module) whatever else runs."""
    if count <= 0 or count >= len(mutants):
        return list(mutants)
    picked = random.Random(f"{seed}:{path}").sample(range(len(mutants)), count)
    return [mutants[i] for i in sorted(picked)]


def load_equivalent(path: Path = EQUIVALENT_FILE) -> dict[str, str]:
    """The allow-list: ``key  # reason`` lines (key as in Mutant.key)."""
    out: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, reason = line.partition("  # ")
                out[key.strip()] = reason.strip()
    return out


# -- running them ------------------------------------------------------------------------

PROBE_PLUGIN = '''
import builtins, json, os, time
HITS = builtins.__dict__.setdefault("_MUTATION_HITS", set())
RESULT = {}
def pytest_collection_finish(session):
    RESULT["<import>"] = [sorted(HITS), 0.0]  # run while importing the test modules
def pytest_runtest_setup(item):
    HITS.clear()
    item._mutation_t0 = time.perf_counter()
def pytest_runtest_teardown(item):
    RESULT[item.nodeid] = [sorted(HITS), time.perf_counter() - item._mutation_t0]
def pytest_sessionfinish(session):
    with open(os.environ["MUTATION_PROBE_OUT"], "w") as f:
        json.dump(RESULT, f)
'''


def instrument(source: str) -> str:
    """``source`` with ``_MUTATION_HITS.add(line)`` before every statement in a function."""
    tree = ast.parse(source)

    def probe(line: int) -> ast.stmt:
        return ast.parse(f"_MUTATION_HITS.add({line})").body[0]

    class Probes(ast.NodeTransformer):
        def generic_visit(self, node: ast.AST) -> ast.AST:
            super().generic_visit(node)
            for name in ("body", "orelse", "finalbody"):
                block = getattr(node, name, None)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.If, ast.For,
                                     ast.While, ast.With, ast.Try, ast.ExceptHandler)) \
                        and isinstance(block, list) and block:
                    new = []
                    for statement in block:
                        new += [probe(statement.lineno), statement]
                    setattr(node, name, new)
            return node

    tree = Probes().visit(tree)
    body = tree.body
    at = 0
    while at < len(body) and (isinstance(body[at], ast.ImportFrom) and body[at].module ==
                              "__future__" or at == 0 and isinstance(body[at], ast.Expr)):
        at += 1
    header = ast.parse("import builtins as _mutation_builtins\n"
                       "_MUTATION_HITS = _mutation_builtins.__dict__.setdefault("
                       "'_MUTATION_HITS', set())").body
    tree.body = body[:at] + header + body[at:]
    return ast.unparse(ast.fix_missing_locations(tree))


def copy_repository(destination: Path) -> Path:
    """Tracked and untracked-but-not-ignored files into ``destination/repo``; ``../shared``
    (test vectors) and node_modules linked, so the copy's tests see what the original's do."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           check=True, capture_output=True).stdout.decode().split("\0")
    repo = destination / "repo"
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file() and not name.startswith("node_modules/"):
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if (ROOT / "node_modules").exists():
        (repo / "node_modules").symlink_to(ROOT / "node_modules")
    common = subprocess.run(["git", "rev-parse", "--git-common-dir"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    for shared in (ROOT.parent / "shared", (ROOT / common).resolve().parent.parent / "shared"):
        if shared.is_dir():
            (destination / "shared").symlink_to(shared)
            break
    return repo


def pytest_command(tests: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    return [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
            "-p", "no:randomly", "--no-header", "-W", "ignore", *extra, *tests]


def _env(repo: Path, **more: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(repo), **more)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def coverage_run(repo: Path, path: str, tests: tuple[str, ...],
                 timeout: float) -> tuple[dict[str, tuple[set[int], float]], float]:
    """Run ``tests`` once against the instrumented module: {test id: (statements, seconds)}."""
    target = repo / path
    original, stat = target.read_text(), target.stat()
    target.write_text(instrument(original))
    os.utime(target, (stat.st_atime, 999_999_999))
    (repo / "_mutation_probe.py").write_text(PROBE_PLUGIN)
    out = repo / "_mutation_probe.json"
    try:
        t0 = time.perf_counter()
        done = subprocess.run(pytest_command(list(tests), ("-p", "_mutation_probe")), cwd=repo,
                              env=_env(repo, MUTATION_PROBE_OUT=str(out)), capture_output=True,
                              text=True, timeout=timeout)
        seconds = time.perf_counter() - t0
    finally:
        target.write_text(original)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    if done.returncode != 0:
        raise RuntimeError(f"the tests of {path} fail without any mutation:\n"
                           f"{done.stdout[-3000:]}")
    data = json.loads(out.read_text())
    return {test: (set(hits), t) for test, (hits, t) in data.items()}, seconds


def covering_tests(coverage: dict[str, tuple[set[int], float]], statement: int) -> list[str]:
    """The tests that execute ``statement``, fastest first; all of them for a statement that
    runs when the module is imported (a table computed at import time)."""
    imported = statement in coverage.get("<import>", (set(), 0.0))[0]
    tests = [t for t, (hits, _) in coverage.items()
             if t != "<import>" and (imported or statement in hits)]
    return sorted(tests, key=lambda t: coverage[t][1])


@dataclass
class Result:
    mutant: Mutant
    status: str  # killed, timeout, survived, uncovered, equivalent
    seconds: float = 0.0
    by: str = ""  # the test that failed


_STAMP = 0


def run_mutant(repo: Path, mutant: Mutant, tests: list[str], timeout: float,
               fork: bool = True) -> Result:
    """Write the mutant into the copy, run ``tests`` (-x) in a forked child (or, with
    ``fork=False``, a fresh interpreter), restore the original."""
    target = repo / mutant.path
    original, stat = target.read_text(), target.stat()
    target.write_text(mutant.apply(original))
    # A unique mtime per mutant, so Python never reuses a cached .pyc of another mutant
    # (the cache is keyed by the source's mtime in seconds and its size).
    global _STAMP
    _STAMP += 1
    os.utime(target, (stat.st_atime, 1_000_000_000 + _STAMP))
    t0 = time.perf_counter()
    try:
        run = _forked_pytest if fork and hasattr(os, "fork") else _subprocess_pytest
        code, output = run(repo, tests, timeout)
    finally:
        target.write_text(original)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    seconds = time.perf_counter() - t0
    if code is None:
        return Result(mutant, "timeout", seconds)
    if code == 0:
        return Result(mutant, "survived", seconds)
    failed = [line.split(" ")[1] for line in output.splitlines()
              if line.startswith(("FAILED ", "ERROR "))]
    return Result(mutant, "killed", seconds, failed[0] if failed else f"exit status {code}")


def preload() -> None:
    """Import the heavy test-only libraries once; every forked test run inherits them
    (pytest, hypothesis and numpy take seconds to import; the project itself is never
    imported here, so each child imports the mutated module fresh)."""
    import importlib

    for name in ("pytest", "hypothesis", "hypothesis.strategies", "numpy", "sympy",
                 "cryptography.hazmat.primitives.asymmetric.ed25519"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _subprocess_pytest(repo: Path, tests: list[str], timeout: float) -> tuple[int | None, str]:
    try:
        done = subprocess.run(pytest_command(tests), cwd=repo, env=_env(repo),
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, ""
    return done.returncode, done.stdout + done.stderr


def _forked_pytest(repo: Path, tests: list[str], timeout: float) -> tuple[int | None, str]:
    """pytest in a forked child (cwd = the copy); (exit status or None on timeout, output)."""
    log = repo / "_mutation_run.log"
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(repo)
            sys.path.insert(0, str(repo))
            os.environ.pop("PYTEST_ADDOPTS", None)
            import pytest

            code = int(pytest.main(pytest_command(tests)[3:]))
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001 - the child must exit, whatever happened
            code = 3
        os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return None, ""
        time.sleep(0.02)
    return os.waitstatus_to_exitcode(status), log.read_text(errors="replace")


@dataclass
class ModuleReport:
    path: str
    results: list[Result] = field(default_factory=list)
    total_sites: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    error: str = ""

    def count(self, *statuses: str) -> int:
        return sum(r.status in statuses for r in self.results)

    @property
    def score(self) -> float:
        relevant = len(self.results) - self.count("equivalent")
        return self.count("killed", "timeout") / relevant if relevant else 1.0


def run_module(repo: Path, path: str, tests: tuple[str, ...], functions: tuple[str, ...],
               count: int, seed: int, timeout: float, equivalent: dict[str, str],
               log: Callable[[str], object] = print, fork: bool = True,
               only: tuple[str, ...] = ()) -> ModuleReport:
    report = ModuleReport(path)
    t0, c0 = time.perf_counter(), _cpu()
    mutants = find_mutants(path, (repo / path).read_text(), functions)
    report.total_sites = len(mutants)
    chosen = sample(mutants, count, seed, path)
    if only:
        chosen = [m for m in mutants if any(o in m.describe() for o in only)]
    try:
        coverage, baseline = coverage_run(repo, path, tests, timeout=max(600.0, 10 * timeout))
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"{path}: skipped, {exc}")
        report.error = str(exc).splitlines()[0]
        return report
    log(f"{path}: {len(mutants)} mutants, {len(chosen)} sampled; tests {baseline:.0f} s")
    for mutant in chosen:
        if mutant.key in equivalent:
            result = Result(mutant, "equivalent", by=equivalent[mutant.key])
        else:
            covering = covering_tests(coverage, mutant.statement)
            if not covering:
                result = Result(mutant, "uncovered")
            else:
                budget = max(timeout, 3 * sum(coverage[t][1] for t in covering) + 15)
                result = run_mutant(repo, mutant, covering, budget, fork)
        report.results.append(result)
        log(f"  {result.status:>10}  {mutant.describe()}" + (f"  [{result.by}]" if result.by
                                                             else ""))
    report.seconds, report.cpu = time.perf_counter() - t0, _cpu() - c0
    return report


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the pytest runs)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def markdown(reports: list[ModuleReport], wall: float, cpu: float, seed: int) -> str:
    lines = [f"# Mutation testing report (seed {seed})", "",
             "| module | sites | sampled | killed | survived | uncovered | equivalent | score |"
             " wall s | cpu s |", "|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in reports:
        lines.append(f"| {r.path} | {r.total_sites} | {len(r.results)} | "
                     f"{r.count('killed', 'timeout')} | {r.count('survived')} | "
                     f"{r.count('uncovered')} | {r.count('equivalent')} | {100 * r.score:.1f}% | "
                     f"{r.seconds:.0f} | {r.cpu:.0f} |"
                     + (f" not run: {r.error}" if r.error else ""))
    lines += ["", f"Total wall time {wall:.0f} s, CPU time {cpu:.0f} s.", "",
              "## Surviving mutants", ""]
    for r in reports:
        for result in r.results:
            if result.status in ("survived", "uncovered"):
                lines.append(f"- {result.status}: {result.mutant.describe()}")
                lines.append(f"  allow-list key: {result.mutant.key}")
    lines += ["", "## Equivalent (tools/mutation_equivalent.txt)", ""]
    for r in reports:
        for result in r.results:
            if result.status == "equivalent":
                lines.append(f"- {result.mutant.describe()} — {result.by}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", help="a module path (repeatable); "
                        "default: every module in MODULES")
    parser.add_argument("--tests", nargs="+", help="test files (default: the module's own)")
    parser.add_argument("--sample", type=int, help="mutants a module (0: all; default: the "
                        "module's own size in MODULES, 25 for others)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="least seconds a mutant may run (default 60; at least 3x its tests)")
    parser.add_argument("--report", type=Path, help="write the markdown report here")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the mutants whose description contains this text "
                        "(repeatable; e.g. a survivor's 'file.py:123'), sampled or not")
    parser.add_argument("--no-fork", action="store_true",
                        help="a fresh interpreter per mutant (slower; for systems without fork)")
    args = parser.parse_args(argv)
    modules = args.module or list(MODULES)
    for path in modules:
        if not (ROOT / path).is_file():
            print(f"error: no module {path}", file=sys.stderr)
            return 2
    equivalent = load_equivalent()
    if args.list:
        for path in modules:
            _, functions, size = MODULES.get(path, ((), (), 25))
            mutants = find_mutants(path, (ROOT / path).read_text(), functions)
            count = size if args.sample is None else args.sample
            for mutant in sample(mutants, count, args.seed, path):
                flag = "  [equivalent]" if mutant.key in equivalent else ""
                print(mutant.describe() + flag)
        return 0
    reports: list[ModuleReport] = []
    t0, c0 = time.perf_counter(), _cpu()
    preload()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the copy is removed
    with tempfile.TemporaryDirectory(prefix="zkpot-mutation-") as tmp:
        repo = copy_repository(Path(tmp))
        for path in modules:
            tests, functions, size = MODULES.get(path, ((), (), 25))
            tests = tuple(args.tests) if args.tests else tests
            count = size if args.sample is None else args.sample
            if not tests:
                print(f"error: no tests known for {path}; pass --tests", file=sys.stderr)
                return 2
            reports.append(run_module(repo, path, tests, functions, count, args.seed,
                                      args.timeout, equivalent, log=lambda s: print(s, flush=True),
                                      fork=not args.no_fork, only=tuple(args.only)))
            text = markdown(reports, time.perf_counter() - t0, _cpu() - c0, args.seed)
            if args.report:  # incremental: a long run leaves a readable partial report
                args.report.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
