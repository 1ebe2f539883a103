package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.algo.Timed;
import org.sparkamm.algo.InnerNorms;
import org.sparkamm.algo.ReducedProduct;
import org.sparkamm.algo.SignProbes;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.sketch.BlockSketching;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;
import org.sparkamm.sketch.SketchedBlock;

/**
 * The general distributed product: {@code BlockMatrix} A (m x n) times {@code BlockMatrix} B (n x p).
 *
 * <p>Sketching algorithms never shuffle A or B. Each task adds the blocks it holds into one partial
 * sketch per block row I of A ({@code m_I x l}) and per block column J of B ({@code p_J x l}), using
 * the slice of the sketch that the blocks' global inner indices select; partial sketches are summed
 * by key; the sketching pass runs in at most two tasks per core, so that the number of partial
 * sketches does not grow with the input's partitioning. The reduced product {@code C_IJ = (A S^T)_I (B^T S^T)_J^T} is computed next to A's sketch
 * with B's sketch broadcast (when it is at most {@value #BROADCAST_LIMIT_BYTES} bytes) or by a
 * cartesian product of the two sketch RDDs. Shuffle: about (partitions per block row) x m x l x 8
 * bytes for A and likewise for B, against all of A and B (twice over for shared blocks) for
 * {@code BlockMatrix.multiply}. A and B may have different block sizes; only their inner
 * dimensions must agree. The result has A's rows per block and B's columns per block, is cached,
 * and is the caller's to unpersist. Products with few output blocks and no probes (every sketch but
 * {@code tugOfWar}) run in one job instead ({@link OneJobProduct}).
 *
 * <p>Backends: the {@link BackendChoice} travels in every task closure (and inside the partial
 * sketches), and each task resolves it on its executor, so the dense tiles, the reduced products and
 * the scatter-adds of column-major blocks run on that executor's backend (B's blocks, read transposed,
 * are scattered by the CPU loops). The exact product with the CPU choice is MLlib's
 * {@code BlockMatrix.multiply} (breeze on the CPU); with another choice it is
 * {@link ExactBlockProduct}, the same shape with the backend's dgemm per pair of blocks.
 */
public final class BlockProduct {
  static final long BROADCAST_LIMIT_BYTES = 256L << 20;

  private BlockProduct() {}


