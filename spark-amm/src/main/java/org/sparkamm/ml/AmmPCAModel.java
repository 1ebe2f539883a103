package org.sparkamm.ml;

import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * The principal components fitted by {@link AmmPCA}: {@link #pc()} (d x k, orthonormal columns),
 * {@link #explainedVariance()} (lambda_i / trace of the covariance) and {@link #variances()}
 * (lambda_i). {@link #transform} adds {@code outputCol} = pc^T x for each input vector x, as MLlib's
 * {@code PCAModel} does (no centering), O(d k) per row, no shuffle.
 *
 * <p>For LibAMM's PCA error, ||(A^T A - A_k^T A_k)/n||_2 / ||A^T A / n||_2 with A_k = A pc pc^T, fit
 * with {@code center = false}; the correlations of CCA are in {@link AmmCCAModel}. Saved and loaded
 * with {@link #write()} / {@link #load(String)} bit for bit (see {@link ModelFiles}).
 */
public final class AmmPCAModel extends AmmModel<AmmPCAModel> implements PcaColumns {
  private static final long serialVersionUID = 1L;

  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final DenseMatrix pc;
  private final DenseVector explainedVariance;
  private final DenseVector variances;

  AmmPCAModel(String uid, DenseMatrix pc, DenseVector explainedVariance, DenseVector variances) {
    super(uid, AmmPCA.K_DOC);
    inputCol = AmmPCA.column(this, "inputCol");
    outputCol = AmmPCA.column(this, "outputCol");
    this.pc = pc;
    this.explainedVariance = explainedVariance;
    this.variances = variances;
  }

  /** The principal components, one per column, d x k. */
  public DenseMatrix pc() {
    return pc;
  }

  /** lambda_i / trace(S) for the k components, as MLlib's PCAModel reports it. */
  public DenseVector explainedVariance() {
    return explainedVariance;
  }

  /** lambda_i, the (approximate) variance along each component. */
  public DenseVector variances() {
    return variances;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public AmmPCAModel setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public AmmPCAModel setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    VectorColumns.requireVector(schema, getInputCol());
    return VectorColumns.append(schema, getOutputCol(), pc.numCols());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    return dataset.select(functions.col("*"), VectorColumns.project(getInputCol(), pc, getOutputCol(), out));
  }

  @Override
  public AmmPCAModel copy(ParamMap extra) {
    return copyValues(new AmmPCAModel(uid(), pc, explainedVariance, variances), extra).setParent(parent());
  }

  @Override
  StructType dataSchema() {
    return new StructType().add("pc", SQLDataTypes.MatrixType()).add("explainedVariance", SQLDataTypes.VectorType())
        .add("variances", SQLDataTypes.VectorType());
  }

  @Override
  Row dataRow() {
    return RowFactory.create(pc, explainedVariance, variances);
  }

  /** Reads a model saved with {@code write().save(path)}. */
  public static MLReader<AmmPCAModel> read() {
    return new ModelFiles.Reader<>(AmmPCAModel.class, (uid, row) -> new AmmPCAModel(uid, row.getAs("pc"),
        row.getAs("explainedVariance"), row.getAs("variances")));
  }

  public static AmmPCAModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "AmmPCAModel: uid=" + uid() + ", k=" + pc.numCols() + ", d=" + pc.numRows() + ", algo=" + getAlgo();
  }
}
