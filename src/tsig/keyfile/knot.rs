//! Knot DNS key forms: the `key:` section of `knot.conf` (as printed by `keymgr -t`), and the
//! `[alg:]name:secret` one-liner of `knsupdate -y` and `knsupdate -k FILE`.
//!
//! The configuration reader is line-based: it understands the YAML subset Knot itself writes
//! (block lists of `field: value` maps, `#` comments, quoted scalars), not YAML in general.

use super::{KeyFileError, build_key, display_name, parse_key_name};
use crate::tsig::key::Key;

/// Parse `[alg:]name:secret` as knsupdate does: the secret follows the LAST colon, the default
/// algorithm is hmac-sha256.
pub fn parse_knot_line(s: &str) -> Result<Key, KeyFileError> {
    parse_line(s, None)
}

pub(crate) fn parse_line(s: &str, line: Option<usize>) -> Result<Key, KeyFileError> {
    let s = s.trim();
    let Some((head, secret)) = s.rsplit_once(':') else {
        return Err(KeyFileError {
            path: None,
            line,
            message: "expected [algorithm:]name:secret".to_string(),
        });
    };
    let (algorithm, name) = head.split_once(':').unwrap_or(("hmac-sha256", head));
    let name = parse_key_name(name, line, false)?;
    build_key(name, algorithm, line, secret, line)
}

/// One `- id: ...` item of the `key:` section, with the line of each field.
#[derive(Default)]
struct Item<'a> {
    line: usize,
    id: Option<(&'a str, usize)>,
    algorithm: Option<(&'a str, usize)>,
    secret: Option<(&'a str, usize)>,
}

impl Item<'_> {
    fn into_key(self) -> Result<Key, KeyFileError> {
        let (id, id_line) = self
            .id
            .ok_or_else(|| KeyFileError::at(self.line, "key has no 'id'"))?;
        let name = parse_key_name(id, Some(id_line), true)?;
        let shown = display_name(&name);
        let missing =
            |what: &str| KeyFileError::at(self.line, format!("key \"{shown}\" has no '{what}'"));
        let (algorithm, algorithm_line) = self.algorithm.ok_or_else(|| missing("algorithm"))?;
        let (secret, secret_line) = self.secret.ok_or_else(|| missing("secret"))?;
        build_key(
            name,
            algorithm,
            Some(algorithm_line),
            secret,
            Some(secret_line),
        )
    }
}

/// Parse the keys of every `key:` section of a Knot configuration; other sections are ignored.
/// A text without any key is an error.
pub fn parse_knot_conf(text: &str) -> Result<Vec<Key>, KeyFileError> {
    let mut keys: Vec<(Key, usize)> = Vec::new();
    let mut in_keys = false;
    let mut item: Option<Item<'_>> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = strip_comment(raw).trim_end();
        let body = content.trim_start();
        if body.is_empty() {
            continue;
        }
        let top_level = body.len() == content.len();
        if top_level && !body.starts_with('-') {
            push_item(item.take(), &mut keys)?;
            in_keys = body
                .strip_prefix("key:")
                .is_some_and(|rest| rest.trim().is_empty());
            continue;
        }
        if !in_keys {
            continue;
        }
        let field = match body.strip_prefix('-') {
            Some(rest) => {
                push_item(item.take(), &mut keys)?;
                item = Some(Item {
                    line,
                    ..Item::default()
                });
                rest.trim_start()
            }
            None => body,
        };
        if field.is_empty() {
            continue;
        }
        let Some(current) = item.as_mut() else {
            return Err(KeyFileError::at(
                line,
                "expected '- id: NAME' to start a key",
            ));
        };
        let Some((name, value)) = field.split_once(':') else {
            return Err(KeyFileError::at(line, "expected 'field: value'"));
        };
        let slot = match name.trim() {
            "id" => &mut current.id,
            "algorithm" => &mut current.algorithm,
            "secret" => &mut current.secret,
            _ => continue,
        };
        if slot.is_some() {
            return Err(KeyFileError::at(
                line,
                format!("'{}' given twice", name.trim()),
            ));
        }
        *slot = Some((unquote(value.trim()), line));
    }
    push_item(item.take(), &mut keys)?;
    if keys.is_empty() {
        return Err(KeyFileError::whole("no key found in a 'key:' section"));
    }
    Ok(keys.into_iter().map(|(k, _)| k).collect())
}

/// Turn a finished item into a key, refusing a second key with the same name.
fn push_item(item: Option<Item<'_>>, keys: &mut Vec<(Key, usize)>) -> Result<(), KeyFileError> {
    let Some(item) = item else { return Ok(()) };
    let line = item.line;
    let key = item.into_key()?;
    if let Some((_, first)) = keys.iter().find(|(k, _)| k.name() == key.name()) {
        return Err(KeyFileError::at(
            line,
            format!(
                "key \"{}\" is defined twice (first at line {first})",
                display_name(key.name())
            ),
        ));
    }
    keys.push((key, line));
    Ok(())
}

