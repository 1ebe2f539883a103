package org.sparkamm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The headless PNG plot: valid images, data drawn where it lies, invalid points skipped, tick labels. */
class LogLogPlotTest {
  private static final int FIRST_COLOR = 0x1f77b4;

  static int pixels(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        n += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
      }
    }
    return n;
  }

  private static BufferedImage decode(LogLogPlot plot) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(plot.png()));
  }

  @Test
  void aLineIsDrawnAcrossThePlotAndInvalidPointsAreSkipped() throws IOException {
    BufferedImage image = decode(new LogLogPlot("t", "x", "y")
        .add(null, 0, LogLogPlot.Style.SOLID, new double[] {1, 10, 100}, new double[] {0.5, 0.5, 0.5}, null));
    assertEquals(1280, image.getWidth());
    assertEquals(800, image.getHeight());
    // A horizontal line over the data's range, 850 / 1.08 = 787 pixels of the 850-pixel plot width (4%
    // padding each side); 2 pixels thick, of which antialiasing leaves at least one row in the exact color.
    assertTrue(pixels(image, FIRST_COLOR) > 780, "line pixels: " + pixels(image, FIRST_COLOR));
    BufferedImage empty = decode(new LogLogPlot("t", "x", "y").add("none", 0, LogLogPlot.Style.DASHED,
        new double[] {0, -1, Double.NaN, 5}, new double[] {1, 1, 1, Double.POSITIVE_INFINITY}, null));
    assertTrue(pixels(empty, FIRST_COLOR) < 60, "only the legend's sample line, no data: " + pixels(empty, FIRST_COLOR));
    assertThrows(IllegalArgumentException.class, () -> new LogLogPlot("t", "x", "y").add("a", 0,
        LogLogPlot.Style.SOLID, new double[] {1, 2}, new double[] {1}, null));
  }

  @Test
  void markersCarryTheirLabels() throws IOException {
    LogLogPlot plot = new LogLogPlot("t", "x", "y").vertical(1, "exact");
    BufferedImage bare = decode(plot);
    plot.add(null, 0, LogLogPlot.Style.MARKERS, new double[] {3}, new double[] {0.2}, new String[] {null});
    int marker = pixels(decode(plot), FIRST_COLOR);
    plot.add(null, 0, LogLogPlot.Style.MARKERS, new double[] {30}, new double[] {0.02}, new String[] {"countSketch"});
    int twoAndLabel = pixels(decode(plot), FIRST_COLOR);
    assertEquals(0, pixels(bare, FIRST_COLOR));
    assertTrue(marker >= 30 && twoAndLabel > 2 * marker, marker + " then " + twoAndLabel);
  }

  @Test
  void ticksArePlainDecimalsInAReadableRange() {
    assertEquals("0.001", LogLogPlot.tick(-3, 1));
    assertEquals("500", LogLogPlot.tick(2, 5));
    assertEquals("0.0002", LogLogPlot.tick(-4, 2));
    assertEquals("1e6", LogLogPlot.tick(6, 1));
    assertEquals("2e-5", LogLogPlot.tick(-5, 2));
  }
}
