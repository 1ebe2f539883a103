package org.sparkamm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;
import org.sparkamm.sketch.InnerMasses;

/**
 * Gathers values indexed by inner index (per-block norm vectors, per-row norms) into arrays of
 * {@link InnerMasses#CHUNK} consecutive indices, summing values of the same index. Keyed by chunk
 * number, independent of how the data was partitioned or blocked; each task sums its values of a
 * chunk in the order it reads them, and the tasks' sums are added in task order ({@link
 * OrderedByKey}), so the masses are the same bits on every run. Shuffle: at most one 32 KiB array
 * per (partition, chunk), i.e. about 8n bytes plus overhead.
 */
final class InnerChunks {
  private InnerChunks() {}

  /**
   * @param pieces (first inner index, consecutive values) pairs
   * @param n the inner dimension
   */
  static JavaPairRDD<Integer, double[]> gather(JavaPairRDD<Long, double[]> pieces, long n, int partitions) {
    int chunk = InnerMasses.CHUNK;
    return OrderedByKey.sumPerTask(pieces, it -> {
      Map<Integer, double[]> chunks = new TreeMap<>(); // this task's sums, by chunk
      while (it.hasNext()) {
        Tuple2<Long, double[]> piece = it.next();
        long start = piece._1();
        double[] v = piece._2();
        int done = 0;
        while (done < v.length) {
          long index = start + done;
          int id = (int) (index / chunk);
          int offset = (int) (index - (long) id * chunk);
          int len = Math.min(v.length - done, chunk - offset);
          double[] into = chunks.computeIfAbsent(id, c -> new double[chunk]);
          for (int i = 0; i < len; i++) {
            into[offset + i] += v[done + i];
          }
          done += len;
        }
      }
      List<Tuple2<Integer, double[]>> out = new ArrayList<>(chunks.size());
      chunks.forEach((id, sums) -> out.add(new Tuple2<>(id, sums)));
      return out.iterator();
    }, Math.max(1, Math.min(partitions, InnerMasses.chunkCount(n))), (x, y) -> {
      for (int i = 0; i < x.length; i++) {
        x[i] += y[i];
      }
      return x;
    }).mapToPair(e -> {
      int len = (int) Math.min(chunk, n - (long) e._1() * chunk);
      double[] v = e._2();
      return new Tuple2<>(e._1(), len == v.length ? v : Arrays.copyOf(v, len));
    });
  }
}
