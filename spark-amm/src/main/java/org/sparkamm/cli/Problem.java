package org.sparkamm.cli;

import java.nio.file.Path;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.sparkamm.Amm;
import org.sparkamm.algo.Breakdown;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.LocalEngine;
import org.sparkamm.algo.SketchSizing;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.LowRankData;
import org.sparkamm.io.BlockSource;
import org.sparkamm.io.LoadedMatrix;
import org.sparkamm.io.MatrixFiles;
import org.sparkamm.loader.GeneratorLoader;
import org.sparkamm.loader.MatrixLoader;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.local.ReadFloor;
import org.sparkamm.spark.BlockProduct;
import org.sparkamm.spark.DistributedFiles;
import org.sparkamm.spark.DistributedError;
import org.sparkamm.spark.ExecutorBackends;
import org.sparkamm.spark.SparkMatrices;

/**
 * The operands of one command, A (m x n) and B (n x p) after the requested transposes, on one
 * engine: in-process ({@code local}) or on Spark ({@code spark}, an embedded {@code local[*]}
 * unless {@code --master} or spark-submit says otherwise). Inputs are loaded, validated and
 * materialized before anything is timed.
 */
final class Problem implements AutoCloseable {
  static final Set<String> VALUE_OPTIONS = Set.of("a", "b", "key-a", "key-b", "gen", "rank", "noise", "loader",
      "set", "config", "engine", "master", "partitions", "block-size", "seed", "mid-splits");
  static final Set<String> FLAG_OPTIONS = Set.of("transpose-a", "transpose-b", "verbose", RunConfig.USE_CUDA_FLAG,
      RunConfig.REQUIRE_GPU_FLAG);

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
  /** What the file readers did to make the inputs matrices (a tensor's leading dimensions folded), or null. */
  String inputNote;
  /** MLlib's numMidDimSplits for the exact product on Spark ({@code --mid-splits}); null: the algorithm's own. */
  private Integer midSplits;
  /** The inputs as loaded (before any transpose view), cached by the load: released by {@link #close}. */
  private BlockMatrix cachedA;
  private BlockMatrix cachedB;
  /** For {@link #training}: generated operands of the same distribution, and how these were laid out. */
  private Operands trainingOps;
  private boolean ta;
  private boolean tb;
  private int blockSize;
  private int parts;

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

  /** The inputs that {@code args} name; a LibAMM loader gets {@code conf}. */
  static Problem load(String command, Args args, RunConfig conf) {
    return load(command, args, conf, true);
  }

