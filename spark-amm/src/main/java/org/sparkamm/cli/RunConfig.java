package org.sparkamm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.sparkamm.Amm;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.loader.MatrixLoader;
import org.sparkamm.loader.MatrixLoaders;

/**
 * The one configuration of a command, as LibAMM's single ConfigMap: {@code --config FILE} (LibAMM
 * CSV), then every {@code --set key=value} in order (a later value wins). It goes to the loader and
 * to every algorithm; {@code --seed}, when given, is the algorithms' seed over a {@code seed} key.
 * A LibAMM benchmark config alone can drive a run: {@code cppAlgoTag}, {@code matrixLoaderTag} and
 * {@code sketchDimension} stand in for {@code --algo}, {@code --loader} and {@code --sketch} when
 * those flags are absent. A key that no algorithm, the loader or the command line reads is reported
 * once on stderr.
 */
final class RunConfig {
  /** The algorithm's tag in LibAMM's benchmark configs. */
  static final String ALGO_KEY = "cppAlgoTag";
  /** The loader's tag in LibAMM's benchmark configs. */
  static final String LOADER_KEY = "matrixLoaderTag";
  /** The sketch size in LibAMM's benchmark configs. */
  static final String SKETCH_KEY = "sketchDimension";
  /**
   * Keys the command line reads itself, never reported as unread: the three above, and keys of
   * LibAMM's benchmark drivers that mean nothing here but fill LibAMM's benchmark configs
   * (TorchScript module and C++ switch: {@code ptFile}, {@code useCPP}; threads and core binding:
   * {@code threads}, {@code forceMP}, {@code coreBind}, {@code osScheduling}; energy meter:
   * {@code usingMeter}, {@code meterTag}, {@code staticPower}; result naming:
   * {@code customResultName}).
   */
  static final Set<String> DRIVER_KEYS = Set.of(ALGO_KEY, LOADER_KEY, SKETCH_KEY, "ptFile", "useCPP", "threads",
      "forceMP", "coreBind", "osScheduling", "usingMeter", "meterTag", "staticPower", "customResultName");

  /** {@code --use-cuda}: the key {@code useCuda=1}. */
  static final String USE_CUDA_FLAG = "use-cuda";
  /** {@code --require-gpu}: the keys {@code useCuda=1} and {@code requireGpu=1}. */
  static final String REQUIRE_GPU_FLAG = "require-gpu";

  private final String command;
  private final Args args;
  private final AmmConfig cfg;
  private final List<Amm> configured = new ArrayList<>();
  private final Set<String> loaderKeys = new HashSet<>();
  private boolean reported;

  private RunConfig(String command, Args args, AmmConfig cfg) {
    this.command = command;
    this.args = args;
    this.cfg = cfg;
  }

  /** {@code --config}, then {@code --set} in order, then {@code --use-cuda} and {@code --require-gpu}. */
  static RunConfig of(String command, Args args) {
    AmmConfig cfg = args.get("config") != null ? AmmConfig.fromFile(Path.of(args.get("config"))) : new AmmConfig();
    for (String kv : args.all("set")) {
      int eq = kv.indexOf('=');
      AmmArgumentException.require(eq > 0, "--set expects key=value, got '%s'", kv);
      cfg.editObject(kv.substring(0, eq), parseValue(kv.substring(eq + 1)));
    }
    if (args.flag(USE_CUDA_FLAG) || args.flag(REQUIRE_GPU_FLAG)) {
      cfg.edit(Amm.USE_CUDA_KEY, 1L);
    }
    if (args.flag(REQUIRE_GPU_FLAG)) {
      cfg.edit(Amm.REQUIRE_GPU_KEY, 1L);
    }
    return new RunConfig(command, args, cfg);
  }

