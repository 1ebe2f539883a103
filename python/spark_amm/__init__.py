"""spark_amm: approximate matrix multiplication for NumPy, on spark-amm, without PyTorch or PySpark.

LibAMM's PyAMM API, so that LibAMM scripts run with only the import changed::

    import numpy as np
    import spark_amm as PyAMM                 # LibAMM: import PyAMM
    A = np.random.randn(1000, 500).astype(np.float32)
    B = np.random.randn(500, 800).astype(np.float32)
    algo = PyAMM.createAMM("crs")
    cfg = PyAMM.ConfigMap()
    cfg.edit("sketchRatio", 0.1)              # a key nothing reads: accepted
    algo.setConfig(cfg)
    C = algo.amm(A, B, sketchSize=50)         # numpy.ndarray, float32, (1000, 800)

The codebook methods (pq-raw, pq-hash, vq, pq) multiply through a codebook trained first on other
data of the same distribution: ``algo.train(A_train, B_train)``, then ``algo.amm(A, B, k)``; save it
with ``algo.saveCodebook("book.npz")`` and reuse it with the config key ``codebookPath``.

Differences from LibAMM, all on purpose: an unknown tag raises ValueError listing the valid ones
(LibAMM silently multiplies exactly); integer config values are honoured (LibAMM drops them);
strided views are read as NumPy sees them; errors are Python exceptions with one-line messages.

LibAMM's ``useCuda`` key (0 or 1; True and False work too) runs the local products on a GPU when
the ``spark-amm-gpu`` jar is on the classpath and a device is usable, else on the CPU after one
logged line; ``requireGpu=1`` (with ``useCuda=1``) makes the latter an error instead.

For inputs too big for one process, :func:`spark_multiply` runs on Spark (an embedded local one,
or ``master=``), reading files with the executors and LibAMM's loaders.

The JVM starts on first use (see ``_jvm.py`` for its classpath and heap settings).
"""
import numbers
import os
import shutil
import tempfile

import numpy as np

from . import _convert
from ._jvm import ensure_jvm

__version__ = "0.1.0"
__all__ = ["createAMM", "ConfigMap", "configMapToDict", "dictToConfigMap", "createMatrixLoader", "tags",
           "loaderTags", "spark_multiply", "relative_frobenius_error"]


def _java_errors(fn):
    """Runs fn, turning the library's Java exceptions into Python ones with the same one-line message."""
    import jpype

    try:
        return fn()
    except jpype.JException as e:
        name = e.getClass().getName()
        message = str(e.getMessage())
        if name.endswith("AmmFormatException"):
            if message.endswith("no such file"):
                raise FileNotFoundError(message) from None
            raise ValueError(message) from None
        if name.endswith("AmmArgumentException"):
            raise ValueError(message) from None
        if name.endswith("AmmException"):
            raise RuntimeError(message) from None
        raise


class ConfigMap:
    """LibAMM's ConfigMap: typed key/values. ints, floats and strs are all kept and honoured."""

    def __init__(self, _java=None):
        ensure_jvm()
        from org.sparkamm.config import AmmConfig

        self._java = _java if _java is not None else AmmConfig()

    def edit(self, key, value):
        """Sets key to an int, a float or a str (numpy scalars and bools included)."""
        import jpype

        if isinstance(value, (bool, np.bool_)):
            self._java.edit(key, jpype.JLong(int(value)))
        elif isinstance(value, numbers.Integral):
            self._java.edit(key, jpype.JLong(int(value)))
        elif isinstance(value, numbers.Real):
            self._java.edit(key, jpype.JDouble(float(value)))
        elif isinstance(value, str):
            self._java.edit(key, jpype.JString(value))
        else:
            raise ValueError(f"config key '{key}': unsupported value type {type(value).__name__} "
                             "(use an int, a float or a str)")
        return self

    def toString(self, separator="\t", newLine="\n"):
        return newLine.join(f"{k}{separator}{v}" for k, v in configMapToDict(self).items())

    def toFile(self, fname, separator=",", newLine="\n"):
        """Writes LibAMM's CSV (key,value,Type)."""
        with open(fname, "w") as f:
            f.write(str(self._java.toCsv()).replace(",", separator).replace("\n", newLine))

    def fromFile(self, fname, separator=",", newLine="\n"):
        """Reads LibAMM's CSV (key,value,Type) into this map."""
        from org.sparkamm.config import AmmConfig

        if separator != "," or newLine != "\n":
            with open(fname) as f:
                text = f.read().replace(newLine, "\n").replace(separator, ",")
            with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as t:
                t.write(text)
            try:
                return self.fromFile(t.name)
            finally:
                os.remove(t.name)
        from java.nio.file import Path

        loaded = _java_errors(lambda: AmmConfig.fromFile(Path.of(fname)))
        for key in loaded.keys():
            self.edit(str(key), _py(loaded.get(key)))
        return True

    def __repr__(self):
        return f"ConfigMap({configMapToDict(self)})"


