package org.sparkamm.sketch;

import org.sparkamm.random.CounterRng;
import org.sparkamm.random.ElementStream;
import org.sparkamm.random.Streams;
import org.sparkamm.random.Ziggurat;

/**
 * A dense random S (l x n) with i.i.d. entries, generated column by column from the seed: column i
 * is the sequence of a counter-based stream started at (seed, i), so any tile of S equals the slice
 * of the whole operator. Applied in {@link DenseTile} panels by BLAS-3.
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
public final class DenseSketch implements InnerSketch, DenseTile.Columns {
  private static final long serialVersionUID = 1L;

  /** The entry distribution. */
  public enum Entries {
    RADEMACHER,
    GAUSSIAN
  }

  private final Entries entries;
  private final long key;
  private final long signKey;
  private final boolean columnSigns;
  private final int width;
  private final double scale;

  public DenseSketch(Entries entries, long seed, int width, boolean columnSigns) {
    this(entries, seed, width, columnSigns, width);
  }

  /**
   * A sketch of {@code width} rows whose entries have variance 1/{@code unit}: {@code width / unit}
   * independent sketches of {@code unit} rows side by side, built in one pass ({@code tugOfWar}).
   */
  public DenseSketch(Entries entries, long seed, int width, boolean columnSigns, int unit) {
    this.entries = entries;
    this.key = CounterRng.streamKey(seed, Streams.DENSE_ENTRIES);
    this.signKey = CounterRng.streamKey(seed, Streams.COLUMN_SIGNS);
    this.columnSigns = columnSigns;
    this.width = width;
    this.scale = 1.0 / Math.sqrt(unit);
  }

  @Override
  public int width() {
    return width;
  }

  @Override
  public SketchSlice slice(long start, int len, Side side) {
    return new DenseTile(this, width, start, len);
  }

  @Override
  public void column(long index, double[] out, int off) {
    ElementStream s = new ElementStream().reset(key, index);
    double c = scale;
    if (columnSigns && (CounterRng.bits(signKey, index) & 1L) == 0) {
      c = -c;
    }
    if (entries == Entries.RADEMACHER) {
      long minus = Double.doubleToRawLongBits(-c); // a 1 bit flips its sign to +c, branch-free
      for (int t = 0; t < width; t += 64) {
        long bits = s.nextLong();
        int end = Math.min(width, t + 64);
        for (int u = t; u < end; u++, bits >>>= 1) {
          out[off + u] = Double.longBitsToDouble(minus ^ (bits << 63));
        }
      }
    } else {
      for (int t = 0; t < width; t++) {
        out[off + t] = c * Ziggurat.next(s);
      }
    }
  }
}
