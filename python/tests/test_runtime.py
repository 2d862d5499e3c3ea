"""aicc.load and Module: signature, runs, zero-copy outputs, input
conversions, errors, threads, numerical agreement with ONNX Runtime."""
import threading

import numpy as np
import pytest

import aicc
from conftest import TINY_CNN, mlp_feed


def cnn_input(seed=0, batch=1):
    return np.random.default_rng(seed).random((batch, 1, 28, 28), np.float32)


def test_signature(tiny_cnn, mlp):
    assert tiny_cnn.inputs == [aicc.TensorInfo("input", np.dtype("float32"), (1, 1, 28, 28))]
    assert tiny_cnn.outputs == [aicc.TensorInfo("probs", np.dtype("float32"), (1, 10))]
    assert [(t.name, t.dtype, t.shape) for t in mlp.inputs] == [
        ("x", np.float32, (4, 16)), ("ids", np.int64, (4,))]
    assert [t.name for t in mlp.outputs] == ["logits", "probs"]
    assert tiny_cnn.device == "cpu"
    assert "avx512" in tiny_cnn.properties["targets"]
    assert "input" in repr(tiny_cnn)


def test_agrees_with_onnxruntime_tiny_cnn(tiny_cnn, ort):
    session = ort.InferenceSession(str(TINY_CNN))
    for seed in range(3):
        x = cnn_input(seed)
        expected = session.run(None, {"input": x})[0]
        got = tiny_cnn(input=x)["probs"]
        assert got.dtype == np.float32 and got.shape == (1, 10)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_agrees_with_onnxruntime_mlp(mlp, mlp_model, ort):
    session = ort.InferenceSession(mlp_model.SerializeToString())
    feed = mlp_feed(4)
    expected = dict(zip(["logits", "probs"], session.run(None, feed)))
    got = mlp.run(feed)
    assert list(got) == ["logits", "probs"]
    for name in got:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-4, atol=1e-5)


def test_outputs_are_written_in_place(tiny_cnn):
    x = cnn_input()
    expected = tiny_cnn(input=x)["probs"]
    out = np.full((1, 10), np.nan, np.float32)
    result = tiny_cnn.run({"input": x}, out={"probs": out})
    assert result["probs"] is out
    np.testing.assert_array_equal(out, expected)
    # Fresh outputs are the arrays the runtime wrote: they own their memory.
    fresh = tiny_cnn(input=x)["probs"]
    assert fresh.base is None and fresh.flags.owndata and fresh.flags.c_contiguous


def test_bad_out_arrays(tiny_cnn):
    x = cnn_input()
    with pytest.raises(TypeError, match="probs"):
        tiny_cnn.run({"input": x}, out={"probs": np.empty((1, 10), np.float64)})
    with pytest.raises(ValueError, match="C-contiguous"):
        tiny_cnn.run({"input": x}, out={"probs": np.empty((1, 20), np.float32)[:, ::2]})


def test_inputs_that_need_a_copy(tiny_cnn):
    x = cnn_input()
    expected = tiny_cnn(input=x)["probs"]
    # Not C-contiguous.
    fortran = np.asfortranarray(x)
    assert not fortran.flags.c_contiguous
    np.testing.assert_array_equal(tiny_cnn(input=fortran)["probs"], expected)
    strided = np.stack([x, x], axis=-1)[..., 0]
    np.testing.assert_array_equal(tiny_cnn(input=strided)["probs"], expected)
    # Not aligned to its element size.
    raw = np.zeros(x.nbytes + 1, np.uint8)
    unaligned = np.frombuffer(raw.data, np.float32, x.size, offset=1).reshape(x.shape)
    unaligned = unaligned.view()
    assert not unaligned.flags.aligned
    raw[1:] = x.view(np.uint8).reshape(-1)
    np.testing.assert_array_equal(tiny_cnn(input=unaligned)["probs"], expected)
    # Nested lists are converted to the input's dtype.
    np.testing.assert_allclose(tiny_cnn(input=x.tolist())["probs"], expected, rtol=1e-6)


def test_input_errors(tiny_cnn, mlp):
    x = cnn_input()
    with pytest.raises(TypeError, match="expected float32, got float64"):
        tiny_cnn(input=x.astype(np.float64))
    with pytest.raises(ValueError, match=r"expected shape \(1, 1, 28, 28\), got \(2, 1, 28, 28\)"):
        tiny_cnn(input=cnn_input(batch=2))
    with pytest.raises(KeyError, match="missing input"):
        tiny_cnn()
    with pytest.raises(KeyError, match="unknown input"):
        tiny_cnn(input=x, extra=x)
    with pytest.raises(TypeError, match="ids"):
        mlp(x=mlp_feed(4)["x"], ids=np.zeros(4, np.int32))


def test_load_errors(tmp_path, tiny_cnn_artifact):
    with pytest.raises(aicc.Error, match="cannot load"):
        aicc.load(tmp_path / "missing.aicc")
    with pytest.raises(aicc.Error):
        aicc.load(b"\0" * 128)
    truncated = tiny_cnn_artifact[: len(tiny_cnn_artifact) // 2]
    with pytest.raises(aicc.Error):
        aicc.load(truncated)
    with pytest.raises(aicc.Error):
        aicc.load(tiny_cnn_artifact, device="no-such-device")
    assert issubclass(aicc.Error, RuntimeError)


def test_thread_counts_agree(tiny_cnn_artifact):
    x = cnn_input(5)
    one = aicc.load(tiny_cnn_artifact, threads=1)(input=x)["probs"]
    two = aicc.load(tiny_cnn_artifact, threads=2)(input=x)["probs"]
    np.testing.assert_allclose(one, two, rtol=1e-5, atol=1e-7)


def test_concurrent_calls(tiny_cnn_artifact):
    module = aicc.load(tiny_cnn_artifact, threads=1)
    inputs = [cnn_input(seed) for seed in range(4)]
    expected = [module(input=x)["probs"] for x in inputs]
    errors = []

    def work(i):
        try:
            for _ in range(25):
                np.testing.assert_array_equal(module(input=inputs[i])["probs"], expected[i])
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # Each concurrent caller got a session; they are kept for reuse.
    assert 1 <= len(module._sessions) <= 4


def test_benchmark(tiny_cnn):
    stats = tiny_cnn.benchmark(5, warmup=1)
    assert stats["runs"] == 5
    assert 0 < stats["min_us"] <= stats["median_us"] <= stats["max_us"]


def test_devices():
    assert any(d["name"] == "cpu" for d in aicc.devices())


def test_modules_with_same_kernel_names(tiny_cnn_artifact, ort):
    # Artifacts of one model (batch 1, then batch 3) have kernels of the same
    # names; each module must run its own code. (The runtime once handed the
    # second module the first one's kernels through a recycled
    # /proc/self/fd/N name: batch-1 kernels left rows 1-2 unwritten.)
    session = ort.InferenceSession(str(TINY_CNN))
    first = aicc.load(tiny_cnn_artifact)
    second = aicc.load(aicc.compile(TINY_CNN, dims={"batch": 3}))
    for batch, module in ((1, first), (3, second)):
        x = cnn_input(batch, batch=batch)
        np.testing.assert_allclose(module(input=x)["probs"],
                                   session.run(None, {"input": x})[0],
                                   rtol=1e-4, atol=1e-6)
