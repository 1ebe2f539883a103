package org.sparkamm.loader;

import java.io.Serializable;
import org.sparkamm.random.ElementStream;

/** A scalar distribution, sampled from one entry's {@link ElementStream}. */
@FunctionalInterface
public interface Sampler extends Serializable {
  double sample(ElementStream r);

  /** U[0, 1). */
  static Sampler uniform() {
    return ElementStream::nextDouble;
  }

  /** N(mean, sigma^2). */
  static Sampler gaussian(double mean, double sigma) {
    return r -> mean + sigma * r.nextGaussian();
  }

  /** Exponential with rate lambda, by inversion: -ln(U) / lambda. */
  static Sampler exponential(double lambda) {
    return r -> -Math.log(r.nextPositiveDouble()) / lambda;
  }

  /** Poisson(lambda) by Knuth's product of uniforms (expected lambda + 1 uniforms; for small lambda). */
  static Sampler poisson(double lambda) {
    double limit = Math.exp(-lambda);
    return r -> {
      int k = 0;
      double p = r.nextDouble();
      while (p > limit) {
        k++;
        p *= r.nextDouble();
      }
      return k;
    };
  }

  /** Binomial(trials, p) as the sum of `trials` Bernoulli(p) draws, LibAMM's definition. */
  static Sampler binomial(int trials, double p) {
    return r -> {
      int k = 0;
      for (int t = 0; t < trials; t++) {
        if (r.nextDouble() < p) {
          k++;
        }
      }
      return k;
    };
  }

  /**
   * Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b): a true Beta distribution (LibAMM's
   * |N1|^(1/a) / (|N1|^(1/a) + |N2|^(1/b)) is not one).
   */
  static Sampler beta(double a, double b) {
    return r -> {
      double x = gamma(r, a);
      double y = gamma(r, b);
      return x / (x + y);
    };
  }

  /**
   * Gamma(shape, 1) by Marsaglia and Tsang (2000), "A simple method for generating gamma
   * variables"; shape &lt; 1 through Gamma(shape + 1) U^(1/shape).
   */
  static double gamma(ElementStream r, double shape) {
    if (shape < 1) {
      return gamma(r, shape + 1) * Math.pow(r.nextPositiveDouble(), 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / Math.sqrt(9.0 * d);
    while (true) {
      double x = r.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = r.nextPositiveDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }
}
