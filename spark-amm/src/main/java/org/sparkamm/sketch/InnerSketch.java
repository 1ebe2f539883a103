package org.sparkamm.sketch;

import java.io.Serializable;

/**
 * A linear sketch S (l x n) of the inner dimension, applied as {@code C = (A S^T)(S B)}.
 *
 * <p>Every sketch in this package has at most one non-zero per inner index (per column of S), so it
 * is described by {@link Hits}: which inner indices enter which of the l sketch columns, with which
 * coefficient. That one form covers CountSketch (every index hits one bucket with a random sign) and
 * column-row sampling (sampled indices hit their own column, scaled). The coefficient may differ
 * between the two sides as long as {@code coefA(i) * coefB(i)} is the intended weight of the pair.
 *
 * <p>A sketch never materializes S. It is a small serializable object (a seed and a size, or the
 * sample itself) that Spark ships to executors; each block asks for the hits of its own inner range,
 * which depend only on the global inner indices, never on partitioning or block size.
 */
public interface InnerSketch extends Serializable {
  /** l, the number of sketch columns (rows of S). */
  int width();

  /** The hits of the inner indices {@code [start, start + len)} on one side. */
  Hits hits(long start, int len, Side side);
}
