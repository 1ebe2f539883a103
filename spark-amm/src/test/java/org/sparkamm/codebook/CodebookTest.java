package org.sparkamm.codebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.TestMatrices;
import org.sparkamm.random.CounterRng;

/**
 * The codebook kernels against obviously correct references: exact products for data on the
 * codewords, brute-force nearest prototypes, planted clusters, a hand-computed hash tree, the
 * bucket a tree sends its own prototypes to, and bit-exact save/load.
 */
class CodebookTest {
  @TempDir
  Path dir;

  /** Random codewords: C subspaces over n, k codewords of A (and kb of B when kb &gt; 0). */
  static Codebook random(String tag, long n, int count, int k, int kb, long seed) {
    Subspaces s = Subspaces.balanced(n, count);
    double[][] a = new double[count][];
    double[][] b = kb > 0 ? new double[count][] : null;
    long key = CounterRng.streamKey(seed, 1);
    for (int c = 0; c < count; c++) {
      a[c] = new double[k * s.width(c)];
      for (int i = 0; i < a[c].length; i++) {
        a[c][i] = CounterRng.gaussian(key, c * 100_000L + i);
      }
      if (b != null) {
        b[c] = new double[kb * s.width(c)];
        for (int i = 0; i < b[c].length; i++) {
          b[c][i] = CounterRng.gaussian(key, 50_000L + c * 100_000L + i);
        }
      }
    }
    return b == null ? Codebook.prototypes(tag, s, k, a, seed, 0)
        : Codebook.codewords(tag, s, k, a, kb, b, null, seed, 0, 0);
  }

  /** rows x n matrix whose row r, in subspace c, is codeword codes[c][r] of the given side. */
  static DenseMatrix onCodewords(Codebook cb, boolean ofB, int rows, int[][] codes) {
    Subspaces s = cb.subspaces();
    int n = s.end(s.count() - 1);
    double[] v = new double[rows * n];
    for (int c = 0; c < s.count(); c++) {
      for (int r = 0; r < rows; r++) {
        double[] w = cb.codeword(ofB, c, codes[c][r]);
        for (int j = 0; j < w.length; j++) {
          v[r + (s.start(c) + j) * rows] = w[j];
        }
      }
    }
    return new DenseMatrix(rows, n, v);
  }

  static int[][] randomCodes(int count, int rows, int k, long seed) {
    Random rnd = new Random(seed);
    int[][] codes = new int[count][rows];
    for (int[] cs : codes) {
      for (int r = 0; r < rows; r++) {
        cs[r] = rnd.nextInt(k);
      }
    }
    return codes;
  }

  /** Products agree to rounding: |x - y| &lt;= 1e-12 (1 + max |x|) summed over n terms each. */
  static void assertSameProduct(double[] expected, double[] actual, String what) {
    double tol = 1e-12 * (1 + TestMatrices.maxAbs(expected));
    assertTrue(TestMatrices.maxAbsDiff(expected, actual) <= tol, what + ": off by "
        + TestMatrices.maxAbsDiff(expected, actual));
  }

  @Test
  void dataOnThePrototypesGivesTheExactProduct() {
    Codebook cb = random("pq-raw", 23, 5, 16, 0, 1); // widths 5,5,5,4,4
    DenseMatrix a = onCodewords(cb, false, 30, randomCodes(5, 30, 16, 2));
    DenseMatrix b = TestMatrices.gaussian(23, 7, 3);
    Matrix c = Amm.create("pq-raw").setCodebook(cb).multiply(a, b, 50);
    assertSameProduct(TestMatrices.naiveProduct(a, b), c.toArray(), "pq-raw");
    // Row-major and sparse storage of the same data give the same product.
    Matrix rowMajor = Amm.create("pq-raw").setCodebook(cb).multiply(TestMatrices.rowMajor(a), TestMatrices.rowMajor(b), 1);
    assertArrayEquals(c.toArray(), rowMajor.toArray(), 1e-12 * (1 + TestMatrices.maxAbs(c.toArray())));
  }

  @Test
  void dataOnBothSidesCodewordsGivesTheExactProduct() {
    for (String tag : new String[] {"vq", "pq"}) {
      Codebook cb = random(tag, 17, tag.equals("vq") ? 1 : 4, 6, 5, 4);
      int count = cb.subspaces().count();
      DenseMatrix a = onCodewords(cb, false, 12, randomCodes(count, 12, 6, 5));
      DenseMatrix bt = onCodewords(cb, true, 9, randomCodes(count, 9, 5, 6)); // B^T: B's columns on codewords
      DenseMatrix b = (DenseMatrix) bt.transpose();
      Matrix c = Amm.create(tag).setCodebook(cb).multiply(a, b, 1);
      assertSameProduct(TestMatrices.naiveProduct(a, b), c.toArray(), tag);
    }
  }

