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
 *
 * <p>A tall tile (rows &gt; cols) is factored through its transpose, {@code T^T = U' S V'^T}, so
 * {@code U = V'} and {@code V = U'}: netlib 3.2.0 (Spark 4.2) checks U of a thin SVD as if it were
 * rows x rows, which a rows x k array fails; a wide matrix needs no such room. The transposition
 * costs rows * cols against the SVD's O(rows cols k).
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
  private double[] transposed;
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
    boolean tall = rows > cols;
    int m = Math.min(rows, cols);
    int n = Math.max(rows, cols);
    prepare(m, n);
    if (tall && (transposed == null || transposed.length < m * n)) {
      transposed = new double[m * n];
    }
    double[] x = tall ? Lapack.transpose(a, rows, cols, transposed) : a;
    LAPACK_INSTANCE.dgesdd("S", m, n, x, m, s, u, m, vt, m, work, work.length, iwork, info);
    check(rows, cols);
    int r = Math.min(maxRank, m);
    while (r > 0 && !(s[r - 1] > 0)) {
      r--;
    }
    if (r == 0) {
      return null;
    }
    // x = U_x diag(s) V_x^T with U_x = u (m x m), V_x = vt^T (n x m); a = x, or x^T with the roles swapped.
    double[] left = java.util.Arrays.copyOf(u, m * r);
    double[] right = firstColumnsOfTranspose(vt, m, n, r);
    double[] sr = java.util.Arrays.copyOf(s, r);
    return tall ? new LowRankTile(row, col, rows, cols, r, right, sr, left)
        : new LowRankTile(row, col, rows, cols, r, left, sr, right);
  }

  /** The first r columns of the transpose of the k x n column-major vt: n x r, column-major. */
  private static double[] firstColumnsOfTranspose(double[] vt, int k, int n, int r) {
    double[] v = new double[n * r];
    for (int t = 0; t < n; t++) {
      for (int q = 0; q < r; q++) {
        v[t + q * n] = vt[q + t * k];
      }
    }
    return v;
  }

  private static boolean allZero(double[] a, int len) {
    for (int i = 0; i < len; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Output arrays and workspace for an m x n matrix, m &lt;= n (a workspace query when the shape changes). */
  private void prepare(int m, int n) {
    if (m == shapeRows && n == shapeCols) {
      return;
    }
    s = new double[m];
    u = new double[m * m];
    vt = new double[m * n];
    iwork = new int[8 * m];
    double[] query = new double[1];
    LAPACK_INSTANCE.dgesdd("S", m, n, new double[m * n], m, s, u, m, vt, m, query, -1, iwork, info);
    check(m, n);
    // dgesdd's minimum for JOBZ = 'S' is 4k^2 + 7k + max(m, n), k = min(m, n) = m; the query may say more.
    work = new double[Math.max((int) query[0], 4 * m * m + 7 * m + n)];
    shapeRows = m;
    shapeCols = n;
  }

  private void check(int rows, int cols) {
    if (info.val != 0) {
      throw new AmmException("LAPACK dgesdd failed on a " + rows + "x" + cols + " tile (info = " + info.val + "): "
          + (info.val < 0 ? "argument " + (-info.val) + " is invalid" : "the singular values did not converge"));
    }
  }
}
