package org.sparkamm.quant;

import java.util.Locale;
import org.sparkamm.error.AmmArgumentException;

/**
 * The arithmetic of LibAMM's {@code int8*} tags, its {@code fpMode} key: symmetric integer
 * quantization to {@code [-Q, Q]} with Q = 2^(bits-1) - 1 (INT8: 127, INT16: 32767, INT4: 7), or an
 * exact product in float32 or float64. Parsed case-insensitively (LibAMM compares case-sensitively,
 * so its own scripts' {@code fp32} silently falls through).
 */
public enum FpMode {
  INT8(127, 8),
  INT16(32767, 16),
  INT4(7, 4),
  FP32(0, 32),
  FP64(0, 64);

  /** The largest quantized magnitude Q (0 for the floating-point modes). */
  public final int levels;
  /** Bits per stored entry. */
  public final int bits;

  FpMode(int levels, int bits) {
    this.levels = levels;
    this.bits = bits;
  }

  /** True for the integer modes. */
  public boolean isInteger() {
    return levels > 0;
  }

  /** The mode named {@code s}, any letter case; a one-line error listing the valid names otherwise. */
  public static FpMode parse(String key, String s) {
    try {
      return valueOf(s.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new AmmArgumentException("config key '" + key + "' must be one of INT8, INT16, INT4, FP32, FP64, got '"
          + s + "'");
    }
  }
}
