package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.clustering.KMeans;
import org.apache.spark.mllib.clustering.KMeansModel;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.CodebookTrainer;
import org.sparkamm.codebook.Subspaces;
import org.sparkamm.codebook.TrainingSample;
import org.sparkamm.codebook.TrainingSpec;
import org.sparkamm.error.AmmArgumentException;

/**
 * Trains a codebook on Spark from {@code BlockMatrix} training data: A (rows x n) and, for vq/pq,
 * B (n x cols).
 *
 * <ol>
 *   <li>Sample: row r of A is drawn by {@link TrainingSample} (a pure function of (seed, r)); each
 *       block emits the pieces of its drawn rows, which are assembled by row index (shuffle: the
 *       sample only, about trainingRows x n x 8 bytes). The assembled rows are placed by a hash of
 *       their index into a number of partitions that depends on the sample size alone, sorted within
 *       each partition, and cached: MLlib's k-means draws its random choices per partition, so this
 *       layout makes the codebook independent of how the training data was partitioned (up to the
 *       order of floating-point sums inside MLlib). B's columns likewise. (A drawn row stored in no
 *       block at all, in an all-zero block row of a sparse BlockMatrix, is not in the sample.)
 *   <li>pq-raw, vq, pq: per subspace, MLlib's {@code KMeans} (k-means||, seeded per subspace from the
 *       training seed, {@value #ITERATIONS} iterations at most) on the sampled sub-vectors: K = 16,
 *       l_A or l_B centers; the runs of all subspaces (and of both sides) are submitted together,
 *       up to 16 at once. With fewer distinct sub-vectors than centers MLlib returns fewer; the
 *       missing ones repeat the first (never chosen by a nearest-center search).
 *   <li>pq-hash: the sample (small by construction) is collected to the driver, which learns each
 *       subspace's MADDNESS tree and bucket means ({@code codebook.TreeLearner}).
 * </ol>
 * The lookup table of vq/pq is computed from the codewords on the driver. Cached samples are
 * released on every path.
 */
public final class CodebookTraining {
  static final int ITERATIONS = 20;
  /** How many k-means runs are submitted at once. */
  private static final int CONCURRENT_RUNS = 16;
  /** Values per partition of the assembled sample (8 MiB). */
  private static final long VALUES_PER_PARTITION = 1L << 20;

  private CodebookTraining() {}

  public static Codebook train(CodebookAlgorithm algo, BlockMatrix a, BlockMatrix b, int sketchSize, long seed) {
    TrainingSpec spec = algo.trainingSpec(sketchSize, seed);
    long n = a.numCols();
    Subspaces s = spec.subspaces(n);
    List<JavaPairRDD<Long, double[]>> cached = new ArrayList<>();
    try {
      TrainingSample rowSample = spec.rowsOfA(a.numRows(), n);
      cached.add(sample(a, false, rowSample, rowSample.expected(a.numRows()), n));
      long rows = count(cached.get(0), spec.tag, "rows of A");
      Codebook cb;
      if (spec.form == TrainingSpec.Form.HASHED) {
        AmmArgumentException.require(rows * n <= Integer.MAX_VALUE - 8,
            "%s: a training sample of %d rows of length %d does not fit the driver's arrays (lower trainingRows)",
            spec.tag, rows, n);
        List<Tuple2<Long, double[]>> collected = new ArrayList<>(cached.get(0).collect());
        collected.sort(Comparator.comparing(Tuple2::_1));
        double[] sample = new double[(int) (rows * n)];
        for (int r = 0; r < collected.size(); r++) {
          System.arraycopy(collected.get(r)._2(), 0, sample, (int) (r * n), (int) n);
        }
        cb = CodebookTrainer.hashed(spec, s, sample, (int) rows);
      } else {
        int ka = spec.codewordsA(rows);
        long cols = 0;
        int kb = 0;
        if (spec.twoSided()) {
          TrainingSample colSample = spec.columnsOfB(b.numCols(), n);
          cached.add(sample(b, true, colSample, colSample.expected(b.numCols()), n));
          cols = count(cached.get(1), spec.tag, "columns of B");
          kb = spec.codewordsB(cols);
        }
        double[][][] centers = kmeans(cached, s, new int[] {ka, kb}, spec);
        cb = spec.twoSided() ? Codebook.codewords(spec.tag, s, ka, centers[0], kb, centers[1], null, seed, rows, cols)
            : Codebook.prototypes(spec.tag, s, ka, centers[0], seed, rows);
      }
      algo.setCodebook(cb);
      return cb;
    } finally {
      for (JavaPairRDD<Long, double[]> rdd : cached) {
        rdd.unpersist(false);
      }
    }
  }

  private static long count(JavaPairRDD<Long, double[]> sample, String tag, String what) {
    long count = sample.count();
    AmmArgumentException.require(count >= 1, "%s: the training sample of %s is empty (raise trainingRows)", tag, what);
    return count;
  }

