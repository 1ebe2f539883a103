package org.sparkamm.cli;

import java.nio.file.Path;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.storage.StorageLevel;
import org.sparkamm.Amm;
import org.sparkamm.algo.Breakdown;
import org.sparkamm.algo.InnerStats;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.LowRankData;
import org.sparkamm.io.LoadedMatrix;
import org.sparkamm.io.Npy;
import org.sparkamm.spark.BlockProduct;
import org.sparkamm.spark.DistributedError;
import org.sparkamm.spark.SparkMatrices;

/**
 * The operands of one command, A (m x n) and B (n x p) after the requested transposes, on one
 * engine: in-process ({@code local}) or on Spark ({@code spark}, an embedded {@code local[*]}
 * unless {@code --master} or spark-submit says otherwise). Inputs are loaded, validated and
 * materialized before anything is timed.
 */
final class Problem implements AutoCloseable {
  static final Set<String> VALUE_OPTIONS = Set.of("a", "b", "gen", "rank", "noise", "engine", "master",
      "partitions", "block-size", "seed");
  static final Set<String> FLAG_OPTIONS = Set.of("transpose-a", "transpose-b", "verbose");

  final boolean onSpark;
  final long m;
  final long n;
  final long p;
  final boolean float32;
  private final Sessions.Handle session;
  private final Matrix a;
  private final Matrix b;
  private final BlockMatrix ad;
  private final BlockMatrix bd;

  /** One multiply's result and timing. */
  static final class Run {
    final Matrix local;
    final BlockMatrix distributed;
    final long millis;
    final Breakdown breakdown;

    Run(Matrix local, BlockMatrix distributed, long millis, Breakdown breakdown) {
      this.local = local;
      this.distributed = distributed;
      this.millis = millis;
      this.breakdown = breakdown;
    }

    DenseMatrix toLocal() {
      Matrix x = local != null ? local : distributed.toLocalMatrix();
      return x instanceof DenseMatrix ? (DenseMatrix) x : new DenseMatrix(x.numRows(), x.numCols(), x.toArray());
    }

    void release() {
      if (distributed != null) {
        distributed.blocks().unpersist(false);
      }
    }
  }

  private Problem(Sessions.Handle session, Matrix a, Matrix b, BlockMatrix ad, BlockMatrix bd, boolean float32) {
    this.session = session;
    this.onSpark = session != null;
    this.a = a;
    this.b = b;
    this.ad = ad;
    this.bd = bd;
    this.m = a != null ? a.numRows() : ad.numRows();
    this.n = a != null ? a.numCols() : ad.numCols();
    this.p = b != null ? b.numCols() : bd.numCols();
    this.float32 = float32;
  }

