#!/usr/bin/python3
"""Conversion overhead of the NumPy interface (NumPy -> JVM -> NumPy) against an exact mm call.

For n x n inputs: the time of PyAMM.createAMM("mm").amm(A, B, 1) end to end, the time the Java
multiply itself reports (getBreakDown: build + fAB), and the difference, which is the conversion
(one memcpy per input into a Java array, one view of the result, plus a dtype cast for float32).
Median of 5 runs after one warm-up. Run: PYTHONPATH=python /usr/bin/python3 python/bench_conversion.py
"""
import statistics
import sys
import time

import numpy as np

import spark_amm as PyAMM


def measure(n, dtype):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, n)).astype(dtype)
    B = rng.standard_normal((n, n)).astype(dtype)
    mm = PyAMM.createAMM("mm")
    mm.amm(A, B, 1)
    totals, javas = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        mm.amm(A, B, 1)
        totals.append(time.perf_counter() - t0)
        b = PyAMM.configMapToDict(mm.getBreakDown())
        javas.append((b["buildATime"] + b["fABTime"]) / 1e6)
    total, java = statistics.median(totals), statistics.median(javas)
    return total, java


def main():
    print(f"{'n':>6} {'dtype':>8} {'amm() ms':>10} {'java mm ms':>11} {'conversion ms':>14} {'overhead':>9}")
    for n in (1000, 4000):
        for dtype in (np.float64, np.float32):
            total, java = measure(n, dtype)
            conv = total - java
            print(f"{n:>6} {np.dtype(dtype).name:>8} {total * 1e3:>10.1f} {java * 1e3:>11.1f} {conv * 1e3:>14.1f} "
                  f"{100 * conv / java:>8.1f}%")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
