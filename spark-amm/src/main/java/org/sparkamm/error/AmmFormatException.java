package org.sparkamm.error;

/** A file that cannot be read, or whose content is not what its format promises. */
public class AmmFormatException extends AmmException {
  public AmmFormatException(String message) {
    super(message);
  }

  public AmmFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
