package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.apache.spark.mllib.linalg.distributed.BlockMatrix;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import org.sparkamm.algo.CodebookAlgorithm;
import org.sparkamm.algo.Timed;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.Encoder;
import org.sparkamm.codebook.PartialCodes;
import org.sparkamm.codebook.Tables;

/**
 * The codebook methods ({@link CodebookAlgorithm}) on {@code BlockMatrix} A (m x n) and B (n x p).
 * The codebook is broadcast once; every block is encoded where it lies.
 *
 * <ol>
 *   <li>buildA: each task adds its blocks of A into one {@link PartialCodes} per block row I (partial
 *       dot products with the prototypes of the subspaces the block meets, or the hash trees'
 *       compared coordinates); partials are summed by block row and each row's code is picked. This
 *       works whether or not blocks split subspaces, and shuffles at most (tasks per block row) x
 *       m x C x W x 8 bytes, W = K (16 for pq-raw, l_A for vq/pq) or 4 (pq-hash), instead of A's
 *       m x n x 8: cheaper when W &lt; the subspace width D_c (W / D_c of A).
 *   <li>buildB: one-sided codebooks build the tables T_c = P_c B_c per block column J of B, additive
 *       over B's block rows (shuffle: tasks per block column x C K p x 8 bytes); two-sided ones encode
 *       B's columns as A's rows are encoded.
 *   <li>fAB: block C_IJ from the codes of I and the tables (or codes) of J, O(m_I p_J C) lookups,
 *       with B's side broadcast when it is at most 256 MiB, else by a cartesian product.
 * </ol>
 * A block row (or column) with no stored blocks is all zero, and is encoded as such. The result
 * has A's rows per block and B's columns per block, is cached, and is the caller's to unpersist;
 * its lineage reads the codebook broadcast, which is unpersisted (never destroyed) on success.
 */
public final class CodebookBlockProduct {
  private CodebookBlockProduct() {}

  public static Timed<BlockMatrix> multiply(CodebookAlgorithm algo, BlockMatrix a, BlockMatrix b) {
    Codebook cb = algo.codebook();
    long m = a.numRows();
    long n = a.numCols();
    long p = b.numCols();
    cb.subspaces().check(n, algo.tag());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(a.blocks().sparkContext());
    ProductClock clock = new ProductClock(jsc);
    Broadcast<Codebook> bc = jsc.broadcast(cb);
    List<JavaPairRDD<Integer, Object>> cached = new ArrayList<>();
    JavaPairRDD<Tuple2<Object, Object>, Matrix> cBlocks = null;
    Broadcast<Map<Integer, Object>> sideAll = null;
    boolean done = false;
    try {
      int rpbA = a.rowsPerBlock();
      int cpbB = b.colsPerBlock();
      int partsA = Math.max(1, Math.min(a.blocks().getNumPartitions(), a.numRowBlocks()));
      int partsB = Math.max(1, Math.min(b.blocks().getNumPartitions(), b.numColBlocks()));
      cached.add(encode(blocks(a, jsc), bc, false, a.colsPerBlock(), partsA));
      JavaPairRDD<Integer, Object> codesA = complete(cached.get(0), a.numRowBlocks(),
          i -> zeroCodes(cb, false, size(m, rpbA, i)), jsc);
      codesA.count();
      long buildA = clock.lap();
      cached.add(cb.twoSided() ? encode(blocks(b, jsc), bc, true, b.rowsPerBlock(), partsB)
          : tables(blocks(b, jsc), bc, b.rowsPerBlock(), partsB));
      JavaPairRDD<Integer, Object> sideB = complete(cached.get(1), b.numColBlocks(),
          j -> cb.twoSided() ? zeroCodes(cb, true, size(p, cpbB, j)) : Tables.of(cb, size(p, cpbB, j)), jsc);
      sideB.count();
      long buildB = clock.lap();
      long bytesB = cb.twoSided() ? 4L * p * cb.subspaces().count() : 8L * p * cb.subspaces().count() * cb.codewordsA();
      if (bytesB <= BlockProduct.BROADCAST_LIMIT_BYTES) {
        Broadcast<Map<Integer, Object>> all = jsc.broadcast(new HashMap<>(sideB.collectAsMap()));
        sideAll = all;
        cBlocks = codesA.flatMapToPair(e -> {
          List<Tuple2<Tuple2<Object, Object>, Matrix>> out = new ArrayList<>();
          for (Map.Entry<Integer, Object> j : all.value().entrySet()) {
            out.add(block(bc.value(), e._1(), (int[]) e._2(), j.getKey(), j.getValue()));
          }
          return out.iterator();
        });
      } else {
        cBlocks = codesA.cartesian(sideB).mapToPair(e ->
            block(bc.value(), e._1()._1(), (int[]) e._1()._2(), e._2()._1(), e._2()._2()));
      }
      cBlocks = cBlocks.persist(StorageLevel.MEMORY_AND_DISK());
      cBlocks.count();
      long fab = clock.lap();
      BlockMatrix c = new BlockMatrix(cBlocks.rdd(), rpbA, cpbB, m, p);
      done = true;
      return new Timed<>(c, clock.breakdown(buildA, buildB, fab, clock.lap()));
    } finally {
      for (JavaPairRDD<Integer, Object> rdd : cached) {
        rdd.unpersist(false);
      }
      if (done) { // the result's lineage reads the codebook (and B's side): keep the driver's copies
        bc.unpersist(false);
        if (sideAll != null) {
          sideAll.unpersist(false);
        }
      } else {
        if (cBlocks != null) {
          cBlocks.unpersist(false);
        }
        bc.destroy();
        if (sideAll != null) {
          sideAll.destroy();
        }
      }
    }
  }

