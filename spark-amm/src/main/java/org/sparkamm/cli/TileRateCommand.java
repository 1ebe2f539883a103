package org.sparkamm.cli;

import java.io.PrintStream;
import java.util.Set;
import org.sparkamm.Amm;
import org.sparkamm.algo.AmmAlgorithm;
import org.sparkamm.random.DenseColumns;
import org.sparkamm.sketch.DenseTile;
import org.sparkamm.sketch.InnerSketch;
import org.sparkamm.sketch.Side;
import org.sparkamm.sketch.SketchSlice;

/**
 * {@code spark-amm tile-rate}: how fast the dense sketches ({@code rip}, {@code gaussian},
 * {@code smp-pca}, {@code tugOfWar}) generate their tiles of S, in random values per second on one
 * thread (the rate one Spark task or one core achieves). One JSON line per algorithm.
 */
final class TileRateCommand {
  private TileRateCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) {
    Args args = new Args("tile-rate", argv, 1, Set.of("sketch", "seconds"), Set.of("verbose"));
    int l = args.getInt("sketch", 1000);
    double seconds = args.getDouble("seconds", 2.0);
    org.sparkamm.error.AmmArgumentException.require(l >= 1 && seconds > 0,
        "tile-rate: --sketch must be at least 1 and --seconds positive");
    for (String tag : Amm.tags()) {
      AmmAlgorithm algo = Amm.create(tag).algorithm();
      if (!algo.sketchesInnerDimension() || algo.needsMasses()) {
        continue;
      }
      InnerSketch sketch = algo.sketch(1 << 20, l, 1, null);
      SketchSlice slice = sketch.slice(0, DenseColumns.PANEL, Side.A);
      if (!(slice instanceof DenseTile)) {
        continue;
      }
      long values = 0;
      long start = System.nanoTime();
      long deadline = start + (long) (seconds * 1e9);
      double sink = 0;
      for (long from = 0; System.nanoTime() < deadline; from += DenseColumns.PANEL) {
        double[] tile = ((DenseTile) sketch.slice(from, DenseColumns.PANEL, Side.A)).tile(0, DenseColumns.PANEL);
        sink += tile[tile.length - 1];
        values += tile.length;
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      out.println(new Json().put("algo", tag).put("rows", sketch.width()).put("values", values)
          .put("seconds", Math.round(elapsed * 1000) / 1000.0)
          .put("millionValuesPerSecond", Math.round(values / elapsed / 1e5) / 10.0)
          .put("checksum", sink == 0 ? 0 : 1));
    }
  }
}
