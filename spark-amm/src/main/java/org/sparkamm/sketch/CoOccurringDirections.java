package org.sparkamm.sketch;

import java.io.Serializable;
import java.util.Arrays;
import org.sparkamm.local.Blas;
import org.sparkamm.local.Lapack;

/**
 * Co-occurring directions (Mroueh, Marcheret, Goel, "Co-occurring directions sketching for
 * approximate matrix multiply", AISTATS 2017): a deterministic, mergeable sketch of AB from the
 * pairs (a_i, b_i) (column i of A, m values; row i of B, p values), kept as BX (m x w) and
 * BY (p x w) with {@code AB ~ BX BY^T}.
 *
 * <p>Pairs fill a buffer of 2 l slots, a batch at a time (copies, then BLAS-3 and LAPACK: never
 * column by column). When it is full it is shrunk: {@code BX = Qx Rx}, {@code BY = Qy Ry} (thin QR),
 * {@code Rx Ry^T = U S V^T} (SVD), delta = the l-th largest singular value, and
 * {@code BX = Qx U sqrt(S'), BY = Qy V sqrt(S')} with {@code S' = max(S - delta F, 0)}: F = 1 for
 * co-occurring directions; for the beta variant (LibAMM's {@code bcooFD}) F_j =
 * (exp(beta j/(k-1)) - 1)/(exp(beta) - 1), which spares the top direction (F_0 = 0) and shrinks the
 * last by the full delta. Shrinking frees at least l + 1 slots (co-occurring directions) or at least
 * one (beta), and the rest of the batch goes in after it: no pair is ever dropped (LibAMM drops the
 * pair that triggered a shrink). When the rank min(m, p, 2l) is at most l nothing is subtracted: the
 * compression is exact.
 *
 * <p>Guarantee. A shrink changes {@code BX BY^T} by a matrix of spectral norm
 * e_t = max_j min(S_j, delta F_j) &le; delta, and lowers the nuclear norm of {@code BX BY^T} by
 * sum_j min(S_j, delta F_j) &ge; delta sum_{j &lt; l} F_j (the top l values are at least delta);
 * inserting a pair raises it by at most ||a_i|| ||b_i||. Hence
 *
 * <pre>||AB - BX BY^T||_2 &le; sum_t e_t &le; (sum_i ||a_i|| ||b_i||) / sum_{j&lt;l} F_j,</pre>
 *
 * which for co-occurring directions is {@code (sum_i ||a_i|| ||b_i||)/l &le; ||A||_F ||B||_F / l}
 * (half the 2 ||A||_F ||B||_F / l of the paper's l-slot version). {@link #errorBound()} returns the
 * left-hand sum for this sketch, {@link #mass()} the sum of ||a_i|| ||b_i|| it has seen.
 *
 * <p>Mergeable: sketches of disjoint inner ranges merge by inserting one's columns into the other
 * (concatenation, then shrinks as needed); the bound adds up, so it holds for any merge tree. The
 * result depends on the order in which pairs and sketches arrive, and on nothing else.
 *
 * <p>Cost per shrink, with w = 2l: QR of m x w and p x w, the SVD of a w x w matrix, two products:
 * O((m + p) w^2 + w^3); about n / (l + 1) shrinks for co-occurring directions, O(n (m + p) l) in all.
 */
