package org.sparkamm.codebook;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.sparkamm.local.Blas;

/**
 * A trained codebook for AB (A m x n, B n x p), made of C subspaces of the inner dimension
 * ({@link Subspaces}). Per subspace c it holds K_A codewords (prototypes) for the sub-vectors
 * A[r, c-th columns] of A's rows, and for the two-sided methods (vq, pq) K_B codewords for the
 * sub-vectors B[c-th rows, j] of B's columns with the lookup table L_c[a, b] = &lt;P^A_{c,a}, P^B_{c,b}&gt;;
 * pq-hash adds one {@link HashTree} per subspace.
 *
 * <p>The products it gives, with code(r, c) the codeword of row r of A in subspace c:
 * <ul>
 *   <li>one-sided (pq-raw, pq-hash): C[r, :] = sum_c T_c[code(r, c), :] with tables
 *       T_c = P^A_c B_c (K x p), see {@link Tables};
 *   <li>two-sided (vq, pq): C[r, j] = sum_c L_c[code(r, c), codeB(j, c)], see {@link #multiplyCodes}.
 * </ul>
 * The error is the quantization residual: with Â the matrix of A's codewords and B̂ that of B's,
 * AB - C = (A - Â) B for one-sided codebooks, so ||AB - C||_F &lt;= sum_c ||A_c - Â_c||_F ||B_c||_2,
 * and AB - C = (A - Â) B + Â (B - B̂) for two-sided ones; no closed form beyond this bound exists
 * (it depends on how well the codebook fits the data), and data lying on the codewords is
 * multiplied exactly.
 *
 * <p>Codewords are stored per subspace column-major (width x K), that is row-major K x width, which is
 * also their order in the {@code .npz} file ({@link CodebookFile}). Immutable once built.
 */
