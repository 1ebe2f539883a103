package org.sparkamm.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.sparkamm.error.AmmFormatException;

/** NumPy's {@code .npz}: a zip archive of {@code NAME.npy} members (stored or deflated), read by name. */
public final class Npz {
  private Npz() {}

  /** The names of the arrays in the archive. */
  public static List<String> names(Path file) {
    try (ZipFile zip = open(file)) {
      List<String> names = new ArrayList<>();
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        String n = e.nextElement().getName();
        if (n.endsWith(".npy")) {
          names.add(n.substring(0, n.length() - 4));
        }
      }
      return names;
    } catch (IOException e) {
      throw new AmmFormatException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** The array {@code key}; with a null key, the archive must hold exactly one array. */
  public static LoadedMatrix read(Path file, String key) {
    List<String> names = names(file);
    String name = key;
    if (name == null) {
      if (names.size() != 1) {
        throw new AmmFormatException(file + ": holds " + names.size() + " arrays (" + String.join(", ", names)
            + "); name one with --key");
      }
      name = names.get(0);
    }
    try (ZipFile zip = open(file)) {
      ZipEntry entry = zip.getEntry(name + ".npy");
      if (entry == null) {
        throw new AmmFormatException(file + ": no array named '" + name + "'; arrays: " + String.join(", ", names));
      }
      if (entry.getSize() < 0) {
        throw new AmmFormatException(file + ": member " + entry.getName() + " does not declare its size");
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return Npy.read(new java.io.BufferedInputStream(in, 1 << 16), entry.getSize(), file + "[" + name + "]");
      } catch (java.io.EOFException e) {
        throw new AmmFormatException(file + "[" + name + "]: truncated .npy member");
      }
    } catch (IOException e) {
      throw new AmmFormatException(file + ": cannot read (" + e.getMessage() + ")");
    }
  }

  private static ZipFile open(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new AmmFormatException(file + ": no such file");
    } catch (ZipException e) {
      throw new AmmFormatException(file + ": not an .npz file (not a zip archive)");
    }
  }
}