  static Problem load(String command, Args args) {
    String engine = args.get("engine", "spark");
    AmmArgumentException.require(engine.equals("spark") || engine.equals("local"),
        "--engine must be 'spark' or 'local', got '%s'", engine);
    boolean spark = engine.equals("spark");
    boolean ta = args.flag("transpose-a");
    boolean tb = args.flag("transpose-b");
    int blockSize = args.getInt("block-size", 1024);
    AmmArgumentException.require(blockSize >= 1, "--block-size must be at least 1, got %d", blockSize);
    String gen = args.get("gen");
    if (gen != null) {
      AmmArgumentException.require(args.get("a") == null && args.get("b") == null,
          "%s: give either --gen or --a/--b, not both", command);
      int[] dims = Args.parseInts("gen", gen);
      AmmArgumentException.require(dims.length == 3 && dims[0] >= 1 && dims[1] >= 1 && dims[2] >= 1,
          "--gen must be ROWS,COLS_A,COLS_B (positive), got '%s'", gen);
      int rank = args.getInt("rank", 10);
      AmmArgumentException.require(rank >= 1, "--rank must be at least 1, got %d", rank);
      LowRankData data = new LowRankData(args.getLong("seed", Amm.DEFAULT_SEED) ^ 0x5eedL, rank,
          args.getDouble("noise", 1.0));
      checkInner(dims[0], dims[1], dims[0], dims[2], ta, tb);
      if (!spark) {
        DenseMatrix a0 = data.block(LowRankData.Which.A, 0, dims[0], 0, dims[1], dims[1]);
        DenseMatrix b0 = data.block(LowRankData.Which.B, 0, dims[0], 0, dims[2], dims[2]);
        return new Problem(null, ta ? a0.transpose() : a0, tb ? b0.transpose() : b0, null, null, false);
      }
      Sessions.Handle s = Sessions.start(args.get("master"));
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.session.sparkContext());
      int parts = args.getInt("partitions", jsc.defaultParallelism() * 4);
      BlockMatrix a0 = SparkMatrices.generate(jsc, data, LowRankData.Which.A, dims[0], dims[1], blockSize, parts);
      BlockMatrix b0 = SparkMatrices.generate(jsc, data, LowRankData.Which.B, dims[0], dims[2], blockSize, parts);
      return new Problem(s, null, null, ta ? a0.transpose() : a0, tb ? b0.transpose() : b0, false);
    }
    LoadedMatrix fa = Npy.read(Path.of(args.required(command, "a")));
    LoadedMatrix fb = Npy.read(Path.of(args.required(command, "b")));
    DenseMatrix a0 = ta ? fa.matrix.transpose() : fa.matrix;
    DenseMatrix b0 = tb ? fb.matrix.transpose() : fb.matrix;
    checkInner(fa.matrix.numRows(), fa.matrix.numCols(), fb.matrix.numRows(), fb.matrix.numCols(), ta, tb);
    checkFinite(a0, args.get("a"));
    checkFinite(b0, args.get("b"));
    boolean f32 = fa.float32 && fb.float32;
    if (!spark) {
      return new Problem(null, a0, b0, null, null, f32);
    }
    Sessions.Handle s = Sessions.start(args.get("master"));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.session.sparkContext());
    int parts = args.getInt("partitions", jsc.defaultParallelism() * 4);
    AmmArgumentException.require(parts >= 1, "--partitions must be at least 1, got %d", parts);
    BlockMatrix ad = materialize(SparkMatrices.fromLocal(jsc, a0, blockSize, blockSize, parts));
    BlockMatrix bd = materialize(SparkMatrices.fromLocal(jsc, b0, blockSize, blockSize, parts));
    return new Problem(s, null, null, ad, bd, f32);
  }

  Run run(Amm amm, int k) {
    long t0 = System.nanoTime();
    if (onSpark) {
      BlockMatrix c = amm.multiply(ad, bd, k);
      return new Run(null, c, (System.nanoTime() - t0) / 1_000_000, amm.getBreakDown());
    }
    Matrix c = amm.multiply(a, b, k);
    return new Run(c, null, (System.nanoTime() - t0) / 1_000_000, amm.getBreakDown());
  }

  double error(Run exact, Run approx) {
    return onSpark ? DistributedError.relative(exact.distributed, approx.distributed)
        : Amm.relativeFrobeniusError(exact.local, approx.local);
  }

  double productNormSquared(Run exact) {
    if (onSpark) {
      return exact.distributed.blocks().toJavaRDD()
          .map(e -> org.sparkamm.local.FrobeniusError.squaredNorm(e._2().toArray())).fold(0.0, Double::sum);
    }
    return org.sparkamm.local.FrobeniusError.squaredNorm(exact.local.toArray());
  }

  InnerStats stats() {
    return onSpark ? BlockProduct.stats(ad, bd) : LocalEngine.stats(a, b);
  }

  /** Milliseconds to read both inputs once (a sum over every value): the floor of any one-pass sketch. */
  long scanMillis() {
    long t0 = System.nanoTime();
    if (onSpark) {
      ad.blocks().toJavaRDD().map(e -> sum(e._2())).fold(0.0, Double::sum);
      bd.blocks().toJavaRDD().map(e -> sum(e._2())).fold(0.0, Double::sum);
    } else {
      sum(a);
      sum(b);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  String shape() {
    return m + "x" + n + " times " + n + "x" + p;
  }

  @Override
  public void close() {
    if (session != null && session.owned) {
      session.session.stop();
    }
  }

  private static double sum(Matrix x) {
    double s = 0;
    for (double v : x instanceof DenseMatrix ? ((DenseMatrix) x).values() : x.toArray()) {
      s += v;
    }
    return s;
  }

  private static BlockMatrix materialize(BlockMatrix x) {
    x.blocks().persist(StorageLevel.MEMORY_AND_DISK());
    x.blocks().count();
    return x;
  }

  private static void checkInner(long ra, long ca, long rb, long cb, boolean ta, boolean tb) {
    long n1 = ta ? ra : ca;
    long n2 = tb ? cb : rb;
    if (n1 != n2) {
      throw new AmmArgumentException(String.format("inner dimensions differ: A%s is %dx%d, B%s is %dx%d",
          ta ? "^T" : "", ta ? ca : ra, n1, tb ? "^T" : "", n2, tb ? rb : cb));
    }
  }

  private static void checkFinite(DenseMatrix x, String file) {
    double[] v = x.values();
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new AmmArgumentException(file + ": contains NaN or infinite values (first at flat index " + i + ")");
      }
    }
  }
}
