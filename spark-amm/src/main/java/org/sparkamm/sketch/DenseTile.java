package org.sparkamm.sketch;

/**
 * The dense form of a sketch slice: S's columns for the inner indices {@code [start, start + len)}
 * are generated from the seed, {@value #PANEL} at a time, as an l x panel tile (column-major), and
 * each tile is applied to the block's matching columns by one dgemm. Never more than one panel of
 * S exists at once (l x {@value #PANEL} doubles). Cost: l values generated per inner index, plus
 * 2 rows l flops per inner index in BLAS-3.
 */
public final class DenseTile implements SketchSlice {
  /** Inner indices per generated tile: wide enough for BLAS-3 efficiency, small enough to stay in cache. */
  public static final int PANEL = 256;

  /** S's column for one inner index, a pure function of (seed, index). */
  public interface Columns extends java.io.Serializable {
    /** Writes the l entries of S's column {@code index} into {@code out[off .. off + l)}. */
    void column(long index, double[] out, int off);
  }

  private final Columns columns;
  private final int width;
  private final long start;
  private final int len;

  public DenseTile(Columns columns, int width, long start, int len) {
    this.columns = columns;
    this.width = width;
    this.start = start;
    this.len = len;
  }

  @Override
  public boolean isEmpty() {
    return len == 0;
  }

  /** The l x (to - from) tile of the range's columns [from, to), column-major. */
  public double[] tile(int from, int to) {
    return fill(new double[(to - from) * width], from, to);
  }

  /** Writes the tile of columns [from, to) into the start of {@code tile} and returns it. */
  private double[] fill(double[] tile, int from, int to) {
    for (int j = from; j < to; j++) {
      columns.column(start + j, tile, (j - from) * width);
    }
    return tile;
  }

  @Override
  public void addDense(SketchAccumulator acc, double[] v, int ld, boolean rowMajor, int rowFrom, int rowTo) {
    double[] buffer = new double[Math.min(len, PANEL) * width]; // one tile buffer for all panels
    for (int from = 0; from < len; from += PANEL) {
      int to = Math.min(len, from + PANEL);
      double[] tile = fill(buffer, from, to);
      if (rowMajor) {
        acc.addTileRowMajor(v, from, ld, to - from, tile, rowFrom, rowTo);
      } else {
        acc.addTileColumnMajor(v, from * ld, ld, to - from, tile, rowFrom, rowTo);
      }
    }
  }

  @Override
  public void addCsc(SketchAccumulator acc, int[] colPtrs, int[] rowIndices, double[] values) {
    double[] buffer = new double[Math.min(len, PANEL) * width];
    for (int from = 0; from < len; from += PANEL) {
      int to = Math.min(len, from + PANEL);
      acc.addTileCsc(colPtrs, rowIndices, values, from, to, fill(buffer, from, to));
    }
  }

  /** Tiles are shared by all rows; BLAS threads the product itself. */
  @Override
  public boolean splitsByRows() {
    return false;
  }
}
