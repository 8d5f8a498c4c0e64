//! API credentials: never written inline in a configuration, only referenced — a file, an
//! environment variable, or a systemd credential (`LoadCredential=` in the unit, read from
//! `$CREDENTIALS_DIRECTORY`). Loaded secrets are zeroized when dropped and never printed.

use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use zeroize::Zeroizing;

/// A secret value (API token, password, signing key). `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wrap a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    /// The value, for building a request. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where a secret comes from, in the configuration:
/// `token = { file = "/etc/dnsup/cf.token" }`, `{ env = "CF_TOKEN" }` or
/// `{ credential = "cf.token" }`. A bare string is refused with a message saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// A file holding the secret (one line, or one PEM block such as a private key;
    /// surrounding white space is trimmed).
    File(PathBuf),
    /// An environment variable.
    Env(String),
    /// A systemd credential: the file of that name in `$CREDENTIALS_DIRECTORY`.
    Credential(String),
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            file: Option<PathBuf>,
            env: Option<String>,
            credential: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Table(Table),
            Other(serde::de::IgnoredAny),
        }
        match Raw::deserialize(d)? {
            Raw::Other(_) => Err(serde::de::Error::custom(
                "a secret is never written in the configuration itself: give { file = \"PATH\" }, { env = \"VARIABLE\" } or { credential = \"NAME\" } (systemd LoadCredential=)",
            )),
            Raw::Table(t) => match (t.file, t.env, t.credential) {
                (Some(f), None, None) => Ok(SecretRef::File(f)),
                (None, Some(e), None) => Ok(SecretRef::Env(e)),
                (None, None, Some(c)) => Ok(SecretRef::Credential(c)),
                _ => Err(serde::de::Error::custom(
                    "give exactly one of file, env or credential for a secret",
                )),
            },
        }
    }
}

impl SecretRef {
    /// Load the secret. A file readable by group or others is a warning (returned), or an
    /// error when `strict` (`strict_permissions = true`, `--strict-permissions`).
    pub fn load(&self, strict: bool) -> Result<(Secret, Option<String>), String> {
        self.load_from(strict, crate::environment::var_os)
    }

    /// [`SecretRef::load`] with the environment given as a function (for tests).
    pub fn load_from(
        &self,
        strict: bool,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Result<(Secret, Option<String>), String> {
        match self {
            SecretRef::File(path) => read_secret_file(path, strict),
            SecretRef::Env(var) => match env(var).map(|v| v.into_string()) {
                Some(Ok(v)) if !v.trim().is_empty() => Ok((Secret::new(v.trim()), None)),
                Some(Ok(_)) => Err(format!("the environment variable {var} is empty")),
                Some(Err(_)) => Err(format!("the environment variable {var} is not UTF-8")),
                None => Err(format!("the environment variable {var} is not set")),
            },
            SecretRef::Credential(name) => {
                if name.contains('/') || name.is_empty() || name == ".." {
                    return Err(format!("credential '{name}': not a credential name"));
                }
                let dir = env("CREDENTIALS_DIRECTORY").ok_or_else(|| {
                    format!(
                        "credential '{name}': $CREDENTIALS_DIRECTORY is not set (add LoadCredential={name}:PATH to the systemd unit)"
                    )
                })?;
                // systemd makes these files private to the service; no mode check needed.
                read_secret_file(&Path::new(&dir).join(name), false)
            }
        }
    }
}

/// The permission problem of a secret file, if any: readable or writable by group or others.
pub fn loose_permissions(path: &Path) -> Option<String> {
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} is readable by group or others (mode {mode:04o}); chmod 600 it",
            path.display()
        )
    })
}

fn read_secret_file(path: &Path, strict: bool) -> Result<(Secret, Option<String>), String> {
    let warning = loose_permissions(path);
    if strict && let Some(w) = &warning {
        return Err(format!("refused: {w} (strict permissions are on)"));
    }
    let bytes = Zeroizing::new(
        crate::bounded::read_file(path, crate::bounded::limit::KEY).map_err(|e| e.to_string())?,
    );
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| format!("{}: not text (invalid UTF-8)", path.display()))?;
    let value = text.trim();
    if value.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    // A PEM block (a private key) is the one secret written on several lines.
    let pem = value.starts_with("-----BEGIN ") && value.ends_with("-----");
    if value.lines().count() > 1 && !pem {
        return Err(format!(
            "{}: a secret file holds one line, this one has several",
            path.display()
        ));
    }
    Ok((Secret::new(value), warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct T {
        token: SecretRef,
    }

    #[test]
    fn inline_secrets_are_refused() {
        let e = toml::from_str::<T>("token = \"abc\"").unwrap_err();
        assert!(e.message().contains("never written"), "{e}");
        let e = toml::from_str::<T>("token = { fil = \"x\" }").unwrap_err();
        assert!(e.message().contains("{ file = "), "{e}");
        let t: T = toml::from_str("token = { env = \"X\" }").unwrap();
        assert_eq!(t.token, SecretRef::Env("X".into()));
        assert!(toml::from_str::<T>("token = { env = \"X\", file = \"y\" }").is_err());
    }

    #[test]
    fn environment_and_systemd_credentials() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cf.token"), "from-systemd\n").unwrap();
        let d = dir.path().as_os_str().to_owned();
        let env = |var: &str| match var {
            "CREDENTIALS_DIRECTORY" => Some(d.clone()),
            "TOKEN" => Some(" from-env \n".into()),
            "EMPTY" => Some("".into()),
            _ => None,
        };
        let load = |r: SecretRef| r.load_from(true, env).map(|(s, _)| s.expose().to_string());
        assert_eq!(
            load(SecretRef::Credential("cf.token".into())).unwrap(),
            "from-systemd"
        );
        assert_eq!(load(SecretRef::Env("TOKEN".into())).unwrap(), "from-env");
        assert!(
            load(SecretRef::Env("EMPTY".into()))
                .unwrap_err()
                .contains("empty")
        );
        assert!(
            load(SecretRef::Env("NOPE".into()))
                .unwrap_err()
                .contains("not set")
        );
        assert!(load(SecretRef::Credential("../x".into())).is_err());
        let no_dir = SecretRef::Credential("cf.token".into()).load_from(false, |_| None);
        assert!(no_dir.unwrap_err().contains("LoadCredential=cf.token"));
    }

    #[test]
    fn files_are_trimmed_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tok");
        std::fs::write(&p, "s3cret\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (s, w) = SecretRef::File(p.clone()).load(true).unwrap();
        assert_eq!(s.expose(), "s3cret");
        assert!(w.is_none());
        assert_eq!(format!("{s:?} {s}"), "Secret([redacted]) [redacted]");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (_, w) = SecretRef::File(p.clone()).load(false).unwrap();
        assert!(w.unwrap().contains("chmod 600"));
        let e = SecretRef::File(p.clone()).load(true).unwrap_err();
        assert!(e.contains("refused") && !e.contains("s3cret"), "{e}");
        std::fs::write(
            &p,
            "-----BEGIN PRIVATE KEY-----\nMIIE\nAbCd\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let (s, _) = SecretRef::File(p.clone()).load(false).unwrap();
        assert_eq!(s.expose().lines().count(), 4);
        std::fs::write(&p, "a\nb\n").unwrap();
        assert!(
            SecretRef::File(p)
                .load(false)
                .unwrap_err()
                .contains("one line")
        );
    }
}
