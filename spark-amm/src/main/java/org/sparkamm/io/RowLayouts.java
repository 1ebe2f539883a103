package org.sparkamm.io;

import java.io.IOException;
import java.io.InputStream;
import org.sparkamm.error.AmmFormatException;

/** Finds the {@link RowLayout} of a flat binary matrix file (.npy, IDX, .fvecs/.ivecs/.bvecs) from a stream. */
public final class RowLayouts {
  private RowLayouts() {}

  /**
   * The layout of the file whose first bytes {@code in} delivers; {@code size} is the file's size,
   * {@code name} its name (extension decides for the TEXMEX formats, which have no magic number).
   */
  public static RowLayout read(InputStream in, long size, String name) {
    BinaryInput input = BinaryInput.of(in, size, name);
    if (Vecs.itemSize(name) > 0) {
      return Vecs.layout(input, name);
    }
    try {
      byte[] head = new byte[4];
      input.mark(head);
      if ((head[0] & 0xff) == 0x93 && head[1] == 'N') {
        return Npy.layout(input.stream(), size, name);
      }
      if (Idx.looksLikeIdx(head)) {
        return Idx.layout(input);
      }
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
    throw new AmmFormatException(name + ": not a flat binary matrix file (.npy, IDX, .fvecs/.ivecs/.bvecs)");
  }
}
