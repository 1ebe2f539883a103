package org.sparkamm.loader;

import org.sparkamm.random.ElementStream;

/**
 * Zipf's law on {1, ..., n}: P(k) proportional to k^-alpha, alpha &ge; 0 (alpha = 0 is uniform; larger
 * alpha is more skewed, the opposite of LibAMM's header comment). Rejection-inversion of Hörmann and
 * Derflinger (1996), "Rejection-inversion to generate variates from monotone discrete
 * distributions": O(1) expected time and no table, whatever n.
 */
public final class ZipfSampler implements Sampler {
  private static final long serialVersionUID = 1L;
  private final long n;
  private final double alpha;
  private final double hX1;
  private final double hN;
  private final double s;

  public ZipfSampler(long n, double alpha) {
    this.n = n;
    this.alpha = alpha;
    this.hX1 = bigH(1.5) - 1.0;
    this.hN = bigH(n + 0.5);
    this.s = 2.0 - bigHInverse(bigH(2.5) - h(2.0));
  }

  @Override
  public double sample(ElementStream r) {
    if (alpha == 0) {
      return 1 + (long) (r.nextDouble() * n);
    }
    while (true) {
      double u = hN + r.nextDouble() * (hX1 - hN);
      double x = bigHInverse(u);
      long k = Math.max(1, Math.min(n, Math.round(x)));
      if (k - x <= s || u >= bigH(k + 0.5) - h(k)) {
        return k;
      }
    }
  }

  private double h(double x) {
    return Math.exp(-alpha * Math.log(x));
  }

  /** H(x) = integral of h: (x^(1 - alpha) - 1) / (1 - alpha), log x at alpha = 1. */
  private double bigH(double x) {
    double logX = Math.log(x);
    return helper2((1.0 - alpha) * logX) * logX;
  }

  private double bigHInverse(double y) {
    double t = Math.max(-1.0, y * (1.0 - alpha));
    return Math.exp(helper1(t) * y);
  }

  /** log(1 + x) / x, continuous at 0. */
  private static double helper1(double x) {
    return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }

  /** (exp(x) - 1) / x, continuous at 0. */
  private static double helper2(double x) {
    return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
  }
}
