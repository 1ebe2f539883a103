package org.sparkamm.sketch;

import java.io.Serializable;

/**
 * A linear sketch S (l x n) of the inner dimension, applied as {@code C = (A S^T)(S B)}: the
 * engines accumulate {@code A S^T} (m x l) and {@code B^T S^T} (p x l) block by block and multiply
 * the two.
 *
 * <p>A sketch never materializes S. It is a small serializable object (a seed and sizes, or a
 * sample) that Spark ships to executors, and it describes what S does to any contiguous range of
 * inner indices as a {@link SketchSlice} in one of three forms, each a pure function of (seed,
 * global inner index), never of partition, block size or engine:
 *
 * <ul>
 *   <li>{@link Hits}: s &ge; 1 non-zeros per inner index, added by scatter (sampling, CountSketch,
 *       sparse sign sketches): O(s) per entry of the data.
 *   <li>{@link DenseTile}: the l x len slice of a dense S generated from the seed in panels and
 *       applied by one BLAS-3 call per panel (Gaussian, Rademacher): O(l) per entry.
 *   <li>{@link HadamardSlice}: random signs, a fast Walsh-Hadamard transform over a global grid of
 *       power-of-two chunks, then a sparse projection of the transformed chunk, itself given as
 *       {@link Hits} (SRHT, FastJLT): O(log D + hits) per entry.
 * </ul>
 *
 * Because S is linear and every slice is the slice of one operator, partial sketches of disjoint
 * inner ranges simply add, which is what lets Spark combine them map-side and by key.
 */
public interface InnerSketch extends Serializable {
  /** l, the number of sketch columns (rows of S). */
  int width();

  /** What S does to the inner indices {@code [start, start + len)} of one side. */
  SketchSlice slice(long start, int len, Side side);

  /**
   * A's side as a multiple of B's, sketch column by sketch column: {@code S_A = diag(f) S_B} for the
   * returned f, or null when both sides apply the same S (every sketch but a column-row sample, whose
   * A side carries the pair weights). A Gram product {@code X^T X} sketches X once, as B's side, and
   * derives A's side from it: X^T S_A^T = (X^T S_B^T) diag(f).
   */
  default double[] sideAFactors() {
    return null;
  }

  /**
   * True when the sketch acts on each inner index on its own at a cost proportional to its hits
   * (the {@link Hits} form: a sketch that returns true returns {@link Hits} from {@link #slice}), so
   * that rows arriving one at a time need not be batched into blocks.
   */
  default boolean perIndex() {
    return false;
  }
}
