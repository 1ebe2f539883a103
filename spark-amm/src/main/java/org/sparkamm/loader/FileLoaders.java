package org.sparkamm.loader;

import java.nio.file.Path;
import org.apache.spark.mllib.linalg.DenseMatrix;
import org.sparkamm.config.AmmConfig;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.Idx;
import org.sparkamm.io.MatrixFiles;
import org.sparkamm.io.Vecs;
import org.sparkamm.io.torch.TorchFile;

/** LibAMM's loaders of real data sets; each reads its files when configured. */
final class FileLoaders {
  private FileLoaders() {}

  /** A loader whose A and B are computed once by {@link #load}. */
  abstract static class Base implements MatrixLoader {
    private final String tag;
    private DenseMatrix a;
    private DenseMatrix b;

    Base(String tag) {
      this.tag = tag;
    }

    @Override
    public String tag() {
      return tag;
    }

    @Override
    public MatrixLoader setConfig(AmmConfig cfg) {
      DenseMatrix[] ab = load(cfg);
      a = ab[0];
      b = ab[1];
      return this;
    }

    abstract DenseMatrix[] load(AmmConfig cfg);

    @Override
    public DenseMatrix getA() {
      return checked(a);
    }

    @Override
    public DenseMatrix getB() {
      return checked(b);
    }

    private DenseMatrix checked(DenseMatrix m) {
      if (m == null) {
        throw new IllegalStateException("loader '" + tag + "' has no data: call setConfig first");
      }
      return m;
    }
  }

  /**
   * {@code SIFT}: a {@code .fvecs} file ({@code filePath}, default
   * {@code datasets/SIFT/siftsmall_base.fvecs}) of num vectors of dimension d. B (num x d) is the
   * data with every column z-scored (unbiased sd; a constant column becomes 0 where LibAMM divides
   * by zero), A = B^T (d x num). siftsmall gives A 128 x 10000 and B 10000 x 128.
   */
  static final class Sift extends Base {
    Sift() {
      super("SIFT");
    }

    @Override
    DenseMatrix[] load(AmmConfig cfg) {
      DenseMatrix data = Vecs.read(Path.of(cfg.getString("filePath", "datasets/SIFT/siftsmall_base.fvecs")));
      DenseMatrix b = Standardize.columns(data, 0.0);
      return new DenseMatrix[] {b.transpose(), b};
    }
  }

  /**
   * {@code MNIST}: an IDX image file ({@code filePath}, default
   * {@code datasets/MNIST/train-images.idx3-ubyte}) of N images of 28 x 28. Columns 0-13 of every
   * image form the 392 features of At (N x 392), columns 14-27 those of Bt; each feature is
   * standardized to (x - mean) / (sd + 1e-7) with the unbiased sd. A = At^T and B = Bt^T are both
   * 392 x N, so A B is undefined: the loader serves CCA's A A^T, B B^T and A B^T (as LibAMM).
   */
  static final class Mnist extends Base {
    Mnist() {
      super("MNIST");
    }

    @Override
    DenseMatrix[] load(AmmConfig cfg) {
      Path file = Path.of(cfg.getString("filePath", "datasets/MNIST/train-images.idx3-ubyte"));
      DenseMatrix images = Idx.read(file);
      if (images.numCols() != 784) {
        throw new AmmFormatException(file + ": MNIST images must be 28 x 28 (784 pixels), got " + images.numCols());
      }
      int n = images.numRows();
      double[] left = new double[n * 392];
      double[] right = new double[n * 392];
      for (int img = 0; img < n; img++) {
        for (int r = 0; r < 28; r++) {
          for (int c = 0; c < 28; c++) {
            double px = images.apply(img, r * 28 + c);
            int feature = r * 14 + (c % 14);
            (c < 14 ? left : right)[img + feature * n] = px;
          }
        }
      }
      DenseMatrix at = Standardize.columns(new DenseMatrix(n, 392, left), 1e-7);
      DenseMatrix bt = Standardize.columns(new DenseMatrix(n, 392, right), 1e-7);
      return new DenseMatrix[] {at.transpose(), bt.transpose()};
    }
  }

  /**
   * {@code MediaMill}: a TorchScript module ({@code filePath}, default
   * {@code datasets/Mediamill/MediaMill.pth}) with attributes {@code A} (120 x 43907 features) and
   * {@code B} (101 x 43907 labels), already normalized; read without PyTorch.
   */
  static final class MediaMill extends Base {
    MediaMill() {
      super("MediaMill");
    }

    @Override
    DenseMatrix[] load(AmmConfig cfg) {
      Path file = Path.of(cfg.getString("filePath", "datasets/Mediamill/MediaMill.pth"));
      TorchFile t = TorchFile.read(file);
      return new DenseMatrix[] {t.tensor("A").toMatrix(file.toString()), t.tensor("B").toMatrix(file.toString())};
    }
  }

  /**
   * {@code mtx}: Matrix Market files {@code srcA}, {@code srcB} (default
   * {@code datasets/ZENIOS/zenios.mtx}); {@code oneSrcForAB} = 1 reads B from srcA;
   * {@code transposeA} (0) and {@code transposeB} (1, as LibAMM) transpose after reading;
   * {@code normalizeA}/{@code normalizeB} (0) map [min, max] to [-1, 1] (on sparse data this turns
   * zeros into a constant and the matrix into a nearly rank-1 dense one, as in LibAMM). Any format
   * {@link MatrixFiles} reads is accepted, not only Matrix Market.
   */
  static final class Mtx extends Base {
    Mtx() {
      super("mtx");
    }

    @Override
    DenseMatrix[] load(AmmConfig cfg) {
      String srcA = cfg.getString("srcA", "datasets/ZENIOS/zenios.mtx");
      boolean one = cfg.getLong("oneSrcForAB", 0, 0, 1) == 1;
      String srcB = one ? srcA : cfg.getString("srcB", "datasets/ZENIOS/zenios.mtx");
      DenseMatrix a = MatrixFiles.read(Path.of(srcA), null).matrix;
      DenseMatrix b = one ? a : MatrixFiles.read(Path.of(srcB), null).matrix;
      if (cfg.getLong("transposeA", 0, 0, 1) == 1) {
        a = a.transpose();
      }
      if (cfg.getLong("transposeB", 1, 0, 1) == 1) {
        b = b.transpose();
      }
      if (cfg.getLong("normalizeA", 0, 0, 1) == 1) {
        a = Standardize.toUnitRange(a);
      }
      if (cfg.getLong("normalizeB", 0, 0, 1) == 1) {
        b = Standardize.toUnitRange(b);
      }
      return new DenseMatrix[] {a, b};
    }
  }

}
