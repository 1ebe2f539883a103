package org.sparkamm.algo;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.SparseMatrix;
import org.sparkamm.local.ComputeBackend;
import org.sparkamm.quant.FpMode;
import org.sparkamm.quant.QuantizedProduct;
import org.sparkamm.quant.QuantizedTile;
import org.sparkamm.quant.Quantizer;
import org.sparkamm.quant.ScaleMode;

/**
 * Scalar quantization in-process ({@link ScalarQuantization}): A's scales (one pass), A quantized in
 * inner panels of {@value #PANEL} columns (buildATime), B likewise in panels of as many rows
 * (buildBTime), then the integer product of the panels and one scaling per entry (fABTime). The
 * quantized operands take 1 (INT8), 2 (INT16), 1/2 (INT4) or 4 (FP32) bytes per entry; sparse inputs
 * are made dense first. FP32's float products run on {@code backend}.
 */
public final class QuantizedLocal {
  private static final int PANEL = 2048;

  private QuantizedLocal() {}

  public static Timed<DenseMatrix> multiply(AmmAlgorithm algo, Matrix a, Matrix b, ComputeBackend backend) {
    ScalarQuantization q = ScalarQuantization.of(algo);
    FpMode mode = q.mode();
    Breakdown.Clock clock = new Breakdown.Clock();
    int m = a.numRows();
    int n = a.numCols();
    int p = b.numCols();
    DenseMatrix ad = dense(a);
    DenseMatrix bd = dense(b);
    double[] sa = scales(ad, true, mode, q.scaleMode());
    List<QuantizedTile> as = new ArrayList<>();
    for (int k0 = 0, k = 0; k0 < n; k0 += PANEL, k++) {
      as.add(QuantizedTile.of(0, k, ad, 0, m, k0, Math.min(n, k0 + PANEL), mode, sa, true));
    }
    long buildA = clock.lap();
    double[] tb = scales(bd, false, mode, q.scaleMode());
    List<QuantizedTile> bs = new ArrayList<>();
    for (int k0 = 0, k = 0; k0 < n; k0 += PANEL, k++) {
      bs.add(QuantizedTile.of(k, 0, bd, k0, Math.min(n, k0 + PANEL), 0, p, mode, tb, false));
    }
    long buildB = clock.lap();
    double[] c = QuantizedProduct.block(as, bs, m, p, backend);
    if (mode.isInteger()) {
      QuantizedProduct.scale(c, m, p, sa, 0, tb, 0);
    }
    long fab = clock.lap();
    return new Timed<>(new DenseMatrix(m, p, c), new Breakdown(buildA, buildB, fab, 0, 0));
  }

  /** Scales of A's rows ({@code byRow}) or B's columns; all equal to the operand's largest for tensor scales. */
  static double[] scales(Matrix x, boolean byRow, FpMode mode, ScaleMode scaleMode) {
    if (!mode.isInteger()) {
      return new double[0];
    }
    return Quantizer.scales(Quantizer.maxAbs(x, byRow), mode, scaleMode);
  }

  private static DenseMatrix dense(Matrix x) {
    return x instanceof DenseMatrix ? (DenseMatrix) x : ((SparseMatrix) x).toDense();
  }
}
