"""Turns the weight-only int8 MiniLM (int8 weights that ONNX Runtime casts back to float32 at
load time, so it runs, and sits in memory, as a 90 MB float32 model) into a dynamically
quantised one whose matrix products run on int8 kernels: 1.5x faster per sentence and
110 MB less memory, with the same answers on banking77 (README, "The assistant").

Usage: quantize-model.py IN.onnx OUT.onnx. Deterministic for pinned package versions, so
setup-model.sh checks the result against a fixed sha256.
"""

import sys
import tempfile
from pathlib import Path

import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic


def main(src: str, dst: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folded = str(Path(tmp) / "folded.onnx")
        # Basic optimisations fold the Cast/Mul pairs into plain float32 weights, which is
        # what quantize_dynamic can then quantise per channel.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = folded
        ort.InferenceSession(src, options, providers=["CPUExecutionProvider"])
        # Per channel and weights only (MatMulConstBOnly): per-tensor scales, or quantising
        # the attention products too, move embeddings to cosine 0.80 of the original.
        quantize_dynamic(
            folded,
            dst,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul", "Gather"],
            extra_options={"MatMulConstBOnly": True},
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