  /** The blocks of {@code x}, at most two partitions per core ({@link BlockProduct#coalesced}). */
  private static JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks(BlockMatrix x, JavaSparkContext jsc) {
    return BlockProduct.coalesced(JavaPairRDD.fromJavaRDD(x.blocks().toJavaRDD()), jsc);
  }

  /**
   * The codes of A's rows per block row ({@code ofB} false: blocks (I, K) add into key I), or of B's
   * columns per block column (blocks (K, J) into key J), cached.
   */
  private static JavaPairRDD<Integer, Object> encode(JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks,
      Broadcast<Codebook> bc, boolean ofB, int innerPerBlock, int partitions) {
    JavaPairRDD<Integer, PartialCodes> partial = blocks.mapPartitionsToPair(it -> {
      Encoder enc = bc.value().encoder(ofB);
      Map<Integer, PartialCodes> acc = new HashMap<>();
      while (it.hasNext()) {
        Tuple2<Tuple2<Object, Object>, Matrix> e = it.next();
        int outer = (Integer) (ofB ? e._1()._2() : e._1()._1());
        int inner = (Integer) (ofB ? e._1()._1() : e._1()._2());
        DenseMatrix d = dense(e._2());
        // A's block (rows x w): rows to encode as stored; B's block (w x cols): its columns are the rows.
        int rows = ofB ? d.numCols() : d.numRows();
        int w = ofB ? d.numRows() : d.numCols();
        boolean trans = d.isTransposed() != ofB;
        int ld = d.isTransposed() ? d.numCols() : d.numRows();
        PartialCodes pc = acc.computeIfAbsent(outer, o -> enc.partial(rows));
        enc.add(pc, d.values(), trans, ld, (long) inner * innerPerBlock, w);
      }
      List<Tuple2<Integer, PartialCodes>> out = new ArrayList<>(acc.size());
      acc.forEach((key, pc) -> out.add(new Tuple2<>(key, pc)));
      return out.iterator();
    });
    return partial.reduceByKey(PartialCodes::merge, partitions)
        .mapValues(pc -> (Object) bc.value().encoder(ofB).codes(pc))
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** The tables T_c = P_c B_c per block column J of B, summed over B's block rows, cached. */
  private static JavaPairRDD<Integer, Object> tables(JavaPairRDD<Tuple2<Object, Object>, Matrix> blocks,
      Broadcast<Codebook> bc, int rowsPerBlock, int partitions) {
    JavaPairRDD<Integer, Tables> partial = blocks.mapPartitionsToPair(it -> {
      Codebook cb = bc.value();
      Map<Integer, Tables> acc = new HashMap<>();
      while (it.hasNext()) {
        Tuple2<Tuple2<Object, Object>, Matrix> e = it.next();
        DenseMatrix d = dense(e._2());
        Tables t = acc.computeIfAbsent((Integer) e._1()._2(), j -> Tables.of(cb, d.numCols()));
        t.add(cb, d.values(), d.isTransposed(), d.isTransposed() ? d.numCols() : d.numRows(),
            (long) (Integer) e._1()._1() * rowsPerBlock, d.numRows());
      }
      List<Tuple2<Integer, Tables>> out = new ArrayList<>(acc.size());
      acc.forEach((key, t) -> out.add(new Tuple2<>(key, t)));
      return out.iterator();
    });
    return partial.reduceByKey(Tables::merge, partitions).mapValues(t -> (Object) t)
        .persist(StorageLevel.MEMORY_AND_DISK());
  }

  /** {@code rdd} with an entry for every key 0..count-1: a block row or column with no stored block is zero. */
  private static JavaPairRDD<Integer, Object> complete(JavaPairRDD<Integer, Object> rdd, int count,
      IntFunction<Object> zero, JavaSparkContext jsc) {
    Set<Integer> present = new HashSet<>(rdd.keys().collect());
    List<Tuple2<Integer, Object>> missing = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (!present.contains(i)) {
        missing.add(new Tuple2<>(i, zero.apply(i)));
      }
    }
    return missing.isEmpty() ? rdd : rdd.union(jsc.parallelizePairs(missing, 1));
  }

  /** The codes of {@code rows} zero rows (or columns). */
  private static int[] zeroCodes(Codebook cb, boolean ofB, int rows) {
    Encoder enc = cb.encoder(ofB);
    return enc.codes(enc.partial(rows));
  }

  /** Rows (or columns) of block i of a dimension split into blocks of {@code perBlock}. */
  private static int size(long total, int perBlock, int i) {
    return (int) Math.min(perBlock, total - (long) i * perBlock);
  }

  /** Block C_IJ from the codes of I and B's side of J (tables, or codes of B's columns). */
  private static Tuple2<Tuple2<Object, Object>, Matrix> block(Codebook cb, int i, int[] codesA, int j, Object sideB) {
    int count = cb.subspaces().count();
    int rows = codesA.length / count;
    double[] values;
    int cols;
    if (sideB instanceof Tables) {
      Tables t = (Tables) sideB;
      cols = t.columns();
      values = t.lookup(codesA, rows);
    } else {
      int[] codesB = (int[]) sideB;
      cols = codesB.length / count;
      values = cb.multiplyCodes(codesA, rows, codesB, cols);
    }
    return new Tuple2<>(new Tuple2<>(i, j), new DenseMatrix(rows, cols, values));
  }

  private static DenseMatrix dense(Matrix x) {
    return x instanceof DenseMatrix ? (DenseMatrix) x : ((SparseMatrix) x).toDense();
  }
}
