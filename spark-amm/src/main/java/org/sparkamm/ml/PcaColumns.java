package org.sparkamm.ml;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/** The columns {@link AmmPCA} and {@link AmmPCAModel} read and write, with their getters. */
public interface PcaColumns extends Params {
  Param<String> inputCol();

  Param<String> outputCol();

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  default String getOutputCol() {
    return getOrDefault(outputCol());
  }
}
