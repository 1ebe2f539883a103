package org.sparkamm.codebook;

import java.io.Serializable;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.Blas;

/**
 * The lookup tables of a one-sided codebook (pq-raw, pq-hash) for B (n x p): T_c = P_c B_c, the K
 * prototypes of subspace c times the rows of B in that subspace (K x p each, C K p numbers). They are
 * additive over B's rows, so each block of B adds its part where it lies and the parts are summed
 * ({@link #merge}). Cost O(K n p) to build; then row r of C is sum_c T_c[code(r, c), :], O(m p C)
 * lookups for m rows ({@link #lookup}).
 *
 * <p>Layout: values[(c p + j) K + k] = T_c[k, j].
 */
public final class Tables implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int k;
  private final int p;
  private final double[] values;

  private Tables(int k, int p, double[] values) {
    this.k = k;
    this.p = p;
    this.values = values;
  }

  /** Zero tables of a one-sided codebook for p columns of B (checked to fit one array). */
  public static Tables of(Codebook cb, int p) {
    long length = (long) cb.subspaces().count() * cb.codewordsA() * p;
    AmmArgumentException.require(length <= Integer.MAX_VALUE - 8,
        "%s: tables of %d subspaces x %d prototypes x %d columns do not fit one array; use smaller blocks of B",
        cb.tag(), cb.subspaces().count(), cb.codewordsA(), p);
    return new Tables(cb.codewordsA(), p, new double[(int) length]);
  }

  public int columns() {
    return p;
  }

  /**
   * Adds a dense block Y (h x p) of B holding inner indices inner0..inner0+h-1: Y[i, j] = y[i + j ld],
   * or y[j + i ld] when {@code trans} (the block stored as Y^T). One BLAS product per subspace it meets.
   */
  public void add(Codebook cb, double[] y, boolean trans, int ld, long inner0, int h) {
    Subspaces s = cb.subspaces();
    int first = s.of(inner0);
    if (first < 0 || p == 0) {
      return;
    }
    long stop = inner0 + h;
    for (int c = first; c < s.count() && s.start(c) < stop; c++) {
      int lo = (int) Math.max(s.start(c), inner0);
      int hi = (int) Math.min(s.end(c), stop);
      int offY = trans ? (int) (lo - inner0) * ld : (int) (lo - inner0);
      Blas.gemm(true, trans, k, p, hi - lo, 1.0, cb.prototypes(false, c), lo - s.start(c), s.width(c), y, offY, ld,
          1.0, values, c * k * p, k);
    }
  }

  /** Adds inner index i of B: y[j] = B[i, j] (dense, length p). */
  public void addInner(Codebook cb, long i, double[] y) {
    Subspaces s = cb.subspaces();
    int c = s.of(i);
    if (c < 0) {
      return;
    }
    double[] proto = cb.prototypes(false, c);
    int w = s.width(c);
    int off = (int) (i - s.start(c));
    double[] coef = new double[k];
    for (int kk = 0; kk < k; kk++) {
      coef[kk] = proto[kk * w + off];
    }
    for (int j = 0; j < p; j++) {
      double v = y[j];
      if (v != 0) {
        int o = (c * p + j) * k;
        for (int kk = 0; kk < k; kk++) {
          values[o + kk] += coef[kk] * v;
        }
      }
    }
  }

  /** Adds inner index i of B given sparsely: B[i, idx[e]] = v[e]. */
  public void addInner(Codebook cb, long i, int[] idx, double[] v) {
    Subspaces s = cb.subspaces();
    int c = s.of(i);
    if (c < 0) {
      return;
    }
    double[] proto = cb.prototypes(false, c);
    int w = s.width(c);
    int off = (int) (i - s.start(c));
    for (int e = 0; e < idx.length; e++) {
      int o = (c * p + idx[e]) * k;
      for (int kk = 0; kk < k; kk++) {
        values[o + kk] += proto[kk * w + off] * v[e];
      }
    }
  }

  /** Adds {@code other} (another part of B's rows) into this; returns this. */
  public Tables merge(Tables other) {
    for (int i = 0; i < values.length; i++) {
      values[i] += other.values[i];
    }
    return this;
  }

  /** C (rows x p, column-major) with row r = sum_c T_c[codes[c * rows + r], :]. */
  public double[] lookup(int[] codes, int rows) {
    double[] out = new double[Math.multiplyExact(rows, p)];
    int count = codes.length / Math.max(1, rows);
    for (int c = 0; c < count; c++) {
      int co = c * rows;
      for (int j = 0; j < p; j++) {
        int o = (c * p + j) * k;
        int oo = j * rows;
        for (int r = 0; r < rows; r++) {
          out[oo + r] += values[o + codes[co + r]];
        }
      }
    }
    return out;
  }
}
