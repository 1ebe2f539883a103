package org.sparkamm;

import java.io.File;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Local files under a scheme of their own ({@code ammtest:}), known only to a Hadoop configuration
 * that maps {@code fs.ammtest.impl} to this class: a file read through it proves that the reader
 * used that configuration (Spark's, with its {@code spark.hadoop.*} settings), not a fresh one.
 */
public class SchemeFileSystem extends RawLocalFileSystem {
  @Override
  public String getScheme() {
    return "ammtest";
  }

  @Override
  public URI getUri() {
    return URI.create("ammtest:///");
  }

  @Override
  public File pathToFile(Path path) {
    return new File(path.toUri().getPath());
  }
}