def _py(v):
    if v is None or isinstance(v, str):
        return v
    cls = str(v.getClass().getName())
    if cls == "java.lang.Long":
        return int(v)
    if cls == "java.lang.Double":
        return float(v)
    return str(v)


def configMapToDict(cfg):
    """The ConfigMap as a dict of ints, floats and strs."""
    return {str(k): _py(cfg._java.get(k)) for k in cfg._java.keys()}


def dictToConfigMap(d):
    """A ConfigMap from a dict (ints stay ints, floats stay double precision)."""
    cfg = ConfigMap()
    for k, v in d.items():
        cfg.edit(k, v)
    return cfg


def tags():
    """The algorithm tags."""
    ensure_jvm()
    from org.sparkamm import Amm

    return [str(t) for t in Amm.tags()]


def loaderTags():
    """The matrix loader tags."""
    ensure_jvm()
    from org.sparkamm.loader import MatrixLoaders

    return [str(t) for t in MatrixLoaders.tags()]


class _Configurable:
    """A Java object made by a tag factory and configured with a ConfigMap."""

    def __init__(self, factory, tag):
        ensure_jvm()
        self._java = _java_errors(lambda: factory().create(tag))
        self.tag = str(self._java.tag())

    def setConfig(self, cfg):
        _java_errors(lambda: self._java.setConfig(cfg._java))
        return True

    def __repr__(self):
        return f"{type(self).__name__}('{self.tag}')"


def _amm_factory():
    from org.sparkamm import Amm

    return Amm


def _loader_factory():
    from org.sparkamm.loader import MatrixLoaders

    return MatrixLoaders


class AMM(_Configurable):
    """One algorithm (LibAMM's CPPAlgo): setConfig, amm, getBreakDown."""

    def __init__(self, tag):
        super().__init__(_amm_factory, tag)

    def amm(self, A, B, sketchSize=None, *, target_error=None):
        """C ~ A @ B as a numpy.ndarray (float32 when A and B are float32, else float64).

        Give ``sketchSize``, or ``target_error=eps`` to let the library choose the smallest sketch
        whose expected relative Frobenius error is eps (see :meth:`sketchSizeFor`).
        """
        if (sketchSize is None) == (target_error is None):
            raise ValueError("give sketchSize or target_error=, not both")
        dtype = _convert.result_dtype(A, B)
        a = _convert.to_java(A, "A")
        b = _convert.to_java(B, "B")
        if target_error is not None:
            sketchSize = self._choose(a, b, target_error)["sketch"]
        c = _java_errors(lambda: self._java.multiply(a, b, int(sketchSize)))
        return _convert.from_java(c, dtype)

    def sketchSizeFor(self, A, B, target_error):
        """The sketch size for an expected relative error, and what it predicts, as a dict:
        sketch, predicted_error, product_norm2 (the pilot's estimate of ||AB||_F^2), pilot_relative_sd."""
        return self._choose(_convert.to_java(A, "A"), _convert.to_java(B, "B"), target_error)

    def _choose(self, a, b, target_error):
        c = _java_errors(lambda: self._java.sketchSizeFor(a, b, float(target_error)))
        return {"sketch": int(c.sketchSize), "predicted_error": float(c.predictedError),
                "product_norm2": float(c.productNorm2), "pilot_relative_sd": float(c.pilotRelativeSd)}

    def needsTraining(self):
        """True for the codebook methods (pq-raw, pq-hash, vq, pq): train() them first (or set codebookPath)."""
        return bool(self._java.algorithm().needsTraining())

    def train(self, A, B=None, sketchSize=50):
        """Trains a codebook method's codebook on training arrays of the distribution it will multiply
        (never the arrays themselves): A (rows x n), and for vq and pq B (n x cols), whose columns train
        B's codewords. sketchSize below 50 is pq-raw's number of subspaces (LibAMM's rule). Returns self."""
        a = _convert.to_java(A, "A")
        b = None if B is None else _convert.to_java(B, "B")
        _java_errors(lambda: self._java.train(a, b, int(sketchSize)))
        return self

    def saveCodebook(self, path):
        """Writes the codebook as .npz (numpy.load reads it); the config key codebookPath reads it back."""
        from java.nio.file import Path

        _java_errors(lambda: self._java.codebook().save(Path.of(os.fspath(path))))

    def getBreakDown(self):
        """buildATime, buildBTime, fABTime, postProcessTime (microseconds) and shuffleBytes, as a ConfigMap."""
        cfg = ConfigMap()
        for k, v in self._java.getBreakDown().toMap().items():
            cfg.edit(str(k), int(v))
        return cfg


def createAMM(nameTag):
    """The algorithm with this LibAMM tag (any letter case); an unknown tag raises ValueError."""
    return AMM(nameTag)


