package org.sparkamm.codebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkamm.Amm;
import org.sparkamm.TestMatrices;
import org.sparkamm.config.AmmConfig;

/**
 * LibAMM's codebook files give the products a direct computation from their raw tensors gives:
 * the fixtures' prototypes (read straight from the zip), MADDNESS's 1-based tree walk written out
 * as in the paper, and a VQ module's own lookup table.
 */
class LibAmmFilesTest {
  @TempDir
  Path dir;

  /** sum_c P_c[code(r, c)] B_c with code(r, c) = argmin_k ||A[r, c-th D columns] - P[c][k]||^2. */
  private static double[] nearestPrototypeProduct(float[] raw, int count, int k, int d, DenseMatrix a, DenseMatrix b) {
    int m = a.numRows();
    int p = b.numCols();
    double[] c = new double[m * p];
    for (int r = 0; r < m; r++) {
      for (int s = 0; s < count; s++) {
        int best = -1;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int t = 0; t < k; t++) {
          double dist = 0;
          for (int j = 0; j < d; j++) {
            double e = a.apply(r, s * d + j) - raw[(s * k + t) * d + j];
            dist += e * e;
          }
          if (dist < bestDist) {
            bestDist = dist;
            best = t;
          }
        }
        addPrototypeRow(raw, s, k, d, best, b, c, r, m);
      }
    }
    return c;
  }

  private static void addPrototypeRow(float[] raw, int s, int k, int d, int code, DenseMatrix b, double[] c, int r,
      int m) {
    for (int col = 0; col < b.numCols(); col++) {
      double sum = 0;
      for (int j = 0; j < d; j++) {
        sum += raw[(s * k + code) * d + j] * b.apply(s * d + j, col);
      }
      c[r + col * m] += sum;
    }
  }

  @Test
  void libammsPrototypesGiveTheCodesOfADirectComputation() throws IOException {
    for (String name : new String[] {"pq_prototypes.pt", "prototypes.pt"}) {
      Path file = LibAmmFixtures.dir().resolve(name);
      float[] raw = LibAmmFixtures.rawFloats(file, "prototypes/data/0");
      int d = raw.length / 160; // C = 10 subspaces of K = 16 prototypes
      for (int n : new int[] {10 * d, 10 * d + 7}) { // LibAMM ignores the trailing n - C D inner indices
        DenseMatrix a = TestMatrices.gaussian(30, n, 21);
        // Rows near the prototypes as well as far from them: codes other than the few the Gaussians pick.
        for (int r = 0; r < 15; r++) {
          for (int j = 0; j < 10 * d; j++) {
            a.values()[r + j * 30] = raw[((j / d) * 16 + (r + j / d) % 16) * d + j % d] + 0.01 * a.apply(r, j);
          }
        }
        DenseMatrix b = TestMatrices.gaussian(n, 6, 22);
        double[] expected = nearestPrototypeProduct(raw, 10, 16, d, a, b);
        Amm amm = Amm.create("pq-raw").setConfig(new AmmConfig().edit("prototypesLoadPath", file.toString()));
        CodebookTest.assertSameProduct(expected, amm.multiply(a, b, 50).toArray(), name + " n=" + n);
      }
    }
  }

  @Test
  void libammsHashTreeWalksAsMaddnessFromNodeOne() throws IOException {
    Path protos = LibAmmFixtures.dir().resolve("pq_prototypes.pt");
    float[] raw = LibAmmFixtures.rawFloats(protos, "prototypes/data/0"); // 10 x 16 x 10
    int[] split = {3, 0, 7, 3};
    double[][] v = {{0.1}, {-0.4, 0.5}, {0.2, -0.3, 0.0, 0.6}, {-0.5, -0.1, 0.3, 0.7, -0.2, 0.1, 0.4, 0.0}};
    Path hash = dir.resolve("hash.pt");
    new LibAmmFixtures.Module().ints("split_indices", new long[] {4}, split)
        .floats("v1", new long[] {1, 1}, v[0]).floats("v2", new long[] {1, 2}, v[1])
        .floats("v3", new long[] {1, 4}, v[2]).floats("v4", new long[] {1, 8}, v[3]).write(hash);
    DenseMatrix a = TestMatrices.gaussian(40, 100, 23);
    DenseMatrix b = TestMatrices.gaussian(100, 5, 24);
    double[] expected = new double[40 * 5];
    for (int r = 0; r < 40; r++) {
      for (int s = 0; s < 10; s++) {
        int i = 1; // Blalock and Guttag, Algorithm 1: i = 2i - 1 + [x_j >= v_t[i]], nodes 1-based per level
        for (int t = 0; t < 4; t++) {
          float threshold = (float) v[t][i - 1]; // the file holds float32
          i = 2 * i - 1 + (a.apply(r, s * 10 + split[t]) >= threshold ? 1 : 0);
        }
        addPrototypeRow(raw, s, 16, 10, i - 1, b, expected, r, 40);
      }
    }
    Amm amm = Amm.create("pq-hash").setConfig(new AmmConfig().edit("prototypesLoadPath", protos.toString())
        .edit("hashLoadPath", hash.toString()));
    CodebookTest.assertSameProduct(expected, amm.multiply(a, b, 1).toArray(), "pq-hash");
    assertTrue(amm.codebook().hashed());
  }

  @Test
  void aVqModuleMultipliesThroughItsOwnLookupTable() throws IOException {
    int m = 2;
    int la = 3;
    int lb = 4;
    int w = 5;
    double[] ca = new double[m * la * w];
    double[] cb = new double[m * lb * w];
    for (int i = 0; i < ca.length; i++) {
      ca[i] = Math.sin(i + 1.0);
    }
    for (int i = 0; i < cb.length; i++) {
      cb[i] = Math.cos(3.0 * i);
    }
    double[] table = new double[m * la * lb];
    for (int i = 0; i < table.length; i++) {
      table[i] = i * 0.25 - 1; // not the codewords' inner products: the file's table is what LibAMM uses
    }
    Path file = dir.resolve("toy_m2_lA3_lB4.pth");
    new LibAmmFixtures.Module().floats("codewordsA", new long[] {m, la, w}, ca)
        .floats("codewordsB", new long[] {m, lb, w}, cb).floats("lookUpTable", new long[] {m, la, lb}, table)
        .write(file);
    DenseMatrix a = TestMatrices.gaussian(7, 11, 25); // 11 = 2 x 5 + 1: the last inner index is ignored
    DenseMatrix b = TestMatrices.gaussian(11, 6, 26);
    double[] expected = new double[7 * 6];
    for (int s = 0; s < m; s++) {
      for (int r = 0; r < 7; r++) {
        int row = r;
        int codeA = nearest(ca, s, la, w, i -> a.apply(row, i));
        for (int j = 0; j < 6; j++) {
          int col = j;
          int codeB = nearest(cb, s, lb, w, i -> b.apply(i, col));
          expected[r + j * 7] += (float) table[(s * la + codeA) * lb + codeB];
        }
      }
    }
    for (String tag : new String[] {"vq", "pq"}) { // LibAMM's one class: the file decides m
      Amm amm = Amm.create(tag).setConfig(new AmmConfig().edit("pqvqCodewordLookUpTablePath", file.toString()));
      CodebookTest.assertSameProduct(expected, amm.multiply(a, b, 1).toArray(), tag);
      assertEquals(2, amm.codebook().subspaces().count());
    }
  }

  private static int nearest(double[] codewords, int s, int l, int w, java.util.function.IntToDoubleFunction x) {
    int best = 0;
    double bestDist = Double.POSITIVE_INFINITY;
    for (int t = 0; t < l; t++) {
      double dist = 0;
      for (int j = 0; j < w; j++) {
        double e = x.applyAsDouble(s * w + j) - (float) codewords[(s * l + t) * w + j];
        dist += e * e;
      }
      if (dist < bestDist) {
        bestDist = dist;
        best = t;
      }
    }
    return best;
  }
}
