package org.sparkamm.random;

/**
 * Standard normal variates by the ziggurat method (Marsaglia and Tsang, "The ziggurat method for
 * generating random variables", J. Stat. Softw. 2000, with Doornik's 2005 variant that takes the
 * layer and the uniform from independent bits): 256 layers of equal area, so that 99% of draws cost
 * one 64-bit random word, a table lookup and one comparison. The rest fall in a wedge (accepted by
 * comparing the density) or in the tail beyond R (Marsaglia's exponential method). The variates
 * are exact N(0, 1), not approximations; their moments are checked in the tests.
 */
public final class Ziggurat {
  private static final int LAYERS = 256;
  private static final double R = 3.6541528853610088;
  private static final double V = 4.92867323399e-3;
  /** X[i]: right edge of layer i; X[0] is the virtual width of the base strip (area V / f(R)). */
  private static final double[] X = new double[LAYERS + 1];
  /** RATIO[i] = X[i + 1] / X[i]: below it a point of layer i lies inside the density. */
  private static final double[] RATIO = new double[LAYERS];

  static {
    double f = Math.exp(-0.5 * R * R);
    X[0] = V / f;
    X[1] = R;
    for (int i = 2; i < LAYERS; i++) {
      X[i] = Math.sqrt(-2 * Math.log(V / X[i - 1] + f));
      f = Math.exp(-0.5 * X[i] * X[i]);
    }
    X[LAYERS] = 0.0;
    for (int i = 0; i < LAYERS; i++) {
      RATIO[i] = X[i + 1] / X[i];
    }
  }

  private Ziggurat() {}

  /**
   * A copy of the 257 layer edges x_0 .. x_256 (x_0 the base strip's virtual width V / f(R), x_1 = R,
   * x_256 = 0), for a generator elsewhere that must draw the same variates (the GPU module's).
   */
  public static double[] layerEdges() {
    return X.clone();
  }

  /** A copy of the 256 acceptance ratios x_(i+1) / x_i: a point of layer i with |u| below it is inside the density. */
  public static double[] acceptRatios() {
    return RATIO.clone();
  }

  /** The next standard normal from {@code s} (which advances by one word, rarely more). */
  public static double next(ElementStream s) {
    while (true) {
      long bits = s.nextLong();
      int i = (int) (bits & (LAYERS - 1));
      double u = 2.0 * ((bits >>> 11) * 0x1.0p-53) - 1.0; // [-1, 1), independent of the layer's 8 bits
      if (Math.abs(u) < RATIO[i]) {
        return u * X[i];
      }
      if (i == 0) {
        return tail(s, u < 0);
      }
      double x = u * X[i];
      double f0 = Math.exp(-0.5 * (X[i] * X[i] - x * x));
      double f1 = Math.exp(-0.5 * (X[i + 1] * X[i + 1] - x * x));
      if (f1 + s.nextDouble() * (f0 - f1) < 1.0) {
        return x;
      }
    }
  }

  private static double tail(ElementStream s, boolean negative) {
    double x;
    double y;
    do {
      x = Math.log(s.nextPositiveDouble()) / R;
      y = Math.log(s.nextPositiveDouble());
    } while (-2 * y < x * x);
    return negative ? x - R : R - x;
  }
}
