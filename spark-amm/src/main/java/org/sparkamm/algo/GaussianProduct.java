package org.sparkamm.algo;

import org.sparkamm.random.DenseColumns;
import org.sparkamm.sketch.DenseSketch;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code gaussian}: the plain Gaussian Johnson-Lindenstrauss sketch (not in LibAMM's table; the
 * reference every other sketch is measured against), S with i.i.d. N(0, 1/l) entries (see
 * {@link DenseSketch}). Unbiased; {@code E||AB - C||_F^2 = (||A||_F^2 ||B||_F^2 + ||AB||_F^2) / l}.
 * Cost O(n l (m + p)) in BLAS-3 plus l n random values per side: it pays only when l is well below
 * the smaller outer dimension (the reduced product costs O(m l p) against exact O(m n p), the
 * sketching alone O(n l (m + p)) against O(m n p), so roughly when l &lt; mp / (m + p)). On Spark
 * the shuffle is that of every sketch: the partial sketches, about (tasks per block row) x m x l x 8
 * bytes.
 */
public final class GaussianProduct extends AmmAlgorithm {
  @Override
  public String tag() {
    return "gaussian";
  }

  @Override
  public String description() {
    return "Gaussian JL sketch, N(0, 1/l) entries, dense tiles by BLAS-3";
  }

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    return new DenseSketch(DenseColumns.Entries.GAUSSIAN, seed, l, false);
  }

  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    InnerStats s = norms.stats();
    return (s.normA2 * s.normB2 + productNorm2) / l;
  }
}
