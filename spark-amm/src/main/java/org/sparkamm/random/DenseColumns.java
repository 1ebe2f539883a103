package org.sparkamm.random;

import java.io.Serializable;

/**
 * The columns of a dense random sketch S (l x n, l = {@link #width()}) with i.i.d. entries: column i
 * is the sequence of the counter-based stream {@link ElementStream} started at ({@code key}, i), so
 * any column, and any tile of columns, is a pure function of (seed, i) and equals the slice of the
 * whole operator. This class is the reference definition of the entries; a compute backend that
 * generates them elsewhere (the GPU module, on the device) runs the same steps on the same integers.
 *
 * <ul>
 *   <li>{@link Entries#RADEMACHER}: entry t of column i is {@code +c} when bit {@code t mod 64} of
 *       the stream's word {@code t / 64} is 1, else {@code -c}; 64 entries per random word.
 *   <li>{@link Entries#GAUSSIAN}: entry t is {@code c * z_t}, z_0, z_1, ... the stream's successive
 *       {@link Ziggurat} normals (usually one word each).
 * </ul>
 *
 * {@code c = scale}, times an independent random sign d_i (bit 0 of {@code CounterRng.bits(signKey, i)},
 * 0 meaning -1) when {@code columnSigns} is set (LibAMM's {@code rip}: {@code R D}).
 */
public final class DenseColumns implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Columns a CPU generates at once into one l x {@value #PANEL} tile: wide enough for BLAS-3, small enough for cache. */
  public static final int PANEL = 256;

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

  /** Columns of {@code width} entries of magnitude (Rademacher) or standard deviation (Gaussian) {@code scale}. */
  public DenseColumns(Entries entries, long seed, int width, boolean columnSigns, double scale) {
    this.entries = entries;
    this.key = CounterRng.streamKey(seed, Streams.DENSE_ENTRIES);
    this.signKey = CounterRng.streamKey(seed, Streams.COLUMN_SIGNS);
    this.columnSigns = columnSigns;
    this.width = width;
    this.scale = scale;
  }

  public Entries entries() {
    return entries;
  }

  /** The stream key of the entries ({@link Streams#DENSE_ENTRIES} of the seed). */
  public long key() {
    return key;
  }

  /** The stream key of the column signs ({@link Streams#COLUMN_SIGNS} of the seed). */
  public long signKey() {
    return signKey;
  }

  public boolean columnSigns() {
    return columnSigns;
  }

  /** l, the entries per column. */
  public int width() {
    return width;
  }

  public double scale() {
    return scale;
  }

  /** Writes the l entries of column {@code index} into {@code out[off .. off + l)}. */
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

  /** Writes columns [start, start + count) into {@code tile} as an l x count column-major tile and returns it. */
  public double[] tile(long start, int count, double[] tile) {
    for (int j = 0; j < count; j++) {
      column(start + j, tile, j * width);
    }
    return tile;
  }
}
