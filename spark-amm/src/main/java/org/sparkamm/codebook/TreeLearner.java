package org.sparkamm.codebook;

import java.util.Arrays;

/**
 * Learns one subspace's {@link HashTree} and its 16 prototypes from training sub-vectors, on the
 * driver, as MADDNESS does (Blalock and Guttag, ICML 2021, Algorithm 2): greedily, level by level.
 *
 * <p>At level t the training vectors sit in 2^t buckets. The candidate split coordinates are the
 * {@value #CANDIDATES} coordinates j with the largest loss summed over the buckets,
 * {@code sum_buckets sum_{x in bucket} (x_j - mean_j)^2}. For each candidate j and each bucket the
 * optimal threshold is found exactly: sort the bucket by x_j and take the cut that minimizes the
 * summed squared error (over all coordinates) of the two halves, cutting only between distinct
 * values of x_j, at their midpoint; a bucket that cannot be cut (empty, or x_j constant) gets the
 * threshold +infinity and keeps all its vectors in its lower child. The candidate with the smallest
 * total loss over all buckets becomes the level's coordinate, the buckets are split by their own
 * thresholds, and the next level starts. The 16 prototypes are the bucket means (an empty bucket
 * takes the mean of its nearest non-empty ancestor; MADDNESS's optional ridge-regression refinement
 * of the prototypes is not done).
 *
 * <p>Cost for N vectors of dimension D: O(4 (N D + {@value #CANDIDATES} (N log N + N D))) time and
 * O(N D) memory: the training sample is small (see {@link TrainingSample}).
 */
final class TreeLearner {
  /** How many of the highest-loss coordinates are tried at each level. */
  static final int CANDIDATES = 4;

  /** A learned tree and its prototypes, 16 x D row-major. */
  static final class Learned {
    final HashTree tree;
    final double[] prototypes;

    Learned(HashTree tree, double[] prototypes) {
      this.tree = tree;
      this.prototypes = prototypes;
    }
  }

  /** The best cut of one bucket along one coordinate. */
  private static final class Cut {
    final double threshold;
    final double loss;

    Cut(double threshold, double loss) {
      this.threshold = threshold;
      this.loss = loss;
    }
  }

  private TreeLearner() {}

  /** Learns from n training vectors of dimension d, row-major in {@code x} (n &gt;= 1). */
  static Learned learn(double[] x, int n, int d) {
    int[][] buckets = {range(n)};
    double[][] means = new double[2 * HashTree.BUCKETS][];
    means[1] = mean(x, d, buckets[0]);
    int[] dims = new int[HashTree.LEVELS];
    double[] thresholds = new double[HashTree.BUCKETS];
    thresholds[0] = Double.NaN;
    for (int t = 0; t < HashTree.LEVELS; t++) {
      int nodes = 1 << t;
      double bestLoss = Double.POSITIVE_INFINITY;
      for (int j : candidates(x, d, buckets, means, nodes)) {
        double loss = 0;
        for (int b = 0; b < nodes; b++) {
          loss += cut(x, d, buckets[b], j).loss;
        }
        if (loss < bestLoss) {
          bestLoss = loss;
          dims[t] = j;
        }
      }
      int[][] next = new int[2 * nodes][];
      for (int b = 0; b < nodes; b++) {
        int h = nodes + b;
        double v = cut(x, d, buckets[b], dims[t]).threshold;
        thresholds[h] = v;
        int[] bucket = buckets[b];
        int lower = 0;
        for (int i : bucket) {
          lower += x[i * d + dims[t]] >= v ? 0 : 1;
        }
        int[] lo = new int[lower];
        int[] hi = new int[bucket.length - lower];
        int a = 0;
        int c = 0;
        for (int i : bucket) {
          if (x[i * d + dims[t]] >= v) {
            hi[c++] = i;
          } else {
            lo[a++] = i;
          }
        }
        next[2 * b] = lo;
        next[2 * b + 1] = hi;
        means[2 * h] = lo.length > 0 ? mean(x, d, lo) : means[h];
        means[2 * h + 1] = hi.length > 0 ? mean(x, d, hi) : means[h];
      }
      buckets = next;
    }
    double[] prototypes = new double[HashTree.BUCKETS * d];
    for (int k = 0; k < HashTree.BUCKETS; k++) {
      System.arraycopy(means[HashTree.BUCKETS + k], 0, prototypes, k * d, d);
    }
    return new Learned(new HashTree(dims, thresholds), prototypes);
  }

