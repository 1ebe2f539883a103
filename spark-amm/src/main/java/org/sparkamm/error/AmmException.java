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
}
