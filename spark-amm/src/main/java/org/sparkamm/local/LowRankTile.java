package org.sparkamm.local;

import java.io.Serializable;

/**
 * One tile of a matrix on a grid of b x b tiles, kept as its truncated SVD
 * {@code T ~ U diag(s) V^T}: U (rows x rank) and V (cols x rank) column-major with orthonormal
 * columns, s (rank) positive and descending. {@code row} and {@code col} are the tile's position on
 * the grid: it covers the matrix's rows {@code [row b, row b + rows)} and columns
 * {@code [col b, col b + cols)}. It holds {@code rank (rows + cols + 1)} doubles where the dense tile
 * holds {@code rows cols}; nothing here ever forms the dense tile except {@link #toDense} (for
 * tests and checks).
 */
public final class LowRankTile implements Serializable {
  private static final long serialVersionUID = 1L;
  public final int row;
  public final int col;
  public final int rows;
  public final int cols;
  public final int rank;
  public final double[] u;
  public final double[] s;
  public final double[] v;

  public LowRankTile(int row, int col, int rows, int cols, int rank, double[] u, double[] s, double[] v) {
    this.row = row;
    this.col = col;
    this.rows = rows;
    this.cols = cols;
    this.rank = rank;
    this.u = u;
    this.s = s;
    this.v = v;
  }

  /** The transposed tile {@code V diag(s) U^T} at grid position (col, row): the same arrays, no copy. */
  public LowRankTile transpose() {
    return new LowRankTile(col, row, cols, rows, rank, v, s, u);
  }

  /** ||tile||_F^2 = sum of the kept squared singular values. */
  public double frobeniusNorm2() {
    double f = 0;
    for (double x : s) {
      f += x * x;
    }
    return f;
  }

  /** {@code U diag(s) V^T} as a dense column-major rows x cols array (for tests and checks only). */
  public double[] toDense() {
    double[] us = new double[rows * rank];
    for (int a = 0; a < rank; a++) {
      for (int r = 0; r < rows; r++) {
        us[r + a * rows] = u[r + a * rows] * s[a];
      }
    }
    return Blas.multiplyTransposeB(us, rows, rank, v, cols);
  }
}