  /**
   * @param midDimSplits for {@code mm}: MLlib's {@code numMidDimSplits}, the number of parts the
   *     inner dimension is split into so that more reducers share a product with few output blocks
   *     (SPARK-18218); 1 is plain {@code BlockMatrix.multiply}; 0 chooses it with
   *     {@link #midDimSplitsFor}. Sketches ignore it.
   * @param backend where the executors' local products run (class comment)
   */
  public static Timed<BlockMatrix> multiply(AmmAlgorithm algo, BlockMatrix a, BlockMatrix b, int k, long seed,
      int midDimSplits, BackendChoice backend) {
    long m = a.numRows();
    long n = a.numCols();
    long p = b.numCols();
    AmmArgumentException.require(n == b.numRows(),
        "inner dimensions differ: A is %dx%d, B is %dx%d", m, n, b.numRows(), p);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.blocks().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    if (algo.isExact()) {
      AmmArgumentException.require(a.colsPerBlock() == b.rowsPerBlock(),
          "mm on Spark (BlockMatrix.multiply) needs A's columns per block (%d) to equal B's rows per block (%d)",
          a.colsPerBlock(), b.rowsPerBlock());
      int splits = midDimSplits > 0 ? midDimSplits : midDimSplitsFor(a, b);
      BlockMatrix c = backend == BackendChoice.CPU ? a.multiply(b, splits)
          : ExactBlockProduct.multiply(a, b, splits, backend);
      c.blocks().persist(StorageLevel.MEMORY_AND_DISK());
      boolean computed = false;
      try {
        c.blocks().count();
        computed = true;
      } finally {
        if (!computed) {
          c.blocks().unpersist(false);
        }
      }
      long fab = clock.lap();
      return new Timed<>(c, clock.breakdown(0, 0, fab, 0));
    }
    if (algo.quantizesEntries()) { return QuantizedBlockProduct.multiply(algo, a, b, midDimSplits, backend); }
    if (algo.samplesEntries()) { return EntrySampledProduct.multiply(algo, a, b, k, seed); }
    if (algo.factorsBlocks()) { return LowRankBlockProduct.multiply(algo, a, b, k, seed); }
    if (algo.needsTraining()) { return CodebookBlockProduct.multiply((CodebookAlgorithm) algo, a, b); }
    if (algo.mergesSketches()) {
      return MergeableProduct.multiply(algo, a, b, k);
    }
    algo.checkSketchFits(k, m, p);
    SparkMasses masses = algo.needsMasses() ? masses(a, b) : null;
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
    JavaPairRDD<Integer, SketchedBlock> as = null;
    JavaPairRDD<Integer, SketchedBlock> bs = null;
    JavaPairRDD<Tuple2<Object, Object>, Matrix> cBlocks = null;
    Broadcast<Map<Integer, SketchedBlock>> bsAll = null;
    boolean done = false;
    try {
      int partsA = Math.max(1, Math.min(a.blocks().getNumPartitions(), a.numRowBlocks()));
      int partsB = Math.max(1, Math.min(b.blocks().getNumPartitions(), b.numColBlocks()));
      int width = sketch.width();
      int cpbA = a.colsPerBlock();
      int rpbB = b.rowsPerBlock();
      boolean outerNorms = algo.needsOuterNorms();
      int rpbA = a.rowsPerBlock();
      int cpbB = b.colsPerBlock();
      SignProbes probes = algo.probes(p, k, seed);
      if (probes == null && OneJobProduct.applies(a, b)) {
        LongAccumulator[] nanos = {jsc.sc().longAccumulator(), jsc.sc().longAccumulator(), jsc.sc().longAccumulator()};
        cBlocks = OneJobProduct.blocks(jsc, a, b, sk, width, outerNorms, algo.reducedProduct(k, 0), nanos,
            backend);
        long job = clock.lap();
        // One job has no phase boundaries: its time is shared out as the tasks' time in each phase.
        double tasks = Math.max(1, nanos[0].value() + nanos[1].value() + nanos[2].value());
        long buildA = Math.round(job * (nanos[0].value() / tasks));
        long buildB = Math.round(job * (nanos[1].value() / tasks));
        BlockMatrix c = new BlockMatrix(cBlocks.rdd(), rpbA, cpbB, m, p);
        done = true;
        return new Timed<>(c, clock.breakdown(buildA, buildB + sketchTime, job - buildA - buildB, clock.lap()));
      }
      as = sketchBlocks(coalesced(JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD()), jsc), sk, width, cpbA, Side.A,
          partsA, outerNorms, backend);
      as.count();
      long buildA = clock.lap();
      bs = sketchBlocks(coalesced(JavaPairRDD.fromJavaRDD(b.blocks().toJavaRDD()), jsc), sk, width, rpbB, Side.B,
          partsB, outerNorms, backend);
      long bsCount = bs.count();
      long buildB = clock.lap() + sketchTime;
      int chosen = probes == null ? 0 : algo.choose(RepeatProbes.residuals(probes, a, b, as, bs, width));
      ReducedProduct rp = algo.reducedProduct(k, chosen);
      if (p * (long) width * 8 <= BROADCAST_LIMIT_BYTES && bsCount > 0) {
        Broadcast<Map<Integer, SketchedBlock>> bsMap = jsc.broadcast(new HashMap<>(bs.collectAsMap()));
        bsAll = bsMap;
        cBlocks = as.flatMapToPair(e -> {
          List<Tuple2<Tuple2<Object, Object>, Matrix>> out = new ArrayList<>();
          for (Map.Entry<Integer, SketchedBlock> j : bsMap.value().entrySet()) {
            out.add(reducedBlock(rp, backend, e._1(), e._2(), j.getKey(), j.getValue()));
          }
          return out.iterator();
        });
      } else {
        cBlocks = as.cartesian(bs).mapToPair(e -> reducedBlock(rp, backend, e._1()._1(), e._1()._2(), e._2()._1(),
            e._2()._2()));
      }
      cBlocks = cBlocks.persist(StorageLevel.MEMORY_AND_DISK());
      cBlocks.count();
      long fab = clock.lap();
      BlockMatrix c = new BlockMatrix(cBlocks.rdd(), rpbA, cpbB, m, p);
      long post = clock.lap();
      done = true;
      return new Timed<>(c, clock.breakdown(buildA, buildB, fab, post));
    } finally {
      if (as != null) {
        as.unpersist(false);
      }
      if (bs != null) {
        bs.unpersist(false);
      }
      if (done) {
        // The result's lineage reads the sketch (and B's sketches when broadcast): if an executor
        // holding result blocks is lost, Spark recomputes them from it. Free the executors' copies,
        // keep the driver's (unpersist, never destroy), so the result stays recomputable while the
        // caller holds it.
        sk.unpersist(false);
        if (bsAll != null) {
          bsAll.unpersist(false);
        }
      } else { // a failure: nothing of this multiply is held by anyone
        if (cBlocks != null) {
          cBlocks.unpersist(false);
        }
        sk.destroy();
        if (bsAll != null) {
          bsAll.destroy();
        }
      }
    }
  }

  /**
   * MLlib's {@code numMidDimSplits} for {@code a.multiply(b)} when the user did not choose one: the
   * reducer of an output block receives A's block row and B's block column, about
   * {@code 8 n (rowsPerBlock(A) + colsPerBlock(B))} bytes when dense, all of it for the one output
   * block of a product like A^T B with small outer dimensions. Split the inner dimension until a
   * reducer's share is at most a quarter of one task's memory (an executor's memory divided by its
   * cores; in local mode the driver's heap divided by the parallelism), at most one split per inner
   * block.
   */
  public static int midDimSplitsFor(BlockMatrix a, BlockMatrix b) {
    return midDimSplitsFor(a, b, 8.0);
  }

  /**
   * {@link #midDimSplitsFor(BlockMatrix, BlockMatrix)} for products that ship {@code bytesPerEntry}
   * bytes per entry of A and B (8 for doubles, 1 for int8 quantized blocks).
   */
  static int midDimSplitsFor(BlockMatrix a, BlockMatrix b, double bytesPerEntry) {
    org.apache.spark.SparkContext sc = a.blocks().sparkContext();
    long taskMemory;
    if (sc.isLocal()) {
      taskMemory = Runtime.getRuntime().maxMemory() / Math.max(1, sc.defaultParallelism());
    } else {
      long executor = sc.getConf().getSizeAsBytes("spark.executor.memory", "1g");
      int cores = sc.getConf().getInt("spark.executor.cores", 1);
      taskMemory = executor / Math.max(1, cores);
    }
    return midDimSplitsFor(a.numCols(), a.rowsPerBlock(), b.colsPerBlock(), a.numColBlocks(), taskMemory,
        bytesPerEntry);
  }

  /** {@link #midDimSplitsFor(BlockMatrix, BlockMatrix, double)} from the numbers it reads. */
  static int midDimSplitsFor(long n, int rowsPerBlockA, int colsPerBlockB, int innerBlocks, long taskMemory,
      double bytesPerEntry) {
    double share = bytesPerEntry * n * ((long) rowsPerBlockA + colsPerBlockB);
    long splits = (long) Math.ceil(share / Math.max(1.0, taskMemory / 4.0));
    return (int) Math.max(1, Math.min(Math.max(1, innerBlocks), splits));
  }

  /** The pilot's probe values for choosing a sketch size ({@code algo.SketchSizing}), where the blocks lie. */
  public static double[] pilotValues(BlockMatrix a, BlockMatrix b, long seed) {
    return RepeatProbes.pilotValues(org.sparkamm.algo.SketchSizing.probes(seed), a, b);
  }

  /**
   * The per-inner-index norms of the error formulas ({@link AmmAlgorithm#expectedSquaredError}), in
   * one pass, cached: the caller releases them.
   */
  public static InnerNorms norms(BlockMatrix a, BlockMatrix b) {
    return masses(a, b);
  }

  private static SparkMasses masses(BlockMatrix a, BlockMatrix b) {
    int cpbA = a.colsPerBlock();
    int rpbB = b.rowsPerBlock();
    int parts = a.blocks().getNumPartitions();
    JavaPairRDD<Long, double[]> colNormsA = JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD()).mapToPair(e ->
        new Tuple2<>((long) (Integer) e._1()._2() * cpbA, BlockSketching.columnNormsSquared(e._2())));
    JavaPairRDD<Long, double[]> rowNormsB = JavaPairRDD.fromJavaRDD(b.blocks().toJavaRDD()).mapToPair(e ->
        new Tuple2<>((long) (Integer) e._1()._1() * rpbB, BlockSketching.rowNormsSquared(e._2())));
    long n = a.numCols();
    return new SparkMasses(n, InnerChunks.gather(colNormsA, n, parts), InnerChunks.gather(rowNormsB, n, parts));
  }

  /**
   * At most two partitions per core for the sketching pass (a narrow coalesce, no shuffle): each
   * task emits one partial sketch per outer block, so the shuffle is bounded by the cluster's
   * cores rather than by how finely the input happens to be partitioned. Partitions are grouped by
   * the executor caching them ({@link ExecutorCoalescer}), so each task reads its blocks in process.
   */
  static <K, V> JavaPairRDD<K, V> coalesced(JavaPairRDD<K, V> rdd, JavaSparkContext jsc) {
    return coalesced(rdd, jsc, 2 * jsc.defaultParallelism());
  }

  /** As {@link #coalesced(JavaPairRDD, JavaSparkContext)}, to at most {@code target} partitions. */
  static <K, V> JavaPairRDD<K, V> coalesced(JavaPairRDD<K, V> rdd, JavaSparkContext jsc, int partitions) {
    int target = Math.max(1, partitions);
    if (rdd.getNumPartitions() <= target) {
      return rdd;
    }
    return new JavaPairRDD<>(rdd.rdd().coalesce(target, false,
        scala.Option.apply(new ExecutorCoalescer()), null), rdd.kClassTag(), rdd.vClassTag());
  }

  /**
   * One partial sketch per outer block index: A's blocks (I, K) add into key I, B's blocks (K, J),
   * read transposed, into key J. Summed map-side within each task, then by key, in the order the
   * reducer fetches the tasks' outputs: map order in local mode (the same bits on every run), not
   * necessarily on a cluster, where which blocks a task sums also follows where they are cached
   * ({@link #coalesced}), so the last bits can differ between runs, as in MLlib's own sums.
   */
  private static JavaPairRDD<Integer, SketchedBlock> sketchBlocks(
      JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks, Broadcast<InnerSketch> sk, int width,
      int innerPerBlock, Side side, int partitions, boolean outerNorms, BackendChoice backend) {
    JavaPairRDD<Integer, SketchAccumulator> partial = blocks.mapPartitionsToPair(it -> {
      Map<Integer, SketchAccumulator> accs = partialSketches(it, sk.value(), width, innerPerBlock, side, outerNorms,
          backend);
      List<Tuple2<Integer, SketchAccumulator>> out = new ArrayList<>(accs.size());
      accs.forEach((key, acc) -> out.add(new Tuple2<>(key, acc)));
      return out.iterator();
    });
    return partial.reduceByKey(SketchAccumulator::merge, partitions)
        .mapValues(SketchAccumulator::finish)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * One task's partial sketches: its blocks added into one accumulator per outer block index (A's
   * blocks (I, K) into key I; B's blocks (K, J), read transposed, into key J). Row-major blocks under
   * a per-index sketch are held, up to {@link #BATCH_BYTES} in all, and sketched together per key
   * ({@link BlockSketching#accumulateBlocks}); other blocks are sketched as they come, after the
   * blocks of their key still held. Every entry and outer norm therefore adds its terms in arrival
   * order: the bits of sketching block after block, whatever the batch size.
   */
  static Map<Integer, SketchAccumulator> partialSketches(java.util.Iterator<Tuple2<Tuple2<Object, Object>, Matrix>> it,
      InnerSketch sketch, int width, int innerPerBlock, Side side, boolean outerNorms, BackendChoice backend) {
    return partialSketches(it, sketch, width, innerPerBlock, side, outerNorms, backend, BATCH_BYTES);
  }

  /** {@link #partialSketches} holding at most {@code batchBytes} of row-major blocks before sketching them. */
  static Map<Integer, SketchAccumulator> partialSketches(java.util.Iterator<Tuple2<Tuple2<Object, Object>, Matrix>> it,
      InnerSketch sketch, int width, int innerPerBlock, Side side, boolean outerNorms, BackendChoice backend,
      long batchBytes) {
    Map<Integer, SketchAccumulator> accs = new HashMap<>();
    Map<Integer, List<Matrix>> pending = new HashMap<>();
    Map<Integer, List<Long>> starts = new HashMap<>();
    long held = 0;
    while (it.hasNext()) {
      Tuple2<Tuple2<Object, Object>, Matrix> e = it.next();
      int outer = (Integer) (side == Side.A ? e._1()._1() : e._1()._2());
      int inner = (Integer) (side == Side.A ? e._1()._2() : e._1()._1());
      Matrix block = side == Side.A ? e._2() : e._2().transpose();
      SketchAccumulator acc = accs.computeIfAbsent(outer, o -> outerNorms
          ? new SketchAccumulator(block.numRows(), width, backend).trackOuterNorms()
          : new SketchAccumulator(block.numRows(), width, backend));
      long start = (long) inner * innerPerBlock;
      if (!(sketch.perIndex() && block instanceof DenseMatrix && ((DenseMatrix) block).isTransposed())) {
        List<Matrix> waiting = pending.remove(outer);
        if (waiting != null) { // this key's earlier blocks first: its outer norms add up in arrival order
          sketchPending(acc, waiting, starts.remove(outer), sketch, side);
          for (Matrix w : waiting) {
            held -= 8L * w.numRows() * w.numCols();
          }
        }
        BlockSketching.accumulate(acc, block, start, sketch, side);
        continue;
      }
      pending.computeIfAbsent(outer, o -> new ArrayList<>()).add(block);
      starts.computeIfAbsent(outer, o -> new ArrayList<>()).add(start);
      held += 8L * block.numRows() * block.numCols();
      if (held >= batchBytes) {
        pending.forEach((o, blocks) -> sketchPending(accs.get(o), blocks, starts.get(o), sketch, side));
        pending.clear();
        starts.clear();
        held = 0;
      }
    }
    pending.forEach((o, blocks) -> sketchPending(accs.get(o), blocks, starts.get(o), sketch, side));
    return accs;
  }

  /**
   * Bytes of row-major blocks a task holds, over all its outer indices, before sketching them
   * together ({@link BlockSketching#accumulateBlocks}): references to cached blocks cost nothing,
   * blocks read from disk or computed cost their size.
   */
  private static final long BATCH_BYTES = 128L << 20;

  private static void sketchPending(SketchAccumulator acc, List<Matrix> blocks, List<Long> starts, InnerSketch sketch,
      Side side) {
    long[] s = new long[starts.size()];
    for (int k = 0; k < s.length; k++) {
      s[k] = starts.get(k);
    }
    BlockSketching.accumulateBlocks(acc, blocks, s, sketch, side);
  }

  private static Tuple2<Tuple2<Object, Object>, Matrix> reducedBlock(ReducedProduct rp, BackendChoice backend, int i,
      SketchedBlock as, int j, SketchedBlock bs) {
    return new Tuple2<>(new Tuple2<>(i, j), new DenseMatrix(as.rows, bs.rows, rp.multiply(as, bs, backend.backend())));
  }
}
