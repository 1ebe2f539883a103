package org.sparkamm.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/** The columns and the regularization {@link AmmCCA} and {@link AmmCCAModel} share, with their getters. */
public interface CcaColumns extends Params {
  Param<String> xCol();

  Param<String> yCol();

  Param<String> xOutputCol();

  Param<String> yOutputCol();

  DoubleParam regularization();

  default String getXCol() {
    return getOrDefault(xCol());
  }

  default String getYCol() {
    return getOrDefault(yCol());
  }

  default String getXOutputCol() {
    return getOrDefault(xOutputCol());
  }

  default String getYOutputCol() {
    return getOrDefault(yOutputCol());
  }

  default double getRegularization() {
    return (Double) getOrDefault(regularization());
  }
}
