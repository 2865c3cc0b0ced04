#!/usr/bin/python3 -S
# SPDX-License-Identifier: GPL-2.0
"""Usage: report.py RAW [HEADER-LINE...]

The table of make bench, in Markdown, from the guest's output RAW
("bench: ROUND CONTENDER WHAT PACKETS/S" lines). The first round is
warm-up and left out, unless it is the only one (smoke mode). For each
contender and measurement: the median rate over the rounds, and its
ratio to the baseline as a change in percent: the median of the
per-round ratios (each against the baseline of the same round, measured
minutes apart rather than hours), with their min and max. HEADER-LINEs
are printed under the table (date, command, machine).
"""
import statistics
import sys

WHAT = (("est", "established, pkt/s"), ("new", "new connections/s"),
        ("local", "local out, pkt/s"))


def read(path):
    rates = {}	# (contender, what) -> {round: rate}
    order = []
    info = []
    for line in open(path):
        f = line.split()
        if line.startswith("bench-info:"):
            info.append(line.split(":", 1)[1].strip())
        if len(f) != 5 or f[0] != "bench:":
            continue
        rnd, c, what, rate = int(f[1]), f[2], f[3], int(f[4])
        if c not in order:
            order.append(c)
        rates.setdefault((c, what), {})[rnd] = rate
    return rates, order, info


def cell_ratio(mine, base):
    rounds = sorted(set(mine) & set(base))
    ratios = [mine[r] / base[r] for r in rounds if base[r] > 0]
    if not ratios:
        return "–"
    med = (statistics.median(ratios) - 1) * 100
    lo = (min(ratios) - 1) * 100
    hi = (max(ratios) - 1) * 100
    return "%+.1f %% (%+.1f … %+.1f)" % (med, lo, hi)


def main():
    rates, order, info = read(sys.argv[1])
    if not rates:
        print("report: no measurements in %s" % sys.argv[1], file=sys.stderr)
        return 1
    rounds = sorted({r for v in rates.values() for r in v})
    if len(rounds) > 1:	# the first round warms up
        for v in rates.values():
            v.pop(rounds[0], None)
    whats = [(w, t) for w, t in WHAT if any(k[1] == w for k in rates)]
    head = ["contender"]
    for _, title in whats:
        head += [title, "vs baseline (min … max)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for c in order:
        row = [c]
        for w, _ in whats:
            mine = rates.get((c, w), {})
            base = rates.get(("baseline", w), {})
            if not mine:
                row += ["–", "–"]
                continue
            row.append("%d" % statistics.median(mine.values()))
            row.append("1" if c == "baseline" else cell_ratio(mine, base))
        print("| " + " | ".join(row) + " |")
    print()
    used = len(rounds) - 1 if len(rounds) > 1 else 1
    print("Medians of %d round%s (of %d; the first is warm-up)."
          % (used, "s" if used > 1 else "", len(rounds)))
    for line in info + sys.argv[2:]:
        print(line + "  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
