package org.sparkamm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.DType;
import org.sparkamm.io.LoadedMatrix;
import org.sparkamm.io.MatrixFiles;
import org.sparkamm.io.Npy;
import org.sparkamm.io.torch.Tensor;
import org.sparkamm.io.torch.TorchFile;

/**
 * {@code spark-amm convert IN OUT.npy [--key NAME]}: a file to NumPy's .npy, the PyTorch-free
 * ".pt to .npy" converter LibAMM planned. A PyTorch tensor keeps its own shape and dtype, as
 * {@code numpy.save(t.numpy())} would write it (a 10 x 16 x 100 float32 tensor stays a
 * (10, 16, 100) float32 array in C order; bfloat16, which NumPy lacks, becomes float32 exactly).
 * Any other readable matrix (an array of an .npz, Matrix Market, IDX, vecs) is written as a 2-D
 * float64 array, float32 when the source was float32. The JSON line gives the shape and dtype written.
 */
final class ConvertCommand {
  private ConvertCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) {
    Args args = new Args("convert", argv, 1, Set.of("key"), Set.of("verbose"));
    AmmArgumentException.require(args.positional().size() == 2,
        "convert: expected IN OUT.npy, got %d file names", args.positional().size());
    Path in = Path.of(args.positional().get(0));
    Path outPath = OutputFile.check("out", args.positional().get(1));
    Json json = new Json().put("in", in.toString()).put("out", outPath.toString());
    long[] shape;
    DType dtype;
    if (MatrixFiles.detect(in) == MatrixFiles.Format.TORCH) {
      Tensor t = TorchFile.read(in).select(args.get("key"));
      if (!t.isExact()) {
        throw new AmmFormatException(in + ": tensor '" + t.name + "' holds int64 values beyond 2^53 that a double "
            + "cannot hold exactly, so they cannot be written back as they are");
      }
      shape = t.shape;
      dtype = DType.ofTorch(t.dtype);
      Npy.write(outPath, shape, t.values, dtype);
      json.put("key", t.name);
    } else {
      LoadedMatrix m = MatrixFiles.read(in, args.get("key"));
      shape = new long[] {m.matrix.numRows(), m.matrix.numCols()};
      dtype = m.float32 ? DType.F4 : DType.F8;
      Npy.write(outPath, m.matrix, m.float32);
    }
    if (shape.length == 2) {
      json.put("rows", shape[0]).put("cols", shape[1]);
    }
    out.println(json.put("shape", shape).put("dtype", dtype.numpyName()));
  }
}
