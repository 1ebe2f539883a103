package org.sparkamm.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The floor's read visits every value exactly once: on small integers every partial sum is exact,
 * so any value skipped or read twice changes the total, whatever the slicing and the thread count.
 */
class ReadFloorTest {
  private static double[] integers(int n, int salt) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i * 31 + salt) % 17 - 8;
    }
    return v;
  }

  private static double exact(double[] v, int from, int to) {
    long s = 0;
    for (int i = from; i < to; i++) {
      s += (long) v[i];
    }
    return s;
  }

  @Test
  void sumReadsEveryValueOnce() {
    for (int n : new int[] {0, 1, 7, 8, 9, 1000, 333_333}) {
      double[] a = integers(n, 3);
      double[] b = integers(n / 3 + 5, 11);
      assertEquals(exact(a, 0, n) + exact(b, 0, b.length), ReadFloor.sum(a, b), "n = " + n);
      for (int from = 0; from <= Math.min(n, 9); from++) {
        assertEquals(exact(a, from, n), ReadFloor.sum(a, from, n), "slice from " + from + " of " + n);
      }
    }
  }

  @Test
  void aNonFiniteValueMakesTheSumNonFinite() {
    double[] v = integers(100_001, 5);
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      for (int at : new int[] {0, 7, 50_000, 100_000}) {
        double[] w = v.clone();
        w[at] = bad;
        assertTrue(!Double.isFinite(ReadFloor.sum(w)), bad + " at " + at);
      }
    }
  }

  @Test
  void millisIsAMedianOfPositiveTimes() {
    double[] v = integers(1 << 20, 1);
    double ms = ReadFloor.millis(3, v, v);
    assertTrue(ms > 0 && Double.isFinite(ms), "median " + ms);
    assertThrows(IllegalArgumentException.class, () -> ReadFloor.millis(0, v));
  }
}