  @Test
  void theEncoderPicksTheTrueNearestPrototypeHoweverTheInnerDimensionIsCut() {
    Codebook cb = random("pq-raw", 37, 6, 16, 0, 7);
    Subspaces s = cb.subspaces();
    DenseMatrix x = TestMatrices.gaussian(40, 37, 8);
    int[] expected = new int[s.count() * 40];
    for (int c = 0; c < s.count(); c++) {
      for (int r = 0; r < 40; r++) {
        double best = Double.POSITIVE_INFINITY;
        for (int k = 0; k < 16; k++) {
          double[] p = cb.codeword(false, c, k);
          double d = 0;
          for (int j = 0; j < p.length; j++) {
            double e = x.apply(r, s.start(c) + j) - p[j];
            d += e * e;
          }
          if (d < best) {
            best = d;
            expected[c * 40 + r] = k;
          }
        }
      }
    }
    Encoder enc = cb.encoder(false);
    // Whole, in pieces of 4 and 7 columns (splitting subspaces), transposed, and one index at a time.
    for (int piece : new int[] {37, 4, 7}) {
      PartialCodes pc = enc.partial(40);
      PartialCodes pt = enc.partial(40);
      DenseMatrix xt = TestMatrices.rowMajor(x);
      for (int from = 0; from < 37; from += piece) {
        int w = Math.min(piece, 37 - from);
        double[] block = new double[40 * w];
        System.arraycopy(x.values(), from * 40, block, 0, 40 * w);
        enc.add(pc, block, false, 40, from, w);
        enc.add(pt, xt.values(), true, 37, 0, 0); // an empty piece changes nothing
        double[] rowsOfBlock = new double[40 * w];
        for (int r = 0; r < 40; r++) {
          for (int j = 0; j < w; j++) {
            rowsOfBlock[j + r * w] = x.apply(r, from + j);
          }
        }
        enc.add(pt, rowsOfBlock, true, w, from, w);
      }
      assertArrayEquals(expected, enc.codes(pc), "pieces of " + piece);
      assertArrayEquals(expected, enc.codes(pt), "transposed pieces of " + piece);
    }
    PartialCodes byIndex = enc.partial(40);
    PartialCodes sparse = enc.partial(40);
    for (int i = 36; i >= 0; i--) {
      double[] column = new double[40];
      for (int r = 0; r < 40; r++) {
        column[r] = x.apply(r, i);
      }
      enc.addInner(byIndex, i, column);
      enc.addInner(sparse, i, new int[] {3, 0, 39}, new double[] {column[3], column[0], column[39]});
      int[] rest = new int[37];
      double[] restValues = new double[37];
      for (int r = 1, t = 0; r < 39; r++) {
        if (r != 3) {
          rest[t] = r;
          restValues[t++] = column[r];
        }
      }
      enc.addInner(sparse, i, java.util.Arrays.copyOf(rest, 37), java.util.Arrays.copyOf(restValues, 37));
    }
    assertArrayEquals(expected, enc.codes(byIndex), "one inner index at a time");
    assertArrayEquals(expected, enc.codes(sparse), "sparse rows");
  }

