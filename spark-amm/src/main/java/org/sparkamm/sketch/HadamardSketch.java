package org.sparkamm.sketch;

import org.sparkamm.random.CounterRng;

/**
 * A structured sketch {@code S = [P_0 H D_0, P_1 H D_1, ...]} over a global grid of chunks of the
 * inner dimension: chunk c covers inner indices {@code [c D, (c + 1) D)} for a fixed power of two
 * D (the last chunk is padded with zeros), D_c holds independent random signs, H is the
 * unnormalized D x D Walsh-Hadamard matrix (entries +-1, {@code H^T H = D I}) applied by the fast
 * transform in O(D log D), and P_c (l x D) is a sparse projection of the transformed chunk given
 * as {@link Hits} (sampling for SRHT, a sparse Gaussian for FastJLT). All of it is a pure function
 * of (seed, chunk, index), so the grid is the same for every block size and partitioning.
 *
 * <p>When {@code E[P_c^T P_c] = I / D}, {@code E[S^T S] = I} and the estimate {@code A S^T S B} is
 * unbiased: within a chunk because {@code H^T H = D I}, across chunks because the signs of
 * different chunks are independent.
 *
 * <p>A block (or batch of rows) that holds only part of a chunk contributes its part: the piece is
 * zero-padded to the whole chunk and transformed, and since the transform is linear the pieces'
 * partial sketches add up to the chunk's. The price is that every piece pays the full chunk's
 * O(rows D log D) transform and its projection's hits, so a chunk split into k pieces costs k
 * times one whole chunk; with the default D = 1024 and Spark blocks of 1,024 (or multiples) inner
 * indices, pieces are whole chunks.
 */
public abstract class HadamardSketch implements InnerSketch {
  private static final long serialVersionUID = 1L;
  /** The largest chunk, so that a transform buffer of a band of rows stays small. */
  public static final int MAX_CHUNK = 1 << 16;
  private final long signKey;
  private final int chunk;
  private final int width;

  /** @param chunk D, a power of two */
  protected HadamardSketch(long signKey, int chunk, int width) {
    this.signKey = signKey;
    this.chunk = chunk;
    this.width = width;
  }

  /** The chunk size for inner dimension n: min(2^ceil(log2 n), maxChunk). */
  public static int chunkFor(long n, int maxChunk) {
    long pow = Long.highestOneBit(Math.max(1, n - 1)) << 1;
    return (int) Math.min(n <= 1 ? 1 : pow, maxChunk);
  }

  @Override
  public final int width() {
    return width;
  }

  /** D, the chunk size. */
  public final int chunk() {
    return chunk;
  }

  /** The random sign of inner index i (D_c's diagonal). */
  public final double sign(long i) {
    return (CounterRng.bits(signKey, i) & 1L) == 0 ? -1.0 : 1.0;
  }

  /**
   * P_c as hits: transformed coordinate {@code local[t]} of chunk c enters sketch column
   * {@code bucket[t]} times {@code coef[t]}.
   */
  public abstract Hits projection(long c);

  @Override
  public final SketchSlice slice(long start, int len, Side side) {
    return new HadamardSlice(this, start, len);
  }
}
