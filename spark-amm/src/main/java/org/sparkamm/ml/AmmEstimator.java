package org.sparkamm.ml;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.sparkamm.Amm;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;

/**
 * What {@link AmmPCA} and {@link AmmCCA} share: the parameters of the approximate product
 * ({@code k}, {@code algo}, {@code sketchSize}, {@code seed}, {@code center}, {@code useCuda}) and
 * the fit, which reads the input columns, computes their moments in one pass ({@link ColumnMoments}), the
 * approximate covariance of the stacked columns ({@link ApproximateCovariance}), and hands it to the
 * subclass's local solve.
 *
 * <p>When the input is not cached, fit caches the selected columns (MEMORY_AND_DISK) for its passes
 * and unpersists them on every path, as Spark's own estimators do; a cached input is read as it is.
 *
 * @param <M> the model
 * @param <E> the estimator itself (setters return it)
 */
public abstract class AmmEstimator<M extends AmmModel<M>, E extends AmmEstimator<M, E>> extends Estimator<M>
    implements DefaultParamsWritable, FitParams {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final IntParam k;
  private final Param<String> algo;
  private final IntParam sketchSize;
  private final LongParam seed;
  private final BooleanParam center;
  private final BooleanParam useCuda;

  AmmEstimator(String uid, String kDoc) {
    this.uid = uid;
    this.k = SharedParams.k(this, kDoc);
    this.algo = SharedParams.algo(this);
    this.sketchSize = SharedParams.sketchSize(this);
    this.seed = SharedParams.seed(this);
    this.center = SharedParams.center(this);
    this.useCuda = SharedParams.useCuda(this);
    setDefault(algo, SharedParams.DEFAULT_ALGO);
    setDefault(sketchSize, SharedParams.DEFAULT_SKETCH_SIZE);
    setDefault(seed, Amm.DEFAULT_SEED);
    setDefault(center, true);
    setDefault(useCuda, false);
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

  public BooleanParam useCuda() {
    return useCuda;
  }

  /** k; a one-line error while it is unset (it has no default). */
  @Override
  public int getK() {
    AmmArgumentException.require(isDefined(k), "k is not set: %s", k.doc());
    return (Integer) getOrDefault(k);
  }

  public boolean getUseCuda() {
    return (Boolean) getOrDefault(useCuda);
  }

  public E setK(int value) {
    return self(set(k, value));
  }

  public E setAlgo(String value) {
    return self(set(algo, value));
  }

  public E setSketchSize(int value) {
    return self(set(sketchSize, value));
  }

  public E setSeed(long value) {
    return self(set(seed, value));
  }

  public E setCenter(boolean value) {
    return self(set(center, value));
  }

  public E setUseCuda(boolean value) {
    return self(set(useCuda, value));
  }

  @SuppressWarnings("unchecked")
  private E self(Object ignored) {
    return (E) this;
  }

  @Override
  public E copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The input vector columns, in the order the covariance stacks them. */
  abstract String[] inputColumns();

  /** Checks k and the column sizes before the product (one-line errors). */
  abstract void checkDimensions(ColumnMoments moments);

  /** The model from the covariance of the stacked columns (column-major, symmetric). */
  abstract M model(double[] covariance, ColumnMoments moments);

  @Override
  public M fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    String[] names = inputColumns();
    Column[] cols = new Column[names.length];
    for (int c = 0; c < names.length; c++) {
      cols[c] = functions.col(names[c]);
    }
    Dataset<Row> rows = dataset.select(cols);
    boolean cache = dataset.storageLevel().equals(StorageLevel.NONE());
    if (cache) {
      rows.persist(StorageLevel.MEMORY_AND_DISK());
    }
    try {
      ColumnMoments moments = ColumnMoments.of(rows, names);
      AmmArgumentException.require(moments.count() >= 2, "%s needs at least 2 rows, got %d", getClass().getSimpleName(),
          moments.count());
      checkDimensions(moments);
      Amm amm = Amm.create(getAlgo())
          .setConfig(new AmmConfig().edit(Amm.USE_CUDA_KEY, getUseCuda() ? 1L : 0L)).setSeed(getSeed());
      M model = model(ApproximateCovariance.of(rows, moments, getCenter(), amm, getSketchSize()), moments);
      return copyValues(model, ParamMap.empty()).setParent(this);
    } finally {
      if (cache) {
        rows.unpersist(false);
      }
    }
  }
}
