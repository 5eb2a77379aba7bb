#!/usr/bin/env python3
"""Turns JMH CSV results (./bench ... -rf csv -rff FILE) into the markdown tables of docs/benchmarks.md.

    scripts/jmh-table.py native.csv [stock.csv]

One row per benchmark (and parameter set): the median (p0.50) per backend, the stock/native ratio, and
JMH's gc.alloc.rate (MB/s over all threads of the measurement JVM). With -prof gc, compare that rate with the
`baseline` benchmark's: JMH's own threads allocate in the background, and a benchmark whose rate is no higher
than the empty baseline's allocates nothing itself (AllocationTest counts the benchmark thread alone: 0 bytes).
"""
import csv
import sys


def parse(path):
    out = {}
    for r in csv.DictReader(open(path)):
        name = r["Benchmark"].rsplit(".", 1)[-1] if ":" not in r["Benchmark"] else \
            r["Benchmark"].split(":")[0].rsplit(".", 1)[-1] + ":" + r["Benchmark"].split(":", 1)[1]
        bench, _, metric = name.partition(":")
        params = ",".join(f"{k[7:]}={v}" for k, v in r.items() if k.startswith("Param: ") and v)
        key = bench + (f" ({params})" if params else "")
        out.setdefault(key, {})[metric or "score"] = (float(r["Score"]), r["Unit"])
    return out


def main():
    native = parse(sys.argv[1])
    stock = parse(sys.argv[2]) if len(sys.argv) > 2 else None
    head = "| benchmark | native median | "
    head += "stock median | stock / native | " if stock else ""
    head += "native alloc MB/s |" + (" stock alloc MB/s |" if stock else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for key, m in native.items():
        p50, unit = m.get("p0.50", m.get("score"))
        row = f"| {key} | {p50:.1f} {unit} | "
        if stock:
            s = stock.get(key, {})
            sp50 = s.get("p0.50", s.get("score", (float("nan"), "")))[0]
            row += f"{sp50:.1f} {unit} | {sp50 / p50:.2f} | "
        row += f"{m.get('gc.alloc.rate', (float('nan'),))[0]:.3f} |"
        if stock:
            row += f" {stock.get(key, {}).get('gc.alloc.rate', (float('nan'),))[0]:.3f} |"
        print(row)


if __name__ == "__main__":
    main()
