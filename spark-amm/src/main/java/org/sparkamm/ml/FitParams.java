package org.sparkamm.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The parameters of a fit that {@link AmmEstimator} and {@link AmmModel} share (the model keeps them
 * as the record of how it was fit), with their getters; each class owns its {@link Param} objects
 * (Spark ties a parameter to its owner's uid).
 */
public interface FitParams extends Params {
  IntParam k();

  Param<String> algo();

  IntParam sketchSize();

  LongParam seed();

  BooleanParam center();

  default int getK() {
    return (Integer) getOrDefault(k());
  }

  default String getAlgo() {
    return getOrDefault(algo());
  }

  default int getSketchSize() {
    return (Integer) getOrDefault(sketchSize());
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  default boolean getCenter() {
    return (Boolean) getOrDefault(center());
  }
}
