package org.sparkamm.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.torch.Tensor;
import org.sparkamm.io.torch.TorchFile;

/**
 * Reads a matrix from any supported file, recognized by its content (and, for the headerless
 * TEXMEX formats, its extension): NumPy {@code .npy} and {@code .npz}, PyTorch {@code .pt}/{@code .pth}
 * (zip with {@code data.pkl}, or the legacy pre-1.6 {@code torch.save} stream), Matrix Market
 * {@code .mtx} (plain or gzip-compressed), IDX, {@code .fvecs}/{@code .ivecs}/{@code .bvecs}.
 * {@code key} names the array of an {@code .npz} or the tensor of a PyTorch file; other formats
 * hold one matrix and refuse a key. A tensor of another rank than 2 is made a matrix as
 * {@link Tensor#toMatrix} says, and the {@link LoadedMatrix#note} says how.
 */
public final class MatrixFiles {
  public static final String FORMATS = ".npy, .npz, .pt/.pth (PyTorch), .mtx/.mtx.gz (Matrix Market), IDX (MNIST), "
      + ".fvecs/.ivecs/.bvecs";

  private MatrixFiles() {}

  /** The recognized formats. */
  public enum Format {
    NPY, NPZ, TORCH, MATRIX_MARKET, IDX, VECS
  }

  public static Format detect(Path file) {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(64);
    } catch (NoSuchFileException e) {
      throw new AmmFormatException(file + ": no such file");
    } catch (IOException e) {
      throw new AmmFormatException(file + ": cannot read (" + e.getMessage() + ")");
    }
    if (Vecs.itemSize(file.getFileName().toString()) > 0) {
      return Format.VECS;
    }
    int n = head.length;
    if (n >= 6 && (head[0] & 0xff) == 0x93 && head[1] == 'N' && head[2] == 'U' && head[3] == 'M') {
      return Format.NPY;
    }
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
      String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
      return lower.endsWith(".npz") ? Format.NPZ : Format.TORCH;
    }
    if (TorchFile.looksLikeLegacy(head)) {
      return Format.TORCH;
    }
    if (MatrixMarket.looksLikeMatrixMarket(head)) {
      return Format.MATRIX_MARKET;
    }
    if (MatrixMarket.isGzip(head)) {
      try {
        if (MatrixMarket.isMatrixMarket(Files.newInputStream(file))) {
          return Format.MATRIX_MARKET;
        }
      } catch (IOException e) {
        throw new AmmFormatException(file + ": cannot read (" + e.getMessage() + ")");
      }
      throw new AmmFormatException(file + ": a gzip-compressed file that is not Matrix Market, or is damaged (only "
          + ".mtx is read compressed; decompress others first)");
    }
    if (Idx.looksLikeIdx(head)) {
      return Format.IDX;
    }
    throw new AmmFormatException(file + ": unrecognized file format (supported: " + FORMATS + ")");
  }

  public static LoadedMatrix read(Path file, String key) {
    Format f = detect(file);
    if (key != null && f != Format.NPZ && f != Format.TORCH) {
      throw new AmmFormatException(file + ": a " + f.name().toLowerCase(Locale.ROOT).replace('_', ' ')
          + " file holds one matrix; --key applies to .npz and PyTorch files only");
    }
    switch (f) {
      case NPY:
        return Npy.read(file);
      case NPZ:
        return Npz.read(file, key);
      case TORCH: {
        Tensor tensor = TorchFile.read(file).select(key);
        return new LoadedMatrix(tensor.toMatrix(file.toString()), tensor.dtype.equals("float32"),
            tensor.matrixNote() == null ? null : file + ": " + tensor.matrixNote());
      }
      case MATRIX_MARKET:
        return new LoadedMatrix(MatrixMarket.read(file), false);
      case IDX:
        return new LoadedMatrix(Idx.read(file), false);
      default:
        return new LoadedMatrix(Vecs.read(file), file.toString().toLowerCase(Locale.ROOT).endsWith(".fvecs"));
    }
  }
}
