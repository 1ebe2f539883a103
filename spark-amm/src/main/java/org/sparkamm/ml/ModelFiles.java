package org.sparkamm.ml;

import java.util.List;
import java.util.function.BiFunction;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.sparkamm.error.AmmFormatException;
import scala.Option;

/**
 * Model persistence laid out as Spark's own models (PCAModel and the others) lay it out:
 * {@code path/metadata}, one line of JSON written by Spark's {@code DefaultParamsWriter.saveMetadata}
 * (class, uid, Spark version, every set and default parameter), and {@code path/data}, one Parquet
 * row of the model's matrices and vectors (MatrixUDT and VectorUDT columns, doubles stored as they
 * are, so a loaded model transforms bit for bit as the saved one did).
 *
 * <p>Spark's metadata helpers are {@code private[ml]} in Scala, hence public to Java: they are
 * called here, in one place, so that the JSON stays Spark's own and Pipelines can read it.
 */
final class ModelFiles {
  private ModelFiles() {}

  /** Writes a model's metadata and data row. */
  static final class Writer extends MLWriter {
    private final AmmModel<?> model;

    Writer(AmmModel<?> model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      sparkSession().createDataFrame(List.of(model.dataRow()), model.dataSchema()).repartition(1)
          .write().parquet(new Path(path, "data").toString());
    }
  }

  /** Reads a model of class {@code type}; {@code make} builds it from (uid, data row). */
  static final class Reader<M extends AmmModel<M>> extends MLReader<M> {
    private final Class<M> type;
    private final BiFunction<String, Row, M> make;

    Reader(Class<M> type, BiFunction<String, Row, M> make) {
      this.type = type;
      this.make = make;
    }

    @Override
    public M load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(), type.getName());
      String dataPath = new Path(path, "data").toString();
      List<Row> rows = sparkSession().read().parquet(dataPath).takeAsList(2);
      if (rows.size() != 1) {
        throw new AmmFormatException(dataPath + " holds " + rows.size() + " rows; a saved " + type.getSimpleName()
            + " has exactly one");
      }
      M model = make.apply(metadata.uid(), rows.get(0));
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }
  }
}