  /** LibAMM's command-line typing: an integer, else a real, else a string. */
  static Object parseValue(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      try {
        return v.matches(".*\\d.*") ? (Object) Double.parseDouble(v) : v;
      } catch (NumberFormatException e2) {
        return v;
      }
    }
  }

  /** The algorithm tag(s): {@code --algo}, else {@code cppAlgoTag}. */
  String algo() {
    String flag = args.get("algo");
    if (flag != null) {
      return flag;
    }
    AmmArgumentException.require(cfg.contains(ALGO_KEY), "%s: missing required option --algo (or config key '%s')",
        command, ALGO_KEY);
    return cfg.getString(ALGO_KEY, null);
  }

  /**
   * The sketch sizes: {@code --sketch} (a comma list when {@code list}, else one integer), else
   * {@code sketchDimension} (one size, at least 1).
   */
  int[] sketches(boolean list) {
    String flag = args.get("sketch");
    if (flag != null) {
      if (list) {
        return Args.parseInts("sketch", flag);
      }
      long k = Args.parseLong("sketch", flag);
      AmmArgumentException.require(k >= Integer.MIN_VALUE && k <= Integer.MAX_VALUE, "--sketch is out of range: %d", k);
      return new int[] {(int) k};
    }
    AmmArgumentException.require(cfg.contains(SKETCH_KEY), "%s: missing required option --sketch (or config key '%s')",
        command, SKETCH_KEY);
    return new int[] {(int) cfg.getLong(SKETCH_KEY, 1, 1, Integer.MAX_VALUE)};
  }

  /** One sketch size: {@code --sketch}, else {@code sketchDimension}, else {@code fallback}. */
  int sketchOr(int fallback) {
    return args.get("sketch") == null && !cfg.contains(SKETCH_KEY) ? fallback : sketches(false)[0];
  }

  /**
   * The loader's tag: {@code --loader}, else {@code matrixLoaderTag} when no other input
   * ({@code --a}, {@code --b}, {@code --gen}) is given; null for none.
   */
  String loaderTag() {
    if (args.get("loader") != null) {
      return args.get("loader");
    }
    boolean otherInput = args.get("a") != null || args.get("b") != null || args.get("gen") != null;
    return otherInput || !cfg.contains(LOADER_KEY) ? null : cfg.getString(LOADER_KEY, null);
  }

  /** The loader with this tag, configured (which generates or reads its data); its keys count as read. */
  MatrixLoader loader(String tag) {
    MatrixLoader loader = MatrixLoaders.create(tag);
    AmmConfig own = new AmmConfig(cfg);
    loader.setConfig(own);
    loaderKeys.addAll(own.keysRead());
    return loader;
  }

  /** The algorithms' seed: {@code --seed}, else the {@code seed} key, else the default. */
  long seed() {
    return args.get("seed") != null ? args.getLong("seed", Amm.DEFAULT_SEED)
        : cfg.getLong(Amm.SEED_KEY, Amm.DEFAULT_SEED);
  }

  /**
   * Gives {@code amm} the configuration, then {@code --seed} when given; a bad value of a key it
   * reads is an {@link AmmArgumentException} naming the key.
   */
  Amm configure(Amm amm) {
    amm.setConfig(cfg);
    if (args.get("seed") != null) {
      amm.setSeed(args.getLong("seed", Amm.DEFAULT_SEED));
    }
    configured.add(amm);
    return amm;
  }

  /**
   * Reports, once, each key that no configured algorithm, the loader (if one was configured) or the
   * command line reads: one line per key on {@code err}. Call after the inputs are loaded.
   */
  void reportUnread(PrintStream err) {
    if (reported) {
      return;
    }
    reported = true;
    for (String key : cfg.keys()) {
      if (DRIVER_KEYS.contains(key) || loaderKeys.contains(key) || configured.stream().anyMatch(a -> a.readsKey(key))) {
        continue;
      }
      err.println("spark-amm: warning: config key '" + key + "' is not read by the algorithm or the loader; ignored");
    }
  }
}
