"""aicc.compile: model kinds, options, and errors (aicc.CompileError)."""
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import aicc
from conftest import TINY_CNN


def test_compile_path_then_load(tiny_cnn_artifact):
    # The README's one-liner: load(compile(path)).
    module = aicc.load(aicc.compile(str(TINY_CNN)))
    assert [t.name for t in module.inputs] == ["input"]
    # The symbolic batch defaults to 1.
    assert module.inputs[0].shape == (1, 1, 28, 28)
    assert tiny_cnn_artifact[:64] and isinstance(tiny_cnn_artifact, bytes)


def test_compile_bytes_and_model_proto(mlp_model):
    from_proto = aicc.load(aicc.compile(mlp_model, dims={"batch": 2}))
    from_bytes = aicc.load(aicc.compile(mlp_model.SerializeToString(),
                                        dims={"batch": 2}))
    for module in (from_proto, from_bytes):
        assert [(t.name, t.shape) for t in module.inputs] == [
            ("x", (2, 16)), ("ids", (2,))]


def test_input_shapes_and_output_file(tmp_path):
    path = tmp_path / "cnn.aicc"
    artifact = aicc.compile(TINY_CNN, input_shapes={"input": (3, 1, 28, 28)},
                            opt_level=2, output=path)
    assert path.read_bytes() == artifact
    module = aicc.load(path)
    assert module.inputs[0].shape == (3, 1, 28, 28)
    assert module.outputs[0].shape == (3, 10)


def test_memory_report(capsys):
    aicc.compile(TINY_CNN, report="memory")
    assert "arena" in capsys.readouterr().err.lower()


def two_bad_nodes() -> onnx.ModelProto:
    nodes = [helper.make_node("NoSuchOpA", ["x"], ["y"], name="first_bad"),
             helper.make_node("Relu", ["y"], ["z"], name="fine"),
             helper.make_node("NoSuchOpB", ["z"], ["w"], name="second_bad")]
    graph = helper.make_graph(
        nodes, "bad",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("w", TensorProto.FLOAT, [2])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_compile_error_lists_every_problem():
    with pytest.raises(aicc.CompileError) as info:
        aicc.compile(two_bad_nodes())
    error = info.value
    text = str(error)
    # Both nodes and both ops are named, in the message and in the list.
    for word in ("first_bad", "NoSuchOpA", "second_bad", "NoSuchOpB"):
        assert word in text
    nodes = {(d.node, d.op) for d in error.errors}
    assert {("first_bad", "NoSuchOpA"), ("second_bad", "NoSuchOpB")} <= nodes
    assert all(d.severity == "error" for d in error.errors)
    assert len(error.errors) >= 2


@pytest.mark.parametrize("kwargs, expected", [
    (dict(target="no-such-target"), "unknown target 'no-such-target'"),
    (dict(opt_level=7), "not a level"),
    (dict(report="speed"), "unknown report 'speed'"),
    (dict(input_shapes={"input": "1xZ"}), "input"),
    (dict(precision="int4"), "unknown --precision 'int4'"),
    (dict(conv_algorithm="fft"), "--conv-algorithm='fft': expected auto or direct"),
    (dict(kv_cache={"past_k": "present_k"}), "--kv-cache: pair 'past_k:present_k'"),
])
def test_bad_options(kwargs, expected):
    with pytest.raises(aicc.CompileError, match=expected):
        aicc.compile(TINY_CNN, **kwargs)


@pytest.mark.parametrize("kwargs,expected", [
    (dict(kv_cache="auto", kv_cache_layout="striped"),
     "kv_cache_layout='striped' is not a layout"),
    (dict(kv_cache="auto", kv_cache_layout="paged:block=0"),
     "kv_cache_layout='paged:block=0' is not a layout"),
    (dict(kv_cache_layout="paged"), "kv_cache_layout='paged' needs kv_cache"),
])
def test_bad_kv_cache_layout(kwargs, expected):
    # kv_cache_layout is --kv-cache-layout: checked before the model is read.
    with pytest.raises(ValueError, match=expected):
        aicc.compile(TINY_CNN, **kwargs)


def test_dim_range_compiles_one_module_for_every_batch(mlp_model, ort):
    # dims={"batch": (lo, hi)} is --dim batch=LO..HI: one module that runs
    # every batch in the range and rejects the others with the range.
    module = aicc.load(aicc.compile(mlp_model, dims={"batch": (1, 8)}))
    assert module.dynamic
    assert module.symbols == {"batch": (1, 8)}
    session = ort.InferenceSession(mlp_model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    for batch in (1, 3, 8):
        feeds = {"x": rng.standard_normal((batch, 16)).astype(np.float32),
                 "ids": rng.integers(0, 10, batch).astype(np.int64)}
        got = module(**feeds)
        want = dict(zip(["logits", "probs"], session.run(None, feeds)))
        for name in want:
            assert got[name].shape == want[name].shape
            np.testing.assert_allclose(got[name], want[name], rtol=1e-5,
                                       atol=1e-6)
    with pytest.raises(Exception, match=r"1\.\.8"):
        module(x=np.zeros((9, 16), np.float32), ids=np.zeros(9, np.int64))
    with pytest.raises(aicc.CompileError, match="empty range 8..1"):
        aicc.compile(mlp_model, dims={"batch": (8, 1)})


def test_not_a_model():
    with pytest.raises(aicc.CompileError, match="not an ONNX model"):
        aicc.compile(b"definitely not a protobuf")
    with pytest.raises(FileNotFoundError):
        aicc.compile("/no/such/model.onnx")
    with pytest.raises(TypeError):
        aicc.compile(42)


def test_targets():
    assert "avx512" in aicc.targets()


def test_conv_algorithm_direct_and_winograd_agree(ort):
    # conv_algorithm is --conv-algorithm: "auto" computes this 64 -> 64 3x3
    # conv by Winograd, whose transformed weights (16 points per filter, not
    # 9) make the artifact larger; "direct" keeps the weights as they are.
    # Both match ONNX Runtime.
    rng = np.random.default_rng(3)
    w = helper.make_tensor("w", TensorProto.FLOAT, [64, 64, 3, 3],
                           rng.standard_normal((64, 64, 3, 3)).astype(np.float32) * 0.05)
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1])], "wino",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 20, 20])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64, 20, 20])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    x = rng.standard_normal((1, 64, 20, 20)).astype(np.float32)
    want = ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    auto = aicc.compile(model)
    direct = aicc.compile(model, conv_algorithm="direct")
    assert len(auto) > len(direct) + 64 * 64 * 7 * 4 - 4096
    for artifact in (auto, direct):
        got = aicc.load(artifact)(x=x)["y"]
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
