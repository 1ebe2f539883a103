package org.sparkamm.algo;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.Encoder;
import org.sparkamm.codebook.PartialCodes;
import org.sparkamm.codebook.Tables;

/**
 * The codebook methods in-process ({@link CodebookAlgorithm}): encode A's rows (buildA), build the
 * tables T_c = P_c B_c or encode B's columns (buildB), then the table lookups (fAB). Dense inputs
 * are read in place (either storage order); sparse ones are densified.
 */
final class CodebookLocal {
  private CodebookLocal() {}

  static Timed<DenseMatrix> multiply(CodebookAlgorithm algo, Matrix a, Matrix b) {
    Codebook cb = algo.codebook();
    int m = a.numRows();
    int n = a.numCols();
    int p = b.numCols();
    cb.subspaces().check(n, algo.tag());
    Breakdown.Clock clock = new Breakdown.Clock();
    DenseMatrix ad = dense(a);
    Encoder ea = cb.encoder(false);
    PartialCodes pa = ea.partial(m);
    // A m x n: column-major ld m, or row-major (stored as A^T) ld n.
    ea.add(pa, ad.values(), ad.isTransposed(), ad.isTransposed() ? n : m, 0, n);
    int[] codesA = ea.codes(pa);
    long buildA = clock.lap();
    DenseMatrix bd = dense(b);
    double[] c;
    long buildB;
    if (cb.twoSided()) {
      Encoder eb = cb.encoder(true);
      PartialCodes pb = eb.partial(p);
      // B's columns are the rows to encode: column-major B is that matrix stored transposed.
      eb.add(pb, bd.values(), !bd.isTransposed(), bd.isTransposed() ? p : n, 0, n);
      int[] codesB = eb.codes(pb);
      buildB = clock.lap();
      c = cb.multiplyCodes(codesA, m, codesB, p);
    } else {
      Tables tables = Tables.of(cb, p);
      tables.add(cb, bd.values(), bd.isTransposed(), bd.isTransposed() ? p : n, 0, n);
      buildB = clock.lap();
      c = tables.lookup(codesA, m);
    }
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(buildA, buildB, fab, 0, 0));
  }

  private static DenseMatrix dense(Matrix x) {
    return x instanceof DenseMatrix ? (DenseMatrix) x : ((SparseMatrix) x).toDense();
  }
}
