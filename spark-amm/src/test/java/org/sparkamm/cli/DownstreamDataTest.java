package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.SharedSpark;

/**
 * The downstream experiments' MNIST rows from a small IDX file written here: images as pixels / 255
 * in row-major pixel order, and LibAMM's halves (x = columns 0-13, y = columns 14-27 of each image,
 * feature r * 14 + c), each feature standardized with the unbiased standard deviation, computed here
 * in plain loops.
 */
class DownstreamDataTest {
  private static final int N = 5;

  @TempDir
  Path dir;

  private static int pixel(int img, int r, int c) {
    return (img * 37 + r * 11 + c * 5 + r * c) % 256;
  }

  private Path idx() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16 + N * 784);
    b.putInt(0x00000803).putInt(N).putInt(28).putInt(28);
    for (int img = 0; img < N; img++) {
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          b.put((byte) pixel(img, r, c));
        }
      }
    }
    Path file = dir.resolve("images-idx3-ubyte");
    Files.write(file, b.array());
    return file;
  }

  @Test
  void imagesAndHalvesHoldTheRightPixelsInTheRightOrder() throws IOException {
    Path file = idx();
    try (DownstreamData images = DownstreamData.mnistImages(SharedSpark.session(), file, 2)) {
      List<Row> rows = images.frame.collectAsList();
      assertEquals(N, rows.size());
      for (int img = 0; img < N; img++) {
        Vector v = rows.get(img).getAs(0);
        for (int r = 0; r < 28; r++) {
          for (int c = 0; c < 28; c++) {
            assertEquals(pixel(img, r, c) / 255.0, v.apply(r * 28 + c), 0, img + " " + r + " " + c);
          }
        }
      }
    }
    try (DownstreamData halves = DownstreamData.mnistHalves(SharedSpark.session(), file, 2)) {
      List<Row> rows = halves.frame.collectAsList();
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          double mean = 0;
          for (int img = 0; img < N; img++) {
            mean += pixel(img, r, c) / (double) N;
          }
          double ss = 0;
          for (int img = 0; img < N; img++) {
            ss += (pixel(img, r, c) - mean) * (pixel(img, r, c) - mean);
          }
          double sd = Math.sqrt(ss / (N - 1));
          for (int img = 0; img < N; img++) {
            Vector half = rows.get(img).getAs(c < 14 ? 0 : 1);
            assertEquals((pixel(img, r, c) - mean) / (sd + 1e-7), half.apply(r * 14 + c % 14), 1e-9,
                img + " " + r + " " + c);
          }
        }
      }
    }
  }
}
