package org.sparkamm.sketch;

/**
 * The sparse form of a sketch slice: for each hit {@code t < count}, inner index
 * {@code start + local[t]} is added, times {@code coef[t]}, into sketch column {@code bucket[t]}.
 * An inner index may have any number of hits (s for a sparse sign sketch, one for CountSketch and
 * sampling, none for an index a sample skips). Cost: one axpy of the block's rows per hit.
 */
public final class Hits implements SketchSlice {
  public final int count;
  public final int[] local;
  public final int[] bucket;
  public final double[] coef;
  /**
   * True when hit t is inner index t for every t &lt; count (one hit per index from the range's
   * start, none skipped before the last hit): kernels may then skip {@code local}.
   */
  public final boolean onePerIndex;

  public Hits(int count, int[] local, int[] bucket, double[] coef) {
    this.count = count;
    this.local = local;
    this.bucket = bucket;
    this.coef = coef;
    boolean identity = true;
    for (int t = 0; t < count && identity; t++) {
      identity = local[t] == t;
    }
    this.onePerIndex = identity;
  }

  @Override
  public boolean isEmpty() {
    return count == 0;
  }

  @Override
  public void addDense(SketchAccumulator acc, double[] v, int ld, boolean rowMajor, int rowFrom, int rowTo) {
    if (rowMajor) {
      acc.addRowMajor(v, ld, this, rowFrom, rowTo);
    } else {
      acc.addColumnMajor(v, 0, ld, this, rowFrom, rowTo);
    }
  }

  @Override
  public void addCsc(SketchAccumulator acc, int[] colPtrs, int[] rowIndices, double[] values) {
    acc.addCsc(colPtrs, rowIndices, values, this);
  }
}
