package org.sparkamm.codebook;

import org.sparkamm.local.Blas;
import org.sparkamm.random.CounterRng;

/**
 * k-means on the driver, for codebooks trained on local matrices (on Spark, MLlib's {@code KMeans}
 * does this job): k-means++ seeding (Arthur and Vassilvitskii 2007: the first center uniform, each
 * next one drawn with probability proportional to its squared distance to the nearest chosen
 * center, the t-th draw from {@code CounterRng.uniform(key, t)}), then Lloyd's iterations until no
 * assignment changes or {@value #ITERATIONS} iterations (MLlib's default). An empty cluster keeps
 * its center. When the points have fewer than k distinct values the missing centers repeat the
 * first one (a nearest-center search picks the first of equal centers, so they are never used).
 *
 * <p>Distances come from one BLAS product per iteration: ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2,
 * of which only {@code ||c||^2 - 2 x.c} decides the nearest center. Cost O(iterations n k d).
 */
final class LloydKMeans {
  static final int ITERATIONS = 20;
  /** Points scored per BLAS product. */
  private static final int CHUNK = 4096;

  private LloydKMeans() {}

  /** k centers (k x d, row-major) of n points (n x d, row-major, n &gt;= 1), a pure function of (points, k, key). */
  static double[] centers(double[] x, int n, int d, int k, long key) {
    double[] centers = seed(x, n, d, k, key);
    int[] assigned = new int[n];
    java.util.Arrays.fill(assigned, -1);
    double[] scores = new double[CHUNK * k];
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      boolean changed = assign(x, n, d, centers, k, scores, assigned);
      if (!changed) {
        break;
      }
      double[] sums = new double[k * d];
      int[] counts = new int[k];
      for (int i = 0; i < n; i++) {
        int c = assigned[i];
        counts[c]++;
        for (int j = 0; j < d; j++) {
          sums[c * d + j] += x[i * d + j];
        }
      }
      for (int c = 0; c < k; c++) {
        if (counts[c] > 0) {
          for (int j = 0; j < d; j++) {
            centers[c * d + j] = sums[c * d + j] / counts[c];
          }
        }
      }
    }
    return centers;
  }

  /**
   * Assigns each point to its nearest center (the first on ties); true when an assignment changed.
   * Points go {@value #CHUNK} at a time, so that the scores take CHUNK x k numbers.
   */
  private static boolean assign(double[] x, int n, int d, double[] centers, int k, double[] scores, int[] assigned) {
    double[] norms = new double[k];
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < d; j++) {
        norms[c] += centers[c * d + j] * centers[c * d + j];
      }
    }
    boolean changed = false;
    for (int from = 0; from < n; from += CHUNK) {
      int rows = Math.min(CHUNK, n - from);
      // scores (rows x k, column-major) = X C^T, with X^T and C^T the column-major views of the row-major arrays.
      Blas.gemm(true, false, rows, k, d, 1.0, x, from * d, d, centers, 0, d, 0.0, scores, 0, rows);
      for (int i = 0; i < rows; i++) {
        int best = 0;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int c = 0; c < k; c++) {
          double s = norms[c] - 2 * scores[i + c * rows];
          if (s < bestScore) {
            bestScore = s;
            best = c;
          }
        }
        changed |= assigned[from + i] != best;
        assigned[from + i] = best;
      }
    }
    return changed;
  }

  /** k-means++ seeding. */
  private static double[] seed(double[] x, int n, int d, int k, long key) {
    double[] centers = new double[k * d];
    int first = CounterRng.below(key, 0, n);
    System.arraycopy(x, first * d, centers, 0, d);
    double[] nearest = new double[n];
    for (int i = 0; i < n; i++) {
      nearest[i] = distance2(x, i * d, centers, 0, d);
    }
    for (int t = 1; t < k; t++) {
      double total = 0;
      for (double v : nearest) {
        total += v;
      }
      if (!(total > 0)) { // every point is a center already: fewer than k distinct points
        System.arraycopy(centers, 0, centers, t * d, d);
        continue;
      }
      double target = CounterRng.uniform(key, t) * total;
      int pick = n - 1;
      double run = 0;
      for (int i = 0; i < n; i++) {
        run += nearest[i];
        if (run > target && nearest[i] > 0) {
          pick = i;
          break;
        }
      }
      System.arraycopy(x, pick * d, centers, t * d, d);
      for (int i = 0; i < n; i++) {
        nearest[i] = Math.min(nearest[i], distance2(x, i * d, centers, t * d, d));
      }
    }
    return centers;
  }

  private static double distance2(double[] x, int xo, double[] c, int co, int d) {
    double s = 0;
    for (int j = 0; j < d; j++) {
      double e = x[xo + j] - c[co + j];
      s += e * e;
    }
    return s;
  }
}
