package org.sparkamm.ml;

import java.util.Map;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructType;
import org.sparkamm.error.AmmArgumentException;

/**
 * Canonical correlation analysis from approximate covariances: a Spark ML {@code Estimator} over two
 * vector columns x (dimension p) and y (dimension q) of the same rows, fitting an {@link AmmCCAModel}
 * with the canonical correlations and directions.
 *
 * <pre>{@code
 * AmmCCAModel model = new AmmCCA().setXCol("x").setYCol("y").setK(5).setRegularization(1e-3)
 *     .setAlgo("countSketch").setSketchSize(4000).fit(df);
 * double[] rho = model.correlations().toArray();
 * Dataset<Row> variates = model.transform(df);      // xVariates = Wx^T x, yVariates = Wy^T y
 * }</pre>
 *
 * <p><b>Math.</b> The rows z_i = [x_i; y_i] are centered and their covariance
 * S = [[Sxx, Sxy], [Sxy^T, Syy]] = Zc^T Zc / (n - 1) computed by the algorithm {@code algo} with sketch
 * size {@code sketchSize}, symmetrized: one product, so Sxx, Syy and Sxy share one sketch (LibAMM
 * computes three products with the seed reset before each: the same sketch, three times the passes).
 * Then, with r = {@code regularization}, Cholesky whitening Sxx + rI = Lx Lx^T, Syy + rI = Ly Ly^T
 * and the SVD Lx^-1 Sxy Ly^-T = U diag(rho) V^T, whose singular values are those of
 * Sxx^-1/2 Sxy Syy^-1/2: the canonical correlations rho_1..rho_k ({@code correlations}, clamped to
 * [0, 1] as LibAMM does) and directions Wx = Lx^-T U_k (p x k), Wy = Ly^-T V_k (q x k), for which the
 * variates Wx^T x and Wy^T y have unit variance and correlation diag(rho) (exactly so for
 * {@code mm} and r = 0). See {@link CanonicalCorrelation} for the steps. With {@code center = false}
 * S is the second moment Z^T Z / n, as in LibAMM's CCA.
 *
 * <p><b>Guarantee.</b> To first order in the errors E of S's blocks (for the unbiased sketches
 * E||E||_F^2 = {@code expectedSquaredError} of the centered rows of Z, divided by (n - 1)^2), with
 * lambda_x = lambda_min(Sxx + rI) and kappa_x its condition number (likewise y):
 * |rho~_i - rho_i| &lt;= ||E_xy||_F / sqrt(lambda_x lambda_y) + sqrt(kappa_x) ||E_xx||_F / (2 lambda_x)
 * + sqrt(kappa_y) ||E_yy||_F / (2 lambda_y). Ill-conditioned covariances amplify the product's error;
 * regularization bounds lambda_x, lambda_y below by r. A covariance that is not positive definite
 * (collinear columns, or an approximation that lost rank) is a one-line error asking for r &gt; 0.
 *
 * <p><b>Cost.</b> One pass for the means (each task ships p + q + 1 doubles); then the row-aligned
 * product Z^T Z of the algorithm on the stacked, centered rows (dense, p + q doubles per row; for
 * linear sketches one pass, no shuffle of rows, each task ships two l x (p+q) partial sketches; for
 * {@code mm} a join shuffling 2 n (p+q) doubles and O(n (p+q)^2) flops); on the driver O((p+q)^2 l) for
 * the reduced product and O((p+q)^3) for Cholesky, triangular solves and SVD, (p+q)^2 doubles.
 * Transform: O((p + q) k) per row, no shuffle.
 */
public final class AmmCCA extends AmmEstimator<AmmCCAModel, AmmCCA> implements CcaColumns {
  private static final long serialVersionUID = 1L;
  static final String K_DOC = "number of canonical pairs, 1 <= k <= min(p, q) (no default)";

  private final Param<String> xCol;
  private final Param<String> yCol;
  private final Param<String> xOutputCol;
  private final Param<String> yOutputCol;
  private final DoubleParam regularization;

  public AmmCCA() {
    this(Identifiable.randomUID("ammCca"));
  }

  public AmmCCA(String uid) {
    super(uid, K_DOC);
    xCol = column(this, "xCol");
    yCol = column(this, "yCol");
    xOutputCol = column(this, "xOutputCol");
    yOutputCol = column(this, "yOutputCol");
    regularization = SharedParams.regularization(this);
    setDefault(xCol, "x");
    setDefault(yCol, "y");
    setDefault(xOutputCol, "xVariates");
    setDefault(yOutputCol, "yVariates");
    setDefault(regularization, 0.0);
  }

  /** The column parameters, shared with the model. */
  static Param<String> column(Identifiable owner, String name) {
    String doc = Map.of("xCol", "vector column x (Spark ML or mllib vectors)",
        "yCol", "vector column y, the same rows as x",
        "xOutputCol", "output column of the canonical variates Wx^T x",
        "yOutputCol", "output column of the canonical variates Wy^T y").get(name);
    return SharedParams.column(owner, name, doc);
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

  public AmmCCA setXCol(String value) {
    set(xCol, value);
    return this;
  }

  public AmmCCA setYCol(String value) {
    set(yCol, value);
    return this;
  }

  public AmmCCA setXOutputCol(String value) {
    set(xOutputCol, value);
    return this;
  }

  public AmmCCA setYOutputCol(String value) {
    set(yOutputCol, value);
    return this;
  }

  public AmmCCA setRegularization(double value) {
    set(regularization, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return AmmCCAModel.outputSchema(schema, getXCol(), getYCol(), getXOutputCol(), getYOutputCol(), getK());
  }

  @Override
  String[] inputColumns() {
    return new String[] {getXCol(), getYCol()};
  }

  @Override
  void checkDimensions(ColumnMoments moments) {
    int p = moments.dim(0);
    int q = moments.dim(1);
    AmmArgumentException.require(getK() <= Math.min(p, q),
        "k = %d exceeds min(p, q) = %d: column '%s' has dimension %d, column '%s' has dimension %d",
        getK(), Math.min(p, q), getXCol(), p, getYCol(), q);
  }

  @Override
  AmmCCAModel model(double[] covariance, ColumnMoments moments) {
    int p = moments.dim(0);
    int q = moments.dim(1);
    CanonicalCorrelation cca = CanonicalCorrelation.of(covariance, p, q, getRegularization(), getK(), getXCol(),
        getYCol());
    return new AmmCCAModel(uid(), new DenseVector(cca.correlations), new DenseMatrix(p, getK(), cca.xDirections),
        new DenseMatrix(q, getK(), cca.yDirections));
  }

  /** Reads an estimator saved with {@code write().save(path)}. */
  public static MLReader<AmmCCA> read() {
    return new DefaultParamsReadable<AmmCCA>() {}.read();
  }

  public static AmmCCA load(String path) {
    return read().load(path);
  }
}