  @Test
  void tablesAreAdditiveOverTheRowsOfB() {
    Codebook cb = random("pq-raw", 19, 4, 16, 0, 9);
    DenseMatrix b = TestMatrices.gaussian(19, 6, 10);
    Tables whole = Tables.of(cb, 6);
    whole.add(cb, b.values(), false, 19, 0, 19);
    Tables parts = Tables.of(cb, 6);
    Tables byIndex = Tables.of(cb, 6);
    DenseMatrix bt = TestMatrices.rowMajor(b);
    for (int from = 0; from < 19; from += 3) {
      int h = Math.min(3, 19 - from);
      parts.add(cb, bt.values(), true, 6, from, 0);
      double[] rows = java.util.Arrays.copyOfRange(bt.values(), from * 6, (from + h) * 6);
      Tables part = Tables.of(cb, 6);
      part.add(cb, rows, true, 6, from, h);
      parts.merge(part);
      for (int i = from; i < from + h; i++) {
        byIndex.addInner(cb, i, java.util.Arrays.copyOfRange(bt.values(), i * 6, i * 6 + 6));
      }
    }
    int[] codes = new int[4 * 5];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (i * 7) % 16;
    }
    // T_c[k, :] = P_{c,k} B_c, checked through lookups of every code pattern.
    double[] expected = new double[5 * 6];
    for (int c = 0; c < 4; c++) {
      for (int r = 0; r < 5; r++) {
        double[] p = cb.codeword(false, c, codes[c * 5 + r]);
        for (int j = 0; j < 6; j++) {
          for (int t = 0; t < p.length; t++) {
            expected[r + j * 5] += p[t] * b.apply(cb.subspaces().start(c) + t, j);
          }
        }
      }
    }
    assertSameProduct(expected, whole.lookup(codes, 5), "whole");
    assertSameProduct(expected, parts.lookup(codes, 5), "parts");
    assertSameProduct(expected, byIndex.lookup(codes, 5), "one index at a time");
  }

  /** A 4 x 4 grid: x = (10 i, j); the tree is computed by hand in the test's comment. */
  @Test
  void theHashTreeMatchesAHandComputedTree() {
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        points.add(new double[] {10 * i, j});
      }
    }
    Collections.shuffle(points, new Random(11)); // the input order does not matter
    double[] x = new double[32];
    for (int r = 0; r < 16; r++) {
      System.arraycopy(points.get(r), 0, x, 2 * r, 2);
    }
    TreeLearner.Learned l = TreeLearner.learn(x, 16, 2);
    // Level 0: coordinate 0 (squared error 2000 against 20), cut between 10 and 20 (error 420 against
    // 820 between 0 and 10, and 2004 for coordinate 1). Level 1: coordinate 0 again (error 400 against
    // 20 on coordinate 1), cuts 5 and 25. Levels 2 and 3: coordinate 1 (coordinate 0 is now constant
    // in every bucket), cuts 1.5, then 0.5 and 2.5. So point (10 i, j) lands in bucket 4 i + j.
    assertArrayEquals(new int[] {0, 0, 1, 1}, l.tree.dims);
    assertArrayEquals(new double[] {Double.NaN, 15, 5, 25, 1.5, 1.5, 1.5, 1.5, 0.5, 2.5, 0.5, 2.5, 0.5, 2.5, 0.5, 2.5},
        l.tree.thresholds);
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        double[] split = {10 * i, 10 * i, j, j}; // the coordinates compared at levels 0..3
        assertEquals(4 * i + j, l.tree.bucket(split, 0, 1));
        assertArrayEquals(new double[] {10 * i, j}, java.util.Arrays.copyOfRange(l.prototypes, 2 * (4 * i + j),
            2 * (4 * i + j) + 2), "bucket " + (4 * i + j) + " is its point");
      }
    }
  }

  @Test
  void aBucketMeanHashesToItsOwnBucketSoDataOnThePrototypesIsExact() {
    DenseMatrix train = TestMatrices.gaussian(300, 12, 12);
    Amm pq = Amm.create("pq-hash").setConfig(new org.sparkamm.config.AmmConfig().edit("C", 3L));
    Codebook cb = pq.train(train, null, 50);
    assertTrue(cb.hashed());
    int[][] codes = randomCodes(3, 25, 16, 13);
    DenseMatrix a = onCodewords(cb, false, 25, codes);
    Encoder enc = cb.encoder(false);
    PartialCodes pc = enc.partial(25);
    enc.add(pc, a.values(), false, 25, 0, 12);
    int[] got = enc.codes(pc);
    for (int c = 0; c < 3; c++) {
      for (int r = 0; r < 25; r++) {
        // Equal prototypes (an empty bucket takes its parent's mean) may share one bucket.
        assertArrayEquals(cb.codeword(false, c, codes[c][r]), cb.codeword(false, c, got[c * 25 + r]));
      }
    }
    DenseMatrix b = TestMatrices.gaussian(12, 5, 14);
    assertSameProduct(TestMatrices.naiveProduct(a, b), pq.multiply(a, b, 1).toArray(), "pq-hash");
  }

  /** 16 centers per subspace at distance &gt;= 10 from each other, 40 points each with noise 0.01. */
  static DenseMatrix planted(int count, int width, int perCluster, double[][] centers, long seed) {
    int n = count * width;
    int rows = 16 * perCluster;
    long key = CounterRng.streamKey(seed, 3);
    double[] v = new double[rows * n];
    for (int c = 0; c < count; c++) {
      centers[c] = new double[16 * width];
      for (int k = 0; k < 16; k++) {
        for (int j = 0; j < width; j++) { // corners of a hypercube of side 10 (width >= 4)
          centers[c][k * width + j] = ((k >> (j % 4)) & 1) * 10.0 + (j >= 4 ? c : 0);
        }
      }
      for (int r = 0; r < rows; r++) {
        int k = (int) ((r * 7L + c * 3L) % 16); // rows of one cluster differ between subspaces
        for (int j = 0; j < width; j++) {
          v[r + (c * width + j) * rows] = centers[c][k * width + j] + 0.01 * CounterRng.gaussian(key, (long) r * n + c * width + j);
        }
      }
    }
    return new DenseMatrix(rows, n, v);
  }

  /**
   * Each recovered center is the mean of its 40 points: off from the planted center by noise of
   * standard deviation 0.01 / sqrt(40) per coordinate, so within 6 sigma sqrt(width) of it.
   */
  static void assertRecovered(double[][] planted, Codebook cb, int width, int perCluster) {
    double tol = 6 * 0.01 / Math.sqrt(perCluster) * Math.sqrt(width);
    for (int c = 0; c < planted.length; c++) {
      boolean[] used = new boolean[16];
      for (int k = 0; k < 16; k++) {
        double[] p = cb.codeword(false, c, k);
        int match = -1;
        for (int t = 0; t < 16; t++) {
          double d = 0;
          for (int j = 0; j < width; j++) {
            d += Math.pow(p[j] - planted[c][t * width + j], 2);
          }
          if (Math.sqrt(d) <= tol) {
            match = t;
          }
        }
        assertTrue(match >= 0 && !used[match], "subspace " + c + " prototype " + k + " matches no planted center");
        used[match] = true;
      }
    }
  }

  @Test
  void kMeansTrainingRecoversPlantedClusters() {
    double[][] centers = new double[3][];
    DenseMatrix a = planted(3, 5, 40, centers, 15);
    Codebook cb = Amm.create("pq-raw").setSeed(3).train(a, null, 3); // sketch size 3 < 50: C = 3 (LibAMM's rule)
    assertEquals(3, cb.subspaces().count());
    assertRecovered(centers, cb, 5, 40);
  }

  @Test
  void trainingIsAPureFunctionOfTheSeedAndLibAmmsRulesHold() {
    DenseMatrix a = TestMatrices.gaussian(200, 30, 16);
    DenseMatrix b = TestMatrices.gaussian(30, 90, 17);
    org.sparkamm.config.AmmConfig cfg = new org.sparkamm.config.AmmConfig().edit("trainingRows", 120L);
    Codebook one = Amm.create("pq").setConfig(cfg).setSeed(5).train(a, b, 50);
    assertEquals(one, Amm.create("pq").setConfig(cfg).setSeed(5).train(a, b, 1000));
    assertNotEquals(one, Amm.create("pq").setConfig(cfg).setSeed(6).train(a, b, 50));
    // pq: m = C = 10 subspaces; l_A = max(1, min(floor(floor(N / m) 0.1), N)) on N sampled rows.
    assertEquals(10, one.subspaces().count());
    assertEquals(Math.max(1, (int) Math.floor((one.trainingRows() / 10) * 0.1)), one.codewordsA());
    assertEquals(Math.max(1, (int) Math.floor((one.trainingColumns() / 10) * 0.1)), one.codewordsB());
    assertTrue(Math.abs(one.trainingRows() - 120) <= 5 * Math.sqrt(120), "about trainingRows rows drawn: "
        + one.trainingRows());
    assertEquals(90, one.trainingColumns()); // fewer columns than trainingRows: all of them
    Codebook vq = Amm.create("vq").setConfig(new org.sparkamm.config.AmmConfig().edit("lA", 7L).edit("lB", 3L))
        .train(a, b, 50);
    assertEquals(1, vq.subspaces().count());
    assertEquals(7, vq.codewordsA());
    assertEquals(3, vq.codewordsB());
    assertEquals(8, Amm.create("pq-raw").train(a, null, 8).subspaces().count()); // C := sketchSize < 50
    assertEquals(10, Amm.create("pq-raw").train(a, null, 50).subspaces().count()); // else C
  }

  @Test
  void saveThenLoadIsBitExactForEveryKind() {
    DenseMatrix a = TestMatrices.gaussian(120, 21, 18);
    DenseMatrix b = TestMatrices.gaussian(21, 60, 19);
    List<Codebook> books = new ArrayList<>();
    for (String tag : new String[] {"pq-raw", "pq-hash", "vq", "pq"}) {
      books.add(Amm.create(tag).setConfig(new org.sparkamm.config.AmmConfig().edit("C", 4L)).train(a, b, 50));
    }
    books.add(LibAmmFiles.prototypes(LibAmmFixtures.dir().resolve("pq_prototypes.pt"), "pq-raw"));
    for (Codebook cb : books) {
      Path file = dir.resolve(cb.tag() + cb.subspaces().inner() + ".npz");
      cb.save(file);
      Codebook back = Codebook.load(file);
      assertEquals(cb, back, cb.toString());
      assertTrue(cb.toString().equals(back.toString()));
    }
  }
}
