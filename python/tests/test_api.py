"""The NumPy interface: LibAMM's PyAMM API, conversions of every layout, errors, agreement with Java."""
import os
import tempfile

import numpy as np
import pytest

import spark_amm as PyAMM


def test_libamm_example_runs_as_written():
    A = np.random.randn(1000, 500).astype(np.float32)
    B = np.random.randn(500, 800).astype(np.float32)
    algo = PyAMM.createAMM("crs")
    cfg = PyAMM.ConfigMap()
    cfg.edit("sketchRatio", 0.1)          # a key nothing reads: accepted, not an error
    algo.setConfig(cfg)
    C = algo.amm(A, B, sketchSize=50)     # numpy.ndarray, float32, shape (1000, 800)
    assert isinstance(C, np.ndarray)
    assert C.dtype == np.float32
    assert C.shape == (1000, 800)


def _layouts(x):
    """The same values as C, Fortran, transposed-view, sliced-view and strided-view arrays."""
    big = np.zeros((x.shape[0] * 2, x.shape[1] * 3), dtype=x.dtype)
    big[::2, ::3] = x
    return {
        "C": np.ascontiguousarray(x),
        "F": np.asfortranarray(x),
        "transposed view": np.ascontiguousarray(x.T).T,
        "strided view": big[::2, ::3],
        "slice": np.vstack([x, x])[: x.shape[0]],
    }


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64])
def test_every_layout_and_dtype_is_read_as_numpy_sees_it(dtype):
    rng = np.random.default_rng(0)
    A = (rng.standard_normal((13, 17)) * 10).astype(dtype)
    B = (rng.standard_normal((17, 11)) * 10).astype(dtype)
    exact = A.astype(np.float64) @ B.astype(np.float64)
    mm = PyAMM.createAMM("mm")
    for la, a in _layouts(A).items():
        for lb, b in _layouts(B).items():
            C = mm.amm(a, b, 1)
            assert C.dtype == (np.float32 if dtype == np.float32 else np.float64), (la, lb)
            tol = 1e-4 if dtype == np.float32 else 1e-9
            assert np.allclose(C, exact, rtol=tol, atol=tol * np.abs(exact).max()), (la, lb)


@pytest.mark.parametrize("tag", ["crs", "weighted-cr", "countSketch"])
def test_same_seed_same_result_for_every_layout(tag):
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((20, 60)), rng.standard_normal((60, 9))
    algo = PyAMM.createAMM(tag)
    algo.setConfig(PyAMM.dictToConfigMap({"seed": 7}))
    ref = algo.amm(A, B, 15)
    for a in _layouts(A).values():
        for b in _layouts(B).values():
            np.testing.assert_allclose(algo.amm(a, b, 15), ref, rtol=1e-12, atol=1e-12)
    algo.setConfig(PyAMM.dictToConfigMap({"seed": 8}))
    assert not np.allclose(algo.amm(A, B, 15), ref), "the int seed must be honoured (LibAMM drops int keys)"


def test_agrees_with_the_java_api_on_the_same_seed():
    PyAMM.tags()  # starts the JVM before the Java imports below
    import jpype
    from org.apache.spark.mllib.linalg import DenseMatrix
    from org.sparkamm import Amm

    rng = np.random.default_rng(2)
    A, B = rng.standard_normal((8, 30)), rng.standard_normal((30, 5))
    A_train, B_train = rng.standard_normal((60, 30)), rng.standard_normal((30, 60))
    for tag in PyAMM.tags():
        py = PyAMM.createAMM(tag)
        py.setConfig(PyAMM.dictToConfigMap({"seed": 99}))
        a = DenseMatrix(8, 30, jpype.JArray(jpype.JDouble)(A.T.reshape(-1)))
        b = DenseMatrix(30, 5, jpype.JArray(jpype.JDouble)(B.T.reshape(-1)))
        amm = Amm.create(tag).setSeed(99)
        if py.needsTraining():  # codebook methods: trained on the same training data on both sides
            py.train(A_train, B_train, 12)
            amm.train(DenseMatrix(60, 30, jpype.JArray(jpype.JDouble)(A_train.T.reshape(-1))),
                      DenseMatrix(30, 60, jpype.JArray(jpype.JDouble)(B_train.T.reshape(-1))), 12)
        java = amm.multiply(a, b, 12)
        # NumPy's C-ordered arrays arrive row-major, the Java matrices column-major: dense-tile sketches
        # then run different (equally exact) BLAS calls, so agreement is up to summation order.
        ref = np.array(java.toArray()).reshape(5, 8).T
        np.testing.assert_allclose(py.amm(A, B, 12), ref, rtol=0, atol=1e-13 * max(1.0, np.abs(ref).max()),
                                   err_msg=tag)


