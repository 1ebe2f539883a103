package org.sparkamm.sketch;

import org.sparkamm.random.DenseColumns;
import org.sparkamm.random.DenseColumns.Entries;

/**
 * A dense random S (l x n) with i.i.d. entries, generated column by column from the seed
 * ({@link DenseColumns}: column i is a counter-based stream started at (seed, i)), so any tile of S
 * equals the slice of the whole operator. Applied by BLAS-3 ({@link DenseTile}).
 *
 * <ul>
 *   <li>{@link Entries#RADEMACHER}: entries +-1/sqrt(l), 64 per random word. Then
 *       {@code (S^T S)_ii = 1} exactly, off-diagonal entries have mean 0 and variance 1/l, and
 *       <pre>E||AB - C||_F^2 = (||A||_F^2 ||B||_F^2 + ||AB||_F^2 - 2 sum_i ||a_i||^2 ||b_i||^2) / l.</pre>
 *   <li>{@link Entries#GAUSSIAN}: entries N(0, 1/l) (ziggurat). The diagonal of S^T S now varies
 *       too (variance 2/l), which adds back the last term:
 *       <pre>E||AB - C||_F^2 = (||A||_F^2 ||B||_F^2 + ||AB||_F^2) / l.</pre>
 * </ul>
 *
 * Both are unbiased. With {@code columnSigns} each column is also multiplied by an independent
 * random sign d_i (LibAMM's {@code rip}: {@code R D}); that leaves the distribution of a Rademacher
 * S unchanged. Cost: l random values per inner index and side, 2 l flops per entry of the data.
 */
public final class DenseSketch implements InnerSketch {
  private static final long serialVersionUID = 2L; // 2: the columns' definition moved to DenseColumns

  private final DenseColumns columns;

  public DenseSketch(Entries entries, long seed, int width, boolean columnSigns) {
    this(entries, seed, width, columnSigns, width);
  }

  /**
   * A sketch of {@code width} rows whose entries have variance 1/{@code unit}: {@code width / unit}
   * independent sketches of {@code unit} rows side by side, built in one pass ({@code tugOfWar}).
   */
  public DenseSketch(Entries entries, long seed, int width, boolean columnSigns, int unit) {
    this.columns = new DenseColumns(entries, seed, width, columnSigns, 1.0 / Math.sqrt(unit));
  }

  @Override
  public int width() {
    return columns.width();
  }

  @Override
  public SketchSlice slice(long start, int len, Side side) {
    return new DenseTile(columns, start, len);
  }
}
