package org.sparkamm.sketch;

import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * The subsampled randomized Hadamard transform over a grid of chunks (block SRHT; see
 * {@link HadamardSketch} for the grid): in every chunk c each of the l sketch rows t reads one
 * transformed coordinate r_{c,t}, uniform on [0, D) and drawn independently (with replacement),
 * scaled by 1/sqrt(l). So S = [P_0 H D_0, P_1 H D_1, ...] with {@code P_c[t, r] = [r = r_{c,t}] / sqrt(l)},
 * entries of S are +-1/sqrt(l), {@code E[P_c^T P_c] = I / D} and the estimate is unbiased. When
 * n &le; D it is the plain SRHT of Tropp 2011 (sampling with replacement) with the scaling
 * {@code sqrt(D/l) (1/sqrt(D)) H}. Independent chunks make it a sum of independent SRHTs, each
 * mixing only its own D indices: mass concentrated in a few inner indices is spread over D
 * coordinates, not over n. The expected squared error has no simple closed form (it depends on
 * the transformed data); it is checked against a Gaussian sketch of the same l in the tests.
 * Cost: D log2 D additions per chunk and outer row, plus l additions per chunk and row.
 */
public final class SrhtSketch extends HadamardSketch {
  private static final long serialVersionUID = 1L;
  private final long projectionKey;

  public SrhtSketch(long seed, int width, int chunk) {
    super(CounterRng.streamKey(seed, Streams.COLUMN_SIGNS), chunk, width);
    this.projectionKey = CounterRng.streamKey(seed, Streams.HADAMARD_PROJECTION);
  }

  @Override
  public Hits projection(long c) {
    int l = width();
    int[] local = new int[l];
    int[] bucket = new int[l];
    double[] coef = new double[l];
    double scale = 1.0 / Math.sqrt(l);
    for (int t = 0; t < l; t++) {
      local[t] = CounterRng.below(projectionKey, c * l + t, chunk());
      bucket[t] = t;
      coef[t] = scale;
    }
    return new Hits(l, local, bucket, coef);
  }
}