def test_on_spark_equals_in_process(tmp_path):
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((40, 25)), rng.standard_normal((40, 6))
    algo = PyAMM.createAMM("countSketch")
    algo.setConfig(PyAMM.dictToConfigMap({"seed": 5}))
    local = algo.amm(A.T, B, 10)
    np.save(tmp_path / "a.npy", A)
    C, info = PyAMM.spark_multiply("countSketch", 10, tmp_path / "a.npy", B, transpose_a=True, seed=5,
                                   master="local[2]", block_size=16)
    np.testing.assert_allclose(C, local, rtol=1e-10, atol=1e-10)
    assert info["engine"] == "spark" and info["k"] == 40 and info["millis"] >= 0
    G, _ = PyAMM.spark_multiply("crs", 50, loader="gaussian", config={"aRow": 30, "aCol": 200, "bCol": 4},
                                master="local[2]")
    assert G.shape == (30, 4)


def test_config_maps():
    cfg = PyAMM.dictToConfigMap({"seed": 3, "ratio": 0.25, "name": "x", "flag": True, "big": np.int64(2**40)})
    assert PyAMM.configMapToDict(cfg) == {"seed": 3, "ratio": 0.25, "name": "x", "flag": 1, "big": 2**40}
    assert "seed\t3" in cfg.toString()


def test_use_cuda_falls_back_to_the_cpu_without_the_gpu_module():
    A, B = np.random.default_rng(0).standard_normal((20, 30)), np.random.default_rng(1).standard_normal((30, 10))
    cpu = PyAMM.createAMM("countSketch")
    cpu.setConfig(PyAMM.dictToConfigMap({"seed": 4}))
    gpu = PyAMM.createAMM("countSketch")
    gpu.setConfig(PyAMM.dictToConfigMap({"seed": 4, "useCuda": True}))
    np.testing.assert_array_equal(cpu.amm(A, B, 8), gpu.amm(A, B, 8))
    C, info = PyAMM.spark_multiply("mm", 1, A, B, engine="local", config={"useCuda": True})
    assert info["backend"] == "cpu"
    np.testing.assert_allclose(C, A @ B, rtol=1e-12, atol=1e-12)
    for bad in (2, -1, "yes"):
        with pytest.raises(ValueError) as e:
            PyAMM.createAMM("crs").setConfig(PyAMM.dictToConfigMap({"useCuda": bad}))
        assert "'useCuda'" in str(e.value) and "\n" not in str(e.value)
    required = PyAMM.createAMM("crs")
    required.setConfig(PyAMM.dictToConfigMap({"useCuda": 1, "requireGpu": 1}))
    with pytest.raises(ValueError) as e:
        required.amm(A, B, 4)
    assert "requireGpu=1 but no GPU backend is usable" in str(e.value)


def test_config_files_round_trip(tmp_path):
    cfg = PyAMM.dictToConfigMap({"seed": 3, "algoDelta": 0.02, "tag": "crs"})
    cfg.toFile(str(tmp_path / "c.csv"))
    back = PyAMM.ConfigMap()
    back.fromFile(str(tmp_path / "c.csv"))
    assert PyAMM.configMapToDict(back) == {"seed": 3, "algoDelta": 0.02, "tag": "crs"}


def test_loaders():
    loader = PyAMM.createMatrixLoader("gaussian")
    loader.setConfig(PyAMM.dictToConfigMap({"aRow": 10, "aCol": 20, "bCol": 5}))
    A, B = loader.getA(), loader.getB()
    assert A.shape == (10, 20) and B.shape == (20, 5) and A.dtype == np.float32
    assert "MNIST" in PyAMM.loaderTags()


def test_errors_are_python_exceptions_with_one_line_messages(tmp_path):
    A, B = np.ones((3, 4)), np.ones((5, 6))
    cases = [
        (lambda: PyAMM.createAMM("fastest"), ValueError, "unknown algorithm 'fastest'; valid tags: mm, crs"),
        (lambda: PyAMM.createAMM("crs").amm(A, B, 2), ValueError, "inner dimensions differ: A is 3x4, B is 5x6"),
        (lambda: PyAMM.createAMM("crs").amm(A, A.T, 0), ValueError, "sketch size must be at least 1, got 0"),
        (lambda: PyAMM.createAMM("crs").amm(np.full((2, 2), np.nan), A[:2], 1), ValueError, "NaN or infinite"),
        (lambda: PyAMM.createAMM("mm").amm(np.ones((2, 2, 2)), A, 1), ValueError, "must be a 2-D array"),
        (lambda: PyAMM.createAMM("mm").amm(A.astype(complex), A.T, 1), ValueError, "real numbers"),
        (lambda: PyAMM.createMatrixLoader("cifar"), ValueError, "unknown matrix loader 'cifar'"),
        (lambda: PyAMM.dictToConfigMap({"k": [1]}), ValueError, "unsupported value type list"),
        (lambda: PyAMM.spark_multiply("crs", 3, str(tmp_path / "none.npy"), B, engine="local"),
         FileNotFoundError, "no such file"),
    ]
    for call, kind, fragment in cases:
        with pytest.raises(kind) as info:
            call()
        message = str(info.value)
        assert fragment in message, message
        assert "\n" not in message and "at org." not in message, message


