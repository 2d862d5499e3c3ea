"""Format 1.3 modules with dynamic shapes through the Python package: inputs
of any shape in range, outputs returned with their actual shapes, range
errors. The artifacts come from aicc-make-test-module --dynamic (the runtime
test kernels; no compiler needed), which ctest passes as
AICC_MAKE_TEST_MODULE."""
import os
import subprocess

import numpy as np
import pytest

import aicc

MAKE = os.environ.get("AICC_MAKE_TEST_MODULE")


@pytest.fixture(scope="module")
def dynamic_dir(tmp_path_factory):
    if not MAKE or not os.path.exists(MAKE):
        pytest.skip("AICC_MAKE_TEST_MODULE is not set (ctest sets it)")
    out = tmp_path_factory.mktemp("dynamic")
    subprocess.run([MAKE, "--dynamic", str(out)], check=True, capture_output=True)
    return out


def test_any_length_in_range(dynamic_dir):
    module = aicc.load(str(dynamic_dir / "dynamic_add.aicc"))
    assert module.dynamic
    assert module.symbols == {"n": (1, 64)}
    assert module.inputs[0].shape == (64,)  # the upper bound
    for n in (1, 7, 64):
        a = np.arange(n, dtype=np.float32)
        b = np.full(n, 0.5, np.float32)
        c = module(a=a, b=b)["c"]
        assert c.shape == (n,)
        np.testing.assert_array_equal(c, a + b)
    # An out= array of the actual shape is written in place.
    out = np.zeros(3, np.float32)
    result = module.run({"a": np.ones(3, np.float32), "b": np.ones(3, np.float32)},
                        out={"c": out})
    assert result["c"] is out
    np.testing.assert_array_equal(out, [2, 2, 2])


def test_range_and_consistency_errors(dynamic_dir):
    module = aicc.load(str(dynamic_dir / "dynamic_add.aicc"))
    with pytest.raises(RuntimeError, match=r"input 'a' dim 0 \(n\) is 65, outside 1\.\.64"):
        module(a=np.zeros(65, np.float32), b=np.zeros(65, np.float32))
    with pytest.raises(RuntimeError, match=r"input 'b' dim 0 \(n\) is 4, but input 'a'"):
        module(a=np.zeros(3, np.float32), b=np.zeros(4, np.float32))


def test_decoder_output_shapes(dynamic_dir):
    module = aicc.load(str(dynamic_dir / "fake_decoder.aicc"))
    past = np.zeros((1, 1, 4, 2), np.float32)
    past[0, 0, :, :] = 7
    result = module(input_ids=np.array([[1, 2]], np.int64),
                    attention_mask=np.ones((1, 6), np.int64),
                    **{"past_key_values.0.key": past})
    assert result["logits"].shape == (1, 2, 16)
    present = result["present.0.key"]
    assert present.shape == (1, 1, 6, 2)
    np.testing.assert_array_equal(present[0, 0, :, 0], [7, 7, 7, 7, 1, 2])
    # Next token after id 2 with first cached token 7: (2 + 7 + 1) mod 16.
    assert int(np.argmax(result["logits"][0, -1])) == 10
