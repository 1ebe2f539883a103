package org.sparkamm.io;

import java.io.Serializable;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.local.Blas;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * Correlated low-rank-plus-noise test data for products {@code A^T B}: A (rows x colsA) and
 * B (rows x colsB) share r latent factors per row,
 *
 * <pre>A = U L_A^T + noise * N_A,   B = U L_B^T + noise * N_B,</pre>
 *
 * with U (rows x r), L_A, L_B having i.i.d. N(0, 1/r) loadings and N(0, 1) noise, so every entry
 * has variance 1 + noise^2 and {@code A^T B ~ rows L_A L_B^T} is far from zero (a meaningful
 * product, as in covariance or CCA). Every entry is a pure function of (seed, matrix, row, column):
 * a block generated alone, in any executor, equals the slice of the whole matrix.
 */
public final class LowRankData implements Serializable {
  private static final long serialVersionUID = 1L;
  private final long seed;
  private final int rank;
  private final double noise;

  public LowRankData(long seed, int rank, double noise) {
    this.seed = seed;
    this.rank = rank;
    this.noise = noise;
  }

  /** Which of the two matrices. */
  public enum Which {
    A,
    B
  }

  /** A or B as a {@link BlockSource} of the given shape. */
  public BlockSource source(Which which, long rows, long cols) {
    LowRankData data = this;
    return new BlockSource() {
      private static final long serialVersionUID = 1L;

      @Override
      public long rows() {
        return rows;
      }

      @Override
      public long cols() {
        return cols;
      }

      @Override
      public DenseMatrix block(long row0, int br, long col0, int bc) {
        return data.block(which, row0, br, col0, bc, cols);
      }
    };
  }

  /** The block of rows [row0, row0 + rows) and columns [col0, col0 + cols) of A or B, column-major. */
  public DenseMatrix block(Which which, long row0, int rows, long col0, int cols, long totalCols) {
    long latent = CounterRng.streamKey(seed, Streams.DATA_LATENT);
    long loadings = CounterRng.streamKey(seed, which == Which.A ? Streams.DATA_LOADINGS_A : Streams.DATA_LOADINGS_B);
    long noiseKey = CounterRng.streamKey(seed, which == Which.A ? Streams.DATA_NOISE_A : Streams.DATA_NOISE_B);
    double[] u = new double[rows * rank];
    for (int t = 0; t < rank; t++) {
      for (int r = 0; r < rows; r++) {
        u[r + t * rows] = CounterRng.gaussian(latent, (row0 + r) * rank + t);
      }
    }
    double scale = 1.0 / Math.sqrt(rank);
    double[] l = new double[cols * rank];
    for (int t = 0; t < rank; t++) {
      for (int c = 0; c < cols; c++) {
        l[c + t * cols] = scale * CounterRng.gaussian(loadings, (col0 + c) * rank + t);
      }
    }
    double[] v = new double[rows * cols];
    for (int c = 0; c < cols; c++) {
      long base = (col0 + c);
      for (int r = 0; r < rows; r++) {
        v[r + c * rows] = noise * CounterRng.gaussian(noiseKey, (row0 + r) * totalCols + base);
      }
    }
    Blas.gemm(false, true, rows, cols, rank, 1.0, u, rows, l, cols, 1.0, v, rows);
    return new DenseMatrix(rows, cols, v);
  }
}
