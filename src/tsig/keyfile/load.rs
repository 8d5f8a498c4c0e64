//! `-k FILE`: read a key file, detect its format, pick the key, warn about loose permissions.
//! The only part of the TSIG module that touches the file system.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{
    KeyFileError, LoadedKey, display_name, knot, parse_k_private, parse_key_name, parse_knot_conf,
    parse_named_conf,
};
use crate::tsig::algorithm::Algorithm;
use crate::tsig::key::Key;

/// The parts of a BIND key-pair file name `K<name>.+<alg>+<id>.{key,private}`.
struct KPairName {
    key_name: String,
    algorithm: u16,
    private: PathBuf,
}

fn k_pair_name(path: &Path) -> Option<KPairName> {
    let file = path.file_name()?.to_str()?;
    let stem = file
        .strip_suffix(".private")
        .or_else(|| file.strip_suffix(".key"))?;
    let (name, numbers) = stem.strip_prefix('K')?.rsplit_once(".+")?;
    let (algorithm, id) = numbers.split_once('+')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(algorithm) || !all_digits(id) {
        return None;
    }
    Some(KPairName {
        key_name: name.to_string(),
        algorithm: algorithm.parse().ok()?,
        private: path.with_file_name(format!("{stem}.private")),
    })
}

/// Load a key from a file in any supported format, detected as follows:
///
/// - a file named `K*.key` or `K*.private`: the `.private` file beside it, the key name taken
///   from the file name (between `K` and `.+`);
/// - a `Private-key-format:` file under another name: as `.private`, named by `name`;
/// - a top-level `key:` line: a Knot configuration;
/// - braces: a `named.conf`-style file;
/// - a single non-comment line: Knot's `[alg:]name:secret`.
///
/// `name` selects a key when the file has several (the error lists the names available); without
/// it the first key is used. A file readable by group or others loads with a warning.
pub fn load_key_file(path: &Path, name: Option<&str>) -> Result<LoadedKey, KeyFileError> {
    let k_pair = k_pair_name(path);
    let read_path = k_pair.as_ref().map_or(path, |k| k.private.as_path());
    let in_file = |e: KeyFileError| e.in_file(read_path);
    let bytes = Zeroizing::new(
        crate::bounded::read_file(read_path, crate::bounded::limit::KEY).map_err(|e| {
            in_file(KeyFileError::whole(format!(
                "cannot read key file: {}",
                e.reason()
            )))
        })?,
    );
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| in_file(KeyFileError::whole("not a text key file (invalid UTF-8)")))?;

    let mut warnings = Vec::new();
    if let Ok(metadata) = std::fs::metadata(read_path) {
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            warnings.push(format!(
                "key file {} is readable by group or others (mode {mode:04o}); chmod 600 it",
                read_path.display()
            ));
        }
    }

    let keys = if let Some(k) = &k_pair {
        let key_name = parse_key_name(&k.key_name, None, true).map_err(in_file)?;
        let key = parse_k_private(text, key_name).map_err(in_file)?;
        if Algorithm::from_bind_number(k.algorithm) != Some(key.algorithm()) {
            warnings.push(format!(
                "key file {}: the file name says algorithm {} but the file holds {} ({})",
                read_path.display(),
                k.algorithm,
                key.algorithm().bind_number(),
                key.algorithm()
            ));
        }
        vec![key]
    } else {
        parse_by_content(text, name).map_err(in_file)?
    };
    let key = select(keys, name).map_err(in_file)?;
    Ok(LoadedKey { key, warnings })
}