def test_failed_spark_calls_leave_no_temporary_files(tmp_path, monkeypatch):
    made = []
    real = tempfile.mkdtemp

    def tracked(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", tracked)
    A, B = np.ones((3, 4)), np.ones((5, 6))
    with pytest.raises(ValueError, match="inner dimensions differ"):
        PyAMM.spark_multiply("crs", 2, A, B, engine="local")
    assert made and not any(os.path.exists(d) for d in made), made


def test_another_master_while_a_session_runs_is_an_error():
    PyAMM.start_spark("local[2]")
    try:
        with pytest.raises(ValueError, match="already running in this process"):
            PyAMM.spark_multiply("crs", 2, np.ones((8, 4)), np.ones((8, 3)), transpose_a=True,
                                 master="local[1]")
        C, _ = PyAMM.spark_multiply("mm", 1, np.ones((8, 4)), np.ones((8, 3)), transpose_a=True,
                                    master="local[2]")
        np.testing.assert_allclose(C, np.full((4, 3), 8.0))
    finally:
        PyAMM.stop_spark()


def test_config_files_with_other_separators_leave_no_temporary_file(tmp_path, monkeypatch):
    (tmp_path / "c.txt").write_text("seed;3;U64|tag;crs;String|")
    before = set(os.listdir(tempfile.gettempdir()))
    back = PyAMM.ConfigMap()
    back.fromFile(str(tmp_path / "c.txt"), separator=";", newLine="|")
    assert PyAMM.configMapToDict(back) == {"seed": 3, "tag": "crs"}
    assert set(os.listdir(tempfile.gettempdir())) - before == set()


def test_target_error_chooses_the_sketch_size():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((30, 600))
    B = A.T @ rng.standard_normal((30, 20)) + 0.5 * rng.standard_normal((600, 20))
    algo = PyAMM.createAMM("countSketch")
    choice = algo.sketchSizeFor(A, B, 0.5)
    assert 1 <= choice["sketch"] <= 600 and choice["predicted_error"] <= 0.5
    np.testing.assert_allclose(algo.amm(A, B, target_error=0.5), algo.amm(A, B, choice["sketch"]))
    with pytest.raises(ValueError, match="not both"):
        algo.amm(A, B, 10, target_error=0.5)
    with pytest.raises(ValueError, match="is exact"):
        PyAMM.createAMM("mm").amm(A, B, target_error=0.5)


def test_codebooks_train_save_and_load_through_numpy(tmp_path):
    rng = np.random.default_rng(4)
    centers = rng.standard_normal((16, 12)) * 5
    A_train = centers[rng.integers(0, 16, 400)] + 0.01 * rng.standard_normal((400, 12))
    algo = PyAMM.createAMM("pq-raw")
    assert algo.needsTraining() and not PyAMM.createAMM("crs").needsTraining()
    with pytest.raises(ValueError) as info:
        algo.amm(A_train[:5], np.ones((12, 3)), 50)
    assert str(info.value).startswith("pq-raw needs a codebook: set codebookPath=... or prototypesLoadPath=...")
    algo.setConfig(PyAMM.dictToConfigMap({"C": 1}))
    algo.train(A_train)
    # Rows on the planted centers are multiplied (almost) exactly: the prototypes are the centers.
    A, B = centers[rng.integers(0, 16, 50)], rng.standard_normal((12, 7))
    assert PyAMM.relative_frobenius_error(A @ B, algo.amm(A, B, 50)) < 1e-2
    path = tmp_path / "raw.npz"
    algo.saveCodebook(path)
    book = np.load(path)
    assert str(book["format"]) == "spark-amm codebook" and str(book["tag"]) == "pq-raw"
    assert book["prototypes_a"].shape == (1, 16, 12) and list(book["offsets"]) == [0, 12]
    assert int(book["inner"]) == 12 and int(book["training_rows"]) == 400
    # Edited in NumPy and saved by numpy.savez, it is read back: scaled prototypes scale the product.
    arrays = {k: book[k] for k in book.files}
    arrays["prototypes_a"] = arrays["prototypes_a"] * 2
    np.savez(tmp_path / "edited.npz", **arrays)
    again = PyAMM.createAMM("pq-raw")
    again.setConfig(PyAMM.dictToConfigMap({"codebookPath": str(tmp_path / "edited.npz")}))
    np.testing.assert_allclose(again.amm(A, B, 50), 2 * algo.amm(A, B, 50), rtol=1e-12, atol=1e-12)
    vq = PyAMM.createAMM("vq")
    with pytest.raises(ValueError, match="vq trains codewords for both operands"):
        vq.train(A_train)
    vq.train(A_train, rng.standard_normal((12, 40)))
    assert vq.amm(A, B, 50).shape == (50, 7)