  /** The {@value #CANDIDATES} coordinates with the largest squared error summed over the buckets (ties: lower index). */
  private static int[] candidates(double[] x, int d, int[][] buckets, double[][] means, int nodes) {
    double[] loss = new double[d];
    for (int b = 0; b < buckets.length; b++) {
      double[] mu = means[nodes + b];
      for (int i : buckets[b]) {
        for (int j = 0; j < d; j++) {
          double e = x[i * d + j] - mu[j];
          loss[j] += e * e;
        }
      }
    }
    Integer[] order = new Integer[d];
    for (int j = 0; j < d; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (p, q) -> loss[p] != loss[q] ? Double.compare(loss[q], loss[p]) : Integer.compare(p, q));
    int[] top = new int[Math.min(CANDIDATES, d)];
    for (int i = 0; i < top.length; i++) {
      top[i] = order[i];
    }
    return top;
  }

  /**
   * The threshold along coordinate j that minimizes the summed squared error of the two halves of
   * a bucket, and that error; computed from prefix sums of the bucket's values (centered on its
   * mean, for accuracy) over all coordinates, O(b log b + b d) for b vectors.
   */
  private static Cut cut(double[] x, int d, int[] bucket, int j) {
    int b = bucket.length;
    if (b == 0) {
      return new Cut(Double.POSITIVE_INFINITY, 0);
    }
    double[] mu = mean(x, d, bucket);
    Integer[] sorted = new Integer[b];
    for (int i = 0; i < b; i++) {
      sorted[i] = bucket[i];
    }
    Arrays.sort(sorted, (p, q) -> x[p * d + j] != x[q * d + j] ? Double.compare(x[p * d + j], x[q * d + j])
        : Integer.compare(p, q));
    double[] s1 = new double[d];
    double[] s2 = new double[d];
    double[] t1 = new double[d];
    double[] t2 = new double[d];
    for (int i : bucket) {
      for (int k = 0; k < d; k++) {
        double e = x[i * d + k] - mu[k];
        t1[k] += e;
        t2[k] += e * e;
      }
    }
    double all = 0;
    for (int k = 0; k < d; k++) {
      all += t2[k] - t1[k] * t1[k] / b;
    }
    double bestLoss = all;
    double threshold = Double.POSITIVE_INFINITY;
    for (int s = 1; s < b; s++) {
      int i = sorted[s - 1];
      for (int k = 0; k < d; k++) {
        double e = x[i * d + k] - mu[k];
        s1[k] += e;
        s2[k] += e * e;
      }
      double below = x[i * d + j];
      double above = x[sorted[s] * d + j];
      if (below == above) {
        continue;
      }
      double loss = 0;
      for (int k = 0; k < d; k++) {
        double r1 = t1[k] - s1[k];
        loss += s2[k] - s1[k] * s1[k] / s + (t2[k] - s2[k]) - r1 * r1 / (b - s);
      }
      if (loss < bestLoss) {
        bestLoss = loss;
        double mid = below + (above - below) / 2;
        threshold = mid > below ? mid : above; // adjacent doubles: the midpoint rounds onto the lower value
      }
    }
    return new Cut(threshold, Math.max(0, bestLoss));
  }

  private static double[] mean(double[] x, int d, int[] rows) {
    double[] mu = new double[d];
    for (int i : rows) {
      for (int k = 0; k < d; k++) {
        mu[k] += x[i * d + k];
      }
    }
    for (int k = 0; k < d; k++) {
      mu[k] /= Math.max(1, rows.length);
    }
    return mu;
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }
}
