#!/usr/bin/python3 -S
# SPDX-License-Identifier: GPL-2.0
"""Usage: report.py RAW [HEADER-LINE...]

The tables of make bench, in Markdown, from the guest's output RAW
("bench: ROUND CONTENDER WHAT RATE" lines: packets or connections per
second, bits per second for "tcp"). The first round is
warm-up and left out, unless it is the only one (smoke mode). For each
contender and measurement: the median rate over the rounds, and its
ratio to the baseline as a change in percent (of a rate: below zero is
slower than the baseline, for every column): the median of the
per-round ratios (each against the baseline of the same round, measured
minutes apart rather than hours), with their min and max.

A contender belongs to the IPv4 table and is compared with "baseline",
unless a "bench-ref: CONTENDER FAMILY BASELINE [UNTRANSLATED]" line says
otherwise: then it goes to FAMILY's table, compared with BASELINE, and
also with UNTRANSLATED, the same router without address translation (a
column of its own, when some contender of the table has one; a
"bench-plain: FAMILY TITLE..." line names that column otherwise).
"bench-time: WHAT MICROSECONDS" lines (the control path's timings, from
an ordinary VM) make a table of their own: median, p95 and range.
HEADER-LINEs are printed under the tables (date, command, machine).
"""
import statistics
import sys

WHAT = (("est", "established, pkt/s"), ("new", "new connections/s"),
        ("local", "local out, pkt/s"), ("tcp", "TCP, Mbit/s"))


def rate_cell(what, rate):
    """A median rate as the table shows it: TCP's bit/s in Mbit/s."""
    if what == "tcp":
        return "%.1f" % (rate / 1e6)
    return "%d" % rate


class Ref:
    def __init__(self, family="IPv4", base="baseline", plain=None):
        self.family, self.base, self.plain = family, base, plain


def read(path):
    rates = {}	# (contender, what) -> {round: rate}
    order = []
    info = []
    refs = {}
    plain = {}	# family -> title of its second column
    times = {}	# what -> [microseconds]
    for line in open(path):
        f = line.split()
        if line.startswith("bench-info:"):
            text = line.split(":", 1)[1].strip()
            if text not in info:	# each boot says it again
                info.append(text)
        if f[:1] == ["bench-ref:"] and len(f) in (4, 5):
            refs[f[1]] = Ref(*f[2:])
        if f[:1] == ["bench-time:"] and len(f) == 3:
            times.setdefault(f[1], []).append(int(f[2]))
        if f[:1] == ["bench-plain:"] and len(f) > 2:
            plain[f[1]] = " ".join(f[2:])
        if len(f) != 5 or f[0] != "bench:":
            continue
        rnd, c, what, rate = int(f[1]), f[2], f[3], int(f[4])
        if c not in order:
            order.append(c)
        rates.setdefault((c, what), {})[rnd] = rate
    return rates, order, info, refs, plain, times


def cell_ratio(mine, base):
    rounds = sorted(set(mine) & set(base))
    ratios = [mine[r] / base[r] for r in rounds if base[r] > 0]
    if not ratios:
        return "–"
    med = (statistics.median(ratios) - 1) * 100
    lo = (min(ratios) - 1) * 100
    hi = (max(ratios) - 1) * 100
    return "%+.1f %% (%+.1f … %+.1f)" % (med, lo, hi)


def table(rates, members, refs, plain_title=None):
    """One family's table: its contenders, in the order they ran."""
    bases = {refs[c].base for c in members}
    base_name = (refs[members[0]].base if len(bases) == 1 else
                 "the smallest case")
    plain = any(refs[c].plain for c in members)
    whats = [(w, t) for w, t in WHAT
             if any((c, w) in rates for c in members)]
    head = ["contender"]
    for _, title in whats:
        head += [title, "vs %s (min … max)" % base_name]
        if plain:
            head.append("%s (min … max)" %
                        (plain_title or "vs untranslated"))
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for c in members:
        ref = refs[c]
        row = [c]
        for w, _ in whats:
            mine = rates.get((c, w), {})
            if not mine:
                row += ["–"] * (3 if plain else 2)
                continue
            row.append(rate_cell(w, statistics.median(mine.values())))
            base = rates.get((ref.base, w), {})
            row.append("1" if c == ref.base else cell_ratio(mine, base))
            if plain:
                other = rates.get((ref.plain, w), {}) if ref.plain else {}
                row.append(cell_ratio(mine, other) if other else "–")
        print("| " + " | ".join(row) + " |")


def p95(values):
    """The nearest-rank 95th percentile."""
    v = sorted(values)
    return v[max(0, -(-95 * len(v) // 100) - 1)]


def time_table(times):
    print("| timing | median, µs | p95, µs | min … max, µs | n |")
    print("|---|---|---|---|---|")
    for what, v in times.items():
        print("| %s | %d | %d | %d … %d | %d |" % (
            what, statistics.median(v), p95(v), min(v), max(v), len(v)))


def main():
    rates, order, info, refs, plain, times = read(sys.argv[1])
    if not rates and times:
        time_table(times)
        return 0
    if not rates:
        print("report: no measurements in %s" % sys.argv[1], file=sys.stderr)
        return 1
    rounds = sorted({r for v in rates.values() for r in v})
    if len(rounds) > 1:	# the first round warms up
        for v in rates.values():
            v.pop(rounds[0], None)
    for c in order:
        refs.setdefault(c, Ref())
    families = []
    for c in order:
        if refs[c].family not in families:
            families.append(refs[c].family)
    for i, fam in enumerate(families):
        if len(families) > 1:
            print("%s%s:" % ("\n" if i else "", fam))
            print()
        table(rates, [c for c in order if refs[c].family == fam], refs,
              plain.get(fam))
    print()
    if times:
        time_table(times)
        print()
    used = len(rounds) - 1 if len(rounds) > 1 else 1
    print("Medians of %d round%s (of %d; the first is warm-up)."
          % (used, "s" if used > 1 else "", len(rounds)))
    for line in info + sys.argv[2:]:
        print(line + "  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
