package org.sparkamm.cli;

import java.io.PrintStream;
import java.util.Arrays;
import org.sparkamm.error.AmmException;
import org.sparkamm.error.AmmFormatException;

/**
 * {@code spark-amm COMMAND [options]}: multiply, bench, train-codebooks, convert, demo, experiment,
 * tile-rate, help. Errors print one line on stderr and exit with status 2 (1 for an unexpected
 * failure); {@code --verbose} adds the stack trace. stdout carries only machine-readable output
 * (JSON lines, CSV) or the demo's table.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: spark-amm COMMAND [options]",
      "",
      "commands:",
      "  multiply --a A --b B --algo TAG --sketch K [--seed S] [--transpose-a] [--transpose-b]",
      "           [--set key=value ...] [--config LibAMM.csv]",
      "           [--out C.npy] [--engine spark|local] [--master URL] [--partitions P] [--block-size B]",
      "           [--mid-splits S]  (numMidDimSplits of mm and int8 on Spark; chosen from memory when absent)",
      "           [--use-cuda] [--require-gpu]  (useCuda=1: local products on the spark-amm-gpu backend when",
      "           usable, else the CPU with one logged line; --require-gpu: an error instead of the CPU)",
      "           --sketch auto --target-error E: the smallest sketch whose expected relative error is E",
      "           (mm, the exact product, needs no --sketch)",
      "           prints one JSON line: algo, m, k, n, sketch, seed, millis, the phase breakdown, backend",
      "  bench    (--a A --b B | --gen ROWS,COLS_A,COLS_B [--rank R] [--noise X] | --loader TAG)",
      "           --algo TAG[,TAG...] --sketch K[,K...] --trials N [--seed S] [--csv FILE]",
      "           [--set key=value ...] [--config LibAMM.csv] [same options as multiply]",
      "           CSV per trial: algo,sketch,trial,seed,fro_error,expected_error,millis,... ; summary on stderr",
      "  train-codebooks --algo pq-raw|pq-hash|vq|pq --out CODEBOOK.npz [--sketch K] [--seed S] [--set key=value ...]",
      "           (--a A [--b B] | --gen ... | --loader TAG) [--engine spark|local] ...: trains a codebook on",
      "           training data of the distribution to multiply later (MLlib's k-means on Spark); then",
      "           multiply --set codebookPath=CODEBOOK.npz. Keys: C, trainingRows, lA, lB, codewordRatio",
      "  convert  IN OUT.npy [--key NAME]: any readable matrix to .npy (a PyTorch tensor, an .npz array, ...)",
      "  tile-rate [--sketch L] [--seconds S]: random values per second of the dense sketches' tile generation",
      "  demo     a tour of every algorithm on generated data, about 5 min (error, time and speed-up vs exact)",
      "  experiment NAME [--engine spark|local|spark,local] [--out DIR] [--trials N] [--algo TAG,...] [--sketch L,...]",
      "           [--size ...] [--seed S] [--set key=value ...] [--config LibAMM.csv] [engine options of multiply]",
      "           one of LibAMM's comparisons, every algorithm (or --algo) beside exact; writes NAME-ENGINE.csv (one",
      "           row per algorithm x setting x trial; command, machine and versions in a # header), NAME-ENGINE.md",
      "           (tables) and NAME-ENGINE.png (plot) into DIR (default bench/results); a failed trial is",
      "           recorded with its message and the run goes on; progress on stderr. Experiments:",
      ExperimentCommand.help(),
      "  help     this text",
      "",
      "algorithms (LibAMM tags, any letter case): " + String.join(", ", org.sparkamm.Amm.tags()),
      "inputs of multiply and bench: --a FILE --b FILE [--key-a NAME] [--key-b NAME] (formats: "
          + org.sparkamm.io.MatrixFiles.FORMATS + "),",
      "  or --gen ROWS,COLS_A,COLS_B, or --loader TAG",
      "configuration of multiply and bench, as LibAMM's ConfigMap: --config FILE (LibAMM CSV lines",
      "  key,value,Type), then --set key=value (repeatable; a later value wins), read by the algorithm and",
      "  the loader; --seed wins over a 'seed' key. Without --algo, --loader, --sketch, the keys cppAlgoTag,",
      "  matrixLoaderTag, sketchDimension stand in for them. A key nothing reads is reported on stderr.",
      "loaders (LibAMM tags): " + String.join(", ", org.sparkamm.loader.MatrixLoaders.tags()),
      "options common to all commands: --verbose (stack traces on errors)");

  private Main() {}

  public static void main(String[] argv) {
    System.exit(run(argv, System.out, System.err));
  }

  /** Runs a command; returns the exit status. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    boolean verbose = Arrays.asList(argv).contains("--verbose");
    String command = argv.length == 0 ? "help" : argv[0];
    try {
      switch (command) {
        case "multiply":
          MultiplyCommand.run(argv, out, err);
          return 0;
        case "bench":
          BenchCommand.run(argv, out, err);
          return 0;
        case "train-codebooks":
          TrainCodebooksCommand.run(argv, out, err);
          return 0;
        case "convert":
          ConvertCommand.run(argv, out, err);
          return 0;
        case "demo":
          DemoCommand.run(argv, out, err);
          return 0;
        case "tile-rate":
          TileRateCommand.run(argv, out, err);
          return 0;
        case "experiment":
          ExperimentCommand.run(argv, out, err);
          return 0;
        case "help":
        case "--help":
        case "-h":
          out.println(USAGE);
          return 0;
        default:
          err.println("spark-amm: unknown command '" + command + "'; commands: multiply, bench, train-codebooks, convert, demo, experiment, tile-rate, help");
          return 2;
      }
    } catch (AmmException e) {
      err.println("spark-amm: error: " + e.getMessage());
      if (verbose) {
        e.printStackTrace(err);
      }
      return 2;
    } catch (OutOfMemoryError e) {
      err.println("spark-amm: error: out of memory (" + e.getMessage()
          + "); raise SPARK_AMM_HEAP (now " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB)");
      return 1;
    } catch (Exception e) { // Spark's SparkException is checked, yet thrown from Scala code undeclared
      String amm = libraryMessage(e);
      err.println("spark-amm: " + (amm != null ? "error: " : "internal error: ") + failureMessage(e));
      if (verbose) {
        e.printStackTrace(err);
      } else if (amm == null) {
        err.println("(run again with --verbose for the stack trace)");
      }
      return amm != null ? 2 : 1;
    }
  }

  /** One line for a failure: the library's message ({@link #libraryMessage}), else the root cause. */
  static String failureMessage(Throwable e) {
    String amm = libraryMessage(e);
    if (amm != null) {
      return amm;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return AmmFormatException.printable(String.valueOf(root), 400);
  }

  /**
   * The library's one-line message inside an exception raised in a Spark task: the first
   * {@link AmmException} in the cause chain, or, when Spark kept only the text of the task's
   * failure, the message after the exception's class name in it. Null for other failures.
   */
  static String libraryMessage(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof AmmException) {
        return c.getMessage();
      }
    }
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String text = String.valueOf(c.getMessage());
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("org\\.sparkamm\\.error\\.Amm\\w*Exception: ([^\\n]*)").matcher(text);
      if (m.find()) {
        return m.group(1).strip();
      }
    }
    return null;
  }
}