fn parse_by_content(text: &str, name: Option<&str>) -> Result<Vec<Key>, KeyFileError> {
    let lines = || text.lines().enumerate().map(|(i, l)| (i + 1, l));
    if lines().any(|(_, l)| l.trim_start().starts_with("Private-key-format:")) {
        let Some(name) = name else {
            return Err(KeyFileError::whole(
                "a BIND .private key file must be named K<name>.+<alg>+<id>.private, or the key name given",
            ));
        };
        let key_name = parse_key_name(name, None, true)?;
        return parse_k_private(text, key_name).map(|k| vec![k]);
    }
    if lines().any(|(_, l)| {
        l.strip_prefix("key:")
            .is_some_and(|r| r.trim().is_empty() || r.trim_start().starts_with('#'))
    }) {
        return parse_knot_conf(text);
    }
    if text.contains('{') {
        return parse_named_conf(text);
    }
    let mut content = lines().filter(|(_, l)| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with('#') && !l.starts_with("//")
    });
    match (content.next(), content.next()) {
        (Some((line, l)), None) if l.contains(':') => {
            knot::parse_line(l, Some(line)).map(|k| vec![k])
        }
        (Some((line, _)), _) => Err(KeyFileError::at(
            line,
            "unrecognised key file format: expected a named.conf key block, a Knot key section or one [algorithm:]name:secret line",
        )),
        (None, _) => Err(KeyFileError::whole("no key found in file")),
    }
}

