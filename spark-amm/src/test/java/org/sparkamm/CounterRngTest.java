package org.sparkamm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sparkamm.sketch.CountSketch;
import org.sparkamm.sketch.Hits;
import org.sparkamm.sketch.Side;

/** The hash behind CountSketch: uniform buckets, balanced signs, and slices equal to the whole. */
class CounterRngTest {
  /**
   * Pearson's chi-square over k = 64 buckets of N = 640,000 indices has k - 1 = 63 degrees of
   * freedom: mean 63, standard deviation sqrt(126) = 11.2. Failing at 63 + 5 sd = 119 has probability
   * below 1e-6 for a uniform hash. The signs' sum over N is a +-1 walk with sd sqrt(N) = 800; 5 sd
   * bounds it.
   */
  @Test
  void bucketsAreUniformAndSignsBalanced() {
    int k = 64;
    int n = 640_000;
    CountSketch cs = new CountSketch(123, k);
    long[] counts = new long[k];
    double signs = 0;
    Hits h = cs.slice(1_000_000_000L, n, Side.A);
    for (int t = 0; t < h.count; t++) {
      counts[h.bucket[t]]++;
      signs += h.coef[t];
    }
    double expected = (double) n / k;
    double chi2 = 0;
    for (long c : counts) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    assertTrue(chi2 < 63 + 5 * Math.sqrt(126), "chi-square " + chi2);
    assertTrue(Math.abs(signs) < 5 * Math.sqrt(n), "sign sum " + signs);
  }

  @Test
  void aSliceEqualsTheSameRangeOfTheWhole() {
    CountSketch cs = new CountSketch(7, 100);
    Hits whole = cs.slice(0, 1000, Side.A);
    Hits slice = cs.slice(337, 50, Side.B);
    for (int t = 0; t < 50; t++) {
      assertEquals(whole.bucket[337 + t], slice.bucket[t]);
      assertEquals(whole.coef[337 + t], slice.coef[t]);
      assertEquals(cs.bucket(337 + t), slice.bucket[t]);
      assertEquals(cs.sign(337 + t), slice.coef[t]);
    }
  }
}
