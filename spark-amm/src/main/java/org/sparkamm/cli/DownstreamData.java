package org.sparkamm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.Idx;
import org.sparkamm.loader.MatrixLoaders;
import org.sparkamm.loader.PlantedSpectrum;

/**
 * The inputs of the downstream experiments ({@code pca}, {@code cca}) as a cached DataFrame of
 * vector columns, one row per sample in the data's order (a row's position is its inner index in
 * the approximate products): for PCA a column {@code features}, for CCA two columns {@code x} and
 * {@code y}. Materialized once, before anything is timed; {@link #close} unpersists it.
 *
 * <ul>
 *   <li>MNIST images: the 60,000 training images, 784 pixels scaled to [0, 1] (what a user's PCA
 *       reads); the estimators center them.
 *   <li>MNIST halves: LibAMM's {@code MNIST} loader, x = columns 0-13 and y = columns 14-27 of each
 *       image (392 pixels each), each pixel standardized, (v - mean) / (std + 1e-7).
 *   <li>Planted: {@link PlantedSpectrum#standard} rows, generated on the executors; for CCA x is the
 *       first floor(d/2) coordinates, y the rest.
 * </ul>
 */
final class DownstreamData implements AutoCloseable {
  /** The options of the downstream experiments beyond {@link ExperimentContext#OPTIONS}. */
  static final java.util.Set<String> OPTIONS = java.util.Set.of("data", "mnist");
  /** The data sets {@code --data} names, in the order they run. */
  static final List<String> DATA_SETS = List.of("mnist", "planted");
  /** Where {@code data/fetch-mnist.sh} puts the training images. */
  static final String MNIST_FILE = "data/mnist/train-images-idx3-ubyte";

  final String name;
  final long rows;
  /** The dimensions of the vector columns, in order. */
  final int[] dims;
  final Dataset<Row> frame;

  private DownstreamData(String name, long rows, int[] dims, Dataset<Row> frame) {
    this.name = name;
    this.rows = rows;
    this.dims = dims;
    this.frame = frame;
  }