fn select(keys: Vec<Key>, name: Option<&str>) -> Result<Key, KeyFileError> {
    let index = match name {
        None => 0,
        Some(text) => {
            // Case-insensitive, with or without the trailing dot.
            let wanted = parse_key_name(text, None, true)?;
            match keys.iter().position(|k| k.name().eq_ignore_root(&wanted)) {
                Some(index) => index,
                None => {
                    let available: Vec<String> =
                        keys.iter().map(|k| display_name(k.name())).collect();
                    return Err(KeyFileError::whole(format!(
                        "no key named \"{text}\" in file; available: {}",
                        available.join(", ")
                    )));
                }
            }
        }
    };
    keys.into_iter()
        .nth(index)
        .ok_or_else(|| KeyFileError::whole("no key found in file"))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    const THREE_KEYS: &str = r#"key "alpha" { algorithm hmac-sha1; secret "AQID"; };
key "beta.example" { algorithm hmac-sha256; secret "BAUG"; };
key gamma { algorithm hmac-sha512; secret "BwgJ"; };
"#;

    fn write(dir: &Path, file: &str, text: &[u8], mode: u32) -> PathBuf {
        let path = dir.join(file);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn selects_a_key_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "keys.conf", THREE_KEYS.as_bytes(), 0o600);
        let loaded = load_key_file(&path, Some("Beta.Example.")).unwrap();
        assert_eq!(loaded.key.name().to_ascii(), "beta.example.");
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        let first = load_key_file(&path, None).unwrap();
        assert_eq!(first.key.name().to_ascii(), "alpha.");
        let e = load_key_file(&path, Some("delta")).unwrap_err();
        assert_eq!(e.path.as_deref(), Some(path.as_path()));
        assert!(
            e.message
                .ends_with("no key named \"delta\" in file; available: alpha, beta.example, gamma"),
            "{e}"
        );
    }

    #[test]
    fn warns_about_loose_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "k.conf", THREE_KEYS.as_bytes(), 0o644);
        let loaded = load_key_file(&path, None).unwrap();
        assert_eq!(
            loaded.warnings,
            [format!(
                "key file {} is readable by group or others (mode 0644); chmod 600 it",
                path.display()
            )]
        );
    }

    #[test]
    fn bind_k_pair_by_either_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let private =
            "Private-key-format: v1.3\nAlgorithm: 165 (HMAC_SHA512)\nKey: AQID\nBits: AAA=\n";
        write(
            dir.path(),
            "Kupdate.example.+165+01234.private",
            private.as_bytes(),
            0o600,
        );
        // The .key file holds the same secret in a KEY record; the .private file is what is read.
        let dot_key = write(
            dir.path(),
            "Kupdate.example.+165+01234.key",
            b"update.example. IN KEY 512 3 165 AQID\n",
            0o644,
        );
        for path in [
            dot_key,
            dir.path().join("Kupdate.example.+165+01234.private"),
        ] {
            let loaded = load_key_file(&path, None).unwrap();
            assert_eq!(loaded.key.name().to_ascii(), "update.example.");
            assert_eq!(loaded.key.algorithm(), Algorithm::HmacSha512);
            assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        }
        // A number in the file name that disagrees with the file is worth a warning.
        let path = write(
            dir.path(),
            "Kother.+163+00001.private",
            private.as_bytes(),
            0o600,
        );
        let loaded = load_key_file(&path, None).unwrap();
        assert!(
            loaded.warnings[0].contains("algorithm 163 but the file holds 165"),
            "{:?}",
            loaded.warnings
        );
        // A K-pair whose .private is missing names the file it looked for.
        let e = load_key_file(&dir.path().join("Kmissing.+163+00002.key"), None).unwrap_err();
        assert!(
            e.to_string()
                .contains("Kmissing.+163+00002.private: cannot read key file"),
            "{e}"
        );
    }

    #[test]
    fn private_file_under_another_name_needs_the_key_name() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Private-key-format: v1.3\nAlgorithm: 157 (HMAC_MD5)\nKey: AQID\n";
        let path = write(dir.path(), "tsig.private", text.as_bytes(), 0o600);
        assert!(
            load_key_file(&path, None)
                .unwrap_err()
                .message
                .contains("must be named K<name>")
        );
        let loaded = load_key_file(&path, Some("given.example")).unwrap();
        assert_eq!(loaded.key.name().to_ascii(), "given.example.");
        assert_eq!(loaded.key.algorithm(), Algorithm::HmacMd5);
    }

    #[test]
    fn detects_knot_formats() {
        let dir = tempfile::tempdir().unwrap();
        let conf = include_str!("../testdata/keys/keymgr.conf");
        let path = write(dir.path(), "knot.conf", conf.as_bytes(), 0o600);
        assert_eq!(
            load_key_file(&path, Some("knot.example"))
                .unwrap()
                .key
                .algorithm(),
            Algorithm::HmacSha512
        );
        let path = write(
            dir.path(),
            "line.key",
            b"# knsupdate -k file\n\nhmac-sha384:line.example:AQID\n",
            0o600,
        );
        let loaded = load_key_file(&path, None).unwrap();
        assert_eq!(loaded.key.algorithm(), Algorithm::HmacSha384);
        assert_eq!(loaded.key.name().to_ascii(), "line.example.");
        let path = write(
            dir.path(),
            "bad.key",
            b"# comment\nhmac-sha384:line.example:!!\n",
            0o600,
        );
        assert_eq!(
            load_key_file(&path, None).unwrap_err().to_string(),
            format!("{}:2: secret is not valid base64", path.display())
        );
    }

    #[test]
    fn detects_named_conf_files() {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in [
            (
                "tsig-keygen.conf",
                include_str!("../testdata/keys/tsig-keygen-md5.conf"),
            ),
            (
                "ddns-confgen.conf",
                include_str!("../testdata/keys/ddns-confgen.conf"),
            ),
            ("session.key", include_str!("../testdata/keys/session.key")),
        ] {
            let path = write(dir.path(), file, text.as_bytes(), 0o600);
            load_key_file(&path, None).unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }

    #[test]
    fn unusable_files() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str); 4] = [
            ("empty", b"# nothing\n", "no key found in file"),
            (
                "two-lines",
                b"a:AQID\nb:AQID\n",
                "unrecognised key file format",
            ),
            ("binary", &[0xff, 0xfe, 0x00], "not a text key file"),
            ("no-colon", b"just text\n", "unrecognised key file format"),
        ];
        for (file, text, message) in cases {
            let path = write(dir.path(), file, text, 0o600);
            let e = load_key_file(&path, None).unwrap_err();
            assert!(e.message.contains(message), "{file}: {e}");
        }
        let e = load_key_file(&dir.path().join("absent"), None).unwrap_err();
        assert!(e.message.starts_with("cannot read key file"), "{e}");
    }

    #[test]
    fn single_key_file_with_another_name_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "one.key", b"hmac-sha256:one:AQID\n", 0o600);
        let e = load_key_file(&path, Some("two")).unwrap_err();
        assert!(
            e.message
                .ends_with("no key named \"two\" in file; available: one"),
            "{e}"
        );
    }
}
