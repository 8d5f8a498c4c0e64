//! Build-time facts for `dnsup --version`: the commit, the target and the enabled features.
//!
//! They become `DNSUP_COMMIT`, `DNSUP_TARGET` and `DNSUP_FEATURES` (rustc-env), read with
//! `env!` into one constant string: nothing is computed when dnsup runs.
//!
//! The commit is `DNSUP_COMMIT` from the environment when set (release scripts set it, and a
//! source tarball has no .git), else `git rev-parse` in the source tree, else "unknown".
//! The script reruns only when HEAD moves (not on every edit of the index), so a commit that
//! changes no source costs one rebuild of the crate.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=DNSUP_COMMIT");

    let commit = match std::env::var("DNSUP_COMMIT") {
        Ok(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => git_commit().unwrap_or_else(|| "unknown".to_string()),
    };
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    let mut features: Vec<String> = std::env::vars()
        .filter_map(|(k, _)| k.strip_prefix("CARGO_FEATURE_").map(str::to_string))
        .filter(|f| f != "DEFAULT")
        .map(|f| f.to_lowercase().replace('_', "-"))
        .collect();
    features.sort();
    let mut features = if features.is_empty() {
        "none".to_string()
    } else {
        features.join(" ")
    };
    if std::env::var_os("CARGO_FEATURE_HTTPS").is_none() {
        // The router build (Cargo.toml, "[features]"): say what it is, not only what it lacks.
        features.push_str(" (RFC 2136 only: built without https)");
    }
    println!("cargo:rustc-env=DNSUP_COMMIT={}", one_line(&commit));
    println!("cargo:rustc-env=DNSUP_TARGET={}", one_line(&target));
    println!("cargo:rustc-env=DNSUP_FEATURES={features}");
}

/// The abbreviated commit of HEAD, and the files whose change means HEAD moved.
fn git_commit() -> Option<String> {
    let git_dir = git(&["rev-parse", "--git-dir"])?;
    let common_dir = git(&["rev-parse", "--git-common-dir"])?;
    let (git_dir, common_dir) = (PathBuf::from(git_dir), PathBuf::from(common_dir));
    watch(&git_dir.join("HEAD"));
    if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&common_dir.join(head_ref));
    }
    watch(&common_dir.join("packed-refs"));
    git(&["rev-parse", "--short=12", "HEAD"])
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(std::env::var_os("CARGO_MANIFEST_DIR")?)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// rustc-env values end at a newline.
fn one_line(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}