  /**
   * Per subspace and side, MLlib's k-means on the sampled sub-vectors: centers[side][c], k x width
   * row-major. The runs are independent (each its own sub-vectors and seed), so up to
   * {@value #CONCURRENT_RUNS} of them are submitted at once from driver threads, and their small jobs
   * share the cluster. The result does not depend on the order the runs finish in.
   */
  private static double[][][] kmeans(List<JavaPairRDD<Long, double[]>> samples, Subspaces s, int[] k,
      TrainingSpec spec) {
    double[][][] centers = new double[samples.size()][s.count()][];
    List<Callable<Void>> runs = new ArrayList<>();
    for (int side = 0; side < samples.size(); side++) {
      for (int c = 0; c < s.count(); c++) {
        int sd = side;
        int cc = c;
        runs.add(() -> {
          centers[sd][cc] = kmeans(samples.get(sd), s.start(cc), s.end(cc), k[sd], spec.kmeansSeed(sd == 1, cc));
          return null;
        });
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(runs.size(), CONCURRENT_RUNS));
    try {
      for (Future<Void> f : pool.invokeAll(runs)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException ? (RuntimeException) cause : new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
    return centers;
  }

  /** MLlib's k-means on inner indices from..to-1 of the sampled vectors: k centers, k x width row-major. */
  private static double[] kmeans(JavaPairRDD<Long, double[]> sample, int from, int to, int k, long seed) {
    int w = to - from;
    JavaRDD<Vector> sub = sample.values().map(v -> Vectors.dense(Arrays.copyOfRange(v, from, to)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      KMeansModel model = new KMeans().setK(k).setMaxIterations(ITERATIONS)
          .setInitializationMode(KMeans.K_MEANS_PARALLEL()).setSeed(seed).run(sub.rdd());
      Vector[] found = model.clusterCenters();
      double[] out = new double[k * w];
      for (int t = 0; t < k; t++) {
        System.arraycopy(found[t < found.length ? t : 0].toArray(), 0, out, t * w, w);
      }
      return out;
    } finally {
      sub.unpersist(false);
    }
  }

  /**
   * The drawn rows of x (or its columns, when {@code columns}) as (index, values of length n),
   * hash-partitioned by index into partitions of about {@value #VALUES_PER_PARTITION} values, sorted
   * by index within each, cached.
   */
  private static JavaPairRDD<Long, double[]> sample(BlockMatrix x, boolean columns, TrainingSample sample,
      double expected, long n) {
    int outerPerBlock = columns ? x.colsPerBlock() : x.rowsPerBlock();
    int innerPerBlock = columns ? x.rowsPerBlock() : x.colsPerBlock();
    JavaPairRDD<Long, Tuple2<Integer, double[]>> pieces = JavaPairRDD.fromJavaRDD(x.blocks().toJavaRDD())
        .flatMapToPair(e -> {
          DenseMatrix d = dense(e._2());
          int outerBlock = (Integer) (columns ? e._1()._2() : e._1()._1());
          int inner0 = (Integer) (columns ? e._1()._1() : e._1()._2()) * innerPerBlock;
          int outerCount = columns ? d.numCols() : d.numRows();
          int innerCount = columns ? d.numRows() : d.numCols();
          List<Tuple2<Long, Tuple2<Integer, double[]>>> out = new ArrayList<>();
          for (int o = 0; o < outerCount; o++) {
            long index = (long) outerBlock * outerPerBlock + o;
            if (sample.contains(index)) {
              double[] v = new double[innerCount];
              for (int i = 0; i < innerCount; i++) {
                v[i] = columns ? d.apply(i, o) : d.apply(o, i);
              }
              out.add(new Tuple2<>(index, new Tuple2<>(inner0, v)));
            }
          }
          return out.iterator();
        });
    int partitions = (int) Math.max(1, Math.min(1000, Math.ceil(expected * n / VALUES_PER_PARTITION)));
    return pieces.repartitionAndSortWithinPartitions(new HashPartitioner(partitions)).mapPartitionsToPair(it -> {
      List<Tuple2<Long, double[]>> rows = new ArrayList<>();
      long current = -1;
      double[] row = null;
      while (it.hasNext()) {
        Tuple2<Long, Tuple2<Integer, double[]>> e = it.next();
        if (e._1() != current) {
          current = e._1();
          row = new double[(int) n];
          rows.add(new Tuple2<>(current, row));
        }
        double[] piece = e._2()._2();
        System.arraycopy(piece, 0, row, e._2()._1(), piece.length);
      }
      return rows.iterator();
    }, true).persist(StorageLevel.MEMORY_AND_DISK());
  }

  private static DenseMatrix dense(Matrix m) {
    return m instanceof DenseMatrix ? (DenseMatrix) m : ((SparseMatrix) m).toDense();
  }
}
