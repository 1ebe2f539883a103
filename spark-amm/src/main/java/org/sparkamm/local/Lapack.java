package org.sparkamm.local;

import dev.ludovic.netlib.lapack.LAPACK;
import org.netlib.util.intW;

/**
 * Thin QR and SVD of column-major {@code double[]} matrices through the LAPACK that Spark itself
 * ships ({@code dev.ludovic.netlib}: native when the system provides liblapack.so.3, a Java
 * translation of the reference LAPACK otherwise). Inputs are copied, never overwritten. A LAPACK
 * failure (info != 0) is an {@link ArithmeticException} naming the routine.
 *
 * <p>The SVD of a tall matrix (m &gt; n) is computed from its transpose, {@code A^T = U' S V'^T},
 * so {@code U = V'} and {@code V^T = U'^T}: netlib 3.2.0 (Spark 4.2) checks U of a thin SVD
 * (JOBZ = 'S') as if it were m x m, which an m x n array fails; a wide matrix needs no such room.
 * The transpositions cost O(m n) against the SVD's O(m n k).
 */
public final class Lapack {
  private static final LAPACK LAPACK_INSTANCE = LAPACK.getInstance();

  private Lapack() {}

  /** A = Q R with Q (m x k) orthonormal columns and R (k x n) upper trapezoidal, k = min(m, n). */
  public static final class Qr {
    public final double[] q;
    public final double[] r;
    public final int k;

    Qr(double[] q, double[] r, int k) {
      this.q = q;
      this.r = r;
      this.k = k;
    }
  }

  /** A = U diag(s) V^T with U (m x k), s descending (k), vt (k x n), k = min(m, n). */
  public static final class Svd {
    public final double[] u;
    public final double[] s;
    public final double[] vt;
    public final int k;

    Svd(double[] u, double[] s, double[] vt, int k) {
      this.u = u;
      this.s = s;
      this.vt = vt;
      this.k = k;
    }
  }

  /** The thin QR of the m x n column-major matrix a (dgeqrf + dorgqr). Cost O(m n k). */
  public static Qr qr(double[] a, int m, int n) {
    int k = Math.min(m, n);
    double[] work = java.util.Arrays.copyOf(a, m * n);
    double[] tau = new double[Math.max(1, k)];
    intW info = new intW(0);
    double[] query = new double[1];
    LAPACK_INSTANCE.dgeqrf(m, n, work, Math.max(1, m), tau, query, -1, info);
    double[] scratch = new double[Math.max(1, (int) query[0])];
    LAPACK_INSTANCE.dgeqrf(m, n, work, Math.max(1, m), tau, scratch, scratch.length, info);
    check("dgeqrf", info);
    double[] r = new double[k * n];
    for (int j = 0; j < n; j++) {
      for (int i = 0; i <= Math.min(j, k - 1); i++) {
        r[i + j * k] = work[i + j * m];
      }
    }
    double[] q = java.util.Arrays.copyOf(work, m * k);
    LAPACK_INSTANCE.dorgqr(m, k, k, q, Math.max(1, m), tau, query, -1, info);
    scratch = new double[Math.max(1, (int) query[0])];
    LAPACK_INSTANCE.dorgqr(m, k, k, q, Math.max(1, m), tau, scratch, scratch.length, info);
    check("dorgqr", info);
    return new Qr(q, r, k);
  }

  /** The thin SVD of the m x n column-major matrix a (dgesdd, divide and conquer). Cost O(m n k). */
  public static Svd svd(double[] a, int m, int n) {
    if (m > n) {
      Svd t = svd(transpose(a, m, n, new double[m * n]), n, m);
      return new Svd(transpose(t.vt, n, m, new double[m * n]), t.s, transpose(t.u, n, n, new double[n * n]), n);
    }
    int k = m;
    double[] work = java.util.Arrays.copyOf(a, m * n);
    double[] s = new double[k];
    double[] u = new double[m * k];
    double[] vt = new double[k * n];
    int[] iwork = new int[Math.max(1, 8 * k)];
    intW info = new intW(0);
    double[] query = new double[1];
    LAPACK_INSTANCE.dgesdd("S", m, n, work, Math.max(1, m), s, u, Math.max(1, m), vt, Math.max(1, k), query, -1,
        iwork, info);
    double[] scratch = new double[Math.max(1, (int) query[0])];
    LAPACK_INSTANCE.dgesdd("S", m, n, work, Math.max(1, m), s, u, Math.max(1, m), vt, Math.max(1, k), scratch,
        scratch.length, iwork, info);
    check("dgesdd", info);
    return new Svd(u, s, vt, k);
  }

  /** Writes the transpose of the rows x cols column-major matrix a into {@code into} (cols x rows); returns it. */
  static double[] transpose(double[] a, int rows, int cols, double[] into) {
    for (int j = 0; j < cols; j++) {
      for (int i = 0; i < rows; i++) {
        into[j + i * cols] = a[i + j * rows];
      }
    }
    return into;
  }

  /** The largest singular value (spectral norm) of an m x n column-major matrix. */
  public static double spectralNorm(double[] a, int m, int n) {
    if (m == 0 || n == 0) {
      return 0;
    }
    return svd(a, m, n).s[0];
  }

  /**
   * The eigenvalues of the symmetric n x n column-major matrix a (its upper triangle is read),
   * ascending, by dsyevd without vectors: O(n^3) flops (the tridiagonal reduction, 4/3 n^3), backward
   * stable. The spectral norm of a symmetric matrix is the largest of |first| and |last|.
   */
  public static double[] symmetricEigenvalues(double[] a, int n) {
    double[] work = java.util.Arrays.copyOf(a, n * n);
    double[] w = new double[n];
    intW info = new intW(0);
    double[] query = new double[1];
    int[] iquery = new int[1];
    LAPACK_INSTANCE.dsyevd("N", "U", n, work, Math.max(1, n), w, query, -1, iquery, -1, info);
    double[] scratch = new double[Math.max(1, (int) query[0])];
    int[] iscratch = new int[Math.max(1, iquery[0])];
    LAPACK_INSTANCE.dsyevd("N", "U", n, work, Math.max(1, n), w, scratch, scratch.length, iscratch, iscratch.length,
        info);
    check("dsyevd", info);
    return w;
  }

  private static void check(String routine, intW info) {
    if (info.val != 0) {
      throw new ArithmeticException(routine + " failed (info = " + info.val + ")");
    }
  }
}
