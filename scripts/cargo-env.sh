# Sourced by the test scripts: the one way this repository's workspace is built for tests, so
# that the test command and each test script run alone reuse one build.
# Lints ride on the build: clippy's driver compiles the workspace's own crates
# (RUSTC_WORKSPACE_WRAPPER), so the lints and the tests share one compilation instead of
# `cargo clippy` checking every dependency a second time. Dependencies are built by plain
# rustc either way. A `cargo` run without these rebuilds the workspace's own crates only.
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)"
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# A cold build in CI gains nothing from incremental caches and pays for writing them.
[ "${CI:-}" != true ] || export CARGO_INCREMENTAL=0