/// Drop a `#` comment: at the start of the line or after whitespace, as in YAML.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let cut = bytes
        .iter()
        .enumerate()
        .find(|&(i, &b)| {
            b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace))
        })
        .map_or(line.len(), |(i, _)| i);
    line.get(..cut).unwrap_or(line)
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsig::Algorithm;

    /// `keymgr -t name hmac-sha256; keymgr -t knot.example. hmac-sha512` (Knot 3.2): two
    /// `key:` sections, each preceded by the one-line form as a comment.
    const KEYMGR: &str = include_str!("../testdata/keys/keymgr.conf");

    #[test]
    fn keymgr_output() {
        let keys = parse_knot_conf(KEYMGR).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].name().to_ascii(), "name.");
        assert_eq!(keys[0].algorithm(), Algorithm::HmacSha256);
        assert_eq!(keys[0].secret().len(), 32);
        assert_eq!(keys[1].name().to_ascii(), "knot.example.");
        assert_eq!(keys[1].algorithm(), Algorithm::HmacSha512);
        assert_eq!(keys[1].secret().len(), 64);
        // The comment line of each section is itself a valid one-line key.
        let comment = KEYMGR.lines().next().unwrap().trim_start_matches("# ");
        let line = parse_knot_line(comment).unwrap();
        assert_eq!(line.name(), keys[0].name());
        assert_eq!(line.secret().expose(), keys[0].secret().expose());
    }

    #[test]
    fn knot_conf_with_other_sections() {
        let text = "server:\n    listen: 127.0.0.1@53\n\nkey:\n- id: 'a.example'   # quoted, list at column 0\n  secret: \"AAAA\"\n  algorithm: hmac-md5\n  comment: ignored\n\n  - id: b\n    algorithm: hmac-sha256-128\n    secret: AQID\nzone:\n  - id: not-a-key\n    secret: x\n";
        let keys = parse_knot_conf(text).unwrap();
        let names: Vec<String> = keys.iter().map(|k| k.name().to_ascii()).collect();
        assert_eq!(names, ["a.example.", "b."]);
        assert_eq!(keys[1].mac_len(), 16);
    }

    #[test]
    fn knot_conf_errors() {
        let cases = [
            (
                "key:\n  - id: k\n    algorithm: hmac-sha256\n    secret: ***\n",
                Some(4),
                "secret is not valid base64",
            ),
            (
                "key:\n  - id: k\n    secret: AAAA\n",
                Some(2),
                "key \"k\" has no 'algorithm'",
            ),
            (
                "key:\n  - algorithm: hmac-md5\n    secret: AAAA\n",
                Some(2),
                "key has no 'id'",
            ),
            (
                "key:\n    algorithm: hmac-md5\n",
                Some(2),
                "expected '- id: NAME'",
            ),
            ("key:\n  - id: k\n    id: j\n", Some(3), "'id' given twice"),
            ("key:\n  - id k\n", Some(2), "expected 'field: value'"),
            (
                "key:\n  - id: k\n    algorithm: hmac-md5\n    secret: AAAA\n  - id: K.\n    algorithm: hmac-md5\n    secret: AAAA\n",
                Some(5),
                "defined twice (first at line 2)",
            ),
            ("server:\n  listen: 127.0.0.1\n", None, "no key found"),
        ];
        for (text, line, message) in cases {
            let e = parse_knot_conf(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.message.contains(message), "{text:?}: {e}");
        }
    }

    #[test]
    fn knot_line_forms() {
        let key = parse_knot_line("name.example:AQID").unwrap();
        assert_eq!(
            key.algorithm(),
            Algorithm::HmacSha256,
            "knsupdate's default"
        );
        assert_eq!(key.name().to_ascii(), "name.example.");
        let key = parse_knot_line("hmac-sha1:name:AQID").unwrap();
        assert_eq!(key.algorithm(), Algorithm::HmacSha1);
        let key = parse_knot_line("  hmac-md5:name.:AQID\n").unwrap();
        assert_eq!(key.algorithm(), Algorithm::HmacMd5);
        for (input, message) in [
            ("name", "expected [algorithm:]name:secret"),
            ("hmac-sha256:name:c2Vj!cmV0", "secret is not valid base64"),
            ("c2Vj:cmV0:AQID", "unknown TSIG algorithm;"),
        ] {
            let e = parse_knot_line(input).unwrap_err();
            assert!(e.message.starts_with(message), "{input}: {e}");
            assert!(!e.to_string().contains("c2Vj"), "{e}");
        }
    }
}
