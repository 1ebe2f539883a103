package org.sparkamm.spark;

import java.util.Collections;
import java.util.Iterator;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.DenseVector;
import org.apache.spark.mllib.linalg.SparseVector;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.algo.Timed;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.SignProbes;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.RowSketcher;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;
import org.sparkamm.sketch.SketchedBlock;

/**
 * The row-aligned product {@code X^T Y}: X (k x m) and Y (k x n) share their row index, the inner
 * dimension of the product (samples), as in covariance, cross-covariance, CCA and Gram matrices.
 *
 * <p>Sketching algorithms read each operand once, with no shuffle of rows: every task adds its rows
 * into one partial sketch {@code X^T S^T} (m x l) and {@code Y^T S^T} (n x l), row r entering through
 * the sketch's hits for index r; partial sketches are summed by {@link OrderedReduce}; the driver
 * multiplies the two and returns the local m x n result. X and Y need not be co-partitioned: the
 * sketch is linear and both sides derive the same S from the seed. Norm-weighted sampling first
 * gathers the row norms by chunk of indices (about 16 bytes per row shuffled).
 *
 * <p>The exact product ({@code mm}) must pair rows by index: it joins X and Y (a full shuffle of both)
 * and sums per-partition GEMMs of row batches (256 rows on the CPU).
 *
 * <p>Backends: the {@link BackendChoice} travels in the task closures and the partial sketches; each
 * task resolves it on its executor (scatter-adds, dense tiles, the exact product's batch GEMMs). The
 * driver's one reduced product (m x l times l x n) runs on the driver's backend for
 * {@link BackendChoice#onDriver()}.
 * <p><b>The Gram path</b> {@code X^T X} ({@link #gram}, or {@link #multiply} given the same RDD object
 * for X and Y, or the same DataFrame column twice): the estimator is the two-sided one with Y = X, so
 * one pass and one sketch suffice. A linear sketch applies the same S to both sides, so X is sketched
 * once ({@code X^T S^T}, m x l) and the reduced product is {@code (X^T S^T)(X^T S^T)^T}; a column-row
 * sample draws the same indices for both sides and its A side is B's with each column scaled by its
 * pair weight ({@link InnerSketch#sideAFactors}); the sampling norms are gathered once
 * ({@code ||x_i||^2} serves both sides). The result equals the two-sided product to rounding (the
 * same sums, possibly added in another order). Saved: one of the two passes over the rows (m doubles
 * per row read and sketched), one of the two partial sketches per task (m l doubles sent to the
 * driver) and, for sampling, one of the two gathers of row norms (16 bytes per row shuffled). The
 * exact Gram needs no join at all: each partition sums {@code X_p^T X_p} over its own rows and the
 * m x m partial sums are tree-reduced, so nothing is shuffled (the join shuffled 2 n m doubles).
 * Methods with a path of their own (entry sampling, quantization, block low rank, codebooks,
 * co-occurring directions) run their two-sided product on (X, X).
 */
public final class RowAlignedProduct {

  private RowAlignedProduct() {}


  /**
   * {@code X^T Y}; the Gram path when X and Y are the same rows: the same matrix object, or two
   * matrices over the same RDD object with the same number of columns (never for different RDDs,
   * even with equal contents: they take the two-sided path, with the same result to rounding).
   */
  public static Timed<DenseMatrix> multiply(AmmAlgorithm algo, IndexedRowMatrix x, IndexedRowMatrix y, int k, long seed,
      BackendChoice backend) {
    boolean same = x == y || (x.rows() == y.rows() && x.numCols() == y.numCols());
    return product(algo, x, same ? x : y, k, seed, same, backend);
  }

  /** The Gram matrix {@code X^T X} (m x m) with one pass and one sketch (see the class comment). */
  public static Timed<DenseMatrix> gram(AmmAlgorithm algo, IndexedRowMatrix x, int k, long seed,
      BackendChoice backend) {
    return product(algo, x, x, k, seed, true, backend);
  }