public final class Codebook implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String tag;
  private final Subspaces subspaces;
  private final int codewordsA;
  private final double[][] prototypesA;
  private final HashTree[] trees;
  private final int codewordsB;
  private final double[][] prototypesB;
  private final double[][] lookup;
  private final long seed;
  private final long trainingRows;
  private final long trainingColumns;

  private Codebook(String tag, Subspaces subspaces, int codewordsA, double[][] prototypesA, HashTree[] trees,
      int codewordsB, double[][] prototypesB, double[][] lookup, long seed, long trainingRows, long trainingColumns) {
    this.tag = tag;
    this.subspaces = subspaces;
    this.codewordsA = codewordsA;
    this.prototypesA = prototypesA;
    this.trees = trees;
    this.codewordsB = codewordsB;
    this.prototypesB = prototypesB;
    this.lookup = lookup;
    this.seed = seed;
    this.trainingRows = trainingRows;
    this.trainingColumns = trainingColumns;
  }

  /** pq-raw's codebook: K prototypes per subspace (prototypes[c] is K x width(c), row-major). */
  public static Codebook prototypes(String tag, Subspaces s, int k, double[][] prototypes, long seed,
      long trainingRows) {
    return new Codebook(tag, s, k, prototypes, null, 0, null, null, seed, trainingRows, 0);
  }

  /** pq-hash's codebook: a hash tree and its 16 bucket prototypes per subspace. */
  public static Codebook hashed(String tag, Subspaces s, double[][] prototypes, HashTree[] trees, long seed,
      long trainingRows) {
    return new Codebook(tag, s, HashTree.BUCKETS, prototypes, trees, 0, null, null, seed, trainingRows, 0);
  }

  /**
   * vq's and pq's codebook: codewords of A's rows and of B's columns per subspace, and their lookup
   * table (lookup[c] is K_A x K_B row-major); a null table is computed, O(C K_A K_B width).
   */
  public static Codebook codewords(String tag, Subspaces s, int ka, double[][] prototypesA, int kb,
      double[][] prototypesB, double[][] lookup, long seed, long trainingRows, long trainingColumns) {
    double[][] table = lookup;
    if (table == null) {
      table = new double[s.count()][];
      for (int c = 0; c < s.count(); c++) {
        // L_c (K_B x K_A column-major = K_A x K_B row-major) = P^B_c P^A_c^T
        table[c] = new double[ka * kb];
        Blas.gemm(true, false, kb, ka, s.width(c), 1.0, prototypesB[c], s.width(c), prototypesA[c], s.width(c), 0.0,
            table[c], kb);
      }
    }
    return new Codebook(tag, s, ka, prototypesA, null, kb, prototypesB, table, seed, trainingRows, trainingColumns);
  }

  /** The method that made this codebook: pq-raw, pq-hash, vq or pq. */
  public String tag() {
    return tag;
  }

  public Subspaces subspaces() {
    return subspaces;
  }

  /** Codewords of A per subspace (K, or l_A). */
  public int codewordsA() {
    return codewordsA;
  }

  /** Codewords of B per subspace (l_B), 0 for a one-sided codebook. */
  public int codewordsB() {
    return codewordsB;
  }

  /** True when rows of A are encoded by hash trees (pq-hash). */
  public boolean hashed() {
    return trees != null;
  }

  /** True when B's columns are encoded too (vq, pq). */
  public boolean twoSided() {
    return prototypesB != null;
  }

  /** The seed it was trained with (-1 when unknown, as for LibAMM's files). */
  public long seed() {
    return seed;
  }

  /** Rows of A it was trained on (-1 when unknown). */
  public long trainingRows() {
    return trainingRows;
  }

  /** Columns of B it was trained on (0 for one-sided codebooks, -1 when unknown). */
  public long trainingColumns() {
    return trainingColumns;
  }

  /** Codeword k of subspace c of A ({@code ofB} false) or B, a copy. */
  public double[] codeword(boolean ofB, int c, int k) {
    int w = subspaces.width(c);
    return Arrays.copyOfRange((ofB ? prototypesB : prototypesA)[c], k * w, (k + 1) * w);
  }

  /** The hash tree of subspace c (pq-hash only). */
  public HashTree tree(int c) {
    return trees[c];
  }

  /** L_c[a, b] (two-sided only). */
  public double lookup(int c, int a, int b) {
    return lookup[c][a * codewordsB + b];
  }

  double[] prototypes(boolean ofB, int c) {
    return (ofB ? prototypesB : prototypesA)[c];
  }

  /** The encoder of A's rows ({@code ofB} false) or B's columns. */
  public Encoder encoder(boolean ofB) {
    if (ofB && !twoSided()) {
      throw new IllegalStateException("a one-sided codebook does not encode B");
    }
    return new Encoder(this, ofB, ofB ? codewordsB : codewordsA, ofB ? null : trees);
  }

  /**
   * C (m x p, column-major) = sum_c L_c[codesA(r, c), codesB(j, c)] for two-sided codebooks: m p C
   * table lookups. Codes are laid out subspace after subspace: codes[c * rows + r].
   */
  public double[] multiplyCodes(int[] codesA, int m, int[] codesB, int p) {
    double[] out = new double[Math.multiplyExact(m, p)];
    addCodeProducts(codesA, m, codesB, p, out);
    return out;
  }

  /** Adds sum_c L_c[codesA(r, c), codesB(j, c)] to out[r + j m]. */
  public void addCodeProducts(int[] codesA, int m, int[] codesB, int p, double[] out) {
    for (int c = 0; c < subspaces.count(); c++) {
      double[] table = lookup[c];
      for (int j = 0; j < p; j++) {
        int col = codesB[c * p + j];
        int o = j * m;
        for (int r = 0; r < m; r++) {
          out[o + r] += table[codesA[c * m + r] * codewordsB + col];
        }
      }
    }
  }

  /** Writes the codebook as {@code .npz} ({@link CodebookFile}), atomically. */
  public void save(Path file) {
    CodebookFile.write(this, file);
  }

  /** Reads a codebook written by {@link #save} (or a directory written by Spark ML persistence). */
  public static Codebook load(Path file) {
    return CodebookFile.read(file);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Codebook)) {
      return false;
    }
    Codebook x = (Codebook) o;
    return tag.equals(x.tag) && subspaces.equals(x.subspaces) && codewordsA == x.codewordsA
        && codewordsB == x.codewordsB && seed == x.seed && trainingRows == x.trainingRows
        && trainingColumns == x.trainingColumns && Arrays.deepEquals(prototypesA, x.prototypesA)
        && Arrays.deepEquals(prototypesB, x.prototypesB) && Arrays.deepEquals(lookup, x.lookup)
        && Arrays.equals(trees, x.trees);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tag, subspaces, codewordsA, codewordsB, seed);
  }

  @Override
  public String toString() {
    return tag + " codebook: " + subspaces + ", " + codewordsA + " codewords of A"
        + (twoSided() ? ", " + codewordsB + " of B" : "") + (hashed() ? ", hash trees" : "");
  }
}
