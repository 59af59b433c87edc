"""Fail when a zkpot_ref / fastpath module passes the lesson-size limit.

A lesson should fit one sitting. Prints every module with its line count, largest first
(like tinygrad's sz.py), and exits 1 if any exceeds LIMIT lines.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 450
ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    files = sorted(
        (p for pkg in ("zkpot_ref", "fastpath") for p in (ROOT / pkg).rglob("*.py")),
        key=lambda p: -len(p.read_text().splitlines()),
    )
    too_big = []
    total = 0
    for path in files:
        lines = len(path.read_text().splitlines())
        total += lines
        flag = "  <-- over the limit" if lines > LIMIT else ""
        print(f"{lines:6d}  {path.relative_to(ROOT)}{flag}")
        if lines > LIMIT:
            too_big.append(path)
    print(f"{total:6d}  total in {len(files)} modules (limit {LIMIT} lines a module)")
    if too_big:
        print(f"error: {len(too_big)} module(s) over {LIMIT} lines: split them by idea")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
