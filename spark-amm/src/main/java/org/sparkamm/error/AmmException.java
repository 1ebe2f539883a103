package org.sparkamm.error;

/**
 * The root of the library's exceptions. Messages are one line, name what was wrong (both shapes,
 * the key, the file, the valid range) and are meant to be shown to users as they are.
 */
public class AmmException extends RuntimeException {
  public AmmException(String message) {
    super(message);
  }

  public AmmException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Text from a file made fit for a one-line message: control characters escaped, at most
   * {@code max} characters (then an ellipsis).
   */
  public static String printable(String text, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length() && sb.length() < max; i++) {
      char c = text.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return sb.length() < max || text.length() <= max ? sb.toString() : sb + "...";
  }
}
