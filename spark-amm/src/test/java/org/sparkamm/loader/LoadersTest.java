package org.sparkamm.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.FormatsTest;

/**
 * LibAMM's loaders. Moment checks use n = 200 x 300 = 60,000 entries: a sample mean is within
 * 5 sd / sqrt(n) of the true mean with probability 1 - 6e-7 (normal approximation); the same
 * bound is applied to the second moment with the distribution's fourth moment.
 */
class LoadersTest {
  @TempDir
  Path dir;

  private static AmmConfig dims() {
    return new AmmConfig().edit("aRow", 200L).edit("aCol", 300L).edit("bCol", 7L).edit("seed", 5L);
  }

  private static double[] moments(DenseMatrix m) {
    double s = 0;
    double s2 = 0;
    for (double v : m.toArray()) {
      s += v;
      s2 += v * v;
    }
    int n = m.numRows() * m.numCols();
    return new double[] {s / n, s2 / n - (s / n) * (s / n), n};
  }

  private static void assertMoments(String what, DenseMatrix m, double mean, double var) {
    double[] mo = moments(m);
    double tolMean = 5 * Math.sqrt(var / mo[2]);
    assertEquals(mean, mo[0], tolMean, what + " mean");
    // Var of the squared deviation is bounded by E(x - mu)^4 <= 9 var^2 for every distribution tested here.
    assertEquals(var, mo[1], 5 * Math.sqrt(9 * var * var / mo[2]) + tolMean * tolMean, what + " variance");
  }

