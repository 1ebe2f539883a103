package org.sparkamm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.sparkamm.algo.ReducedProduct;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;
import scala.Tuple2;

/**
 * The sketched product {@code C_IJ = (A S^T)_I (B^T S^T)_J^T} in one Spark job of two stages, for
 * products with few output blocks (at most {@value #MAX_OUTPUT_BLOCKS}; e.g. A^T B of tall inputs,
 * a covariance). Stage 1 sketches A's and B's blocks in one set of tasks: each task sums its blocks
 * into one partial sketch per outer block ({@link BlockProduct#partialSketches}) and sends it to
 * every output block that reads it (A's block row I to (I, J) for every J, B's block column J to
 * (I, J) for every I); each input is read by max(1, cores / 2) tasks, so the stage has one task
 * per core (two on a single core). Stage 2 sums the partials of each output block and multiplies them there.
 *
 * <p>The general path ({@link BlockProduct}) caches and counts A's sketches, sums, counts, collects
 * and broadcasts B's, then multiplies: four jobs and six stages, and B's sketches through the
 * driver. This path does the same arithmetic with one job's fixed costs. Shuffle: every partial
 * sketch once per output block that reads it, {@code 8 l (t_A m (blocks of C per row) + t_B p
 * (blocks of C per column))} bytes for t_A and t_B sketching tasks, the general path's bytes when C
 * is one block. Partials are not combined map-side (a task emits one per key). A task sends one
 * accumulator to several keys, and a serializer that keeps references (Java's within a stream,
 * Kryo's) hands the keys of one reduce partition the same object again, so summing never adds into
 * an accumulator it received: the first sum of a key copies it ({@link Partials#add}).
 */
final class OneJobProduct {
  /** Output blocks up to which one job pays: each partial is sent to as many keys as it has partners. */
  static final int MAX_OUTPUT_BLOCKS = 4;

  private OneJobProduct() {}

  static boolean applies(BlockMatrix a, BlockMatrix b) {
    return (long) a.numRowBlocks() * b.numColBlocks() <= MAX_OUTPUT_BLOCKS;
  }

  /** The partial sketches of one output block: A's block row and B's block column (either may be null). */
  static final class Partials implements Serializable {
    private static final long serialVersionUID = 1L;
    SketchAccumulator a;
    SketchAccumulator b;
    /** Whether a (b) is this object's own copy, which sums may add into. */
    private boolean ownsA;
    private boolean ownsB;

    Partials(SketchAccumulator a, SketchAccumulator b) {
      this.a = a;
      this.b = b;
    }

    Partials add(Partials o) {
      if (o.a != null) {
        if (a == null) {
          a = o.a;
        } else {
          if (!ownsA) {
            a = a.copy();
            ownsA = true;
          }
          a.merge(o.a);
        }
      }
      if (o.b != null) {
        if (b == null) {
          b = o.b;
        } else {
          if (!ownsB) {
            b = b.copy();
            ownsB = true;
          }
          b.merge(o.b);
        }
      }
      return this;
    }
  }

  /**
   * The blocks of C, cached and materialized by one job. {@code nanos} receive the tasks' time in
   * sketching A, sketching B and the reduced products (in that order), the only phase boundaries
   * one job has.
   */
  static JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks(JavaSparkContext jsc, BlockMatrix a, BlockMatrix b,
      Broadcast<InnerSketch> sk, int width, boolean outerNorms, ReducedProduct rp, LongAccumulator[] nanos,
      BackendChoice backend) {
    int rowBlocks = a.numRowBlocks();
    int colBlocks = b.numColBlocks();
    int cpbA = a.colsPerBlock();
    int rpbB = b.rowsPerBlock();
    // A's and B's tasks share the stage, half the cores each: one task per core in all. Every task
    // emits a partial sketch (8 m l bytes serialized, shuffled, merged), so more tasks cost more
    // than they balance: on 2 cores two tasks per side were 10-35% slower than one (interleaved runs).
    int tasksPerSide = Math.max(1, jsc.defaultParallelism() / 2);
    LongAccumulator nanosA = nanos[0];
    LongAccumulator nanosB = nanos[1];
    LongAccumulator nanosC = nanos[2];
    JavaPairRDD<Tuple2<Integer, Integer>, Partials> fromA = BlockProduct.coalesced(
        JavaPairRDD.fromJavaRDD(a.blocks().toJavaRDD()), jsc, tasksPerSide).mapPartitionsToPair(it -> {
          long t0 = System.nanoTime();
          Map<Integer, SketchAccumulator> accs = BlockProduct.partialSketches(it, sk.value(), width, cpbA, Side.A,
              outerNorms, backend);
          List<Tuple2<Tuple2<Integer, Integer>, Partials>> out = new ArrayList<>();
          accs.forEach((i, acc) -> {
            for (int j = 0; j < colBlocks; j++) {
              out.add(new Tuple2<>(new Tuple2<>(i, j), new Partials(acc, null)));
            }
          });
          nanosA.add(System.nanoTime() - t0);
          return out.iterator();
        });
    JavaPairRDD<Tuple2<Integer, Integer>, Partials> fromB = BlockProduct.coalesced(
        JavaPairRDD.fromJavaRDD(b.blocks().toJavaRDD()), jsc, tasksPerSide).mapPartitionsToPair(it -> {
          long t0 = System.nanoTime();
          Map<Integer, SketchAccumulator> accs = BlockProduct.partialSketches(it, sk.value(), width, rpbB, Side.B,
              outerNorms, backend);
          List<Tuple2<Tuple2<Integer, Integer>, Partials>> out = new ArrayList<>();
          accs.forEach((j, acc) -> {
            for (int i = 0; i < rowBlocks; i++) {
              out.add(new Tuple2<>(new Tuple2<>(i, j), new Partials(null, acc)));
            }
          });
          nanosB.add(System.nanoTime() - t0);
          return out.iterator();
        });
    int parts = Math.max(1, rowBlocks * colBlocks);
    JavaPairRDD<Tuple2<Object, Object>, Matrix> c = fromA.union(fromB)
        .combineByKey(x -> x, Partials::add, Partials::add, new HashPartitioner(parts), false, null)
        .flatMapToPair(e -> {
          Partials both = e._2();
          if (both.a == null || both.b == null) { // a block row of A or column of B with no blocks: C_IJ = 0, omitted
            return Collections.emptyIterator();
          }
          long t0 = System.nanoTime();
          DenseMatrix block = new DenseMatrix(both.a.rows(), both.b.rows(),
              rp.multiply(both.a.finish(), both.b.finish(), backend.backend()));
          nanosC.add(System.nanoTime() - t0);
          Tuple2<Object, Object> key = new Tuple2<>(e._1()._1(), e._1()._2());
          return Collections.singletonList(new Tuple2<Tuple2<Object, Object>, Matrix>(key, block)).iterator();
        })
        .persist(StorageLevel.MEMORY_AND_DISK());
    boolean done = false;
    try {
      c.count();
      done = true;
      return c;
    } finally {
      if (!done) {
        c.unpersist(false);
      }
    }
  }
}
