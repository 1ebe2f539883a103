package org.sparkamm.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.sparkamm.codebook.Codebook;
import org.sparkamm.codebook.CodebookFile;
import org.sparkamm.error.AmmFormatException;

/**
 * A codebook saved and loaded the way Spark ML saves its models, through Hadoop's file systems
 * (so {@code hdfs:}, {@code s3a:}, {@code file:} paths work from a cluster's driver):
 *
 * <pre>{@code
 * new CodebookModel(amm.train(aTrain, bTrain, 50)).write().overwrite().save("hdfs:///models/pq");
 * Codebook book = CodebookModel.load("hdfs:///models/pq").codebook();
 * }</pre>
 *
 * The directory has Spark ML's layout: {@code metadata/part-00000}, one JSON line as Spark's
 * {@code DefaultParamsWriter} writes it ({@code class}, {@code timestamp}, {@code sparkVersion},
 * {@code uid}, and a {@code paramMap} describing the codebook: tag, subspaces, codewords, inner
 * dimension), and {@code data/codebook.npz}, the codebook file of {@link CodebookFile}, which NumPy
 * reads and which {@code codebookPath=DIR} reads back for a local directory. {@code save} refuses an
 * existing path unless {@code overwrite()} is asked, as Spark ML does.
 *
 * <p>It is a persistable value, not an ML {@code Estimator}/{@code Model} pair: this library does not
 * transform DataFrames into codes; a codebook is what its users train, save, ship and load.
 */
public final class CodebookModel implements MLWritable, Serializable {
  private static final long serialVersionUID = 1L;
  private final String uid;
  private final Codebook codebook;

  public CodebookModel(Codebook codebook) {
    this("codebook_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12), codebook);
  }

  private CodebookModel(String uid, Codebook codebook) {
    this.uid = uid;
    this.codebook = codebook;
  }

  public String uid() {
    return uid;
  }

  public Codebook codebook() {
    return codebook;
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  @Override
  public void save(String path) throws IOException {
    write().save(path);
  }

  public static MLReader<CodebookModel> read() {
    return new Reader();
  }

  public static CodebookModel load(String path) {
    return read().load(path);
  }

  private static final class Writer extends MLWriter {
    private final CodebookModel model;

    Writer(CodebookModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      Codebook cb = model.codebook;
      ObjectMapper json = new ObjectMapper();
      ObjectNode meta = json.createObjectNode().put("class", CodebookModel.class.getName())
          .put("timestamp", System.currentTimeMillis()).put("sparkVersion", sc().version()).put("uid", model.uid);
      meta.putObject("paramMap").put("tag", cb.tag()).put("subspaces", cb.subspaces().count())
          .put("codewordsA", cb.codewordsA()).put("codewordsB", cb.codewordsB())
          .put("innerDimension", cb.subspaces().inner());
      meta.putObject("defaultParamMap");
      JavaSparkContext.fromSparkContext(sc()).parallelize(List.of(meta.toString()), 1)
          .saveAsTextFile(new Path(path, "metadata").toString());
      Path data = new Path(path, CodebookFile.DATA_FILE);
      try {
        FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
        try (OutputStream out = fs.create(data, false)) {
          CodebookFile.write(cb, out);
        }
      } catch (IOException e) {
        throw new AmmFormatException(data + ": cannot write (" + e.getMessage() + ")", e);
      }
    }
  }

  private static final class Reader extends MLReader<CodebookModel> {
    @Override
    public CodebookModel load(String path) {
      Path metadata = new Path(path, "metadata");
      Path data = new Path(path, CodebookFile.DATA_FILE);
      try {
        FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
        if (!fs.exists(metadata) || !fs.exists(data)) {
          throw new AmmFormatException(path + ": not a saved codebook (no metadata/ and " + CodebookFile.DATA_FILE + ")");
        }
        JsonNode meta = new ObjectMapper().readTree(
            JavaSparkContext.fromSparkContext(sc()).textFile(metadata.toString(), 1).first());
        if (!CodebookModel.class.getName().equals(meta.path("class").asText())) {
          throw new AmmFormatException(path + ": saved by " + meta.path("class").asText("an unknown class")
              + ", not by " + CodebookModel.class.getName());
        }
        try (InputStream in = fs.open(data)) {
          return new CodebookModel(meta.path("uid").asText(), CodebookFile.read(in, data.toString()));
        }
      } catch (IOException e) {
        throw new AmmFormatException(path + ": cannot read (" + e.getMessage() + ")", e);
      }
    }
  }
}