  /** "MNIST 60,000 x 784" and the like. */
  String shape() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s, %,d x ", name, rows));
    for (int c = 0; c < dims.length; c++) {
      sb.append(c == 0 ? "" : " + ").append(dims[c]);
    }
    return sb.toString();
  }

  /**
   * Checks the options a downstream experiment does not read, before any work: the estimators run
   * on Spark only and take no algorithm configuration, so {@code --engine local}, {@code --set},
   * {@code --config}, {@code --block-size} and {@code --mid-splits} are one-line errors. Returns
   * the data sets of {@code --data} (default both), in the order given.
   */
  static List<String> check(ExperimentContext ctx) {
    String command = "experiment " + ctx.name;
    AmmArgumentException.require(ctx.engines.equals(List.of("spark")), "%s: runs the Spark ML estimators (AmmPCA,"
        + " AmmCCA), on Spark only: drop --engine local (a local[*] session is the default; --master to change it)",
        command);
    for (String option : new String[] {"set", "config", "block-size", "mid-splits"}) {
      AmmArgumentException.require(ctx.option(option) == null, "%s: --%s is not read by the estimators (they take"
          + " no config keys, block sizes or splits)", command, option);
    }
    List<String> chosen = new ArrayList<>();
    String value = ctx.option("data");
    for (String d : value == null ? DATA_SETS : List.of(value.split(","))) {
      String name = d.strip().toLowerCase(Locale.ROOT);
      AmmArgumentException.require(DATA_SETS.contains(name), "%s: --data must list %s, got '%s'", command,
          String.join(" and/or ", DATA_SETS), value);
      AmmArgumentException.require(!chosen.contains(name), "%s: --data names %s twice", command, name);
      chosen.add(name);
    }
    return chosen;
  }

  /** {@code --partitions}, or twice the session's default parallelism. */
  static int partitions(ExperimentContext ctx, SparkSession spark) {
    String v = ctx.option("partitions");
    int parts = v == null ? 2 * spark.sparkContext().defaultParallelism() : Args.parseInts("partitions", v)[0];
    AmmArgumentException.require(parts >= 1, "--partitions must be at least 1, got %d", parts);
    return parts;
  }

  /** The MNIST file, checked to exist before any work starts: a one-line error naming the fetch script. */
  static Path mnistFile(String command, String option) {
    Path file = Path.of(option == null ? MNIST_FILE : option);
    AmmArgumentException.require(Files.isRegularFile(file), "%s: MNIST not found at %s: run data/fetch-mnist.sh"
        + " (or give --mnist FILE, or --data planted)", command, file);
    return file;
  }

  /** The MNIST training images, pixels / 255, in column {@code features}. */
  static DownstreamData mnistImages(SparkSession spark, Path file, int partitions) {
    DenseMatrix images = Idx.read(file);
    int n = images.numRows();
    int d = images.numCols();
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      double[] x = new double[d];
      for (int j = 0; j < d; j++) {
        x[j] = images.apply(i, j) / 255.0;
      }
      rows.add(RowFactory.create(Vectors.dense(x)));
    }
    return cached("MNIST images", n, new int[] {d}, spark, jsc(spark).parallelize(rows, partitions),
        new String[] {"features"});
  }

  /** LibAMM's MNIST halves (its {@code MNIST} loader), in columns {@code x} and {@code y}. */
  static DownstreamData mnistHalves(SparkSession spark, Path file, int partitions) {
    var loader = MatrixLoaders.create("MNIST").setConfig(new AmmConfig().edit("filePath", file.toString()));
    DenseMatrix a = loader.getA(); // 392 x n: column i is image i's left half
    DenseMatrix b = loader.getB();
    int n = a.numCols();
    int p = a.numRows();
    int q = b.numRows();
    List<Row> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) { // by apply: the loader's A and B are transposed views of n x 392 arrays
      double[] x = new double[p];
      double[] y = new double[q];
      for (int j = 0; j < p; j++) {
        x[j] = a.apply(j, i);
      }
      for (int j = 0; j < q; j++) {
        y[j] = b.apply(j, i);
      }
      rows.add(RowFactory.create(Vectors.dense(x), Vectors.dense(y)));
    }
    return cached("MNIST halves", n, new int[] {p, q}, spark, jsc(spark).parallelize(rows, partitions),
        new String[] {"x", "y"});
  }

  /**
   * {@code n} planted-spectrum rows of dimension {@code d}, generated where they are used: one
   * column {@code features}, or ({@code split}) x = the first floor(d/2) coordinates and y the rest.
   */
  static DownstreamData planted(SparkSession spark, long seed, long n, int d, boolean split, int partitions) {
    PlantedSpectrum gen = PlantedSpectrum.standard(seed, d);
    int p = d / 2;
    JavaRDD<Row> rows = spark.range(0, n, 1, partitions).javaRDD().map(i -> {
      double[] z = gen.row(i);
      return split ? RowFactory.create(Vectors.dense(java.util.Arrays.copyOfRange(z, 0, p)),
          Vectors.dense(java.util.Arrays.copyOfRange(z, p, z.length)))
          : RowFactory.create(Vectors.dense(z));
    });
    return cached("planted", n, split ? new int[] {p, d - p} : new int[] {d}, spark, rows,
        split ? new String[] {"x", "y"} : new String[] {"features"});
  }

  private static DownstreamData cached(String name, long n, int[] dims, SparkSession spark, JavaRDD<Row> rows,
      String[] columns) {
    StructType schema = new StructType();
    for (String c : columns) {
      schema = schema.add(c, SQLDataTypes.VectorType(), false);
    }
    Dataset<Row> frame = spark.createDataFrame(rows, schema).persist(StorageLevel.MEMORY_AND_DISK());
    boolean counted = false;
    try {
      frame.count();
      counted = true;
    } finally {
      if (!counted) {
        frame.unpersist(false);
      }
    }
    return new DownstreamData(name, n, dims, frame);
  }

  private static JavaSparkContext jsc(SparkSession spark) {
    return JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  @Override
  public void close() {
    frame.unpersist(false);
  }
}
