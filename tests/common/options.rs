//! What a test server serves and who may update it.

use std::fs;
use std::path::{Path, PathBuf};

use super::keys::keys;

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A zone file from `zones/` in the repository: `zone_file("example.test")`.
pub fn zone_file(zone: &str) -> PathBuf {
    repo_root().join("zones").join(format!("{zone}.zone"))
}

/// A zone name without its trailing dot, except the root, which stays ".".
fn zone_name(name: &str) -> String {
    match name.trim_end_matches('.') {
        "" => ".".to_string(),
        trimmed => trimmed.to_string(),
    }
}

/// Where a zone's contents come from. Either way the server gets its own copy in its temp dir.
#[derive(Clone, Debug)]
pub enum ZoneSource {
    File(PathBuf),
    Text(String),
}

/// One zone served by a test server.
#[derive(Clone, Debug)]
pub struct ZoneSpec {
    /// Zone apex without the trailing dot: `example.test`.
    pub name: String,
    pub source: ZoneSource,
    /// Keys allowed to update this zone; `None` means the server-wide [`ServerOptions::update_keys`].
    pub update_keys: Option<Vec<String>>,
}

impl ZoneSpec {
    /// The zone's file name in the server's temp dir (`root.zone` for the root).
    pub fn file_name(&self) -> String {
        match self.name.as_str() {
            "." => "root.zone".to_string(),
            name => format!("{name}.zone"),
        }
    }
}

/// Configuration of a test server. `Default`: `example.test` and `other.test` from `zones/`,
/// updatable with every test key the server supports.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub zones: Vec<ZoneSpec>,
    /// Keys allowed to update zones that have no list of their own. Keys a server cannot use
    /// (the truncated one on Knot) are left out there. Empty: no updates at all.
    pub update_keys: Vec<String>,
    /// Raw named.conf text appended at top level (BIND only; ignored by Knot).
    pub named_extra: String,
    /// Raw text inside named.conf's `options { }` block, e.g. more `listen-on` lines (BIND only).
    pub named_options: String,
    /// Extra environment of the server process (Knot only), e.g. libfaketime's.
    pub env: Vec<(String, String)>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions::empty()
            .zone("example.test", zone_file("example.test"))
            .zone("other.test", zone_file("other.test"))
    }
}

impl ServerOptions {
    /// No zones yet; every key may update.
    pub fn empty() -> Self {
        ServerOptions {
            zones: Vec::new(),
            update_keys: keys().iter().map(|k| k.name.to_string()).collect(),
            named_extra: String::new(),
            named_options: String::new(),
            env: Vec::new(),
        }
    }

    /// Adds a zone loaded from a zone file.
    pub fn zone(mut self, name: &str, path: impl Into<PathBuf>) -> Self {
        self.zones.push(ZoneSpec {
            name: zone_name(name),
            source: ZoneSource::File(path.into()),
            update_keys: None,
        });
        self
    }

    /// Adds a zone whose zone-file text is given inline.
    pub fn zone_text(mut self, name: &str, text: &str) -> Self {
        self.zones.push(ZoneSpec {
            name: zone_name(name),
            source: ZoneSource::Text(text.to_string()),
            update_keys: None,
        });
        self
    }

    /// Adds a zone from a file that only `keys` may update (empty: nobody).
    pub fn zone_with_keys(mut self, name: &str, path: impl Into<PathBuf>, keys: &[&str]) -> Self {
        self = self.zone(name, path);
        let last = self.zones.last_mut().expect("zone was just added");
        last.update_keys = Some(keys.iter().map(|k| k.to_string()).collect());
        self
    }

    /// Sets the keys allowed to update zones without their own list (empty: nobody).
    pub fn update_keys(mut self, keys: &[&str]) -> Self {
        self.update_keys = keys.iter().map(|k| k.to_string()).collect();
        self
    }

    /// Runs knotd with libfaketime preloaded (named does not run under libfaketime), its clock offset read from `file` at every call
    /// (write `+2h`, `-2h` or `+0` to it to move the server's clock while it runs). Panics
    /// with the package to install when libfaketime is missing.
    pub fn clock_file(mut self, file: &std::path::Path) -> Self {
        let lib = [
            "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu",
            "/usr/lib",
        ]
        .iter()
        .map(|d| PathBuf::from(d).join("faketime/libfaketime.so.1"))
        .find(|p| p.exists())
        .expect("libfaketime is missing: apt-get install faketime");
        for (k, v) in [
            ("LD_PRELOAD", lib.display().to_string()),
            ("FAKETIME_TIMESTAMP_FILE", file.display().to_string()),
            ("FAKETIME_NO_CACHE", "1".to_string()),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1".to_string()),
        ] {
            self.env.push((k.to_string(), v));
        }
        self
    }

    /// Appends raw text to named.conf (BIND only).
    pub fn named_extra(mut self, text: &str) -> Self {
        self.named_extra.push_str(text);
        self.named_extra.push('\n');
        self
    }

    /// Appends raw text inside named.conf's `options { }` block (BIND only).
    pub fn named_options(mut self, text: &str) -> Self {
        self.named_options.push_str(text);
        self.named_options.push('\n');
        self
    }

    /// The keys allowed to update `zone`.
    pub fn keys_for(&self, zone: &ZoneSpec) -> Vec<String> {
        zone.update_keys
            .clone()
            .unwrap_or_else(|| self.update_keys.clone())
    }

    /// The zone names, for readiness checks.
    pub fn zone_names(&self) -> Vec<String> {
        self.zones.iter().map(|z| z.name.clone()).collect()
    }

    /// Writes each zone into `dir` as `<name>.zone` and returns the paths, in order.
    pub fn write_zone_files(&self, dir: &Path) -> Vec<PathBuf> {
        self.zones
            .iter()
            .map(|zone| {
                let dest = dir.join(zone.file_name());
                match &zone.source {
                    ZoneSource::File(src) => {
                        fs::copy(src, &dest).unwrap_or_else(|e| {
                            panic!("copying {} to {}: {e}", src.display(), dest.display())
                        });
                    }
                    ZoneSource::Text(text) => fs::write(&dest, text)
                        .unwrap_or_else(|e| panic!("writing {}: {e}", dest.display())),
                }
                dest
            })
            .collect()
    }
}
