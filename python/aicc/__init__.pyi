# Type stubs for the aicc package (python/aicc/__init__.py, _session.py).
import os
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

__version__: str

class Error(RuntimeError):
    """Raised by the runtime: loading, sessions, runs."""

class Diagnostic(NamedTuple):
    severity: str
    node: str
    op: str
    message: str
    notes: List[str]

class CompileError(Exception):
    diagnostics: List[Diagnostic]
    @property
    def errors(self) -> List[Diagnostic]: ...

class TensorInfo(NamedTuple):
    name: str
    dtype: np.dtype
    shape: Tuple[int, ...]

_Model = Union[str, os.PathLike, bytes, Any]

def targets() -> List[str]: ...
def devices() -> List[Dict[str, Any]]: ...
def compile(model: _Model, target: str = "avx512", *,
            dims: Optional[Mapping[str, Union[int, Tuple[int, int]]]] = None,
            input_shapes: Optional[Mapping[str, Sequence[int]]] = None,
            input_values: Optional[Mapping[str, Any]] = None,
            opt_level: int = 3, report: Optional[str] = None,
            precision: str = "fp32",
            kv_cache: Optional[Union[str, Mapping[str, str]]] = None,
            kv_cache_layout: str = "contiguous",
            conv_algorithm: str = "auto",
            output: Optional[Union[str, os.PathLike]] = None) -> bytes: ...

class Module:
    inputs: List[TensorInfo]
    outputs: List[TensorInfo]
    device: str
    dynamic: bool
    symbols: Dict[str, Tuple[int, int]]
    @property
    def properties(self) -> Dict[str, Any]: ...
    def run(self, feed: Optional[Mapping[str, Any]] = None, *,
            out: Optional[Mapping[str, np.ndarray]] = None,
            **inputs: Any) -> Dict[str, np.ndarray]: ...
    def __call__(self, feed: Optional[Mapping[str, Any]] = None,
                 **inputs: Any) -> Dict[str, np.ndarray]: ...
    def random_inputs(self, seed: int = 0) -> Dict[str, np.ndarray]: ...
    def benchmark(self, n: int = 100, feed: Optional[Mapping[str, Any]] = None,
                  warmup: int = 3) -> Dict[str, float]: ...
    def reset_state(self) -> None: ...

def load(artifact: Union[str, os.PathLike, bytes, bytearray, memoryview],
         device: str = "auto", threads: int = 0) -> Module: ...

class NodeArg:
    name: str
    shape: List[int]
    type: str

class InferenceSession:
    def __init__(self, path_or_bytes: _Model, sess_options: Any = None,
                 providers: Optional[Sequence[Any]] = None,
                 provider_options: Any = None, *, target: str = "avx512",
                 dims: Optional[Mapping[str, int]] = None,
                 input_shapes: Optional[Mapping[str, Sequence[int]]] = None,
                 opt_level: int = 3, device: str = "auto", threads: int = 0,
                 **kwargs: Any) -> None: ...
    @property
    def module(self) -> Module: ...
    def get_inputs(self) -> List[NodeArg]: ...
    def get_outputs(self) -> List[NodeArg]: ...
    def get_overridable_initializers(self) -> List[NodeArg]: ...
    def get_providers(self) -> List[str]: ...
    def get_provider_options(self) -> Dict[str, Dict[str, str]]: ...
    def run(self, output_names: Optional[Sequence[str]],
            input_feed: Mapping[str, Any],
            run_options: Any = None) -> List[np.ndarray]: ...

def onnx_session(path_or_bytes: _Model, sess_options: Any = None,
                 providers: Optional[Sequence[Any]] = None,
                 **kwargs: Any) -> InferenceSession: ...