class MatrixLoader(_Configurable):
    """LibAMM's matrix loader: setConfig generates or reads A and B; getA/getB return float32 arrays."""

    def __init__(self, tag):
        super().__init__(_loader_factory, tag)

    def getA(self):
        return _convert.from_java(_java_errors(self._java.getA), np.float32)

    def getB(self):
        return _convert.from_java(_java_errors(self._java.getB), np.float32)


def createMatrixLoader(tag):
    """The loader with this LibAMM tag; an unknown tag raises ValueError (LibAMM falls back to random)."""
    return MatrixLoader(tag)


def relative_frobenius_error(exact, approx):
    """||exact - approx||_F / ||exact||_F, computed in double."""
    exact = np.asarray(exact, dtype=np.float64)
    approx = np.asarray(approx, dtype=np.float64)
    if exact.shape != approx.shape:
        raise ValueError(f"cannot compare shapes {exact.shape} and {approx.shape}")
    norm = np.linalg.norm(exact)
    diff = np.linalg.norm(exact - approx)
    return 0.0 if norm == 0 and diff == 0 else (float("inf") if norm == 0 else float(diff / norm))


def spark_multiply(algo, sketch_size, A=None, B=None, *, loader=None, config=None, gen=None, master=None,
                   seed=None, transpose_a=False, transpose_b=False, block_size=None, partitions=None,
                   engine="spark"):
    """C ~ op(A) @ op(B) on Spark, for inputs too big for one process; returns (C, info).

    A and B are file paths (any format spark-amm reads; .npy, IDX, vecs and Matrix Market are read
    by the executors themselves) or arrays (saved to temporary .npy files first). Or: ``loader=`` a
    LibAMM loader tag, or ``gen=(rows, cols_a, cols_b)`` for
    generated low-rank-plus-noise data. ``master`` defaults to an embedded ``local[*]``; a session
    started earlier in this process (by :func:`start_spark`) is reused, and asking for another
    ``master`` while it runs is an error (stop it first with :func:`stop_spark`). ``config=`` a dict of
    LibAMM keys for the loader and the algorithm (e.g. ``{"useCuda": 1}``). ``info`` holds the run's
    JSON line (millis, breakdown, shuffle bytes, shapes, the backend that ran).
    """
    import json

    ensure_jvm()
    argv = ["multiply", "--algo", str(algo), "--sketch", str(int(sketch_size)), "--engine", engine]
    tmp = tempfile.mkdtemp(prefix="spark_amm_")
    try:  # the temporary copies of A and B, and C, go on every path
        for flag, value in (("--a", A), ("--b", B)):
            if value is None:
                continue
            if isinstance(value, (str, os.PathLike)):
                argv += [flag, os.fspath(value)]
            else:
                path = os.path.join(tmp, flag[2:] + ".npy")
                np.save(path, np.asarray(value))
                argv += [flag, path]
        if loader is not None:
            argv += ["--loader", loader]
        for k, v in (config or {}).items():
            argv += ["--set", f"{k}={int(v) if isinstance(v, (bool, np.bool_)) else v}"]
        if gen is not None:
            argv += ["--gen", ",".join(str(int(x)) for x in gen)]
        for flag, value in (("--master", master), ("--seed", seed), ("--block-size", block_size),
                            ("--partitions", partitions)):
            if value is not None:
                argv += [flag, str(value)]
        if transpose_a:
            argv.append("--transpose-a")
        if transpose_b:
            argv.append("--transpose-b")
        out_path = os.path.join(tmp, "c.npy")
        argv += ["--out", out_path]
        status, out, err = _run_cli(argv)
        if status != 0:
            message = err.strip().splitlines()[0] if err.strip() else "spark-amm failed"
            message = message.replace("spark-amm: error: ", "")
            if message.endswith("no such file"):
                raise FileNotFoundError(message)
            raise ValueError(message) if status == 2 else RuntimeError(message)
        C = np.load(out_path)
        return C, json.loads(out.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _run_cli(argv):
    import jpype
    from java.io import ByteArrayOutputStream, PrintStream
    from org.sparkamm.cli import Main

    out, err = ByteArrayOutputStream(), ByteArrayOutputStream()
    status = Main.run(jpype.JArray(jpype.JString)(argv), PrintStream(out, True, "UTF-8"), PrintStream(err, True, "UTF-8"))
    return int(status), str(out.toString("UTF-8")), str(err.toString("UTF-8"))


def start_spark(master="local[*]"):
    """Starts a Spark session in this process and keeps it for later spark_multiply calls."""
    ensure_jvm()
    from org.apache.spark.sql import SparkSession

    builder = SparkSession.builder().appName("spark-amm").master(master)
    if master.startswith("local"):
        builder = builder.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1") \
            .config("spark.driver.bindAddress", "127.0.0.1")
    session = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
    session.sparkContext().setLogLevel("WARN")
    return session


def stop_spark():
    """Stops the session started by start_spark, if any."""
    from org.apache.spark.sql import SparkSession

    active = SparkSession.getDefaultSession()
    if active.isDefined():
        active.get().stop()
