package org.sparkamm.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.sparkamm.error.AmmFormatException;

/**
 * Writes a file all or nothing: into a temporary file beside it, then renamed into place
 * (atomically where the file system can). A failure removes the temporary file and leaves any
 * earlier file untouched, so no command ever leaves partial output.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** What writes the content. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  public static void write(Path file, Content content) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    boolean moved = false;
    try {
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        content.writeTo(out);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
    } catch (IOException e) {
      throw new AmmFormatException(file + ": cannot write (" + e.getMessage() + ")", e);
    } finally { // any failure, the content's unchecked ones included, leaves no temporary file
      if (!moved && tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // nothing more can be done; the exception on its way names the real problem
        }
      }
    }
  }
}
