package org.sparkamm.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A log-log plot drawn headless with java.awt and encoded as PNG by ImageIO (no dependency beyond
 * the JDK). Series are solid, dashed or dotted lines, or labeled markers; a point with a
 * non-positive or non-finite coordinate is skipped and breaks its line. Both axes span the data
 * (padded by 4%), with grid lines at each decade and lighter ones at 2..9 times it, labeled at the
 * decades (and at 2 and 5 times them over ranges of a few decades).
 * The legend (and any notes) sits to the right of the plot area.
 */
final class LogLogPlot {
  /** How a series is drawn. */
  enum Style { SOLID, DASHED, DOTTED, MARKERS }

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true"); // a command line has no display
    }
  }

  /** Twenty distinguishable colors (matplotlib's tab10, then ten darker or rarer hues); then they repeat. */
  private static final int[] PALETTE = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2,
      0x7f7f7f, 0xbcbd22, 0x17becf, 0x000000, 0x393b79, 0x637939, 0x8c6d31, 0x843c39, 0x7b4173, 0x5254a3, 0xe7ba52,
      0x31a354, 0xde9ed6};
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 800;
  private static final int LEFT = 90;
  private static final int RIGHT = 340;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<Double> verticals = new ArrayList<>();
  private final List<String> verticalLabels = new ArrayList<>();

  private static final class Series {
    final String name;
    final Color color;
    final Style style;
    final double[] x;
    final double[] y;
    final String[] labels;

    Series(String name, Color color, Style style, double[] x, double[] y, String[] labels) {
      this.name = name;
      this.color = color;
      this.style = style;
      this.x = x;
      this.y = y;
      this.labels = labels;
    }
  }

  LogLogPlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /**
   * Adds a series: {@code name} in the legend (null: not listed), {@code color} an index into the
   * palette, {@code labels} (null or one per point) written beside markers.
   */
  LogLogPlot add(String name, int color, Style style, double[] x, double[] y, String[] labels) {
    if (x.length != y.length || (labels != null && labels.length != x.length)) {
      throw new IllegalArgumentException("a series needs as many y values and labels as x values");
    }
    series.add(new Series(name, new Color(PALETTE[Math.floorMod(color, PALETTE.length)]), style, x.clone(),
        y.clone(), labels == null ? null : labels.clone()));
    return this;
  }

  /** A line of text under the legend. */
  LogLogPlot note(String text) {
    notes.add(text);
    return this;
  }

  /** A thin vertical reference line at {@code x}, labeled. */
  LogLogPlot vertical(double x, String label) {
    verticals.add(x);
    verticalLabels.add(label);
    return this;
  }

  /** The plot as PNG bytes. */
  byte[] png() {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      draw(g);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toByteArray();
  }

  private void draw(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    double[] xr = range(true);
    double[] yr = range(false);
    Axis ax = new Axis(xr[0], xr[1], LEFT, LEFT + plotW);
    Axis ay = new Axis(yr[0], yr[1], TOP + plotH, TOP);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();
    for (int e = (int) Math.floor(xr[0]); e <= (int) Math.ceil(xr[1]); e++) {
      for (int d = 1; d <= 9; d++) {
        if (ax.holds(d, e)) {
          int px = ax.pixel(d * Math.pow(10, e));
          g.setColor(d == 1 ? new Color(0xcccccc) : new Color(0xeeeeee));
          g.drawLine(px, TOP, px, TOP + plotH);
          if (labeled(d, xr)) {
            String label = tick(e, d);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label, px - fm.stringWidth(label) / 2, TOP + plotH + 18);
          }
        }
      }
    }
    for (int e = (int) Math.floor(yr[0]); e <= (int) Math.ceil(yr[1]); e++) {
      for (int d = 1; d <= 9; d++) {
        if (ay.holds(d, e)) {
          int py = ay.pixel(d * Math.pow(10, e));
          g.setColor(d == 1 ? new Color(0xcccccc) : new Color(0xeeeeee));
          g.drawLine(LEFT, py, LEFT + plotW, py);
          if (labeled(d, yr)) {
            String label = tick(e, d);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
          }
        }
      }
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, plotW, plotH);
    for (int i = 0; i < verticals.size(); i++) {
      if (verticals.get(i) > 0 && Double.isFinite(verticals.get(i))) {
        int px = ax.pixel(verticals.get(i));
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        g.drawLine(px, TOP, px, TOP + plotH);
        g.drawString(verticalLabels.get(i), px + 4, TOP + 14);
      }
    }
    g.setClip(LEFT, TOP, plotW + 1, plotH + 1);
    for (Series s : series) {
      drawSeries(g, s, ax, ay);
    }
    g.setClip(null);
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, LEFT + (plotW - g.getFontMetrics().stringWidth(title)) / 2, TOP - 18);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    FontMetrics lm = g.getFontMetrics();
    g.drawString(xLabel, LEFT + (plotW - lm.stringWidth(xLabel)) / 2, HEIGHT - 22);
    AffineTransform saved = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, -(TOP + (plotH + lm.stringWidth(yLabel)) / 2), 24);
    g.setTransform(saved);
    drawLegend(g, LEFT + plotW + 20);
  }

  private void drawSeries(Graphics2D g, Series s, Axis ax, Axis ay) {
    g.setColor(s.color);
    if (s.style == Style.MARKERS) {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      for (int i = 0; i < s.x.length; i++) {
        if (valid(s.x[i]) && valid(s.y[i])) {
          int px = ax.pixel(s.x[i]);
          int py = ay.pixel(s.y[i]);
          g.fill(new Ellipse2D.Double(px - 4, py - 4, 8, 8));
          if (s.labels != null && s.labels[i] != null) {
            g.drawString(s.labels[i], px + 6, py - 5);
          }
        }
      }
      return;
    }
    g.setStroke(stroke(s.style));
    Path2D.Double path = new Path2D.Double();
    boolean open = false;
    for (int i = 0; i < s.x.length; i++) {
      if (!valid(s.x[i]) || !valid(s.y[i])) {
        open = false;
        continue;
      }
      double px = ax.exact(s.x[i]);
      double py = ay.exact(s.y[i]);
      if (open) {
        path.lineTo(px, py);
      } else {
        path.moveTo(px, py);
        open = true;
      }
      if (s.style == Style.SOLID) {
        g.fill(new Ellipse2D.Double(px - 2.5, py - 2.5, 5, 5));
      }
    }
    g.draw(path);
  }

  private void drawLegend(Graphics2D g, int x) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int y = TOP + 6;
    for (Series s : series) {
      if (s.name == null) {
        continue;
      }
      g.setColor(s.color);
      if (s.style == Style.MARKERS) {
        g.fill(new Ellipse2D.Double(x + 11, y - 4, 8, 8));
      } else {
        g.setStroke(stroke(s.style));
        g.drawLine(x, y, x + 30, y);
      }
      g.setColor(Color.BLACK);
      g.drawString(s.name, x + 38, y + 4);
      y += 17;
    }
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.DARK_GRAY);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    y += 8;
    for (String line : notes) {
      g.drawString(line, x, y);
      y += 15;
    }
  }

  private static Stroke stroke(Style style) {
    switch (style) {
      case DASHED:
        return new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 5f}, 0f);
      case DOTTED:
        return new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {0.5f, 4.5f}, 0f);
      default:
        return new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }
  }

  /**
   * log10 of the range [lo, hi] holding every valid coordinate on one axis, padded by 4% of its
   * span (half a decade each side of a single value); [0, 1] when there is none.
   */
  private double[] range(boolean xAxis) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      double[] v = xAxis ? s.x : s.y;
      double[] other = xAxis ? s.y : s.x;
      for (int i = 0; i < v.length; i++) {
        if (valid(v[i]) && valid(other[i])) {
          lo = Math.min(lo, Math.log10(v[i]));
          hi = Math.max(hi, Math.log10(v[i]));
        }
      }
    }
    if (xAxis) {
      for (double v : verticals) {
        if (valid(v)) {
          lo = Math.min(lo, Math.log10(v));
          hi = Math.max(hi, Math.log10(v));
        }
      }
    }
    if (lo > hi) {
      return new double[] {0, 1};
    }
    double pad = hi - lo < 1e-9 ? 0.5 : 0.04 * (hi - lo);
    return new double[] {lo - pad, hi + pad};
  }

  /** Which multiples of a decade get a label: 1 over wide ranges, 1, 2, 5 over up to 3.5 decades, all below 0.7. */
  private static boolean labeled(int d, double[] range) {
    double span = range[1] - range[0];
    return d == 1 || span < 0.7 || (span <= 3.5 && (d == 2 || d == 5));
  }

  /** d 10^e as a plain decimal from 0.0001 to 500000 (0.002, 50, 1000), else as 2e-5, 1e6. */
  static String tick(int e, int d) {
    return e >= -4 && e <= 5 ? BigDecimal.valueOf(d).scaleByPowerOfTen(e).toPlainString() : d + "e" + e;
  }

  private static boolean valid(double v) {
    return v > 0 && Double.isFinite(v);
  }

  /** log10 of values, in [lo, hi], onto pixels [from, to]. */
  private static final class Axis {
    final double lo;
    final double hi;
    final int from;
    final int to;

    Axis(double lo, double hi, int from, int to) {
      this.lo = lo;
      this.hi = hi;
      this.from = from;
      this.to = to;
    }

    double exact(double v) {
      return from + (Math.log10(v) - lo) / (hi - lo) * (to - from);
    }

    int pixel(double v) {
      return (int) Math.round(exact(v));
    }

    /** True when d 10^e lies on the axis. */
    boolean holds(int d, int e) {
      double x = Math.log10(d) + e;
      return x >= lo - 1e-9 && x <= hi + 1e-9;
    }
  }
}
