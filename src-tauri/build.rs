fn main() {
    tauri_build::build();
    println!("cargo::rustc-check-cfg=cfg(gl_free)");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    web_extension(linux);
    if linux {
        gl_free();
    }
}

fn out_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"))
}

/// Builds the window's WebKit web-process extension (web-extension/trim.c and gl_free.c, see
/// src/web_extension.rs) into OUT_DIR; the app embeds it. Without a C compiler or WebKit's
/// headers the file is left empty and the window works as before, only heavier.
fn web_extension(linux: bool) {
    for file in ["trim.c", "gl_free.c", "gl_free.h"] {
        println!("cargo:rerun-if-changed=web-extension/{file}");
    }
    let out = out_dir().join("libauto-web-trim.so");
    let built = linux
        && cflags("webkit2gtk-web-extension-4.1").is_some_and(|mut flags| {
            flags.extend(cflags("epoxy").unwrap_or_default());
            let mut args: Vec<String> = [
                "-O2",
                "-shared",
                "-fPIC",
                "-Wall",
                "-DG_LOG_DOMAIN=\"AUTO\"",
                "-o",
            ]
            .map(String::from)
            .to_vec();
            args.push(out.display().to_string());
            args.extend([
                "web-extension/trim.c".into(),
                "web-extension/gl_free.c".into(),
            ]);
            args.extend(flags);
            args.push("-lepoxy".into());
            compile(
                &args,
                "the window's web process will not hand its pages back",
            )
        });
    if !built {
        std::fs::write(&out, []).expect("writing OUT_DIR");
    }
}

/// Builds web-extension/gl_free.c into a static library the window process links
/// (src/window_gl.rs), and says so with `cfg(gl_free)`. Without a C compiler or libepoxy's
/// headers the window process sets up the system's GL as WebKit does by itself.
fn gl_free() {
    let out = out_dir();
    let object = out.join("gl_free.o");
    let mut args: Vec<String> = ["-O2", "-fPIC", "-Wall", "-c", "-o"]
        .map(String::from)
        .to_vec();
    args.push(object.display().to_string());
    args.push("web-extension/gl_free.c".into());
    args.extend(cflags("epoxy").unwrap_or_default());
    if !compile(
        &args,
        "the window's processes will load the system's GL driver",
    ) {
        return;
    }
    let archived = std::process::Command::new(std::env::var("AR").unwrap_or_else(|_| "ar".into()))
        .arg("crs")
        .arg(out.join("libauto_gl_free.a"))
        .arg(&object)
        .status()
        .is_ok_and(|s| s.success());
    if !archived {
        println!("cargo:warning=ar could not archive gl_free.o: the window's processes will load the system's GL driver");
        return;
    }
    println!("cargo:rustc-link-search=native={}", out.display());
    println!("cargo:rustc-link-lib=static=auto_gl_free");
    println!("cargo:rustc-link-lib=dylib=epoxy");
    println!("cargo:rustc-cfg=gl_free");
}

fn cflags(package: &str) -> Option<Vec<String>> {
    match std::process::Command::new("pkg-config")
        .args(["--cflags", package])
        .output()
    {
        Ok(o) if o.status.success() => Some(
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(String::from)
                .collect(),
        ),
        _ => {
            println!(
                "cargo:warning=pkg-config knows no {package}: the window's C parts are not built"
            );
            None
        }
    }
}

fn compile(args: &[String], otherwise: &str) -> bool {
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let ok = std::process::Command::new(&compiler)
        .args(args)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("cargo:warning={compiler} could not build the window's C parts: {otherwise}");
    }
    ok
}
