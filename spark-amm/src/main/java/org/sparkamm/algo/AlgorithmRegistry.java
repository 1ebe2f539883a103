package org.sparkamm.algo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.quant.FpMode;

/**
 * LibAMM's tags, looked up case-insensitively. An unknown tag is an error that lists the valid
 * ones (LibAMM silently falls back to {@code mm}; a silent exact product hides a typo).
 */
public final class AlgorithmRegistry {
  private static final Map<String, Supplier<AmmAlgorithm>> BY_TAG = new TreeMap<>();
  private static final List<String> TAGS = new ArrayList<>();

  static {
    register(ExactProduct::new);
    register(UniformSampling::new);
    register(WeightedSampling::new);
    register(CountSketchProduct::new);
    register(CrsV2::new);
    register(BernoulliSampling::new);
    register(RipProduct::new);
    register(GaussianProduct::new);
    register(SjltProduct::new);
    register(SrhtProduct::new);
    register(FastJltProduct::new);
    register(SmpPcaProduct::new);
    register(TugOfWar::new);
    register(() -> new CoOccurringProduct(false));
    register(() -> new CoOccurringProduct(true));
    register(ElementWiseSampling::new);
    register(BlockLowRank::new);
    register(() -> new ScalarQuantization("int8", FpMode.INT8));
    register(() -> new ScalarQuantization("int8_fp32", FpMode.FP32));
    register(() -> new ScalarQuantization("int8_fp64", FpMode.FP64));
  }

  private AlgorithmRegistry() {}

  private static void register(Supplier<AmmAlgorithm> factory) {
    String tag = factory.get().tag();
    BY_TAG.put(tag.toLowerCase(Locale.ROOT), factory);
    TAGS.add(tag);
  }

  /** The registered tags, in LibAMM's spelling. */
  public static List<String> tags() {
    return Collections.unmodifiableList(TAGS);
  }

  /** A new instance of the algorithm with this tag (any letter case). */
  public static AmmAlgorithm create(String tag) {
    Supplier<AmmAlgorithm> f = tag == null ? null : BY_TAG.get(tag.strip().toLowerCase(Locale.ROOT));
    if (f == null) {
      throw new AmmArgumentException("unknown algorithm '" + tag + "'; valid tags: " + String.join(", ", TAGS));
    }
    return f.get();
  }
}
