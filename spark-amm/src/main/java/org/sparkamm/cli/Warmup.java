package org.sparkamm.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.sql.SparkSession;
import org.sparkamm.Amm;
import org.sparkamm.local.Blas;
import org.sparkamm.random.CounterRng;
import org.sparkamm.random.Streams;
import org.sparkamm.spark.SparkMatrices;

/**
 * Warms one algorithm's local code while a command loads its inputs, so that the multiply it then
 * times does not pay for first use: loading native BLAS and starting its threads (a 512^3 dgemm),
 * and the JIT compiling the sketch kernels (the algorithm run {@value #RUNS} times on {@value #ROWS} x
 * {@value #INNER} random operands, laid out as the real ones, transposed or not). On the Spark
 * engine in local mode the tasks run in this JVM and use the same kernels. It runs on a daemon
 * thread beside the load (loading is mostly I/O) and costs about as much as one multiply of 2 x 8 MB
 * inputs; {@link #await} reports how long the command then still had to wait for it. A warm-up that
 * fails is dropped: the multiply reports the problem itself. {@link #close} (on every path of the
 * command, errors included) stops it after the run in progress and waits for its thread.
 */
final class Warmup implements AutoCloseable {
  static final int ROWS = 64;
  static final int INNER = 1 << 14;
  static final int RUNS = 4;
  /** Inner indices per block of the Spark warm-up's operands. */
  private static final int BLOCK = 1024;
  private static final int GEMM = 512;
  private final Thread thread;
  private volatile boolean cancelled;

  private Warmup(Amm amm, int sketch, boolean ta, boolean tb, boolean spark) {
    thread = new Thread(() -> {
      try {
        double[] x = new double[GEMM * GEMM];
        Blas.gemm(false, false, GEMM, GEMM, GEMM, 1.0, x, 0, GEMM, x, 0, GEMM, 0.0, new double[GEMM * GEMM], 0, GEMM);
        DenseMatrix a = random(1, ta);
        DenseMatrix b = random(2, tb);
        for (int r = 0; r < RUNS && !cancelled; r++) {
          amm.multiply(a, b, Math.min(sketch, ROWS));
        }
        if (spark) {
          warmSpark(amm, Math.min(sketch, ROWS), a, b, ta, tb);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception | Error e) { // also Spark's undeclared SparkException, e.g. a job cancelled by the command's stop
        // dropped: an optimization only, and the multiply that follows reports any real problem
      }
    }, "spark-amm-warmup");
    thread.setDaemon(true);
  }

  /**
   * Spark's side of a first multiply: once the command has started its session, one multiply of the
   * small operands as block matrices stored as the real ones are (row- or column-major blocks), so
   * that the job, its shuffle and the partial sketches' serialization have run once in this JVM. Its
   * job shares the cores with the load's.
   */
  private void warmSpark(Amm amm, int sketch, DenseMatrix a, DenseMatrix b, boolean ta, boolean tb)
      throws InterruptedException {
    while (!cancelled && !SparkSession.getDefaultSession().isDefined()) {
      Thread.sleep(20);
    }
    if (cancelled) {
      return;
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkSession.getDefaultSession().get().sparkContext());
    if (!jsc.master().startsWith("local") || jsc.master().startsWith("local-cluster")) {
      return; // a session already running on a cluster: its executors are not this JVM
    }
    BlockMatrix ad = ta ? SparkMatrices.fromLocal(jsc, a.transpose(), BLOCK, ROWS, 2).transpose()
        : SparkMatrices.fromLocal(jsc, a, ROWS, BLOCK, 2);
    BlockMatrix bd = tb ? SparkMatrices.fromLocal(jsc, b.transpose(), ROWS, BLOCK, 2).transpose()
        : SparkMatrices.fromLocal(jsc, b, BLOCK, ROWS, 2);
    amm.multiply(ad, bd, sketch).blocks().unpersist(false);
  }

  /** Starts warming {@code amm} (its own instance: it must not be the one that multiplies) for sketch size {@code sketch}, also on Spark when {@code spark}. */
  static Warmup start(Amm amm, int sketch, boolean ta, boolean tb, boolean spark) {
    Warmup w = new Warmup(amm, sketch, ta, tb, spark);
    w.thread.start();
    return w;
  }

  /** Waits for the warm-up to end; returns the milliseconds waited. */
  long await() {
    long t0 = System.nanoTime();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Stops the warm-up after its current run and waits for its thread to end. */
  @Override
  public void close() {
    cancelled = true;
    await();
  }

  /**
   * A random operand of the multiply's layout: ROWS x INNER (A) or INNER x ROWS (B) after the
   * transpose, stored so that the transpose flag gives the layout the real input has.
   */
  private static DenseMatrix random(long seed, boolean transposed) {
    long key = CounterRng.streamKey(seed, Streams.WARMUP_OPERANDS);
    double[] v = new double[ROWS * INNER];
    for (int i = 0; i < v.length; i++) {
      v[i] = CounterRng.uniform(key, i) - 0.5;
    }
    return seed == 1 ? (transposed ? new DenseMatrix(INNER, ROWS, v).transpose() : new DenseMatrix(ROWS, INNER, v))
        : (transposed ? new DenseMatrix(ROWS, INNER, v).transpose() : new DenseMatrix(INNER, ROWS, v));
  }
}