  /** {@code X^T Y}, or {@code X^T X} when {@code gram} (then y is x). */
  private static Timed<DenseMatrix> product(AmmAlgorithm algo, IndexedRowMatrix x, IndexedRowMatrix y, int k,
      long seed, boolean gram, BackendChoice backend) {
    long n = x.numRows();
    int m = Math.toIntExact(x.numCols());
    int p = Math.toIntExact(y.numCols());
    AmmArgumentException.require(n == y.numRows(),
        "row-aligned X^T Y needs the same rows: X is %dx%d, Y is %dx%d", n, m, y.numRows(), p);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(x.rows().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    if (algo.isExact()) {
      double[] c = gram ? exactGram(x, m, backend) : exact(x, y, m, p, backend);
      long fab = clock.lap();
      return new Timed<>(new DenseMatrix(m, p, c), clock.breakdown(0, 0, fab, 0));
    }
    if (algo.quantizesEntries()) { return QuantizedBlockProduct.multiplyRowAligned(algo, x, y, backend); }
    if (algo.samplesEntries()) { return EntrySampledProduct.multiplyRowAligned(algo, x, y, k, seed); }
    if (algo.factorsBlocks()) { return LowRankBlockProduct.multiplyRowAligned(algo, x, y, k, seed); }
    if (algo.needsTraining()) { return CodebookRowAligned.multiply((CodebookAlgorithm) algo, x, y); }
    if (algo.mergesSketches()) {
      return MergeableProduct.multiplyRowAligned(algo, x, y, k);
    }
    algo.checkSketchFits(k, m, p);
    SparkMasses masses = algo.needsMasses() ? gram ? gramMasses(x, n) : masses(x, y, n) : null;
    InnerSketch sketch;
    try {
      sketch = algo.sketch(n, k, seed, masses);
    } finally {
      if (masses != null) {
        masses.release();
      }
    }
    long sketchTime = clock.lap();
    Broadcast<InnerSketch> sk = jsc.broadcast(sketch);
    boolean outerNorms = algo.needsOuterNorms();
    SketchedBlock xs;
    SketchedBlock ys;
    long buildA;
    try {
      if (gram) { // one pass: B's side, A's derived from it
        ys = sketchRows(x.rows().toJavaRDD(), sk, m, Side.B, outerNorms, backend);
        xs = sideA(ys, sketch.sideAFactors());
        buildA = clock.lap();
      } else {
        xs = sketchRows(x.rows().toJavaRDD(), sk, m, Side.A, outerNorms, backend);
        buildA = clock.lap();
        ys = sketchRows(y.rows().toJavaRDD(), sk, p, Side.B, outerNorms, backend);
      }
    } finally {
      sk.destroy(); // the result is local: nothing reads the sketch after this, on any path
    }
    long buildB = clock.lap() + sketchTime;
    SignProbes probes = algo.probes(p, k, seed);
    int chosen = probes == null ? 0 : algo.choose(RepeatProbes.residuals(probes, x, y, xs, ys));
    double[] c = algo.reducedProduct(k, chosen).multiply(xs, ys, backend.onDriver().backend());
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), clock.breakdown(buildA, buildB, fab, 0));
  }

  /** A's side of a Gram sketch from B's: the same block, or its columns scaled by {@code factors}. */
  private static SketchedBlock sideA(SketchedBlock b, double[] factors) {
    if (factors == null) {
      return b;
    }
    double[] v = b.values.clone();
    for (int t = 0; t < b.width; t++) {
      for (int i = 0; i < b.rows; i++) {
        v[i + t * b.rows] *= factors[t];
      }
    }
    return new SketchedBlock(v, b.rows, b.width, b.outerNorms2);
  }

  /**
   * {@code X^T Y} for a DataFrame whose rows hold both vectors (columns of Spark ML's VectorUDT, or
   * the older mllib one). The inner index of a row is its position in the DataFrame (zipWithIndex),
   * so for a given seed the result is reproducible, to the bit, as long as the DataFrame's row order
   * and partitioning are and its partitions are grouped into the same tasks (partial sums are merged
   * in partition order, {@link OrderedReduce}; above two partitions per core Spark's coalescing
   * follows where partitions are cached, which is always the same in local mode). Rows are cached
   * for the two passes and released afterwards.
   */
  public static Timed<DenseMatrix> multiply(AmmAlgorithm algo, Dataset<Row> df, String xCol, String yCol, int k, long seed,
      BackendChoice backend) {
    if (xCol.equals(yCol)) {
      return gram(algo, df, xCol, k, seed, backend);
    }
    checkVectorColumn(df, xCol);
    checkVectorColumn(df, yCol);
    JavaPairRDD<Row, Long> indexed = df.select(xCol, yCol).javaRDD().zipWithIndex()
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      JavaRDD<IndexedRow> xs = indexed.map(e -> new IndexedRow(e._2(), mllib(e._1().get(0), xCol, e._2())));
      JavaRDD<IndexedRow> ys = indexed.map(e -> new IndexedRow(e._2(), mllib(e._1().get(1), yCol, e._2())));
      return multiply(algo, new IndexedRowMatrix(xs.rdd()), new IndexedRowMatrix(ys.rdd()), k, seed, backend);
    } finally {
      indexed.unpersist(false);
    }
  }

  /**
   * The Gram matrix {@code X^T X} of one vector column (see the class comment), rows numbered by
   * their position as in {@link #multiply(AmmAlgorithm, Dataset, String, String, int, long)}; the rows
   * are cached for the passes and released afterwards.
   */
  public static Timed<DenseMatrix> gram(AmmAlgorithm algo, Dataset<Row> df, String col, int k, long seed,
      BackendChoice backend) {
    checkVectorColumn(df, col);
    JavaPairRDD<Row, Long> indexed = df.select(col).javaRDD().zipWithIndex().persist(StorageLevel.MEMORY_AND_DISK());
    try {
      JavaRDD<IndexedRow> xs = indexed.map(e -> new IndexedRow(e._2(), mllib(e._1().get(0), col, e._2())));
      return gram(algo, new IndexedRowMatrix(xs.rdd()), k, seed, backend);
    } finally {
      indexed.unpersist(false);
    }
  }

  private static void checkVectorColumn(Dataset<Row> df, String col) {
    StructField field = null;
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(col)) {
        field = f;
      }
    }
    if (field == null) {
      throw new AmmArgumentException("no column '" + col + "' in the DataFrame; its columns: "
          + String.join(", ", df.columns()));
    }
    if (!(field.dataType() instanceof org.apache.spark.ml.linalg.VectorUDT
        || field.dataType() instanceof org.apache.spark.mllib.linalg.VectorUDT)) {
      throw new AmmArgumentException("column '" + col + "' must hold vectors, but its type is "
          + field.dataType().simpleString());
    }
  }

  private static Vector mllib(Object v, String col, long row) {
    if (v instanceof org.apache.spark.ml.linalg.Vector) {
      return org.apache.spark.mllib.linalg.Vectors.fromML((org.apache.spark.ml.linalg.Vector) v);
    }
    if (v instanceof Vector) {
      return (Vector) v;
    }
    throw new AmmArgumentException("column '" + col + "' row " + row + " holds no vector (null)");
  }

  /** The pilot's probe values for choosing a sketch size ({@code algo.SketchSizing}), where the rows lie. */
  public static double[] pilotValues(IndexedRowMatrix x, IndexedRowMatrix y, long seed) {
    return RepeatProbes.pilotValues(org.sparkamm.algo.SketchSizing.probes(seed), x, y);
  }

  /** The per-inner-index norms of the error formulas for X^T Y, cached: the caller releases them. */
  public static InnerNorms norms(IndexedRowMatrix x, IndexedRowMatrix y) {
    return masses(x, y, x.numRows());
  }

  private static SparkMasses masses(IndexedRowMatrix x, IndexedRowMatrix y, long n) {
    int parts = x.rows().getNumPartitions();
    return new SparkMasses(n, InnerChunks.gather(rowNorms(x), n, parts), InnerChunks.gather(rowNorms(y), n, parts));
  }

  /** The masses of X^T X: the row norms gathered once, serving both sides. */
  private static SparkMasses gramMasses(IndexedRowMatrix x, long n) {
    return SparkMasses.gram(n, InnerChunks.gather(rowNorms(x), n, x.rows().getNumPartitions()));
  }

  private static JavaPairRDD<Long, double[]> rowNorms(IndexedRowMatrix x) {
    return x.rows().toJavaRDD().mapToPair(r -> {
      double norm = Vectors2.normSquared(r.vector());
      return new Tuple2<>(r.index(), new double[] {norm});
    });
  }

  private static SketchedBlock sketchRows(JavaRDD<IndexedRow> rows, Broadcast<InnerSketch> sk, int dim, Side side,
      boolean outerNorms, BackendChoice backend) {
    int width = sk.value().width();
    int target = Math.max(1, 2 * JavaSparkContext.fromSparkContext(rows.context()).defaultParallelism());
    JavaRDD<IndexedRow> input = rows.getNumPartitions() > target ? rows.coalesce(target) : rows;
    JavaRDD<SketchAccumulator> partial = input.mapPartitions(it -> {
      SketchAccumulator acc = new SketchAccumulator(dim, width, backend);
      if (outerNorms) {
        acc.trackOuterNorms();
      }
      RowSketcher sketcher = new RowSketcher(acc, sk.value(), side);
      while (it.hasNext()) {
        IndexedRow row = it.next();
        Vector v = Vectors2.checked(row, dim);
        if (v instanceof DenseVector) {
          sketcher.add(row.index(), ((DenseVector) v).values());
        } else {
          SparseVector sv = (SparseVector) v;
          sketcher.add(row.index(), sv.indices(), sv.values());
        }
      }
      sketcher.flush();
      return Collections.singletonList(acc).iterator();
    });
    return OrderedReduce.reduce(partial, SketchAccumulator::merge).finish();
  }

  /** X^T X without a join: per-partition sums of X_b^T X_b over batches of rows, merged in partition order. */
  private static double[] exactGram(IndexedRowMatrix x, int m, BackendChoice choice) {
    JavaRDD<double[]> partial = x.rows().toJavaRDD().mapPartitions((Iterator<IndexedRow> it) -> {
      BatchedSum sum = new BatchedSum(m, m, true, choice.backend());
      while (it.hasNext()) {
        sum.add(Vectors2.checked(it.next(), m), null);
      }
      return Collections.singletonList(sum.result()).iterator();
    });
    return OrderedReduce.reduce(partial, Vectors2::plus);
  }

  private static double[] exact(IndexedRowMatrix x, IndexedRowMatrix y, int m, int p, BackendChoice choice) {
    JavaPairRDD<Long, Tuple2<Vector, Vector>> pairs = x.rows().toJavaRDD()
        .mapToPair(r -> new Tuple2<>(r.index(), r.vector()))
        .join(y.rows().toJavaRDD().mapToPair(r -> new Tuple2<>(r.index(), r.vector())));
    JavaRDD<double[]> partial = pairs.mapPartitions((Iterator<Tuple2<Long, Tuple2<Vector, Vector>>> it) -> {
      BatchedSum sum = new BatchedSum(m, p, false, choice.backend());
      while (it.hasNext()) {
        Tuple2<Vector, Vector> pair = it.next()._2();
        sum.add(pair._1(), pair._2());
      }
      return Collections.singletonList(sum.result()).iterator();
    });
    return OrderedReduce.reduce(partial, Vectors2::plus);
  }

  /**
   * One partition's {@code sum_r x_r^T y_r} (m x p, column-major), rows gathered into batches of the
   * backend's {@link ComputeBackend#accumulationBatch} rows (256 on the CPU) and added by one dgemm each
   * (2 m p batch flops); for a Gram (y_r = x_r) one buffer serves both operands.
   */
  private static final class BatchedSum {
    private final int m;
    private final int p;
    private final ComputeBackend backend;
    private final double[] c;
    private final double[] xb;
    private final double[] yb;
    private final int batch;
    private int rows;

    BatchedSum(int m, int p, boolean gram, ComputeBackend backend) {
      this.m = m;
      this.p = p;
      this.backend = backend;
      c = new double[Math.multiplyExact(m, p)];
      batch = backend.accumulationBatch(m, p);
      xb = new double[Math.multiplyExact(batch, m)];
      yb = gram ? xb : new double[Math.multiplyExact(batch, p)];
    }

    /** Adds row r: x_r and y_r (y ignored for a Gram). */
    void add(Vector x, Vector y) {
      Vectors2.copyInto(x, xb, rows, batch);
      if (yb != xb) {
        Vectors2.copyInto(y, yb, rows, batch);
      }
      if (++rows == batch) {
        flush();
        java.util.Arrays.fill(xb, 0.0);
        if (yb != xb) {
          java.util.Arrays.fill(yb, 0.0);
        }
      }
    }

    double[] result() {
      if (rows > 0) {
        flush();
      }
      return c;
    }

    private void flush() {
      backend.dgemm(true, false, m, p, rows, 1.0, xb, 0, batch, yb, 0, batch, 1.0, c, 0, m);
      rows = 0;
    }
  }
}
