package org.sparkamm.sketch;

import org.sparkamm.random.DenseColumns;

/**
 * The dense form of a sketch slice: S's columns for the inner indices {@code [start, start + len)},
 * generated from the seed ({@link DenseColumns}). A dense block is multiplied by the whole slice in one
 * {@link org.sparkamm.local.ComputeBackend#sketchProduct}, which generates it {@value
 * DenseColumns#PANEL} columns at a time on the CPU (never more than l x {@value DenseColumns#PANEL}
 * doubles of S at once) or where the backend multiplies; a compressed-sparse block by CPU panels.
 * Cost: l values generated per inner index, plus 2 rows l flops per inner index in BLAS-3.
 */
public final class DenseTile implements SketchSlice {
  private final DenseColumns columns;
  private final long start;
  private final int len;

  public DenseTile(DenseColumns columns, long start, int len) {
    this.columns = columns;
    this.start = start;
    this.len = len;
  }

  @Override
  public boolean isEmpty() {
    return len == 0;
  }

  /** The l x (to - from) tile of the range's columns [from, to), column-major. */
  public double[] tile(int from, int to) {
    return columns.tile(start + from, to - from, new double[(to - from) * columns.width()]);
  }

  @Override
  public void addDense(SketchAccumulator acc, double[] v, int ld, boolean rowMajor, int rowFrom, int rowTo) {
    acc.addDenseSketch(columns, start, len, v, ld, rowMajor, rowFrom, rowTo);
  }

  @Override
  public void addCsc(SketchAccumulator acc, int[] colPtrs, int[] rowIndices, double[] values) {
    double[] buffer = new double[Math.min(len, DenseColumns.PANEL) * columns.width()];
    for (int from = 0; from < len; from += DenseColumns.PANEL) {
      int to = Math.min(len, from + DenseColumns.PANEL);
      acc.addTileCsc(colPtrs, rowIndices, values, from, to, columns.tile(start + from, to - from, buffer));
    }
  }

  /** Tiles are shared by all rows; BLAS threads the product itself. */
  @Override
  public boolean splitsByRows() {
    return false;
  }
}
