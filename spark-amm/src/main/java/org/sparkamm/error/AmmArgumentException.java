package org.sparkamm.error;

/** A bad argument: mismatched shapes, an unknown tag or key, a value out of its valid range. */
public class AmmArgumentException extends AmmException {
  public AmmArgumentException(String message) {
    super(message);
  }

  /** Checks a condition of the public boundary; the message is built only when it fails. */
  public static void require(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new AmmArgumentException(String.format(format, args));
    }
  }
}
