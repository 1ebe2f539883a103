package org.sparkamm.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.sparkamm.error.AmmFormatException;

/** A binary file read sequentially, with its size known up front so that headers can be checked against it. */
final class BinaryInput implements AutoCloseable {
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
  final String name;
  final long size;
  private final InputStream in;

  private BinaryInput(String name, long size, InputStream in) {
    this.name = name;
    this.size = size;
    this.in = in;
  }

  /** A stream of known size (e.g. from Hadoop's FileSystem), named for messages. */
  static BinaryInput of(InputStream in, long size, String name) {
    return new BinaryInput(name, size, in.markSupported() ? in : new BufferedInputStream(in, 1 << 16));
  }

  static BinaryInput open(Path file) {
    String name = file.toString();
    try {
      long size = Files.size(file);
      return new BinaryInput(name, size, new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(name + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Exactly n bytes, in the given byte order. */
  ByteBuffer read(int n, ByteOrder order) {
    byte[] b = new byte[n];
    try {
      int off = 0;
      while (off < n) {
        int r = in.read(b, off, n - off);
        if (r < 0) {
          throw new EOFException();
        }
        off += r;
      }
    } catch (EOFException e) {
      throw new AmmFormatException(name + ": truncated file");
    } catch (IOException e) {
      throw new AmmFormatException(name + ": cannot read (" + e.getMessage() + ")");
    }
    return ByteBuffer.wrap(b).order(order);
  }

  /** Fills {@code head} with the next bytes without consuming them (zeros past the end). */
  void mark(byte[] head) throws IOException {
    in.mark(head.length);
    in.readNBytes(head, 0, head.length);
    in.reset();
  }

  InputStream stream() {
    return in;
  }

  /** The next 4 bytes as an int, without consuming them. */
  int peekInt(ByteOrder order) {
    try {
      in.mark(4);
      byte[] b = in.readNBytes(4);
      in.reset();
      if (b.length < 4) {
        throw fail("truncated file");
      }
      return ByteBuffer.wrap(b).order(order).getInt();
    } catch (IOException e) {
      throw fail("cannot read (" + e.getMessage() + ")");
    }
  }

  /** The whole matrix of a layout, from the current position. */
  org.apache.spark.mllib.linalg.DenseMatrix readLocal(RowLayout layout) {
    try {
      return layout.readLocal(in);
    } catch (IOException e) {
      throw fail("cannot read (" + e.getMessage() + ")");
    }
  }

  AmmFormatException fail(String what) {
    return new AmmFormatException(name + ": " + what);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException ignored) {
      // reading is over; nothing to release beyond the descriptor
    }
  }
}
