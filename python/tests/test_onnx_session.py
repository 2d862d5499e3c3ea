"""aicc.onnx_session: the onnxruntime.InferenceSession interface."""
import numpy as np
import pytest

import aicc
from conftest import TINY_CNN, mlp_feed


def test_same_code_as_onnxruntime(ort, mlp_model):
    model = mlp_model.SerializeToString()
    feed = mlp_feed(1)
    results = []
    for make in (ort.InferenceSession, aicc.onnx_session):
        session = make(model, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]
        outputs = [o.name for o in session.get_outputs()]
        types = [i.type for i in session.get_inputs()]
        results.append((names, outputs, types, session.run(None, feed),
                        session.run(["probs"], feed)))
    (names, outs, types, all_ort, probs_ort), (names2, outs2, types2, all_aicc, probs_aicc) = results
    assert names == names2 == ["x", "ids"]
    assert outs == outs2 == ["logits", "probs"]
    assert types == types2 == ["tensor(float)", "tensor(int64)"]
    assert len(all_aicc) == 2 and len(probs_aicc) == 1
    for got, expected in zip(all_aicc + probs_aicc, all_ort + probs_ort):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_shapes_and_artifacts(tmp_path, tiny_cnn_artifact):
    session = aicc.onnx_session(str(TINY_CNN), dims={"batch": 2}, threads=1)
    assert session.get_inputs()[0].shape == [2, 1, 28, 28]
    assert session.get_outputs()[0].shape == [2, 10]
    assert session.get_outputs()[0].type == "tensor(float)"
    path = tmp_path / "cnn.aicc"
    path.write_bytes(tiny_cnn_artifact)
    loaded = aicc.onnx_session(str(path))
    assert loaded.get_inputs()[0].shape == [1, 1, 28, 28]
    assert loaded.get_providers() == ["AiccExecutionProvider"]
    with pytest.raises(KeyError, match="unknown output"):
        loaded.run(["nope"], {"input": np.zeros((1, 1, 28, 28), np.float32)})
