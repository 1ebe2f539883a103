package org.sparkamm.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkamm.random.DenseColumns;
import org.sparkamm.random.DenseColumns.Entries;

/**
 * {@link ComputeBackend#sketchProduct}'s default (S generated in panels of {@value DenseColumns#PANEL}
 * columns, each multiplied by dgemm) against the plain triple loop over S's columns from {@link
 * DenseColumns#column}: both orientations, both entry kinds, a length that ends in a partial panel, a
 * start index above 2^32, offsets and leading dimensions larger than the operands. Bound per entry:
 * dgemm's gamma_len (|X| |S|)_ij plus the reference's own, 2 (len + 2) u with u = 2^-53; every entry
 * outside C's rows must be untouched.
 */
class SketchProductTest {
  @ParameterizedTest
  @CsvSource({"RADEMACHER,false", "RADEMACHER,true", "GAUSSIAN,false", "GAUSSIAN,true"})
  void theDefaultIsTheProductWithTheGeneratedColumns(Entries entries, boolean sketchLeft) {
    int m = 9;
    int len = 2 * DenseColumns.PANEL + 88;
    int l = 70;
    long start = (1L << 33) + 5;
    DenseColumns s = new DenseColumns(entries, 3, l, !sketchLeft, 1 / Math.sqrt(l));
    SplittableRandom random = new SplittableRandom(4);
    int offX = 2;
    int ldX = (sketchLeft ? len : m) + 3;
    double[] x = random.doubles(offX + (long) ldX * (sketchLeft ? m : len), -1, 1).toArray();
    int rowsC = sketchLeft ? l : m;
    int colsC = sketchLeft ? m : l;
    int offC = 1;
    int ldc = rowsC + 2;
    double[] c = random.doubles(offC + (long) ldc * colsC, -1, 1).toArray();
    double[] c0 = c.clone();

    CpuBackend.INSTANCE.sketchProduct(s, start, len, sketchLeft, m, x, offX, ldX, c, offC, ldc);

    double[] column = new double[l];
    double[][] sketch = new double[len][];
    for (int k = 0; k < len; k++) {
      s.column(start + k, column, 0);
      sketch[k] = column.clone();
    }
    for (int j = 0; j < colsC; j++) {
      for (int i = 0; i < ldc; i++) {
        int o = offC + i + j * ldc;
        if (o >= c.length) {
          break;
        }
        if (i >= rowsC) {
          assertEquals(c0[o], c[o], "wrote outside C at row " + i + " column " + j);
          continue;
        }
        int data = sketchLeft ? j : i; // C(i, j) = sum_k S(i, k) X(k, j), or sum_k X(i, k) S(j, k)
        int entry = sketchLeft ? i : j;
        double sum = c0[o];
        double magnitude = Math.abs(c0[o]);
        for (int k = 0; k < len; k++) {
          double product = sketch[k][entry] * x[offX + (sketchLeft ? k + data * ldX : data + k * ldX)];
          sum += product;
          magnitude += Math.abs(product);
        }
        double bound = 2 * (len + 2) * 0x1p-53 * magnitude;
        assertTrue(Math.abs(c[o] - sum) <= bound, "C(" + i + "," + j + ") = " + c[o] + ", reference " + sum + ", bound " + bound);
      }
    }
  }
}
