package org.sparkamm.loader;

import java.io.Serializable;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.Lapack;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;

/**
 * Rows with a planted principal subspace, for the downstream experiments (PCA, CCA): row i of the
 * n x d data is
 *
 * <pre>x_i = V diag(sqrt(lambda)) g_i + sigma e_i,   g_i ~ N(0, I_r),  e_i ~ N(0, I_d),</pre>
 *
 * with V (d x r) orthonormal: the Q factor of a d x r matrix of N(0, 1) entries. The population
 * covariance is V diag(lambda) V^T + sigma^2 I: eigenvalues lambda_j + sigma^2 along the columns of
 * V (in the order given; lambda must be non-increasing), sigma^2 on the other d - r directions. So
 * the top-k principal subspace is span(V_1..V_k) with eigengap lambda_k - lambda_{k+1} (lambda_{r+1}
 * = 0), and the sample covariance of n rows converges to it at rate O(1/sqrt(n)).
 *
 * <p>{@link #DEFAULT_SPECTRUM}: two tiers, (16, 15, 14, 13, 12) and (4, 3.5, 3, 2.5, 2), with
 * sigma = 0.2: gaps of 8 at k = 5 and about 2 at k = 10, and most of the energy in the planted
 * directions (trace 85 + 0.04 d), the regime where a sketch's error, not the noise, decides the
 * subspace. Every value is a pure function of (seed, row, column): any block of rows generated
 * alone, on any executor, equals the slice of the whole. Cost per row O(d r) flops; V costs
 * O(d r^2) once.
 */
public final class PlantedSpectrum implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The planted variances lambda_1 .. lambda_10 of {@link #standard}. */
  public static final double[] DEFAULT_SPECTRUM = {16, 15, 14, 13, 12, 4, 3.5, 3, 2.5, 2};
  /** The noise level sigma of {@link #standard}. */
  public static final double DEFAULT_NOISE = 0.2;

  private final long factors;
  private final long noiseKey;
  private final int d;
  private final double[] scaledV;
  private final int r;
  private final double sigma;

  /**
   * d-dimensional rows with the planted variances {@code lambda} (non-increasing, positive, at most
   * d of them) and noise level {@code sigma} >= 0.
   */
  public PlantedSpectrum(long seed, int d, double[] lambda, double sigma) {
    AmmArgumentException.require(lambda.length >= 1 && lambda.length <= d,
        "a planted spectrum needs 1 to d = %d variances, got %d", d, lambda.length);
    AmmArgumentException.require(Double.isFinite(sigma) && sigma >= 0, "noise must be finite and >= 0, got %s", sigma);
    for (int j = 0; j < lambda.length; j++) {
      AmmArgumentException.require(lambda[j] > 0 && Double.isFinite(lambda[j])
          && (j == 0 || lambda[j] <= lambda[j - 1]), "planted variances must be positive and non-increasing");
    }
    this.d = d;
    this.r = lambda.length;
    this.sigma = sigma;
    this.factors = CounterRng.streamKey(seed, Streams.PLANTED_FACTORS);
    this.noiseKey = CounterRng.streamKey(seed, Streams.PLANTED_NOISE);
    long directions = CounterRng.streamKey(seed, Streams.PLANTED_DIRECTIONS);
    double[] g = new double[d * r];
    for (int i = 0; i < g.length; i++) {
      g[i] = CounterRng.gaussian(directions, i);
    }
    double[] v = Lapack.qr(g, d, r).q;
    for (int j = 0; j < r; j++) {
      double s = Math.sqrt(lambda[j]);
      for (int i = 0; i < d; i++) {
        v[i + j * d] *= s;
      }
    }
    this.scaledV = v;
  }

  /** {@link #DEFAULT_SPECTRUM} with {@link #DEFAULT_NOISE} in d >= 10 dimensions. */
  public static PlantedSpectrum standard(long seed, int d) {
    AmmArgumentException.require(d >= DEFAULT_SPECTRUM.length, "the planted data needs at least %d columns, got %d",
        DEFAULT_SPECTRUM.length, d);
    return new PlantedSpectrum(seed, d, DEFAULT_SPECTRUM, DEFAULT_NOISE);
  }

  public int dim() {
    return d;
  }

  /** The planted directions V (d x r, column-major, orthonormal columns). */
  public double[] directions() {
    double[] v = scaledV.clone();
    for (int j = 0; j < r; j++) {
      double norm = 0;
      for (int i = 0; i < d; i++) {
        norm += v[i + j * d] * v[i + j * d];
      }
      double s = 1 / Math.sqrt(norm);
      for (int i = 0; i < d; i++) {
        v[i + j * d] *= s;
      }
    }
    return v;
  }

  /** Row {@code i} (0-based). */
  public double[] row(long i) {
    double[] x = new double[d];
    for (int t = 0; t < d; t++) {
      x[t] = sigma * CounterRng.gaussian(noiseKey, i * d + t);
    }
    for (int j = 0; j < r; j++) {
      double g = CounterRng.gaussian(factors, i * r + j);
      for (int t = 0; t < d; t++) {
        x[t] += g * scaledV[t + j * d];
      }
    }
    return x;
  }
}
