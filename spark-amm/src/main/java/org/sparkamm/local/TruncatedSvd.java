package org.sparkamm.local;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;
import org.sparkamm.error.AmmException;

/**
 * The best rank-r approximation of a small dense tile, {@code T_r = U_r diag(s_r) V_r^T}, through
 * LAPACK's divide-and-conquer SVD ({@code dgesdd}, JOBZ = 'S': the thin SVD) as Spark ships it
 * ({@code dev.ludovic.netlib}: native when the system provides liblapack.so.3, a Java translation
 * of the reference LAPACK otherwise), truncated to the r largest singular values. By
 * Eckart-Young, {@code ||T - T_r||_F^2 = sum_{t > r} s_t^2}, the least over all rank-r matrices.
 *
 * <p>An instance keeps its workspaces between calls (one workspace query per tile shape), so that
 * factoring many tiles of the same shape allocates only the results; it is not thread-safe: use one
 * per thread or task. Cost per rows x cols tile with k = min(rows, cols): O(rows cols k) flops
 * (about 25 k^3 for a square tile with both singular vector sets). A tile of zeros is recognized in
 * one pass and gives no factors; trailing singular values that are exactly zero are dropped, so
 * the rank kept is at most min(r, rows, cols, the tile's numerical rank as dgesdd sees it). A
 * LAPACK failure (info != 0) is an {@link AmmException} naming the routine, the tile and the cause.
 */
public final class TruncatedSvd {
  private static final LAPACK LAPACK_INSTANCE = LAPACK.getInstance();
  private int shapeRows = -1;
  private int shapeCols = -1;
  private double[] s;
  private double[] u;
  private double[] vt;
  private double[] work;
  private int[] iwork;
  private final intW info = new intW(0);

  /**
   * The factors of the tile at grid position (row, col) held in {@code a} (rows x cols,
   * column-major; overwritten), truncated to rank at most {@code maxRank}; null when the tile is
   * all zeros.
   */
  public LowRankTile factor(int row, int col, double[] a, int rows, int cols, int maxRank) {
    if (rows == 0 || cols == 0 || maxRank <= 0 || allZero(a, rows * cols)) {
      return null;
    }
    int k = Math.min(rows, cols);
    prepare(rows, cols);
    LAPACK_INSTANCE.dgesdd("S", rows, cols, a, rows, s, u, rows, vt, k, work, work.length, iwork, info);
    check(rows, cols);
    int r = Math.min(maxRank, k);
    while (r > 0 && !(s[r - 1] > 0)) {
      r--;
    }
    if (r == 0) {
      return null;
    }
    double[] ur = java.util.Arrays.copyOf(u, rows * r);
    double[] sr = java.util.Arrays.copyOf(s, r);
    double[] vr = new double[cols * r];
    for (int t = 0; t < cols; t++) {
      for (int q = 0; q < r; q++) {
        vr[t + q * cols] = vt[q + t * k]; // V = (V^T)^T
      }
    }
    return new LowRankTile(row, col, rows, cols, r, ur, sr, vr);
  }

  private static boolean allZero(double[] a, int len) {
    for (int i = 0; i < len; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Output arrays and workspace for this shape (a workspace query when the shape changes). */
  private void prepare(int rows, int cols) {
    if (rows == shapeRows && cols == shapeCols) {
      return;
    }
    int k = Math.min(rows, cols);
    s = new double[k];
    u = new double[rows * k];
    vt = new double[k * cols];
    iwork = new int[8 * k];
    double[] query = new double[1];
    LAPACK_INSTANCE.dgesdd("S", rows, cols, new double[rows * cols], rows, s, u, rows, vt, k, query, -1, iwork, info);
    check(rows, cols);
    // dgesdd's minimum for JOBZ = 'S' is 4k^2 + 7k + max(rows, cols); the query may say more.
    work = new double[Math.max((int) query[0], 4 * k * k + 7 * k + Math.max(rows, cols))];
    shapeRows = rows;
    shapeCols = cols;
  }

  private void check(int rows, int cols) {
    if (info.val != 0) {
      throw new AmmException("LAPACK dgesdd failed on a " + rows + "x" + cols + " tile (info = " + info.val + "): "
          + (info.val < 0 ? "argument " + (-info.val) + " is invalid" : "the singular values did not converge"));
    }
  }
}
