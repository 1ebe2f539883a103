package org.sparkamm.ml;

import java.util.Map;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructType;
import org.sparkamm.error.AmmArgumentException;

/**
 * Principal component analysis from an approximate covariance: a Spark ML {@code Estimator} over a
 * vector column, fitting an {@link AmmPCAModel} that projects like MLlib's {@code PCAModel}.
 *
 * <pre>{@code
 * AmmPCAModel model = new AmmPCA().setInputCol("features").setOutputCol("pca").setK(10)
 *     .setAlgo("countSketch").setSketchSize(2000).fit(df);
 * Dataset<Row> projected = model.transform(df);     // pca = pc^T features
 * }</pre>
 *
 * <p><b>Math.</b> With rows x_i (i = 1..n, dimension d) and mean mu, the covariance is
 * C = (X - 1 mu^T)^T (X - 1 mu^T) / (n - 1); fit replaces it by S, the same product computed by the
 * algorithm {@code algo} with sketch size {@code sketchSize} over the explicitly centered rows (see
 * {@link ApproximateCovariance} for why centering comes first), symmetrized. The principal components
 * are S's eigenvectors v_1..v_k for its k largest eigenvalues lambda_1 &gt;= ... &gt;= lambda_k
 * ({@code pc}, d x k), {@code explainedVariance}_i = lambda_i / trace(S) and {@code variances}_i =
 * lambda_i. With {@code center = false}, S approximates X^T X / n (LibAMM's PCA). With {@code algo = mm}
 * the result is MLlib's {@code PCA} up to rounding and the signs of the components (fixed here: each
 * component's largest-magnitude entry is positive).
 *
 * <p><b>Guarantee.</b> Let E = S - C. Davis-Kahan (Yu-Wang-Samworth form): the principal subspaces
 * V~ of S and V of C satisfy ||sin Theta(V~, V)||_F &lt;= 2 min(sqrt(k) ||E||_2, ||E||_F) / (lambda_k(C)
 * - lambda_{k+1}(C)), i.e. ||V~V~^T - VV^T||_F &lt;= 2 sqrt(2) ||E||_F / gap. For the unbiased sketches,
 * E||E||_F^2 = {@code algorithm.expectedSquaredError(norms of the centered rows, ||Xc^T Xc||_F^2, l)}
 * / (n - 1)^2: the subspace error falls as 1/sqrt(l) and grows as the eigengap shrinks.
 *
 * <p><b>Cost.</b> One pass for the means (each task ships d + 1 doubles); then the row-aligned product
 * X^T X of the algorithm (for linear sketches one pass over the rows, O(n d) to O(n d l) flops by
 * sketch, no shuffle of rows, each task ships two l x d partial sketches, merged by treeReduce; for
 * {@code mm} a join of the rows with themselves, shuffling 2 n d doubles, and O(n d^2) flops); then on
 * the driver O(d^2 l) for the reduced product and O(d^3) for the eigendecomposition, d^2 doubles of
 * memory. Transform: O(d k) per row, no shuffle.
 */
public final class AmmPCA extends AmmEstimator<AmmPCAModel, AmmPCA> implements PcaColumns {
  private static final long serialVersionUID = 1L;
  static final String K_DOC = "number of principal components, 1 <= k <= the vectors' dimension (no default)";

  private final Param<String> inputCol;
  private final Param<String> outputCol;

  public AmmPCA() {
    this(Identifiable.randomUID("ammPca"));
  }

  public AmmPCA(String uid) {
    super(uid, K_DOC);
    inputCol = column(this, "inputCol");
    outputCol = column(this, "outputCol");
    setDefault(inputCol, "features");
    setDefault(outputCol, "pcaFeatures");
  }

  /** The column parameters, shared with the model. */
  static Param<String> column(Identifiable owner, String name) {
    String doc = Map.of("inputCol", "input vector column (Spark ML or mllib vectors)",
        "outputCol", "output column of the projected vectors pc^T x").get(name);
    return SharedParams.column(owner, name, doc);
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public AmmPCA setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public AmmPCA setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    VectorColumns.requireVector(schema, getInputCol());
    return VectorColumns.append(schema, getOutputCol(), getK());
  }

  @Override
  String[] inputColumns() {
    return new String[] {getInputCol()};
  }

  @Override
  void checkDimensions(ColumnMoments moments) {
    AmmArgumentException.require(getK() <= moments.dim(0), "k = %d exceeds the dimension %d of column '%s'",
        getK(), moments.dim(0), getInputCol());
  }

  @Override
  AmmPCAModel model(double[] covariance, ColumnMoments moments) {
    int d = moments.dim(0);
    int k = getK();
    double trace = 0;
    for (int i = 0; i < d; i++) {
      trace += covariance[i + i * d];
    }
    AmmArgumentException.require(trace > 0, "column '%s' has no variance (the approximate covariance has trace %s)",
        getInputCol(), trace);
    PrincipalComponents pca = PrincipalComponents.of(covariance, d, k);
    return new AmmPCAModel(uid(), new DenseMatrix(d, k, pca.components), new DenseVector(pca.explainedVariance),
        new DenseVector(pca.variances));
  }

  /** Reads an estimator saved with {@code write().save(path)}. */
  public static MLReader<AmmPCA> read() {
    return new DefaultParamsReadable<AmmPCA>() {}.read();
  }

  public static AmmPCA load(String path) {
    return read().load(path);
  }
}
