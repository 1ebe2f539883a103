package org.sparkamm.quant;

import java.util.Locale;
import org.sparkamm.error.AmmArgumentException;

/**
 * Where the quantization scales come from: one per operand ({@code tensor}, LibAMM's choice:
 * s = max|A| / Q) or one per row of A and per column of B ({@code vector}: s_i = max_k |a_ik| / Q,
 * t_j = max_k |b_kj| / Q). A product entry c_ij only ever meets row i of A and column j of B, so
 * per-vector scales never lose accuracy against a per-tensor scale and gain where the rows' or
 * columns' ranges differ.
 */
public enum ScaleMode {
  TENSOR,
  VECTOR;

  public static ScaleMode parse(String key, String s) {
    try {
      return valueOf(s.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new AmmArgumentException("config key '" + key + "' must be tensor or vector, got '" + s + "'");
    }
  }
}
