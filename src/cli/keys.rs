//! Where the native commands get their TSIG key: a key file, `--key`, or `DNSUP_KEY`.

use std::path::Path;

use crate::tsig::{self, Key};

/// The environment variable holding a key as `[ALG:]NAME:SECRET`; keeps it out of `ps`.
pub const KEY_ENV: &str = "DNSUP_KEY";

/// Load the key the user asked for, if any. Warnings (loose file permissions, a secret on the
/// command line) go to stderr; errors never contain the secret.
pub fn load(
    key_file: Option<&Path>,
    key_name: Option<&str>,
    key: Option<&str>,
    strict_permissions: bool,
) -> Result<Option<Key>, String> {
    if let Some(path) = key_file {
        if strict_permissions && let Some(w) = crate::provider::credential::loose_permissions(path)
        {
            return Err(format!(
                "refused: key file {w} (--strict-permissions is on)"
            ));
        }
        let loaded = tsig::load_key_file(path, key_name).map_err(|e| e.to_string())?;
        for w in &loaded.warnings {
            crate::errln!("warning: {w}");
        }
        return Ok(Some(loaded.key));
    }
    if let Some(spec) = key {
        crate::errln!(
            "warning: a secret given with -y/--key is visible to other users (ps); \
             use --key-file or {KEY_ENV}"
        );
        return tsig::parse_knot_line(spec)
            .map(Some)
            .map_err(|e| format!("--key: {e}"));
    }
    match crate::environment::var_os(KEY_ENV).map(|v| v.into_string()) {
        Some(Ok(spec)) if !spec.is_empty() => {
            let spec = zeroize::Zeroizing::new(spec);
            tsig::parse_knot_line(&spec)
                .map(Some)
                .map_err(|e| format!("{KEY_ENV}: {e}"))
        }
        Some(Err(_)) => Err(format!(
            "{KEY_ENV} is not valid UTF-8: expected [ALG:]NAME:SECRET"
        )),
        _ => Ok(None),
    }
}
