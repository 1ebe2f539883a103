package org.sparkamm.sketch;

/** Which operand a sketch is applied to: A's columns or B's rows (both indexed by the inner dimension). */
public enum Side {
  A,
  B
}
