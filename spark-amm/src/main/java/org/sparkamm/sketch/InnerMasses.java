package org.sparkamm.sketch;

/**
 * Non-negative sampling masses q_0 .. q_{n-1} over the inner indices, read in fixed chunks of
 * {@link #CHUNK} consecutive indices, so that a sampler needs only one number per chunk plus the
 * masses of the few chunks its draws land in. Chunking by index (never by partition or block) keeps
 * samples identical for any data layout that gives the same masses; masses summed from blocks (a
 * column's squared norm over A's block rows) may round differently under another blocking, and the
 * weights with them. Implementations: an array (local) or a distributed pass.
 */
public interface InnerMasses {
  /** Indices per chunk; chunk c covers [c * CHUNK, min(n, (c + 1) * CHUNK)). */
  int CHUNK = 4096;

  /** n, the inner dimension. */
  long size();

  /** The sum of each chunk's masses, each summed in index order. */
  double[] chunkTotals();

  /** The masses of the given chunks (same order as {@code chunkIds}). */
  double[][] chunks(int[] chunkIds);

  /** The plain left-to-right sum of masses: the one summation order every implementation uses. */
  static double sum(double[] q) {
    double s = 0;
    for (double v : q) {
      s += v;
    }
    return s;
  }

  /** The number of chunks of an inner dimension n. */
  static int chunkCount(long n) {
    return Math.toIntExact((n + CHUNK - 1) / CHUNK);
  }
}