  @Test
  void distributionsHaveTheirMoments() {
    assertMoments("random", MatrixLoaders.create("random").setConfig(dims()).getA(), 0.5, 1.0 / 12);
    assertMoments("gaussian", MatrixLoaders.create("gaussian").setConfig(dims().edit("avgA", 2.0).edit("sigmaA", 3.0))
        .getA(), 2, 9);
    assertMoments("exponential", MatrixLoaders.create("exponential").setConfig(dims()).getA(), 1, 1);
    assertMoments("poisson", MatrixLoaders.create("poisson").setConfig(dims()).getA(), 1, 1);
    assertMoments("binomial", MatrixLoaders.create("binomial").setConfig(dims().edit("trials", 20L)
        .edit("probability", 0.25)).getA(), 5, 20 * 0.25 * 0.75);
    double a = 2;
    double b = 5;
    assertMoments("beta", MatrixLoaders.create("beta").setConfig(dims().edit("a", a).edit("b", b)).getA(),
        a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1)));
    assertMoments("gaussian randA", MatrixLoaders.create("GAUSSIAN").setConfig(dims().edit("randA", 1L)).getA(),
        0.5, 1.0 / 12);
  }

  @Test
  void shapesSeedsAndBlocks() {
    GeneratorLoader g = (GeneratorLoader) MatrixLoaders.create("gaussian").setConfig(dims());
    DenseMatrix a = g.getA();
    assertEquals(200, a.numRows());
    assertEquals(300, a.numCols());
    assertEquals(300, g.getB().numRows());
    assertEquals(7, g.getB().numCols());
    assertArrayEquals(a.toArray(), MatrixLoaders.create("gaussian").setConfig(dims()).getA().toArray());
    DenseMatrix block = g.generatorA().block(37, 20, 101, 13);
    for (int i = 0; i < 20; i++) {
      for (int j = 0; j < 13; j++) {
        assertEquals(a.apply(37 + i, 101 + j), block.apply(i, j));
      }
    }
    assertTrue(a.apply(0, 0) != MatrixLoaders.create("gaussian").setConfig(dims().edit("seed", 6L)).getA().apply(0, 0));
  }

  @Test
  void sparseDensityAndReducedRows() {
    DenseMatrix a = MatrixLoaders.create("sparse").setConfig(dims().edit("aDensity", 0.3).edit("aReduce", 50L)).getA();
    int copies = 0;
    int zeros = 0;
    for (int i = 1; i < 200; i++) {
      boolean same = true;
      for (int j = 0; j < 300; j++) {
        same &= a.apply(i, j) == a.apply(0, j);
      }
      copies += same ? 1 : 0;
    }
    for (double v : a.toArray()) {
      zeros += v == 0 ? 1 : 0;
    }
    assertEquals(50, copies);
    // Rows that are not copies: 150 x 300 entries zero with probability 0.7; binomial sd = sqrt(n p q).
    double n = 150 * 300;
    int zerosOwn = zeros - 51 * countZeros(a, 0);
    assertEquals(0.7 * n, zerosOwn, 5 * Math.sqrt(n * 0.21));
    assertThrows(AmmArgumentException.class, () -> MatrixLoaders.create("sparse").setConfig(dims().edit("aReduce", 200L)));
  }

  private static int countZeros(DenseMatrix a, int row) {
    int z = 0;
    for (int j = 0; j < a.numCols(); j++) {
      z += a.apply(row, j) == 0 ? 1 : 0;
    }
    return z;
  }

  @Test
  void zeroMaskedKeepsTheTopLeftBlock() {
    DenseMatrix a = MatrixLoaders.create("zeroMasked").setConfig(dims().edit("nnzA", 0.5)).getA();
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < 300; j++) {
        assertEquals(i < 100 && j < 150, a.apply(i, j) != 0, "(" + i + ", " + j + ")");
      }
    }
  }

  /**
   * Zipf on {1..N}, N = 10: chi-square of 60,000 draws against the exact pmf, 9 degrees of freedom
   * (mean 9, sd sqrt(18)); 9 + 6 sd = 34.5 fails with probability below 1e-4.
   */
  @Test
  void zipfMatchesItsLaw() {
    double alpha = 1.3;
    ZipfSampler z = new ZipfSampler(10, alpha);
    long[] counts = new long[11];
    org.sparkamm.random.ElementStream s = new org.sparkamm.random.ElementStream();
    int n = 60_000;
    for (int i = 0; i < n; i++) {
      counts[(int) z.sample(s.reset(99, i))]++;
    }
    double h = 0;
    for (int k = 1; k <= 10; k++) {
      h += Math.pow(k, -alpha);
    }
    double chi2 = 0;
    for (int k = 1; k <= 10; k++) {
      double e = n * Math.pow(k, -alpha) / h;
      chi2 += (counts[k] - e) * (counts[k] - e) / e;
    }
    assertTrue(chi2 < 9 + 6 * Math.sqrt(18), "chi-square " + chi2);
    DenseMatrix a = MatrixLoaders.create("zipf").setConfig(dims().edit("zipfAlphaA", 2.0)).getA();
    double max = 0;
    for (double v : a.toArray()) {
      max = Math.max(max, v);
      assertTrue(v >= 0);
    }
    assertEquals(1.0, max);
  }

  @Test
  void unknownLoaderListsTheValidOnes() {
    AmmArgumentException e = assertThrows(AmmArgumentException.class, () -> MatrixLoaders.create("cifar"));
    assertTrue(e.getMessage().startsWith("unknown matrix loader 'cifar'; valid tags: random, gaussian"), e.getMessage());
  }

  @Test
  void mnistSplitsImagesIntoHalvesAndStandardizes() throws IOException {
    int n = 4;
    byte[] px = new byte[n * 784];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) ((i * 37 + i / 784) % 256);
    }
    Path file = dir.resolve("train-images-idx3-ubyte");
    Files.write(file, FormatsTest.idx(0x08, new int[] {n, 28, 28}, px));
    MatrixLoader l = MatrixLoaders.create("mnist").setConfig(new AmmConfig().edit("filePath", file.toString()));
    DenseMatrix a = l.getA();
    DenseMatrix b = l.getB();
    assertEquals(392, a.numRows());
    assertEquals(n, a.numCols());
    // Feature (row 3, column 20) of the image is right-half feature 3 * 14 + 6; check image 2 by hand.
    double[] f = new double[n];
    double mean = 0;
    for (int img = 0; img < n; img++) {
      f[img] = px[img * 784 + 3 * 28 + 20] & 0xff;
      mean += f[img] / n;
    }
    double ss = 0;
    for (double x : f) {
      ss += (x - mean) * (x - mean);
    }
    double sd = Math.sqrt(ss / (n - 1));
    assertEquals((f[2] - mean) / (sd + 1e-7), b.apply(3 * 14 + 6, 2), 1e-12);
  }

  @Test
  void mtxLoaderTransposesAndNormalizes() throws IOException {
    Path src = dir.resolve("m.mtx");
    Files.writeString(src, "%%MatrixMarket matrix coordinate real general\n2 3 2\n1 1 4\n2 3 -4\n");
    MatrixLoader l = MatrixLoaders.create("mtx").setConfig(new AmmConfig().edit("srcA", src.toString())
        .edit("oneSrcForAB", 1L).edit("normalizeB", 1L));
    assertEquals(2, l.getA().numRows());
    assertEquals(3, l.getB().numRows()); // B = transpose(srcB) by default
    assertEquals(1.0, l.getB().apply(0, 0));
    assertEquals(-1.0, l.getB().apply(2, 1));
    assertEquals(0.0, l.getB().apply(1, 0));
  }
}
