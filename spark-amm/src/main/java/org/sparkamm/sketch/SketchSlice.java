package org.sparkamm.sketch;

/**
 * What a sketch S does to one contiguous range of inner indices: it adds {@code M S_range^T} into
 * an accumulator for a block M whose columns are those inner indices (rows are outer indices). One
 * implementation per form ({@link Hits}, {@link DenseTile}, {@link HadamardSlice}); the block
 * layouts are Spark's: dense column- or row-major, sparse CSC or CSR.
 */
public interface SketchSlice {
  /** True when nothing of the range enters the sketch (a sample that skips it). */
  boolean isEmpty();

  /**
   * Adds the rows [rowFrom, rowTo) of a dense block: element (r, j) at {@code v[r + j * ld]}
   * (column-major) or {@code v[r * ld + j]} (row-major). Disjoint row ranges write disjoint parts
   * of the sketch, so they may run on different threads (the accumulator allocates its buffers once,
   * under a lock).
   */
  void addDense(SketchAccumulator acc, double[] v, int ld, boolean rowMajor, int rowFrom, int rowTo);

  /** Adds a compressed-sparse-column block (columns = inner indices of the range, in order). */
  void addCsc(SketchAccumulator acc, int[] colPtrs, int[] rowIndices, double[] values);

  /** True when a dense block may be split into bands of rows processed in parallel. */
  default boolean splitsByRows() {
    return true;
  }
}
