"""Plot benchmarks/fastpath.py's speedups as an SVG bar chart (the figure of docs/fastpath.md).

Input: files whose last non-empty line is the JSON object ``benchmarks/fastpath.py --json``
prints (its whole output will do); with several, a later file's figure replaces an earlier
one's (e.g. a run with more repetitions of the big sizes over a run of everything). Every
``{kind}_{size}_speedup`` key (the CPU-time ratio reference / fast path) becomes one bar;
the y axis is logarithmic, with the parity line (1x: as fast as the reference) and the
issue's 3x target drawn across. No plotting library: the SVG is written by hand, so the
figure can be rebuilt anywhere the benchmark runs.

    python benchmarks/plot_fastpath.py /tmp/all.txt /tmp/big.txt --out docs/img/fastpath.svg
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape

KEY = re.compile(r"^(?P<kind>[a-z][a-z_]*?)_(?P<size>2_\d+|n\d+)_speedup$")
#: the y axis: speedups from 1/16 to 16, logarithmic
LOW, HIGH = 1 / 16, 16.0
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM, BAR = 900, 440, 60, 70, 40, 90, 22
TARGET = 3.0


def bars(results: dict[str, float]) -> list[tuple[str, float]]:
    """(label, speedup) in the benchmark's own order: "ntt 2^16", "trace n16", ..."""
    out = []
    for key, value in results.items():
        match = KEY.match(key)
        if match and isinstance(value, (int, float)) and value > 0:
            size = match["size"]
            label = f"2^{size[2:]}" if size.startswith("2_") else size
            out.append((f"{match['kind']} {label}", float(value)))
    return out


def y_of(speedup: float) -> float:
    """Pixel row of a speedup on the log axis (clamped to the plot)."""
    clamped = min(max(speedup, LOW), HIGH)
    span = math.log(HIGH) - math.log(LOW)
    return TOP + (HEIGHT - TOP - BOTTOM) * (math.log(HIGH) - math.log(clamped)) / span


def svg(data: list[tuple[str, float]], title: str) -> str:
    """The chart: one bar per (kernel, size), rising from the parity line or hanging below."""
    step = (WIDTH - LEFT - RIGHT) / max(len(data), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14">'
             f'{escape(title)}</text>']
    for tick in (1 / 16, 1 / 4, 1 / 2, 1, 2, 4, 8, 16):
        y = y_of(tick)
        label = f"{tick:g}x" if tick >= 1 else f"1/{round(1 / tick)}x"
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{label}</text>')
    for level, colour, name in ((1.0, "#444", "parity"), (TARGET, "#c00", "target 3x")):
        y = y_of(level)
        parts.append(f'<line class="{name.split()[0]}" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-dasharray="6 3"/>'
                     f'<text x="{WIDTH - RIGHT + 4}" y="{y + 4:.1f}" '
                     f'fill="{colour}">{name}</text>')
    parity = y_of(1.0)
    for i, (label, speedup) in enumerate(data):
        x = LEFT + i * step + (step - BAR) / 2
        y = y_of(speedup)
        top, height = min(y, parity), abs(parity - y)
        colour = "#2a7" if speedup >= 1 else "#d84"
        parts.append(f'<rect class="bar" data-label="{escape(label)}" data-speedup="{speedup}" '
                     f'x="{x:.1f}" y="{top:.1f}" width="{BAR}" height="{height:.1f}" '
                     f'fill="{colour}"><title>{escape(label)}: {speedup:.2f}x</title></rect>')
        number_y = top - 3 if speedup >= 1 else top + height + 11
        parts.append(f'<text x="{x + BAR / 2:.1f}" y="{number_y:.1f}" text-anchor="middle" '
                     f'font-size="9">{speedup:.2f}</text>')
        base = HEIGHT - BOTTOM + 8  # labels end under their bar, slanting down to the left
        parts.append(f'<text transform="translate({x + BAR / 2 + 4:.1f},{base}) rotate(-45)" '
                     f'text-anchor="end" font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("results", nargs="+",
                        help="benchmarks/fastpath.py --json outputs (files; later ones win)")
    parser.add_argument("--out", default="fastpath_speedups.svg", help="SVG file to write")
    parser.add_argument("--title", default="JAX fast path / reference, CPU time (2 cores)")
    args = parser.parse_args(argv)
    results: dict[str, float] = {}
    for name in args.results:
        try:
            lines = [line for line in Path(name).read_text().splitlines() if line.strip()]
            figures = json.loads(lines[-1]) if lines else None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            print(f"plot_fastpath: error: cannot read {name}: {error}", file=sys.stderr)
            return 2
        if not isinstance(figures, dict) or not bars(figures):
            print(f"plot_fastpath: error: {name} has no *_speedup figures on its last line",
                  file=sys.stderr)
            return 2
        results.update(figures)
    data = bars(results)
    try:
        Path(args.out).write_text(svg(data, args.title))
    except OSError as error:
        print(f"plot_fastpath: error: cannot write {args.out}: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {len(data)} bars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
