package org.sparkamm.algo;

import java.io.Serializable;
import org.sparkamm.local.Blas;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * The tests that choose the best of several sketches built side by side (LibAMM's
 * {@code tugOfWar}, after Alon, Matias, Szegedy's median-of-means): J tests, each of
 * {@value #PER_TEST} sign probes q_t in {+-1/4}^p (a pure function of (seed, t, column)), stacked
 * as Q (T x p, T = 16 J). The exact probe of the product is {@code E = A (B Q^T)} (m x T); repeat r's
 * estimate of it is {@code F_r = (A S_r^T)(Q (B^T S_r^T))^T}; the residual of test j and repeat r is
 * {@code y_jr = sum over test j's 16 probe columns of ||E - F_r||^2}, an unbiased estimate of
 * ||AB - C_r||_F^2 (E_Q ||M q||^2 = ||M||_F^2 / 16 per probe). Every quantity here is summed over
 * blocks of rows, so the engines compute it where the data is: B Q^T by blocks of B, E by blocks
 * of A, Q (B^T S^T) from B's sketch, the residuals next to A's sketch. Cost of the exact probes:
 * O(T (np + mn)) flops, and on Spark the n x T matrix B Q^T is broadcast (8 n T bytes).
 */
public final class SignProbes implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Probes per test (LibAMM's 16). */
  public static final int PER_TEST = 16;
  private final long key;
  private final int tests;
  private final int repeats;
  private final int sketchSize;

  public SignProbes(long seed, int tests, int repeats, int sketchSize) {
    this(seed, Streams.PROBES, tests, repeats, sketchSize);
  }

  private SignProbes(long seed, long stream, int tests, int repeats, int sketchSize) {
    this.key = CounterRng.streamKey(seed, stream);
    this.tests = tests;
    this.repeats = repeats;
    this.sketchSize = sketchSize;
  }

  /** T = 16 tests probes of their own stream, for estimating ||AB||_F^2 ({@link SketchSizing}). */
  public static SignProbes pilot(long seed, int tests) {
    return new SignProbes(seed, Streams.PILOT_PROBES, tests, 1, 1);
  }

  public int tests() {
    return tests;
  }

  public int repeats() {
    return repeats;
  }

  /** T, the number of probes. */
  public int count() {
    return tests * PER_TEST;
  }

  /** Q[t, c] = +-1/4. */
  public double entry(int t, long column) {
    long i = column * count() + t;
    return (CounterRng.bits(key, i) & 1L) == 0 ? -0.25 : 0.25;
  }

  /** Q restricted to columns [from, from + cols): T x cols, column-major. */
  public double[] slice(long from, int cols) {
    int t = count();
    double[] q = new double[t * cols];
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < t; r++) {
        q[r + c * t] = entry(r, from + c);
      }
    }
    return q;
  }

  /**
   * Adds {@code Q[:, cols] (B^T S^T)[cols, :]} (T x width) for a block of B's sketch covering the
   * columns [from, from + rows) of B, into {@code into}.
   */
  public void addSketchProbes(double[] sketch, int rows, int width, long from, double[] into) {
    Blas.gemm(false, false, count(), width, rows, 1.0, slice(from, rows), 0, count(), sketch, 0, rows, 1.0,
        into, 0, count());
  }

  /**
   * The residuals [test][repeat] of a block of rows: {@code exact} the rows x T block of
   * {@code A B Q^T}, {@code sketchA} the rows x (repeats l) block of A's sketch, {@code qb} the
   * whole T x (repeats l) matrix {@code Q (B^T S^T)}.
   */
  public double[][] residuals(double[] exact, double[] sketchA, int rows, double[] qb) {
    int t = count();
    double[][] y = new double[tests][repeats];
    double[] f = new double[rows * t];
    for (int r = 0; r < repeats; r++) {
      // F_r = sketchA[:, r l : (r+1) l] qb[:, r l : (r+1) l]^T, rows x T
      Blas.gemm(false, true, rows, t, sketchSize, 1.0, sketchA, r * sketchSize * rows, rows,
          qb, r * sketchSize * t, t, 0.0, f, 0, rows);
      for (int col = 0; col < t; col++) {
        double s = 0;
        for (int i = 0; i < rows; i++) {
          double d = exact[i + col * rows] - f[i + col * rows];
          s += d * d;
        }
        y[col / PER_TEST][r] += s;
      }
    }
    return y;
  }

  /** Adds {@code b} into {@code a} elementwise and returns a. */
  public static double[][] plus(double[][] a, double[][] b) {
    for (int j = 0; j < a.length; j++) {
      for (int r = 0; r < a[j].length; r++) {
        a[j][r] += b[j][r];
      }
    }
    return a;
  }
}
