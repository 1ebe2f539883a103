package org.sparkamm.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import org.sparkamm.Amm;
import org.sparkamm.error.AmmArgumentException;
import scala.Function1;

/**
 * The Spark ML parameters of the estimators and models in this package, made in one place: name,
 * documentation and validation. A bad value is rejected when it is set, with a one-line
 * {@link AmmArgumentException} that names the parameter and its valid range (Spark's own validators
 * would say only "given invalid value").
 */
final class SharedParams {
  /** Default of {@code algo}: CountSketch, one pass and no shuffle of rows (see {@code CountSketchProduct}). */
  static final String DEFAULT_ALGO = "countSketch";
  /** Default of {@code sketchSize}. */
  static final int DEFAULT_SKETCH_SIZE = 1024;

  private SharedParams() {}

  static IntParam k(Identifiable owner, String doc) {
    return new IntParam(owner, "k", doc, atLeast("k", 1));
  }

  static Param<String> algo(Identifiable owner) {
    return new Param<>(owner, "algo", "LibAMM tag of the algorithm that approximates the covariance "
        + "(case-insensitive; mm is exact): " + String.join(", ", Amm.tags()), knownTag());
  }

  static IntParam sketchSize(Identifiable owner) {
    return new IntParam(owner, "sketchSize", "sketch size l of the approximate product (>= 1; "
        + "see each algorithm for its meaning; ignored by mm)", atLeast("sketchSize", 1));
  }

  static LongParam seed(Identifiable owner) {
    return new LongParam(owner, "seed", "seed of the algorithm's randomness; every random choice is a "
        + "pure function of (seed, row position)");
  }

  static BooleanParam center(Identifiable owner) {
    return new BooleanParam(owner, "center", "subtract the column means before the product (covariance, "
        + "divided by n - 1); false uses the raw second moment X^T X / n, as LibAMM's PCA and CCA do");
  }

  static BooleanParam useCuda(Identifiable owner) {
    return new BooleanParam(owner, "useCuda", "LibAMM's useCuda: run the executors' local products on the "
        + "spark-amm-gpu backend where it is on the classpath and a GPU is usable, else on the CPU (one logged line)");
  }

  static DoubleParam regularization(Identifiable owner) {
    return new DoubleParam(owner, "regularization", "r >= 0 added to the diagonals of Sxx and Syy before "
        + "whitening (ridge CCA); needed when a covariance is singular", finiteAtLeastZero("regularization"));
  }

  static Param<String> column(Identifiable owner, String name, String doc) {
    return new Param<>(owner, name, doc, nonEmpty(name));
  }

  private static Function1<Object, Object> atLeast(String name, int min) {
    return v -> {
      AmmArgumentException.require((Integer) v >= min, "%s must be at least %d, got %d", name, min, v);
      return true;
    };
  }

  private static Function1<Object, Object> finiteAtLeastZero(String name) {
    return v -> {
      double x = (Double) v;
      AmmArgumentException.require(Double.isFinite(x) && x >= 0, "%s must be a finite number >= 0, got %s", name, x);
      return true;
    };
  }

  private static Function1<String, Object> knownTag() {
    return tag -> {
      Amm.create(tag); // an unknown tag is an error that lists the valid ones
      return true;
    };
  }

  private static Function1<String, Object> nonEmpty(String name) {
    return v -> {
      AmmArgumentException.require(v != null && !v.isEmpty(), "%s must name a column, got '%s'", name, v);
      return true;
    };
  }
}
