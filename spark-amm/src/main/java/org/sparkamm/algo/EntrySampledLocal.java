package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.sparkamm.local.SparseOuterProducts;
import org.sparkamm.sketch.EntrySampler;
import org.sparkamm.sketch.Side;

/**
 * The local engine of element-wise sampling ({@link ElementWiseSampling}): C = Ahat Bhat with Ahat
 * and Bhat sampled entry by entry from A (m x n) and B (n x p), multiplied sparse by sparse.
 *
 * <p>Ahat is sampled from A by rows (its CSC has the inner index as columns), Bhat from B's transpose
 * view, whose rows are B's columns (its CSC over the inner index is Bhat in CSR); then
 * {@code C = sum_i ahat_i bhat_i^T} over the inner index i ({@link SparseOuterProducts}), into a dense
 * column-major m x p result. Inputs are read in place in any storage (dense column- or row-major,
 * sparse CSC or CSR) and never densified.
 *
 * <p>Cost: a few passes over the non-zeros of A and B for the taus (see {@link EntrySampler}), one
 * more for the coins, and {@code sum_i nnz(ahat_i) nnz(bhat_i)} multiply-adds, about
 * {@code m p l^2 / n} for dense inputs with l &lt; n.
 */
public final class EntrySampledLocal {
  private EntrySampledLocal() {}

  public static Timed<DenseMatrix> multiply(Matrix a, Matrix b, int l, long seed) {
    int m = a.numRows();
    int n = a.numCols();
    int p = b.numCols();
    Breakdown.Clock clock = new Breakdown.Clock();
    SparseMatrix as = EntrySampler.sample(a, 0, 0, n, 1, EntrySampler.taus(a, l), 0,
        EntrySampler.coinKey(seed, Side.A));
    long buildA = clock.lap();
    Matrix bt = b.transpose(); // a view: p x n, row c = column c of B
    SparseMatrix bs = EntrySampler.sample(bt, 0, 0, 1, p, EntrySampler.taus(bt, l), 0,
        EntrySampler.coinKey(seed, Side.B));
    long buildB = clock.lap();
    double[] c = new double[Math.multiplyExact(m, p)];
    SparseOuterProducts.add(n, as.colPtrs(), as.rowIndices(), as.values(), bs.colPtrs(), bs.rowIndices(),
        bs.values(), c, m);
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(buildA, buildB, fab, 0, 0));
  }
}