  /**
   * As {@link #load(String, Args, RunConfig)}; {@code consoleProgress} false keeps Spark's stage
   * progress bar off stderr when this load starts the session (a command with its own progress line).
   */
  static Problem load(String command, Args args, RunConfig conf, boolean consoleProgress) {
    String engine = args.get("engine", "spark");
    AmmArgumentException.require(engine.equals("spark") || engine.equals("local"),
        "--engine must be 'spark' or 'local', got '%s'", engine);
    boolean spark = engine.equals("spark");
    boolean ta = args.flag("transpose-a");
    boolean tb = args.flag("transpose-b");
    int blockSize = args.getInt("block-size", 1024);
    AmmArgumentException.require(blockSize >= 1, "--block-size must be at least 1, got %d", blockSize);
    boolean files = args.get("a") != null || args.get("b") != null;
    String loader = conf.loaderTag();
    int sources = (files ? 1 : 0) + (args.get("gen") != null ? 1 : 0) + (loader != null ? 1 : 0);
    AmmArgumentException.require(sources == 1,
        "%s: give the inputs one way: --a and --b (files), --gen, or --loader (or config key '%s')", command,
        RunConfig.LOADER_KEY);
    Operands ops = args.get("gen") != null ? generated(args) : loader != null ? loaded(conf, loader)
        : spark && distributable(args.required(command, "a"), args.get("key-a"))
            && distributable(args.required(command, "b"), args.get("key-b"))
            ? Operands.files(args.get("a"), args.get("b"))
            : Operands.local(MatrixFiles.read(Path.of(args.required(command, "a")), args.get("key-a")),
                MatrixFiles.read(Path.of(args.required(command, "b")), args.get("key-b")));
    checkInner(ops.rowsA(), ops.colsA(), ops.rowsB(), ops.colsB(), ta, tb);
    if (ops.a != null) {
      checkFinite(ops.a, args.get("a") != null ? args.get("a") : "A");
      checkFinite(ops.b, args.get("b") != null ? args.get("b") : "B");
    }
    if (!spark) {
      DenseMatrix a = ops.a != null ? ops.a : local(ops.sourceA, ops.normalizeByMax);
      DenseMatrix b = ops.b != null ? ops.b : local(ops.sourceB, ops.normalizeByMax);
      Problem problem = new Problem(null, ta ? a.transpose() : a, tb ? b.transpose() : b, null, null, ops.float32);
      problem.inputNote = ops.note;
      problem.layout(ops, ta, tb, blockSize, 1);
      return problem;
    }
    Sessions.Handle s = Sessions.start(args.get("master"), consoleProgress);
    BlockMatrix a = null;
    BlockMatrix b = null;
    boolean loaded = false;
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.session.sparkContext());
      int parts = args.getInt("partitions", jsc.defaultParallelism() * 4);
      AmmArgumentException.require(parts >= 1, "--partitions must be at least 1, got %d", parts);
      Integer midSplits = args.get("mid-splits") == null ? null : args.getInt("mid-splits", 1);
      AmmArgumentException.require(midSplits == null || midSplits >= 1, "--mid-splits must be at least 1, got %d",
          midSplits);
      a = ops.a != null ? materialize(SparkMatrices.fromLocal(jsc, ops.a, blockSize, blockSize, parts))
          : ops.pathA != null ? DistributedFiles.blockMatrix(jsc, ops.pathA, blockSize, parts)
          : SparkMatrices.generate(jsc, ops.sourceA, blockSize, parts, ops.normalizeByMax);
      b = ops.b != null ? materialize(SparkMatrices.fromLocal(jsc, ops.b, blockSize, blockSize, parts))
          : ops.pathB != null ? DistributedFiles.blockMatrix(jsc, ops.pathB, blockSize, parts)
          : SparkMatrices.generate(jsc, ops.sourceB, blockSize, parts, ops.normalizeByMax);
      Problem problem = new Problem(s, null, null, ta ? a.transpose() : a, tb ? b.transpose() : b, ops.float32);
      problem.cachedA = a;
      problem.cachedB = b;
      problem.midSplits = midSplits;
      problem.inputNote = ops.note;
      problem.layout(ops, ta, tb, blockSize, parts);
      loaded = true;
      return problem;
    } finally { // Spark's exceptions are checked ones thrown undeclared: a finally sees them all
      if (!loaded) {
        // Nothing of a failed load is used: release what it cached and the session it started.
        release(a);
        release(b);
        if (s.owned) {
          s.session.stop();
        }
      }
    }
  }

  private void layout(Operands ops, boolean ta, boolean tb, int blockSize, int parts) {
    this.trainingOps = ops.training;
    this.ta = ta;
    this.tb = tb;
    this.blockSize = blockSize;
    this.parts = parts;
  }

  /**
   * Training operands for the codebook methods: of the same distribution as these, never these, with
   * the same transposes, on the same engine and session (closing it releases its inputs only). For
   * {@code --gen} the next columns of the same generators (the same latent factors per row, fresh
   * loadings and noise); for a generating loader ({@code random}, {@code gaussian}, ...) its
   * training draw ({@link GeneratorLoader#trainingDraw()}: the same shapes and distribution from
   * streams of their own). File inputs (--a/--b, and the SIFT, MNIST, MediaMill and mtx loaders) have
   * none: train on other data with train-codebooks.
   */
  Problem training(String command) {
    AmmArgumentException.require(trainingOps != null,
        "%s: training data of the same distribution is drawn from --gen and the generating loaders only; train "
            + "on your own data with 'spark-amm train-codebooks' and pass --set codebookPath=FILE", command);
    Operands ops = trainingOps;
    if (!onSpark) {
      DenseMatrix a = local(ops.sourceA, ops.normalizeByMax);
      DenseMatrix b = local(ops.sourceB, ops.normalizeByMax);
      return new Problem(null, ta ? a.transpose() : a, tb ? b.transpose() : b, null, null, false);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.session.sparkContext());
    BlockMatrix a = SparkMatrices.generate(jsc, ops.sourceA, blockSize, parts, ops.normalizeByMax);
    BlockMatrix b = null;
    try {
      b = SparkMatrices.generate(jsc, ops.sourceB, blockSize, parts, ops.normalizeByMax);
      Problem p = new Problem(new Sessions.Handle(session.session, false), null, null, ta ? a.transpose() : a,
          tb ? b.transpose() : b, false);
      p.cachedA = a;
      p.cachedB = b;
      return p;
    } finally {
      if (b == null) {
        release(a);
      }
    }
  }

  /** Trains {@code amm}'s codebook on these operands (MLlib's k-means on Spark); returns it. */
  Codebook train(Amm amm, int k) {
    return onSpark ? amm.train(ad, bd, k) : amm.train(a, b, k);
  }

  private static void release(BlockMatrix m) {
    if (m != null) {
      m.blocks().unpersist(false);
    }
  }

  /**
   * A and B before transposition: local matrices, sources of generated blocks, or flat binary
   * files that the executors read themselves (only their headers are read here).
   */
  private static final class Operands {
    DenseMatrix a;
    DenseMatrix b;
    String pathA;
    String pathB;
    DistributedFiles.Shape shapeA;
    DistributedFiles.Shape shapeB;
    BlockSource sourceA;
    BlockSource sourceB;
    boolean normalizeByMax;
    boolean float32;
    String note;
    /** Generated operands of the same distribution for codebook training, or null (see {@link #training}). */
    Operands training;

    /** Generated operands with the next {@code cols(A)}, {@code cols(B)} columns of the same generators. */
    static Operands nextColumns(LowRankData data, long rows, long colsA, long colsB) {
      return generated(shifted(data.source(LowRankData.Which.A, rows, 2 * colsA), colsA),
          shifted(data.source(LowRankData.Which.B, rows, 2 * colsB), colsB), false);
    }

    /** Columns offset..2 offset - 1 of {@code wide}. */
    private static BlockSource shifted(BlockSource wide, long offset) {
      return new BlockSource() {
        private static final long serialVersionUID = 1L;

        @Override
        public long rows() {
          return wide.rows();
        }

        @Override
        public long cols() {
          return offset;
        }

        @Override
        public DenseMatrix block(long row0, int rows, long col0, int cols) {
          return wide.block(row0, rows, col0 + offset, cols);
        }
      };
    }

    static Operands local(LoadedMatrix a, LoadedMatrix b) {
      Operands o = new Operands();
      o.a = a.matrix;
      o.b = b.matrix;
      o.float32 = a.float32 && b.float32;
      o.note = a.note == null ? b.note : b.note == null ? a.note : a.note + "; " + b.note;
      return o;
    }

    static Operands files(String a, String b) {
      Operands o = new Operands();
      o.pathA = qualified(a);
      o.pathB = qualified(b);
      o.shapeA = DistributedFiles.shape(o.pathA);
      o.shapeB = DistributedFiles.shape(o.pathB);
      o.float32 = o.shapeA.float32 && o.shapeB.float32;
      return o;
    }

    static Operands generated(BlockSource a, BlockSource b, boolean normalizeByMax) {
      Operands o = new Operands();
      o.sourceA = a;
      o.sourceB = b;
      o.normalizeByMax = normalizeByMax;
      return o;
    }

    long rowsA() {
      return a != null ? a.numRows() : shapeA != null ? shapeA.rows : sourceA.rows();
    }

    long colsA() {
      return a != null ? a.numCols() : shapeA != null ? shapeA.cols : sourceA.cols();
    }

    long rowsB() {
      return b != null ? b.numRows() : shapeB != null ? shapeB.rows : sourceB.rows();
    }

    long colsB() {
      return b != null ? b.numCols() : shapeB != null ? shapeB.cols : sourceB.cols();
    }
  }

  private static Operands generated(Args args) {
    int[] dims = Args.parseInts("gen", args.get("gen"));
    AmmArgumentException.require(dims.length == 3 && dims[0] >= 1 && dims[1] >= 1 && dims[2] >= 1,
        "--gen must be ROWS,COLS_A,COLS_B (positive), got '%s'", args.get("gen"));
    int rank = args.getInt("rank", 10);
    AmmArgumentException.require(rank >= 1, "--rank must be at least 1, got %d", rank);
    LowRankData data = new LowRankData(args.getLong("seed", Amm.DEFAULT_SEED) ^ 0x5eedL, rank,
        args.getDouble("noise", 1.0));
    Operands ops = Operands.generated(data.source(LowRankData.Which.A, dims[0], dims[1]),
        data.source(LowRankData.Which.B, dims[0], dims[2]), false);
    ops.training = Operands.nextColumns(data, dims[0], dims[1], dims[2]);
    return ops;
  }

  /** A LibAMM loader: generators stay sources (generated where they are used); file loaders read now. */
  private static Operands loaded(RunConfig conf, String tag) {
    MatrixLoader loader = conf.loader(tag);
    if (loader instanceof GeneratorLoader) {
      GeneratorLoader g = (GeneratorLoader) loader;
      GeneratorLoader t = g.trainingDraw();
      Operands ops = Operands.generated(g.generatorA(), g.generatorB(), g.normalizesByMax());
      ops.training = Operands.generated(t.generatorA(), t.generatorB(), t.normalizesByMax());
      return ops;
    }
    return Operands.local(new LoadedMatrix(loader.getA(), false), new LoadedMatrix(loader.getB(), false));
  }

  /**
   * True for a file the executors can read themselves (.npy, IDX and vecs by record position,
   * Matrix Market as text splits), with no key to pick from it.
   */
  private static boolean distributable(String file, String key) {
    if (key != null) {
      return false;
    }
    if (file.contains("://") && !file.startsWith("file:")) {
      return true; // hdfs:, s3a:, ...: only the executors' Hadoop FileSystem can read it
    }
    MatrixFiles.Format f = MatrixFiles.detect(Path.of(file));
    return f == MatrixFiles.Format.NPY || f == MatrixFiles.Format.IDX || f == MatrixFiles.Format.VECS
        || f == MatrixFiles.Format.MATRIX_MARKET;
  }

  /**
   * A path without a scheme, as an absolute {@code file:} URI resolved against the driver's working
   * directory: executors run elsewhere and must not resolve it against theirs.
   */
  static String qualified(String path) {
    if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
      return path; // hdfs:, s3a:, file:, ... as given
    }
    return Path.of(path).toAbsolutePath().normalize().toUri().toString();
  }

  private static DenseMatrix local(BlockSource source, boolean normalizeByMax) {
    AmmArgumentException.require(source.rows() * source.cols() <= Integer.MAX_VALUE - 8,
        "a %dx%d matrix does not fit in one local array; use --engine spark", source.rows(), source.cols());
    DenseMatrix m = source.block(0, (int) source.rows(), 0, (int) source.cols());
    if (normalizeByMax) {
      GeneratorLoader.divideByMax(m);
    }
    return m;
  }

  Run run(Amm amm, int k) {
    if (onSpark && midSplits != null) {
      amm.setConfig(amm.getConfig().edit(Amm.MID_DIM_SPLITS_KEY, (long) midSplits));
    }
    long t0 = System.nanoTime();
    if (onSpark) {
      BlockMatrix c = amm.multiply(ad, bd, k);
      return new Run(null, c, (System.nanoTime() - t0) / 1_000_000, amm.getBreakDown());
    }
    Matrix c = amm.multiply(a, b, k);
    return new Run(c, null, (System.nanoTime() - t0) / 1_000_000, amm.getBreakDown());
  }

  /**
   * The backend(s) {@code amm}'s products ran on: this JVM's for the local engine and for the CPU
   * choice; on Spark otherwise the executors' ({@link ExecutorBackends}).
   */
  String backendName(Amm amm) {
    BackendChoice choice = amm.backendChoice();
    return onSpark && choice != BackendChoice.CPU ? ExecutorBackends.names(ad.blocks().sparkContext(), choice)
        : choice.backend().name();
  }

  /** The sketch size for a target relative error ({@code Amm.sketchSizeFor}) on this problem's engine. */
  SketchSizing.Choice sketchSizeFor(Amm amm, double targetError) {
    return onSpark ? amm.sketchSizeFor(ad, bd, targetError) : amm.sketchSizeFor(a, b, targetError);
  }

  /** MLlib's numMidDimSplits that the exact product on Spark uses with this configuration. */
  int midDimSplits(Amm amm) {
    if (midSplits != null) {
      return midSplits;
    }
    int configured = amm.midDimSplits();
    return configured > 0 ? configured : BlockProduct.midDimSplitsFor(ad, bd);
  }

  double error(Run exact, Run approx) {
    return onSpark ? DistributedError.relative(exact.distributed, approx.distributed)
        : Amm.relativeFrobeniusError(exact.local, approx.local);
  }

  double productNormSquared(Run exact) {
    if (onSpark) {
      return org.sparkamm.spark.OrderedReduce.reduceOr(exact.distributed.blocks().toJavaRDD()
          .map(e -> org.sparkamm.local.FrobeniusError.squaredNorm(e._2().toArray())), Double::sum, 0.0);
    }
    return org.sparkamm.local.FrobeniusError.squaredNorm(exact.local.toArray());
  }

  /** The pilot's values for choosing a sketch size ({@code SketchSizing}), as {@code --sketch auto} computes them. */
  double[] pilotValues(long seed) {
    return onSpark ? BlockProduct.pilotValues(ad, bd, seed) : SketchSizing.localProbeValues(a, b, seed);
  }

  /** The per-inner-index norms of the error formulas (on Spark cached: {@code release()} them). */
  InnerNorms norms() {
    return onSpark ? BlockProduct.norms(ad, bd) : LocalEngine.norms(a, b);
  }

  /** Warm reads of both inputs timed for the floor; the median is reported. */
  static final int FLOOR_READS = 5;

  /**
   * The floor of any one-pass method, in milliseconds: the median of {@value #FLOOR_READS} warm
   * reads of every value of both inputs as fast as Java reads them ({@link ReadFloor}: all cores,
   * independent accumulators). On Spark one job per read, each task summing its blocks that way,
   * so the floor includes one job's scheduling, as every multiply does.
   */
  double floorMillis() {
    if (onSpark) {
      org.apache.spark.api.java.JavaRDD<Matrix> blocks = ad.blocks().toJavaRDD().map(e -> e._2())
          .union(bd.blocks().toJavaRDD().map(e -> e._2()));
      return ReadFloor.medianMillis(FLOOR_READS, () -> blocks.map(Problem::sum).fold(0.0, Double::sum));
    }
    double[] va = values(a);
    double[] vb = values(b);
    return ReadFloor.millis(FLOOR_READS, va, vb);
  }

  String shape() {
    return m + "x" + n + " times " + n + "x" + p;
  }

  @Override
  /** Releases the cached inputs, and stops the session when this command started it. */
  public void close() {
    release(cachedA);
    release(cachedB);
    if (session != null && session.owned) {
      session.session.stop();
    }
  }

  private static double sum(Matrix x) {
    double[] v = values(x);
    return ReadFloor.sum(v, 0, v.length);
  }

  /** The stored values of a dense matrix, or the dense copy of a sparse one. */
  private static double[] values(Matrix x) {
    return x instanceof DenseMatrix ? ((DenseMatrix) x).values() : x.toArray();
  }

  private static BlockMatrix materialize(BlockMatrix x) {
    SparkMatrices.cached(x.blocks());
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
