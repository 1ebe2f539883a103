package org.sparkamm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sparkamm.error.AmmArgumentException;

/** Checks, before any work starts, that an output file can be created where asked. */
final class OutputFile {
  private OutputFile() {}

  static Path check(String option, String value) {
    if (value == null) {
      return null;
    }
    Path path = Path.of(value).toAbsolutePath();
    Path dir = path.getParent();
    AmmArgumentException.require(dir != null && Files.isDirectory(dir),
        "--%s %s: directory %s does not exist", option, value, dir);
    AmmArgumentException.require(Files.isWritable(dir), "--%s %s: directory %s is not writable", option, value, dir);
    AmmArgumentException.require(!Files.isDirectory(path), "--%s %s: is a directory", option, value);
    AmmArgumentException.require(!Files.exists(path) || Files.isWritable(path),
        "--%s %s: file exists and is not writable", option, value);
    return path;
  }
}
