package org.sparkamm.codebook;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sparkamm.error.AmmFormatException;
import org.sparkamm.io.torch.Tensor;
import org.sparkamm.io.torch.TorchFile;

/**
 * LibAMM's codebook files, read through the safe PyTorch reader ({@link TorchFile}: nothing in
 * them is executed). All use LibAMM's layout of C subspaces of width D = ⌊n/C⌋ ({@link Subspaces#libamm}).
 *
 * <ul>
 *   <li>pq-raw's {@code prototypes.pt} ({@code prototypesLoadPath}): a TorchScript module whose
 *       tensor {@code prototypes} is C x K x D.
 *   <li>pq-hash's {@code hash.pt} ({@code hashLoadPath}), beside those prototypes (K = 16): tensor
 *       {@code split_indices} (4 coordinates, within a sub-vector) and {@code v1..v4}, the
 *       thresholds of level t, indexed by the node: node i = 1..2^(t-1) of level t (1-based, in
 *       MADDNESS's numbering) is the i-th value of v_t, heap node 2^(t-1) + i - 1 here. LibAMM uses one
 *       tree for all subspaces; it is copied to each.
 *   <li>vq's and pq's {@code .pth} ({@code pqvqCodewordLookUpTablePath}): tensors {@code codewordsA}
 *       (m x l_A x C_A), {@code codewordsB} (m x l_B x C_B) and {@code lookUpTable} (m x l_A x l_B);
 *       m is the leading dimension, and must agree with the {@code _m(\d+)} in the file name when
 *       there is one (LibAMM reads m from the name only); C_A must equal C_B.
 * </ul>
 */
public final class LibAmmFiles {
  private static final Pattern M_IN_NAME = Pattern.compile("_m(\\d+)");

  private LibAmmFiles() {}

  /** pq-raw's prototypes file. */
  public static Codebook prototypes(Path file, String tag) {
    Tensor p = tensor(TorchFile.read(file), "prototypes", 3, file);
    int count = (int) p.shape[0];
    int k = (int) p.shape[1];
    Subspaces s = Subspaces.libamm(count, (int) p.shape[2], file.toString());
    return Codebook.prototypes(tag, s, k, split(p, count), -1, -1);
  }

  /** pq-hash's prototypes and hash tree files. */
  public static Codebook hashed(Path prototypesFile, Path hashFile, String tag) {
    Codebook protos = prototypes(prototypesFile, tag);
    if (protos.codewordsA() != HashTree.BUCKETS) {
      throw new AmmFormatException(prototypesFile + ": pq-hash needs " + HashTree.BUCKETS
          + " prototypes per subspace (one per bucket), the file has " + protos.codewordsA());
    }
    Subspaces s = protos.subspaces();
    int width = s.width(0);
    TorchFile hash = TorchFile.read(hashFile);
    double[] split = hash.tensor("split_indices").values;
    if (split.length != HashTree.LEVELS) {
      throw new AmmFormatException(hashFile + ": split_indices holds " + split.length + " values, expected "
          + HashTree.LEVELS);
    }
    int[] dims = new int[HashTree.LEVELS];
    double[] thresholds = new double[HashTree.BUCKETS];
    thresholds[0] = Double.NaN;
    for (int t = 0; t < HashTree.LEVELS; t++) {
      double d = split[t];
      if (d != Math.rint(d) || d < 0 || d >= width) {
        throw new AmmFormatException(hashFile + ": split index " + d + " of level " + (t + 1)
            + " is not a coordinate of a sub-vector of width " + width);
      }
      dims[t] = (int) d;
      double[] v = hash.tensor("v" + (t + 1)).values;
      int nodes = 1 << t;
      if (v.length < nodes) {
        throw new AmmFormatException(hashFile + ": v" + (t + 1) + " holds " + v.length + " thresholds, level "
            + (t + 1) + " has " + nodes + " nodes");
      }
      for (int i = 0; i < nodes; i++) {
        if (Double.isNaN(v[i])) {
          throw new AmmFormatException(hashFile + ": v" + (t + 1) + " holds NaN");
        }
        thresholds[nodes + i] = v[i];
      }
    }
    HashTree[] trees = new HashTree[s.count()];
    double[][] prototypes = new double[s.count()][];
    for (int c = 0; c < s.count(); c++) {
      trees[c] = new HashTree(dims, thresholds);
      prototypes[c] = protos.prototypes(false, c);
    }
    return Codebook.hashed(tag, s, prototypes, trees, -1, -1);
  }

  /** vq's or pq's {@code .pth} module. */
  public static Codebook codewords(Path file, String tag) {
    TorchFile t = TorchFile.read(file);
    Tensor a = tensor(t, "codewordsA", 3, file);
    Tensor b = tensor(t, "codewordsB", 3, file);
    Tensor table = tensor(t, "lookUpTable", 3, file);
    int m = (int) a.shape[0];
    Matcher name = M_IN_NAME.matcher(String.valueOf(file.getFileName()));
    if (name.find() && !name.group(1).equals(String.valueOf(m))) {
      throw new AmmFormatException(file + ": the file name says m = " + name.group(1) + " subspaces, its codewordsA has "
          + m);
    }
    int ka = (int) a.shape[1];
    int kb = (int) b.shape[1];
    if (b.shape[0] != m || b.shape[2] != a.shape[2]) {
      throw new AmmFormatException(file + ": codewordsA is " + Arrays.toString(a.shape) + " and codewordsB "
          + Arrays.toString(b.shape) + "; they need the same m and sub-vector width");
    }
    if (!Arrays.equals(table.shape, new long[] {m, ka, kb})) {
      throw new AmmFormatException(file + ": lookUpTable is " + Arrays.toString(table.shape) + ", expected ["
          + m + ", " + ka + ", " + kb + "]");
    }
    Subspaces s = Subspaces.libamm(m, (int) a.shape[2], file.toString());
    return Codebook.codewords(tag, s, ka, split(a, m), kb, split(b, m), split(table, m), -1, -1, -1);
  }

  /** A tensor of the given rank with positive dimensions and finite values. */
  private static Tensor tensor(TorchFile f, String key, int rank, Path file) {
    Tensor t = f.tensor(key);
    if (t.shape.length != rank) {
      throw new AmmFormatException(file + ": tensor '" + key + "' has shape " + Arrays.toString(t.shape) + ", expected "
          + rank + " dimensions");
    }
    for (long d : t.shape) {
      if (d < 1) {
        throw new AmmFormatException(file + ": tensor '" + key + "' has an empty dimension: " + Arrays.toString(t.shape));
      }
    }
    for (double v : t.values) {
      if (!Double.isFinite(v)) {
        throw new AmmFormatException(file + ": tensor '" + key + "' holds NaN or infinite values");
      }
    }
    return t;
  }

  /** The leading dimension's slices of a C-order tensor: slice c is the row-major rest. */
  private static double[][] split(Tensor t, int count) {
    int size = t.values.length / count;
    double[][] out = new double[count][];
    for (int c = 0; c < count; c++) {
      out[c] = Arrays.copyOfRange(t.values, c * size, (c + 1) * size);
    }
    return out;
  }
}
