package org.sparkamm.loader;

import java.util.Arrays;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.BlockSource;
import org.sparkamm.random.ElementStream;

/**
 * A rows x cols matrix defined entry by entry: entry (r, c) is drawn from {@code sampler} with the
 * entry's own random stream, keyed by (seed, matrix) and the index r * cols + c. Any block can be
 * generated alone, in any executor, and equals the same slice of the whole matrix.
 *
 * <p>Options: {@code density} keeps each entry with that probability (else 0, one more uniform of
 * the entry's stream); a non-zero region {@code [0, nonZeroRows) x [0, nonZeroCols)} outside which
 * entries are 0; rows that are copies of row 0 (LibAMM's "reduce"); a final scale factor.
 */
public final class GeneratedMatrix implements BlockSource {
  private static final long serialVersionUID = 1L;
  private static final int MAX_LOCAL = Integer.MAX_VALUE - 8;
  final long rows;
  final long cols;
  private final long key;
  private final Sampler sampler;
  private double density = 1.0;
  private long nonZeroRows;
  private long nonZeroCols;
  private long[] copiesOfRowZero = new long[0];
  private double scale = 1.0;

  public GeneratedMatrix(long rows, long cols, long key, Sampler sampler) {
    AmmArgumentException.require(rows >= 0 && cols >= 0, "matrix dimensions must be non-negative, got %dx%d",
        rows, cols);
    this.rows = rows;
    this.cols = cols;
    this.key = key;
    this.sampler = sampler;
    this.nonZeroRows = rows;
    this.nonZeroCols = cols;
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public long cols() {
    return cols;
  }

  GeneratedMatrix density(double d) {
    this.density = d;
    return this;
  }

  GeneratedMatrix nonZeroRegion(long r, long c) {
    this.nonZeroRows = r;
    this.nonZeroCols = c;
    return this;
  }

  GeneratedMatrix copiesOfRowZero(long[] sortedRows) {
    this.copiesOfRowZero = sortedRows;
    return this;
  }

  GeneratedMatrix scale(double s) {
    this.scale = s;
    return this;
  }

  /** The block of rows [row0, row0 + br) and columns [col0, col0 + bc), column-major. */
  @Override
  public DenseMatrix block(long row0, int br, long col0, int bc) {
    double[] v = new double[Math.multiplyExact(br, bc)];
    ElementStream s = new ElementStream();
    for (int i = 0; i < br; i++) {
      long r = row0 + i;
      if (copiesOfRowZero.length > 0 && Arrays.binarySearch(copiesOfRowZero, r) >= 0) {
        r = 0;
      }
      if (r >= nonZeroRows) {
        continue;
      }
      for (int j = 0; j < bc; j++) {
        long c = col0 + j;
        if (c >= nonZeroCols) {
          break;
        }
        s.reset(key, r * cols + c);
        double x = sampler.sample(s);
        if (density < 1.0 && s.nextDouble() >= density) {
          x = 0;
        }
        v[i + j * br] = scale * x;
      }
    }
    return new DenseMatrix(br, bc, v);
  }

  /** The whole matrix, when it fits one local array. */
  public DenseMatrix whole() {
    AmmArgumentException.require(rows * cols <= MAX_LOCAL,
        "a %dx%d matrix does not fit in one local array; load it on Spark instead", rows, cols);
    return block(0, (int) rows, 0, (int) cols);
  }

  /** A copy whose entries are divided by {@code divisor}. */
  GeneratedMatrix dividedBy(double divisor) {
    GeneratedMatrix g = new GeneratedMatrix(rows, cols, key, sampler);
    g.density = density;
    g.nonZeroRows = nonZeroRows;
    g.nonZeroCols = nonZeroCols;
    g.copiesOfRowZero = copiesOfRowZero;
    g.scale = scale / divisor;
    return g;
  }
}
