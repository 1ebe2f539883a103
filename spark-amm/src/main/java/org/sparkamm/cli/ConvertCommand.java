package org.sparkamm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.sparkamm.error.AmmArgumentException;
import org.sparkamm.io.LoadedMatrix;
import org.sparkamm.io.MatrixFiles;
import org.sparkamm.io.Npy;

/**
 * {@code spark-amm convert IN OUT.npy [--key NAME]}: any readable matrix (a named tensor of a
 * PyTorch file, an array of an .npz, Matrix Market, IDX, vecs) to NumPy's .npy, float32 when the
 * source was float32. The PyTorch-free ".pt to .npy" converter LibAMM planned.
 */
final class ConvertCommand {
  private ConvertCommand() {}

  static void run(String[] argv, PrintStream out, PrintStream err) {
    Args args = new Args("convert", argv, 1, Set.of("key"), Set.of("verbose"));
    AmmArgumentException.require(args.positional().size() == 2,
        "convert: expected IN OUT.npy, got %d file names", args.positional().size());
    Path in = Path.of(args.positional().get(0));
    Path outPath = OutputFile.check("out", args.positional().get(1));
    LoadedMatrix m = MatrixFiles.read(in, args.get("key"));
    Npy.write(outPath, m.matrix, m.float32);
    out.println(new Json().put("in", in.toString()).put("out", outPath.toString()).put("rows", m.matrix.numRows())
        .put("cols", m.matrix.numCols()).put("dtype", m.float32 ? "float32" : "float64"));
  }
}
