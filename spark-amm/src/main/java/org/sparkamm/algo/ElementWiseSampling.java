package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.Matrix;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.sketch.EntrySampler;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code ews}: element-wise sampling. A is m x n, B is n x p. Each entry of A is kept independently
 * with probability p_ri and scaled 1/p_ri (giving Ahat), each entry of B independently, with
 * independent coins, with probability q_ic and scaled 1/q_ic (giving Bhat); then
 *
 * <pre>C = Ahat Bhat,</pre>
 *
 * a sparse by sparse product (neither sample is ever densified). The sketch size l is the expected
 * number of kept entries per row of A and per column of B:
 *
 * <pre>p_ri = min(1, tau_r |A_ri|),  sum_i p_ri = min(l, nnz(row r of A)),
 * q_ic = min(1, tau'_c |B_ic|),  sum_i q_ic = min(l, nnz(column c of B)),</pre>
 *
 * tau_r and tau'_c found by water-filling ({@link EntrySampler}); zero entries have probability 0
 * and are never kept, so a row (column) with at most l non-zeros is kept exactly and l &ge; n gives
 * the exact product. For a fixed expected count, p proportional to |A_ri| minimizes
 * {@code sum_i A_ri^2 / p_ri}, the row's contribution to the variance; the cap at 1 keeps it
 * unbiased. Coins are a pure function of (seed, stream, global row, global column), so the result
 * depends on partitioning, blocking and engine only through the rounding of the row sums behind the
 * taus: summed in another order they can move a probability, and so a kept value, by an ulp.
 *
 * <p><b>Error.</b> E[Ahat] = A and E[Bhat] = B with independent entries, so E[C] = AB, and with
 * {@code v_A(i) = sum_r A_ri^2 (1/p_ri - 1)} and {@code v_B(i) = sum_c B_ic^2 (1/q_ic - 1)}
 * (the variances of column i of Ahat and row i of Bhat),
 *
 * <pre>E||AB - C||_F^2 = sum_i [ v_A(i) ||b_i||^2 + ||a_i||^2 v_B(i) + v_A(i) v_B(i) ]</pre>
 *
 * (a_i column i of A, b_i row i of B). Derivation: C_rc - (AB)_rc = sum_i (Ahat_ri Bhat_ic - A_ri B_ic)
 * is a sum of independent zero-mean terms (different i touch different entries), each of variance
 * {@code E[Ahat_ri^2] E[Bhat_ic^2] - A_ri^2 B_ic^2 = (A_ri^2 + a)(B_ic^2 + b) - A_ri^2 B_ic^2} with
 * {@code a = A_ri^2 (1/p_ri - 1)}, {@code b = B_ic^2 (1/q_ic - 1)}; summing over r and c gives the
 * formula. It needs the entries, not only the inner norms: {@link #expectedSquaredError(Matrix, Matrix, int)}
 * computes it for local matrices, and the generic
 * {@link #expectedSquaredError(InnerNorms, double, int, long)} returns NaN.
 *
 * <p><b>Cost.</b> Locally: a few passes over the non-zeros of A and B for the taus (one per
 * water-filling step still unsettled, usually one to three), one pass for the coins, and
 * {@code sum_i nnz(ahat_i) nnz(bhat_i)} multiply-adds for the product, about {@code m p l^2 / n} for
 * dense inputs with l &lt; n (the dense sketches cost {@code 2 m p l}). On Spark
 * ({@code spark.EntrySampledProduct}): each water-filling pass reads A (B) once and shuffles 32 bytes
 * per row (column) and task holding it; the kept entries, about {@code (m + p) l} of them at 12 bytes
 * plus framing, are shuffled to the output blocks that need them (each kept entry of A to every
 * block column of C, each of B to every block row); the row-aligned form shuffles the kept entries
 * once (a join by inner index) and tree-reduces m x p partial products.
 *
 * <p>LibAMM's {@code ews} draws the probabilities at random (independent of the data), ignores
 * {@code sketchSize}, divides by arbitrarily small probabilities and multiplies densely in
 * O(mnp); this one is data-dependent, budgeted by l, and sparse.
 */
public final class ElementWiseSampling extends AmmAlgorithm {
  @Override
  public String tag() {
    return "ews";
  }

  @Override
  public String description() {
    return "element-wise sampling, l entries expected per row of A and column of B, p ~ |entry|, sparse product";
  }

  @Override
  public boolean samplesEntries() {
    return true;
  }

  /** The kept entries are at most the non-zeros of the inputs: any l fits. */
  @Override
  public void checkSketchFits(int sketchSize, long m, long p) {}

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    throw new IllegalStateException("ews samples entries and has no sketch of the inner dimension");
  }

  /**
   * NaN: the error of {@code ews} depends on the individual entries of A and B, not only on the
   * inner norms; see {@link #expectedSquaredError(Matrix, Matrix, int)}.
   */
  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return Double.NaN;
  }

  /**
   * {@code E||AB - C||_F^2 = sum_i [v_A(i) ||b_i||^2 + ||a_i||^2 v_B(i) + v_A(i) v_B(i)]} (see the
   * class comment) for local A (m x n) and B (n x p) in any storage and sketch size l; independent
   * of the seed.
   */
  public static double expectedSquaredError(Matrix a, Matrix b, int l) {
    AmmArgumentException.require(a.numCols() == b.numRows(),
        "inner dimensions differ: A is %dx%d, B is %dx%d", a.numRows(), a.numCols(), b.numRows(), b.numCols());
    AmmArgumentException.require(l >= 1, "sketch size must be at least 1, got %d", l);
    int n = a.numCols();
    double[] a2 = new double[n];
    double[] va = new double[n];
    EntrySampler.addColumnVariances(a, EntrySampler.taus(a, l), a2, va);
    Matrix bt = b.transpose();
    double[] b2 = new double[n];
    double[] vb = new double[n];
    EntrySampler.addColumnVariances(bt, EntrySampler.taus(bt, l), b2, vb);
    double e = 0;
    for (int i = 0; i < n; i++) {
      e += va[i] * b2[i] + a2[i] * vb[i] + va[i] * vb[i];
    }
    return e;
  }
}
