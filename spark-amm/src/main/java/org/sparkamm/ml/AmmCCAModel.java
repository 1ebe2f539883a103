package org.sparkamm.ml;

import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.sparkamm.error.AmmArgumentException;

/**
 * The canonical correlations and directions fitted by {@link AmmCCA}: {@link #correlations()}
 * (rho_1 &gt;= ... &gt;= rho_k in [0, 1]), {@link #xDirections()} Wx (p x k) and {@link #yDirections()}
 * Wy (q x k). {@link #transform} adds {@code xOutputCol} = Wx^T x and {@code yOutputCol} = Wy^T y
 * (the canonical variates, not centered, like MLlib's PCAModel), O((p + q) k) per row, no shuffle.
 * LibAMM's CCA error, max_i |rho_i - rho_i^exact|, compares {@link #correlations()} of two models
 * (one fit with {@code algo = mm}). Saved and loaded bit for bit (see {@link ModelFiles}).
 */
public final class AmmCCAModel extends AmmModel<AmmCCAModel> implements CcaColumns {
  private static final long serialVersionUID = 1L;

  private final Param<String> xCol;
  private final Param<String> yCol;
  private final Param<String> xOutputCol;
  private final Param<String> yOutputCol;
  private final DoubleParam regularization;
  private final DenseVector correlations;
  private final DenseMatrix xDirections;
  private final DenseMatrix yDirections;

  AmmCCAModel(String uid, DenseVector correlations, DenseMatrix xDirections, DenseMatrix yDirections) {
    super(uid, AmmCCA.K_DOC);
    xCol = AmmCCA.column(this, "xCol");
    yCol = AmmCCA.column(this, "yCol");
    xOutputCol = AmmCCA.column(this, "xOutputCol");
    yOutputCol = AmmCCA.column(this, "yOutputCol");
    regularization = SharedParams.regularization(this);
    this.correlations = correlations;
    this.xDirections = xDirections;
    this.yDirections = yDirections;
  }

  /** The canonical correlations, descending. */
  public DenseVector correlations() {
    return correlations;
  }

  /** Wx, p x k: column i maps x to its i-th canonical variate. */
  public DenseMatrix xDirections() {
    return xDirections;
  }

  /** Wy, q x k: column i maps y to its i-th canonical variate. */
  public DenseMatrix yDirections() {
    return yDirections;
  }

  public Param<String> xCol() {
    return xCol;
  }

  public Param<String> yCol() {
    return yCol;
  }

  public Param<String> xOutputCol() {
    return xOutputCol;
  }

  public Param<String> yOutputCol() {
    return yOutputCol;
  }

  public DoubleParam regularization() {
    return regularization;
  }

  public AmmCCAModel setXCol(String value) {
    set(xCol, value);
    return this;
  }

  public AmmCCAModel setYCol(String value) {
    set(yCol, value);
    return this;
  }

  public AmmCCAModel setXOutputCol(String value) {
    set(xOutputCol, value);
    return this;
  }

  public AmmCCAModel setYOutputCol(String value) {
    set(yOutputCol, value);
    return this;
  }

  /** Checks both inputs and appends both outputs (k entries each); shared with the estimator. */
  static StructType outputSchema(StructType schema, String x, String y, String xOut, String yOut, int k) {
    VectorColumns.requireVector(schema, x);
    VectorColumns.requireVector(schema, y);
    AmmArgumentException.require(!xOut.equals(yOut), "xOutputCol and yOutputCol are both '%s'", xOut);
    return VectorColumns.append(VectorColumns.append(schema, xOut, k), yOut, k);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return outputSchema(schema, getXCol(), getYCol(), getXOutputCol(), getYOutputCol(), correlations.size());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    return dataset.select(functions.col("*"), VectorColumns.project(getXCol(), xDirections, getXOutputCol(), out),
        VectorColumns.project(getYCol(), yDirections, getYOutputCol(), out));
  }

  @Override
  public AmmCCAModel copy(ParamMap extra) {
    return copyValues(new AmmCCAModel(uid(), correlations, xDirections, yDirections), extra).setParent(parent());
  }

  @Override
  StructType dataSchema() {
    return new StructType().add("correlations", SQLDataTypes.VectorType())
        .add("xDirections", SQLDataTypes.MatrixType()).add("yDirections", SQLDataTypes.MatrixType());
  }

  @Override
  Row dataRow() {
    return RowFactory.create(correlations, xDirections, yDirections);
  }

  /** Reads a model saved with {@code write().save(path)}. */
  public static MLReader<AmmCCAModel> read() {
    return new ModelFiles.Reader<>(AmmCCAModel.class, (uid, row) -> new AmmCCAModel(uid, row.getAs("correlations"),
        row.getAs("xDirections"), row.getAs("yDirections")));
  }

  public static AmmCCAModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "AmmCCAModel: uid=" + uid() + ", k=" + correlations.size() + ", p=" + xDirections.numRows() + ", q="
        + yDirections.numRows() + ", algo=" + getAlgo();
  }
}
