"""An onnxruntime.InferenceSession look-alike over aicc.compile + aicc.load.

Code written for ONNX Runtime switches with one line:

    sess = onnxruntime.InferenceSession("model.onnx")
    sess = aicc.onnx_session("model.onnx")          # the same API from here
    outputs = sess.run(None, {"input": x})
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

# ONNX Runtime's type strings for the dtypes a module can have.
_ORT_TYPES = {
    "float32": "tensor(float)", "float64": "tensor(double)",
    "float16": "tensor(float16)", "int8": "tensor(int8)", "int16": "tensor(int16)",
    "int32": "tensor(int32)", "int64": "tensor(int64)", "uint8": "tensor(uint8)",
    "uint16": "tensor(uint16)", "uint32": "tensor(uint32)",
    "uint64": "tensor(uint64)", "bool": "tensor(bool)",
}


class NodeArg:
    """Like onnxruntime.NodeArg: .name, .shape (list of ints), .type."""

    def __init__(self, name: str, dtype: np.dtype, shape):
        self.name = name
        self.shape = list(shape)
        self.type = _ORT_TYPES.get(np.dtype(dtype).name, f"tensor({np.dtype(dtype).name})")

    def __repr__(self) -> str:
        return f"NodeArg(name='{self.name}', type='{self.type}', shape={self.shape})"


class InferenceSession:
    """An aicc Module behind onnxruntime.InferenceSession's interface.

    `path_or_bytes` is the ONNX model (path, bytes or ModelProto), compiled
    at construction; an existing .aicc artifact path is loaded as is.
    `sess_options` and `providers` are accepted for compatibility and
    ignored; `target`, `dims`, `input_shapes`, `opt_level`, `device` and
    `threads` go to aicc.compile / aicc.load. ONNX Runtime accepts any
    batch size; an aicc module has the static shapes it was compiled for
    (symbolic dims default to 1: pass dims= for others).
    """

    def __init__(self, path_or_bytes: Union[str, os.PathLike, bytes, Any],
                 sess_options: Any = None, providers: Optional[Sequence[Any]] = None,
                 provider_options: Any = None, *, target: str = "avx512",
                 dims: Optional[Mapping[str, int]] = None,
                 input_shapes: Optional[Mapping[str, Sequence[int]]] = None,
                 opt_level: int = 3, device: str = "auto", threads: int = 0,
                 **kwargs: Any):
        from . import compile, load
        if isinstance(path_or_bytes, (str, os.PathLike)) and \
                os.fspath(path_or_bytes).endswith(".aicc"):
            artifact = os.fspath(path_or_bytes)
        else:
            artifact = compile(path_or_bytes, target, dims=dims,
                               input_shapes=input_shapes, opt_level=opt_level)
        self._module = load(artifact, device=device, threads=threads)
        self._inputs = [NodeArg(t.name, t.dtype, t.shape) for t in self._module.inputs]
        self._outputs = [NodeArg(t.name, t.dtype, t.shape) for t in self._module.outputs]

    @property
    def module(self):
        """The underlying aicc.Module."""
        return self._module

    def get_inputs(self) -> List[NodeArg]:
        return list(self._inputs)

    def get_outputs(self) -> List[NodeArg]:
        return list(self._outputs)

    def get_overridable_initializers(self) -> List[NodeArg]:
        return []

    def get_providers(self) -> List[str]:
        return ["AiccExecutionProvider"]

    def get_provider_options(self) -> Dict[str, Dict[str, str]]:
        return {"AiccExecutionProvider": {}}

    def run(self, output_names: Optional[Sequence[str]],
            input_feed: Mapping[str, Any], run_options: Any = None) -> List[np.ndarray]:
        """Returns the outputs named in `output_names` (all when None or
        empty), in that order, as a list of NumPy arrays."""
        results = self._module.run(input_feed)
        if not output_names:
            return list(results.values())
        try:
            return [results[name] for name in output_names]
        except KeyError as error:
            raise KeyError(f"aicc: unknown output {error}; the outputs are "
                           f"{list(results)}") from None

    def run_with_ort_values(self, *args: Any, **kwargs: Any):
        raise NotImplementedError("aicc.onnx_session: OrtValue inputs are not "
                                  "supported; pass NumPy arrays to run()")


def onnx_session(path_or_bytes: Union[str, os.PathLike, bytes, Any],
                 sess_options: Any = None, providers: Optional[Sequence[Any]] = None,
                 **kwargs: Any) -> InferenceSession:
    """``aicc.onnx_session(model)`` where code had
    ``onnxruntime.InferenceSession(model)``; see InferenceSession."""
    return InferenceSession(path_or_bytes, sess_options, providers, **kwargs)
