package org.sparkamm.loader;

import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.config.AmmConfig;

/**
 * LibAMM's matrix loader: configured once (which generates or reads the data), then asked for A
 * and B. Create one with {@link MatrixLoaders#create(String)}.
 */
public interface MatrixLoader {
  /** LibAMM's tag. */
  String tag();

  /** Reads the configuration and generates or loads A and B. */
  MatrixLoader setConfig(AmmConfig cfg);

  DenseMatrix getA();

  DenseMatrix getB();
}
