package org.sparkamm.algo;

import java.util.Set;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.quant.FpMode;
import org.sparkamm.quant.ScaleMode;
import org.sparkamm.sketch.InnerMasses;
import org.sparkamm.sketch.InnerSketch;

/**
 * {@code int8}, {@code int8_fp32}, {@code int8_fp64}: LibAMM's scalar quantization (one class behind
 * three tags, as in LibAMM). The arithmetic is LibAMM's {@code fpMode} key ({@value #MODE_KEY}): INT8,
 * INT16 or INT4 quantize, FP32 and FP64 multiply exactly in float32 (sgemm) or float64 (dgemm, which
 * is {@code mm}). LibAMM's {@code int8_fp32}/{@code int8_fp64} are its naive triple loops ("NLMM")
 * and differ from {@code int8} only by the scripts' config; here they default to FP32 and FP64, and
 * an explicit {@code fpMode} wins for every tag. {@code sketchSize} and the seed are not read: the
 * method is deterministic.
 *
 * <p><b>Quantization</b> (see {@code quant.Quantizer}). Scales s_i = max_k |a_ik| / Q per row of A and
 * t_j = max_k |b_kj| / Q per column of B ({@value #SCALE_KEY} = vector, the default), or one per
 * operand (tensor, LibAMM's choice); entries are rounded to the nearest integer of [-Q, Q] (LibAMM
 * truncates), Q = 127, 32767, 7. Then {@code C_ij = s_i t_j sum_k qa_ik qb_kj}, the sum in exact integer
 * arithmetic ({@code local.IntGemm}).
 *
 * <p><b>Guarantee</b> (deterministic, every entry): with {@code a^ = s qa} and {@code b^ = t qb},
 * <pre>|C_ij - (AB)_ij| &lt;= (t_j / 2) ||a^_i||_1 + (s_i / 2) ||b^_j||_1 + n s_i t_j / 4 &lt;= n s_i t_j (Q + 1/4),</pre>
 * (plus one float rounding of the scaling); the relative error is O(1/Q) for dense inputs and larger
 * where a row's largest entry dwarfs the rest. {@link #expectedSquaredError} is NaN (the error is
 * deterministic and data-dependent; the bound above is what is known).
 *
 * <p><b>Cost.</b> One pass for the scales, one to quantize (O(mn + np)); the product is 2mnp integer
 * operations, at the inner dimensions that fit (see {@code local.IntGemm}: {@code int} partial sums in
 * panels, {@code long} accumulators; INT16 costs two int passes). On Spark
 * ({@code spark.QuantizedBlockProduct}) each block is quantized where it lies and the product takes
 * {@code BlockMatrix.multiply}'s shape, shipping 1, 2 or 1/2 byte per entry (4 for FP32) instead of 8:
 * 1/8, 1/4, 1/16 (1/2) of its input shuffle, plus the scales broadcast once (8 (m + p) bytes).
 */
public final class ScalarQuantization extends AmmAlgorithm {
  public static final String MODE_KEY = "fpMode";
  public static final String SCALE_KEY = "quantScale";
  private final String tag;
  private FpMode mode;
  private ScaleMode scaleMode = ScaleMode.VECTOR;

  public ScalarQuantization(String tag, FpMode defaultMode) {
    this.tag = tag;
    this.mode = defaultMode;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public String description() {
    switch (tag) {
      case "int8_fp32":
        return "LibAMM's NLMM baseline: the exact product in float32 (sgemm; fpMode=FP32 by default)";
      case "int8_fp64":
        return "LibAMM's NLMM baseline: the exact product in float64 (dgemm, as mm; fpMode=FP64 by default)";
      default:
        return "scalar quantization: INT8 (fpMode INT16/INT4 too), per-row/column scales, exact integer sums";
    }
  }

  @Override
  public Set<String> configKeys() {
    return Set.of(MODE_KEY, SCALE_KEY);
  }

  @Override
  public void configure(AmmConfig cfg) {
    mode = FpMode.parse(MODE_KEY, cfg.getString(MODE_KEY, mode.name()));
    scaleMode = ScaleMode.parse(SCALE_KEY, cfg.getString(SCALE_KEY, scaleMode.name()));
  }

  /** The arithmetic ({@value #MODE_KEY}). */
  public FpMode mode() {
    return mode;
  }

  /** Where the scales come from ({@value #SCALE_KEY}). */
  public ScaleMode scaleMode() {
    return scaleMode;
  }

  /** FP64 is the exact product, and the engines run it as {@code mm}. */
  @Override
  public boolean isExact() {
    return mode == FpMode.FP64;
  }

  @Override
  public boolean quantizesEntries() {
    return true;
  }

  /** The algorithm as scalar quantization; the engines call this after {@link #quantizesEntries()}. */
  public static ScalarQuantization of(AmmAlgorithm algo) {
    if (!(algo instanceof ScalarQuantization)) {
      throw new IllegalStateException(algo.tag() + " does not quantize entries");
    }
    return (ScalarQuantization) algo;
  }

  /** The sketch size is not read: any value fits. */
  @Override
  public void checkSketchFits(int sketchSize, long m, long p) {}

  @Override
  public InnerSketch sketch(long n, int l, long seed, InnerMasses masses) {
    throw new IllegalStateException(tag + " quantizes entries and has no sketch of the inner dimension");
  }

  /** 0 for FP64 (exact); NaN otherwise: the error is deterministic, bounded entry-wise (class comment). */
  @Override
  public double expectedSquaredError(InnerNorms norms, double productNorm2, int l, long seed) {
    return mode == FpMode.FP64 ? 0.0 : Double.NaN;
  }
}
