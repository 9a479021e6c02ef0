fn main() {
    tauri_build::build();
    web_extension();
}

/// Builds the window's WebKit web-process extension (web-extension/trim.c, see
/// src/web_extension.rs) into OUT_DIR; the app embeds it. Without a C compiler or WebKit's
/// headers the file is left empty and the window works as before, only heavier.
fn web_extension() {
    println!("cargo:rerun-if-changed=web-extension/trim.c");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"))
        .join("libauto-web-trim.so");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if !(linux && compile(&out)) {
        std::fs::write(&out, []).expect("writing OUT_DIR");
    }
}

fn compile(out: &std::path::Path) -> bool {
    let cflags = std::process::Command::new("pkg-config")
        .args(["--cflags", "webkit2gtk-web-extension-4.1"])
        .output();
    let cflags = match cflags {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => {
            println!("cargo:warning=no webkit2gtk-web-extension-4.1: the window's web process will not hand its pages back");
            return false;
        }
    };
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = std::process::Command::new(&compiler)
        .args([
            "-O2",
            "-shared",
            "-fPIC",
            "-Wall",
            "-DG_LOG_DOMAIN=\"AUTO\"",
            "-o",
        ])
        .arg(out)
        .arg("web-extension/trim.c")
        .args(cflags.split_whitespace())
        .status();
    let ok = built.is_ok_and(|s| s.success());
    if !ok {
        println!("cargo:warning={compiler} could not build web-extension/trim.c: the window's web process will not hand its pages back");
    }
    ok
}
