package org.sparkamm.algo;

import org.sparkamm.random.DenseColumns;
import org.sparkamm.sketch.DenseSketch;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code smp-pca}: the rescaled JL estimator of SMP-PCA (Wu, Bhojanapalli, Sanghavi, Dimakis,
 * "Single pass PCA of matrix products", NeurIPS 2016), LibAMM's version of it: a Gaussian sketch
 * (N(0, 1/l)), then every entry rescaled so that the sketched vectors keep their exact lengths,
 *
 * <pre>C_ij = &lt;Ã_i, B̃_j&gt; ||a^(i)|| ||b^(j)|| / (||Ã_i|| ||B̃_j||),</pre>
 *
 * a^(i) row i of A, b^(j) column j of B, Ã = A S^T, B̃ = B^T S^T: the cosine of the sketched pair
 * times the exact norms. The exact norms are summed in the same pass as the sketches. Where a
 * sketched norm is zero the entry is 0 (LibAMM substitutes 1e-6 for the product of norms). Not
 * unbiased and no closed form (NaN is reported); every |C_ij| &le; ||a^(i)|| ||b^(j)|| holds exactly,
 * and for A = B^T the diagonal is exact; the error is compared with {@code gaussian}'s in the tests.
 * Only this estimator: SMP-PCA's weighted alternating minimization is not part of LibAMM either.
 * Cost: {@code gaussian}'s plus O(mp) for the rescaling.
 */
public final class SmpPcaProduct extends AmmAlgorithm {
  @Override
  public String tag() {
    return "smp-pca";
  }

  @Override
  public String description() {
    return "Gaussian JL sketch rescaled by the exact row norms of A and column norms of B";
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new DenseSketch(DenseColumns.Entries.GAUSSIAN, seed, l, false);
  }

  @Override
  public boolean needsOuterNorms() {
    return true;
  }

  @Override
  public ReducedProduct reducedProduct(int l, int chosenRepeat) {
    return (a, b, backend) -> {
      double[] c = ReducedProduct.plain().multiply(a, b, backend);
      double[] ra = rowNorms(a.values, a.rows, a.width);
      double[] rb = rowNorms(b.values, b.rows, b.width);
      for (int j = 0; j < b.rows; j++) {
        for (int i = 0; i < a.rows; i++) {
          double sketched = ra[i] * rb[j];
          c[i + j * a.rows] = sketched == 0 ? 0.0
              : c[i + j * a.rows] * Math.sqrt(a.outerNorms2[i] * b.outerNorms2[j]) / sketched;
        }
      }
      return c;
    };
  }

  private static double[] rowNorms(double[] v, int rows, int width) {
    double[] s = new double[rows];
    for (int t = 0; t < width; t++) {
      for (int i = 0; i < rows; i++) {
        s[i] += v[i + t * rows] * v[i + t * rows];
      }
    }
    for (int i = 0; i < rows; i++) {
      s[i] = Math.sqrt(s[i]);
    }
    return s;
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return Double.NaN;
  }
}