public final class CoOccurringDirections implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int m;
  private final int p;
  private final int ell;
  /** NaN: co-occurring directions; otherwise the beta of the beta-shrink. */
  private final double beta;
  private double[] bx;
  private double[] by;
  private int filled;
  private double errorBound;
  private double mass;
  private long shrinks;

  /** @param beta NaN for co-occurring directions, a positive beta for the beta variant */
  public CoOccurringDirections(int m, int p, int ell, double beta) {
    this.m = m;
    this.p = p;
    this.ell = ell;
    this.beta = beta;
  }

  /** A new empty sketch with the same dimensions and rule (what each Spark task starts from). */
  public CoOccurringDirections empty() {
    return new CoOccurringDirections(m, p, ell, beta);
  }

  private int capacity() {
    return 2 * ell;
  }

  /**
   * Inserts {@code count} pairs: column j of {@code a} (m values at {@code a[aOff + j * m]}) with
   * column j of {@code bt} (p values at {@code bt[bOff + j * p]}), the transposed rows of B.
   */
  public void add(double[] a, int aOff, double[] bt, int bOff, int count) {
    allocate();
    for (int j = 0; j < count; j++) {
      double na = 0;
      double nb = 0;
      for (int r = 0; r < m; r++) {
        na += a[aOff + j * m + r] * a[aOff + j * m + r];
      }
      for (int r = 0; r < p; r++) {
        nb += bt[bOff + j * p + r] * bt[bOff + j * p + r];
      }
      mass += Math.sqrt(na * nb);
    }
    insert(a, aOff, bt, bOff, count);
  }

  private void insert(double[] a, int aOff, double[] bt, int bOff, int count) {
    int done = 0;
    while (done < count) {
      int take = Math.min(count - done, capacity() - filled);
      System.arraycopy(a, aOff + done * m, bx, filled * m, take * m);
      System.arraycopy(bt, bOff + done * p, by, filled * p, take * p);
      filled += take;
      done += take;
      if (filled == capacity()) {
        shrink();
      }
    }
  }

  /** Merges {@code other} (same m, p, l, rule), a sketch of a disjoint inner range, into this one; returns this. */
  public CoOccurringDirections merge(CoOccurringDirections other) {
    allocate();
    mass += other.mass;
    errorBound += other.errorBound;
    shrinks += other.shrinks;
    if (other.filled > 0) {
      insert(other.bx, 0, other.by, 0, other.filled);
    }
    return this;
  }

  private void allocate() {
    if (bx == null) {
      bx = new double[Math.multiplyExact(m, capacity())];
      by = new double[Math.multiplyExact(p, capacity())];
    }
  }

  private void shrink() {
    shrinks++;
    int w = filled;
    Lapack.Qr qx = Lapack.qr(bx, m, w);
    Lapack.Qr qy = Lapack.qr(by, p, w);
    // Rx Ry^T: (kx x w)(w x ky)
    double[] core = new double[qx.k * qy.k];
    Blas.gemm(false, true, qx.k, qy.k, w, 1.0, qx.r, 0, qx.k, qy.r, 0, qy.k, 0.0, core, 0, qx.k);
    Lapack.Svd svd = Lapack.svd(core, qx.k, qy.k);
    int k = svd.k;
    double[] s = svd.s;
    double delta = k > ell ? s[ell - 1] : 0.0; // k <= l directions fit: keep them all, exactly
    double[] kept = new double[k];
    double step = 0;
    int nonzero = 0;
    for (int j = 0; j < k; j++) {
      double f = Double.isNaN(beta) || k == 1 ? 1.0 : Math.expm1(beta * j / (k - 1)) / Math.expm1(beta);
      double cut = Math.min(s[j], delta * f);
      step = Math.max(step, cut);
      kept[j] = s[j] - cut;
      if (kept[j] > 0) {
        nonzero = j + 1;
      }
    }
    errorBound += step;
    // Only the leading `nonzero` directions survive (singular values are descending; F is increasing).
    double[] ux = new double[qx.k * nonzero];
    double[] vy = new double[qy.k * nonzero];
    for (int j = 0; j < nonzero; j++) {
      double root = Math.sqrt(kept[j]);
      for (int i = 0; i < qx.k; i++) {
        ux[i + j * qx.k] = svd.u[i + j * qx.k] * root;
      }
      for (int i = 0; i < qy.k; i++) {
        vy[i + j * qy.k] = svd.vt[j + i * k] * root;
      }
    }
    Arrays.fill(bx, 0.0);
    Arrays.fill(by, 0.0);
    Blas.gemm(false, false, m, nonzero, qx.k, 1.0, qx.q, 0, m, ux, 0, qx.k, 0.0, bx, 0, m);
    Blas.gemm(false, false, p, nonzero, qy.k, 1.0, qy.q, 0, p, vy, 0, qy.k, 0.0, by, 0, p);
    filled = nonzero;
  }

  /** The estimate {@code BX BY^T}, m x p column-major. */
  public double[] product() {
    double[] c = new double[Math.multiplyExact(m, p)];
    if (filled > 0) {
      Blas.gemm(false, true, m, p, filled, 1.0, bx, 0, m, by, 0, p, 0.0, c, 0, m);
    }
    return c;
  }

  /** BX (m x width), column-major; with {@link #sketchB()} the factors of the estimate. */
  public double[] sketchA() {
    return bx == null ? new double[0] : Arrays.copyOf(bx, filled * m);
  }

  /** BY (p x width), column-major. */
  public double[] sketchB() {
    return by == null ? new double[0] : Arrays.copyOf(by, filled * p);
  }

  /** The number of columns in use (at most 2 l). */
  public int width() {
    return filled;
  }

  /** sum_t e_t: a bound on ||AB - BX BY^T||_2 for the pairs this sketch has seen. */
  public double errorBound() {
    return errorBound;
  }

  /** sum_i ||a_i|| ||b_i|| over the pairs this sketch has seen. */
  public double mass() {
    return mass;
  }

  public long shrinks() {
    return shrinks;
  }
}
