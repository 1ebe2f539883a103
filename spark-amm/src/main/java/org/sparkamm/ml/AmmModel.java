package org.sparkamm.ml;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What {@link AmmPCAModel} and {@link AmmCCAModel} share: the estimator's parameters, kept as the
 * record of how the model was fit ({@code k}, {@code algo}, {@code sketchSize}, {@code seed},
 * {@code center}), and persistence ({@link ModelFiles}): Spark's parameter metadata plus the model's
 * matrices and vectors in one Parquet row, read back bit for bit.
 *
 * @param <M> the model itself
 */
public abstract class AmmModel<M extends AmmModel<M>> extends Model<M> implements MLWritable, FitParams {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final IntParam k;
  private final Param<String> algo;
  private final IntParam sketchSize;
  private final LongParam seed;
  private final BooleanParam center;

  AmmModel(String uid, String kDoc) {
    this.uid = uid;
    this.k = SharedParams.k(this, kDoc);
    this.algo = SharedParams.algo(this);
    this.sketchSize = SharedParams.sketchSize(this);
    this.seed = SharedParams.seed(this);
    this.center = SharedParams.center(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  public IntParam k() {
    return k;
  }

  public Param<String> algo() {
    return algo;
  }

  public IntParam sketchSize() {
    return sketchSize;
  }

  public LongParam seed() {
    return seed;
  }

  public BooleanParam center() {
    return center;
  }

  /** The schema of the model's data row (matrices and vectors). */
  abstract StructType dataSchema();

  /** The model's data, one row of {@link #dataSchema()}. */
  abstract Row dataRow();

  @Override
  public MLWriter write() {
    return new ModelFiles.Writer(this);
  }
}
