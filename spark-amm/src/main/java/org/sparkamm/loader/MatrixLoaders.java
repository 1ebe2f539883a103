package org.sparkamm.loader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.sparkamm.error.AmmArgumentException;

/**
 * LibAMM's loader tags, looked up case-insensitively. An unknown tag is an error listing the
 * valid ones (LibAMM silently falls back to {@code random}).
 */
public final class MatrixLoaders {
  private static final List<String> FILE_TAGS = List.of("SIFT", "MNIST", "MediaMill", "mtx");

  private MatrixLoaders() {}

  public static List<String> tags() {
    List<String> all = new ArrayList<>(List.of(GeneratorLoader.TAGS));
    all.addAll(FILE_TAGS);
    return Collections.unmodifiableList(all);
  }

  /** A new loader with its defaults; {@code setConfig} generates or reads the data. */
  public static MatrixLoader create(String tag) {
    String lower = tag == null ? "" : tag.strip().toLowerCase(Locale.ROOT);
    for (String t : GeneratorLoader.TAGS) {
      if (t.toLowerCase(Locale.ROOT).equals(lower)) {
        return new GeneratorLoader(t);
      }
    }
    switch (lower) {
      case "sift":
        return new FileLoaders.Sift();
      case "mnist":
        return new FileLoaders.Mnist();
      case "mediamill":
        return new FileLoaders.MediaMill();
      case "mtx":
        return new FileLoaders.Mtx();
      default:
        throw new AmmArgumentException("unknown matrix loader '" + tag + "'; valid tags: " + String.join(", ", tags()));
    }
  }
}
