package org.sparkamm.local;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Products of factored tiles (see {@link LowRankTile}) on a common grid of b x b tiles: for A's
 * tiles {@code A_ik ~ U_A diag(s_A) V_A^T} and B's tiles {@code B_kj ~ U_B diag(s_B) V_B^T},
 *
 * <pre>C_ij += sum_k U_A,ik [ diag(s_A,ik) (V_A,ik^T U_B,kj) diag(s_B,kj) ] V_B,kj^T,</pre>
 *
 * multiplied through the factors: no tile is ever formed densely. For a fixed k, the cores
 * {@code G_k = (V_A diag(s_A))^T (U_B diag(s_B))} of all pairs (i, j) come from one dgemm over the
 * tiles' common inner length; then {@code Z_ik = sum_j G_k[i, j] V_B,kj^T} (r_A x output columns)
 * and finally, per row tile i, one dgemm {@code C_i += [U_A,ik]_k [Z_ik]_k} whose inner dimension is
 * the ranks of many k stacked, so that the bulk of the work runs as BLAS-3 with a long inner
 * dimension rather than as many rank-r updates.
 *
 * <p>Cost per (i, k, j) triple with ranks r_A, r_B and tiles of b: {@code 2 b r_A r_B} (core) +
 * {@code 2 b r_A r_B} (Z) + {@code 2 b^2 r_A} (final dgemm) flops, i.e. about {@code 2 m n p r_A / b}
 * in all against {@code 2 m n p} for the dense product; when B's rank is the smaller the product is
 * computed as {@code (B^T A^T)^T} so that the final dgemm has the smaller inner rank. Memory: one
 * chunk of Z at a time ({@value #CHUNK_DOUBLES} doubles or one k, whichever is more) per call.
 * Summation order is fixed by the inputs (k ascending, then i or j ascending), not by the order the
 * tiles are given in.
 */
public final class LowRankProducts {
  /** Row tiles per band: the unit of the final dgemms, and of the local engine's parallelism. */
  public static final int BAND_TILES = 4;
  static final int CHUNK_DOUBLES = 1 << 20;

  private LowRankProducts() {}

  /**
   * Adds {@code sum_k A~_ik B~_kj} over the given tiles into the part of C covering global rows
   * {@code [r0, r0 + rows)} and columns {@code [c0, c0 + cols)}, stored column-major in {@code c}
   * from {@code offC} with leading dimension {@code ldc}. A's tiles are (i, k) = (row, col), B's
   * (k, j); tiles (or parts of tiles) outside the range contribute nothing; several tiles at the
   * same position add.
   */
  public static void accumulate(List<LowRankTile> aTiles, List<LowRankTile> bTiles, int b, long r0, int rows,
      long c0, int cols, double[] c, int offC, int ldc) {
    if (aTiles.isEmpty() || bTiles.isEmpty() || rows == 0 || cols == 0) {
      return;
    }
    int maxA = 0;
    for (LowRankTile t : aTiles) {
      maxA = Math.max(maxA, t.rank);
    }
    int maxB = 0;
    for (LowRankTile t : bTiles) {
      maxB = Math.max(maxB, t.rank);
    }
    if (maxB >= maxA) {
      accumulateRows(aTiles, bTiles, b, r0, rows, c0, cols, c, offC, ldc);
      return;
    }
    // C^T = B^T A^T: the tiles transposed (no copy); the final dgemm's inner dimension is then B's ranks.
    List<LowRankTile> at = new ArrayList<>(bTiles.size());
    for (LowRankTile t : bTiles) {
      at.add(t.transpose());
    }
    List<LowRankTile> bt = new ArrayList<>(aTiles.size());
    for (LowRankTile t : aTiles) {
      bt.add(t.transpose());
    }
    double[] ct = new double[cols * rows];
    accumulateRows(at, bt, b, c0, cols, r0, rows, ct, 0, cols);
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < cols; q++) {
        c[offC + r + q * ldc] += ct[q + r * cols];
      }
    }
  }

  /** The product with A's ranks as the inner dimension of the final dgemms (see the class comment). */
  private static void accumulateRows(List<LowRankTile> aTiles, List<LowRankTile> bTiles, int b, long r0, int rows,
      long c0, int cols, double[] c, int offC, int ldc) {
    long r1 = r0 + rows;
    long c1 = c0 + cols;
    List<LowRankTile> as = new ArrayList<>();
    for (LowRankTile t : aTiles) {
      if ((long) t.row * b < r1 && (long) t.row * b + t.rows > r0) {
        as.add(t);
      }
    }
    List<LowRankTile> bs = new ArrayList<>();
    for (LowRankTile t : bTiles) {
      if ((long) t.col * b < c1 && (long) t.col * b + t.cols > c0) {
        bs.add(t);
      }
    }
    as.sort(Comparator.<LowRankTile>comparingInt(t -> t.col).thenComparingInt(t -> t.row));
    bs.sort(Comparator.<LowRankTile>comparingInt(t -> t.row).thenComparingInt(t -> t.col));
    // Inner tiles k present on both sides: A's tiles of k are as[aFrom[q], aFrom[q + 1]), B's bs[bFrom[q], bTo[q]).
    List<int[]> ks = new ArrayList<>(); // {k, aStart, aEnd, bStart, bEnd}
    int ia = 0;
    int ib = 0;
    while (ia < as.size() && ib < bs.size()) {
      int ka = as.get(ia).col;
      int kb = bs.get(ib).row;
      if (ka < kb) {
        ia++;
      } else if (kb < ka) {
        ib++;
      } else {
        int ea = ia;
        while (ea < as.size() && as.get(ea).col == ka) {
          ea++;
        }
        int eb = ib;
        while (eb < bs.size() && bs.get(eb).row == ka) {
          eb++;
        }
        ks.add(new int[] {ka, ia, ea, ib, eb});
        ia = ea;
        ib = eb;
      }
    }
    if (ks.isEmpty()) {
      return;
    }
    long iFirst = r0 / b;
    long iLast = (r1 - 1) / b;
    for (long band = iFirst; band <= iLast; band += BAND_TILES) {
      band(as, bs, ks, b, (int) band, (int) Math.min(iLast, band + BAND_TILES - 1), r0, rows, c0, cols, c, offC, ldc);
    }
  }

  /** Row tiles [iLo, iHi] of the output, all inner tiles, in chunks of Z. */
  private static void band(List<LowRankTile> as, List<LowRankTile> bs, List<int[]> ks, int b, int iLo, int iHi,
      long r0, int rows, long c0, int cols, double[] c, int offC, int ldc) {
    int nb = iHi - iLo + 1;
    int[] usedFrom = new int[nb]; // first row of tile i used, tile-local
    int[] usedRows = new int[nb];
    for (int q = 0; q < nb; q++) {
      long start = (long) (iLo + q) * b;
      usedFrom[q] = (int) (Math.max(r0, start) - start);
      usedRows[q] = (int) (Math.min(r0 + rows, start + b) - Math.max(r0, start));
    }
    int kIdx = 0;
    while (kIdx < ks.size()) {
      int[] rowsPerI = new int[nb];
      int total = 0;
      int kEnd = kIdx;
      while (kEnd < ks.size()) {
        int[] e = ks.get(kEnd);
        int add = 0;
        for (int t = e[1]; t < e[2]; t++) {
          LowRankTile a = as.get(t);
          if (a.row >= iLo && a.row <= iHi) {
            add += a.rank;
          }
        }
        if (total > 0 && (long) (total + add) * cols > CHUNK_DOUBLES) {
          break;
        }
        for (int t = e[1]; t < e[2]; t++) {
          LowRankTile a = as.get(t);
          if (a.row >= iLo && a.row <= iHi) {
            rowsPerI[a.row - iLo] += a.rank;
          }
        }
        total += add;
        kEnd++;
      }
      if (total > 0) {
        chunk(as, bs, ks.subList(kIdx, kEnd), b, iLo, iHi, rowsPerI, total, usedFrom, usedRows, r0, c0, cols, c,
            offC, ldc);
      }
      kIdx = kEnd;
    }
  }

  /**
   * One chunk of inner tiles for row tiles [iLo, iHi]: Z^T (cols x total, column-major; the columns
   * of row tile i contiguous) and L_i = [U_A,ik]_k, then C_i += L_i Z_i.
   */
  private static void chunk(List<LowRankTile> as, List<LowRankTile> bs, List<int[]> ks, int b, int iLo, int iHi,
      int[] rowsPerI, int total, int[] usedFrom, int[] usedRows, long r0, long c0, int cols, double[] c, int offC,
      int ldc) {
    int nb = iHi - iLo + 1;
    int[] zOff = new int[nb];
    double[][] l = new double[nb][];
    for (int q = 0, off = 0; q < nb; q++) {
      zOff[q] = off;
      off += rowsPerI[q];
      l[q] = new double[usedRows[q] * rowsPerI[q]];
    }
    int[] cursor = new int[nb];
    double[] zt = new double[Math.multiplyExact(cols, total)];
    for (int[] e : ks) {
      List<LowRankTile> aList = new ArrayList<>();
      for (int t = e[1]; t < e[2]; t++) {
        LowRankTile a = as.get(t);
        if (a.row >= iLo && a.row <= iHi) {
          aList.add(a);
        }
      }
      if (aList.isEmpty()) {
        continue;
      }
      int inner = aList.get(0).cols;
      int raTot = 0;
      for (LowRankTile a : aList) {
        raTot += a.rank;
      }
      int rbTot = 0;
      for (int t = e[3]; t < e[4]; t++) {
        rbTot += bs.get(t).rank;
      }
      // La = [V_A diag(s_A)]_i (inner x raTot), Rb = [U_B diag(s_B)]_j (inner x rbTot), G = La^T Rb.
      double[] la = new double[inner * raTot];
      int col = 0;
      for (LowRankTile a : aList) {
        for (int q = 0; q < a.rank; q++, col++) {
          scaledColumn(a.v, q * inner, a.s[q], la, col * inner, inner);
        }
      }
      double[] rb = new double[inner * rbTot];
      col = 0;
      for (int t = e[3]; t < e[4]; t++) {
        LowRankTile bt = bs.get(t);
        if (bt.rows != inner) {
          throw new IllegalStateException("tiles of inner index " + e[0] + " differ in length: " + inner + " and "
              + bt.rows);
        }
        for (int q = 0; q < bt.rank; q++, col++) {
          scaledColumn(bt.u, q * inner, bt.s[q], rb, col * inner, inner);
        }
      }
      double[] g = new double[raTot * rbTot];
      Blas.gemm(true, false, raTot, rbTot, inner, 1.0, la, inner, rb, inner, 0.0, g, raTot);
      int gRow = 0;
      for (LowRankTile a : aList) {
        int q = a.row - iLo;
        int zCol = zOff[q] + cursor[q];
        // Z_ik^T (output columns x r_A) = sum_j V_B,kj G_k[i, j]^T, written into Z^T's columns for (i, k).
        int gCol = 0;
        for (int t = e[3]; t < e[4]; t++) {
          LowRankTile bt = bs.get(t);
          long start = (long) bt.col * b;
          int from = (int) (Math.max(c0, start) - start);
          int to = (int) (Math.min(c0 + cols, start + bt.cols) - start);
          int out = (int) (start + from - c0);
          for (int x = 0; x < a.rank; x++) {
            int zBase = (zCol + x) * cols + out - from;
            for (int y = 0; y < bt.rank; y++) {
              double gv = g[gRow + x + (gCol + y) * raTot];
              int vBase = y * bt.cols;
              for (int w = from; w < to; w++) {
                zt[zBase + w] += gv * bt.v[vBase + w];
              }
            }
          }
          gCol += bt.rank;
        }
        // L_i's columns for (i, k): the used rows of U_A,ik.
        for (int x = 0; x < a.rank; x++) {
          System.arraycopy(a.u, usedFrom[q] + x * a.rows, l[q], (cursor[q] + x) * usedRows[q], usedRows[q]);
        }
        cursor[q] += a.rank;
        gRow += a.rank;
      }
    }
    for (int q = 0; q < nb; q++) {
      if (rowsPerI[q] > 0) {
        int outRow = (int) (Math.max(r0, (long) (iLo + q) * b) - r0);
        Blas.gemm(false, true, usedRows[q], cols, rowsPerI[q], 1.0, l[q], 0, usedRows[q], zt, zOff[q] * cols, cols,
            1.0, c, offC + outRow, ldc);
      }
    }
  }

  private static void scaledColumn(double[] src, int from, double scale, double[] dst, int to, int len) {
    for (int t = 0; t < len; t++) {
      dst[to + t] = src[from + t] * scale;
    }
  }
}
