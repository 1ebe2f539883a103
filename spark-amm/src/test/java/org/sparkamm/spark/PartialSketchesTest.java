package org.sparkamm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.DoubleStream;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.junit.jupiter.api.Test;
import org.sparkamm.TestMatrices;
import org.sparkamm.algo.AlgorithmRegistry;
import org.sparkamm.local.BackendChoice;
import org.sparkamm.sketch.ArrayMasses;
import org.sparkamm.sketch.BlockSketching;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchAccumulator;
import org.sparkamm.sketch.SketchedBlock;
import scala.Tuple2;

/**
 * A task's partial sketches do not depend on how many bytes of row-major blocks it holds before
 * sketching them together: flushing after every block, after a few, or once at the end gives the
 * bits of sketching every block on its own in arrival order.
 */
class PartialSketchesTest {
  private static final int ROWS = 19;
  private static final int INNER_PER_BLOCK = 30;
  private static final int INNER_BLOCKS = 4;
  private static final int WIDTH = 7;

  /** A's blocks (outer I, inner K) for I in {0, 1}, keys interleaved, layouts mixed: row-major, column-major, sparse. */
  private static List<Tuple2<Tuple2<Object, Object>, Matrix>> blocks() {
    List<Tuple2<Tuple2<Object, Object>, Matrix>> out = new ArrayList<>();
    for (int k = 0; k < INNER_BLOCKS; k++) {
      for (int i = 0; i < 2; i++) {
        DenseMatrix g = TestMatrices.gaussian(ROWS, INNER_PER_BLOCK, 100 + 10 * i + k);
        Matrix block = (i + k) % 4 == 1 ? g : (i + k) % 4 == 2 ? TestMatrices.sparsified(g) : TestMatrices.rowMajor(g);
        out.add(new Tuple2<>(new Tuple2<>(i, k), block));
      }
    }
    return out;
  }

  @Test
  void everyBatchSizeGivesTheBitsOfOneBlockAtATime() {
    List<Tuple2<Tuple2<Object, Object>, Matrix>> blocks = blocks();
    long blockBytes = 8L * ROWS * INNER_PER_BLOCK;
    int n = INNER_PER_BLOCK * INNER_BLOCKS;
    for (String tag : new String[] {"countSketch", "sjlt", "crs"}) {
      InnerSketch sk = AlgorithmRegistry.create(tag).sketch(n, WIDTH, 5,
          new ArrayMasses(DoubleStream.generate(() -> 1.0).limit(n).toArray()));
      SketchAccumulator[] reference = {new SketchAccumulator(ROWS, WIDTH, BackendChoice.CPU).trackOuterNorms(),
          new SketchAccumulator(ROWS, WIDTH, BackendChoice.CPU).trackOuterNorms()};
      for (Tuple2<Tuple2<Object, Object>, Matrix> e : blocks) {
        BlockSketching.accumulate(reference[(Integer) e._1()._1()], e._2(),
            (long) (Integer) e._1()._2() * INNER_PER_BLOCK, sk, Side.A);
      }
      SketchedBlock[] expected = {reference[0].finish(), reference[1].finish()};
      for (long batch : new long[] {1, 2 * blockBytes, 3 * blockBytes + 1, Long.MAX_VALUE}) {
        Map<Integer, SketchAccumulator> accs = BlockProduct.partialSketches(blocks.iterator(), sk, WIDTH,
            INNER_PER_BLOCK, Side.A, true, BackendChoice.CPU, batch);
        assertEquals(2, accs.size(), tag);
        for (int i = 0; i < 2; i++) {
          SketchedBlock got = accs.get(i).finish();
          String what = tag + ", outer block " + i + ", batch of " + batch + " bytes";
          assertArrayEquals(expected[i].values, got.values, what);
          assertArrayEquals(expected[i].outerNorms2, got.outerNorms2, what);
          assertTrue(TestMatrices.maxAbs(got.values) > 0.1, what + ": a sketch that is not zero");
        }
      }
    }
  }
}
