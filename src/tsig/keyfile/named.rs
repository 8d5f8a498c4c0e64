//! `named.conf`-style key files: `key "name" { algorithm hmac-sha256; secret "base64"; };`, as
//! printed by tsig-keygen and ddns-confgen and written by named to `session.key`.
//!
//! A small tokenizer understands BIND's three comment styles and quoted strings; statements other
//! than `key` (`options { ... };`, `zone ... { ... };`) are skipped with their nested blocks, so a
//! whole `named.conf` can be given.

use super::{KeyFileError, build_key, display_name, parse_key_name};
use crate::tsig::key::Key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    /// A quoted string, without its quotes.
    Str(&'a str),
    Open,
    Close,
    Semi,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    tok: Tok<'a>,
    line: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token<'_>>, KeyFileError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // Every delimiter is ASCII, so slicing at their positions keeps `text` on char boundaries.
    let at = |i: usize| bytes.get(i).copied();
    while let Some(b) = at(i) {
        let start_line = line;
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            b'#' => i = skip_line(bytes, i),
            b'/' if at(i + 1) == Some(b'/') => i = skip_line(bytes, i),
            b'/' if at(i + 1) == Some(b'*') => {
                i += 2;
                loop {
                    match at(i) {
                        None => {
                            return Err(KeyFileError::at(start_line, "unterminated /* comment"));
                        }
                        Some(b'*') if at(i + 1) == Some(b'/') => {
                            i += 2;
                            break;
                        }
                        Some(b'\n') => line += 1,
                        Some(_) => {}
                    }
                    i += 1;
                }
            }
            b'"' => {
                let start = i + 1;
                i = start;
                loop {
                    match at(i) {
                        None => {
                            return Err(KeyFileError::at(start_line, "unterminated quoted string"));
                        }
                        Some(b'"') => break,
                        Some(b'\\') if at(i + 1) == Some(b'\n') => {
                            line += 1;
                            i += 1;
                        }
                        Some(b'\\') => i += 1,
                        Some(b'\n') => line += 1,
                        Some(_) => {}
                    }
                    i += 1;
                }
                let s = text.get(start..i).unwrap_or_default();
                tokens.push(Token {
                    tok: Tok::Str(s),
                    line: start_line,
                });
                i += 1;
            }
            b'{' | b'}' | b';' => {
                let tok = match b {
                    b'{' => Tok::Open,
                    b'}' => Tok::Close,
                    _ => Tok::Semi,
                };
                tokens.push(Token { tok, line });
                i += 1;
            }
            _ => {
                let start = i;
                while at(i).is_some_and(|c| !c.is_ascii_whitespace() && !b"{};\"#".contains(&c)) {
                    i += 1;
                }
                let s = text.get(start..i).unwrap_or_default();
                tokens.push(Token {
                    tok: Tok::Word(s),
                    line,
                });
            }
        }
    }
    Ok(tokens)
}

fn skip_line(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |n| from + n)
}

/// Parse every top-level `key` statement of a `named.conf`-style text. Other statements are
/// skipped. A file without any key statement is an error.
pub fn parse_named_conf(text: &str) -> Result<Vec<Key>, KeyFileError> {
    let tokens = tokenize(text)?;
    let mut tokens = tokens.into_iter().peekable();
    let mut keys: Vec<(Key, usize)> = Vec::new();
    while let Some(first) = tokens.next() {
        match first.tok {
            Tok::Word(w) if w.eq_ignore_ascii_case("key") => {
                let key = parse_key(&mut tokens, first.line)?;
                if let Some((_, line)) = keys.iter().find(|(k, _)| k.name() == key.name()) {
                    return Err(KeyFileError::at(
                        first.line,
                        format!(
                            "key \"{}\" is defined twice (first at line {line})",
                            display_name(key.name())
                        ),
                    ));
                }
                keys.push((key, first.line));
            }
            Tok::Close => return Err(KeyFileError::at(first.line, "unexpected '}'")),
            Tok::Semi => {}
            _ => skip_statement(&mut tokens, first)?,
        }
    }
    if keys.is_empty() {
        return Err(KeyFileError::whole("no key statement found"));
    }
    Ok(keys.into_iter().map(|(k, _)| k).collect())
}

/// Skip a statement up to its closing `;`, nested blocks included. A last statement without
/// `;` is tolerated: ddns-confgen's output ends with the bare line `nsupdate -k <keyfile>`, and
/// users save that output whole as their key file.
fn skip_statement<'a>(
    tokens: &mut impl Iterator<Item = Token<'a>>,
    first: Token<'a>,
) -> Result<(), KeyFileError> {
    let mut depth = usize::from(first.tok == Tok::Open);
    for token in tokens {
        match token.tok {
            Tok::Open => depth += 1,
            Tok::Close if depth == 0 => return Err(KeyFileError::at(token.line, "unexpected '}'")),
            Tok::Close => depth -= 1,
            Tok::Semi if depth == 0 => return Ok(()),
            _ => {}
        }
    }
    if depth > 0 {
        return Err(KeyFileError::at(first.line, "statement has no closing '}'"));
    }
    Ok(())
}

/// Parse `NAME { algorithm ALG; secret "B64"; };` after the `key` keyword.
fn parse_key<'a>(
    tokens: &mut impl Iterator<Item = Token<'a>>,
    key_line: usize,
) -> Result<Key, KeyFileError> {
    let name = match tokens.next().map(|t| t.tok) {
        Some(Tok::Str(s) | Tok::Word(s)) => parse_key_name(s, Some(key_line), true)?,
        _ => {
            return Err(KeyFileError::at(
                key_line,
                "expected a key name after 'key'",
            ));
        }
    };
    let shown = display_name(&name);
    let err =
        |line: usize, what: &str| KeyFileError::at(line, format!("{what} in key \"{shown}\""));
    if tokens.next().map(|t| t.tok) != Some(Tok::Open) {
        return Err(err(key_line, "expected '{' after the key name"));
    }
    let mut algorithm: Option<(&str, usize)> = None;
    let mut secret: Option<(&str, usize)> = None;
    loop {
        let Some(token) = tokens.next() else {
            return Err(err(key_line, "missing '}'"));
        };
        let line = token.line;
        let what = match token.tok {
            Tok::Close => break,
            Tok::Semi => continue,
            Tok::Word(w) if w.eq_ignore_ascii_case("algorithm") => "algorithm",
            Tok::Word(w) if w.eq_ignore_ascii_case("secret") => "secret",
            // The option itself is not repeated: it could be a misplaced secret.
            _ => {
                return Err(err(
                    line,
                    "unknown option (only 'algorithm' and 'secret' are allowed)",
                ));
            }
        };
        let slot = if what == "algorithm" {
            &mut algorithm
        } else {
            &mut secret
        };
        if slot.is_some() {
            return Err(err(line, &format!("'{what}' given twice")));
        }
        match tokens.next() {
            Some(Token {
                tok: Tok::Str(v) | Tok::Word(v),
                ..
            }) => *slot = Some((v, line)),
            _ => return Err(err(line, &format!("expected a value after '{what}'"))),
        }
        if tokens.next().map(|t| t.tok) != Some(Tok::Semi) {
            return Err(err(line, &format!("expected ';' after the {what}")));
        }
    }
    if tokens.next().map(|t| t.tok) != Some(Tok::Semi) {
        return Err(err(key_line, "expected ';' after '}'"));
    }
    let (algorithm, algorithm_line) = algorithm.ok_or_else(|| err(key_line, "no algorithm"))?;
    let (secret, secret_line) = secret.ok_or_else(|| err(key_line, "no secret"))?;
    build_key(
        name,
        algorithm,
        Some(algorithm_line),
        secret,
        Some(secret_line),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsig::Algorithm;

    /// `tsig-keygen -a hmac-sha384 foo`
    const TSIG_KEYGEN: &str = include_str!("../testdata/keys/tsig-keygen-sha384.conf");
    /// `ddns-confgen -z example.test`, saved whole: comments, an `update-policy` block and a
    /// final bare `nsupdate -k <keyfile>` line.
    const DDNS_CONFGEN: &str = include_str!("../testdata/keys/ddns-confgen.conf");
    /// named's `session-keyfile`, written by a running named 9.18.
    const SESSION_KEY: &str = include_str!("../testdata/keys/session.key");

    fn one(text: &str) -> Key {
        let keys = parse_named_conf(text).unwrap();
        assert_eq!(keys.len(), 1);
        keys.into_iter().next().unwrap()
    }

    #[test]
    fn tsig_keygen_output() {
        let key = one(TSIG_KEYGEN);
        assert_eq!(key.name().to_ascii(), "foo.");
        assert_eq!(key.algorithm(), Algorithm::HmacSha384);
        assert_eq!(key.secret().len(), 48);
        assert_eq!(key.to_named_conf(), TSIG_KEYGEN);
    }

    #[test]
    fn ddns_confgen_output() {
        let key = one(DDNS_CONFGEN);
        assert_eq!(key.name().to_ascii(), "ddns-key.example.test.");
        assert_eq!(key.algorithm(), Algorithm::HmacSha256);
        assert_eq!(key.secret().len(), 32);
    }

    #[test]
    fn session_key() {
        let key = one(SESSION_KEY);
        assert_eq!(key.name().to_ascii(), "local-ddns.");
        assert_eq!(key.algorithm(), Algorithm::HmacSha256);
    }

    #[test]
    fn several_keys_comments_and_other_statements() {
        let text = r#"
            /* a block comment
               key "commented" { algorithm hmac-md5; secret "AAAA"; };
            */
            options { directory "/var/cache/bind"; listen-on { any; }; };
            key one { algorithm HMAC-MD5.SIG-ALG.REG.INT; secret "AAAAAAAAAAAAAAAAAAAAAA=="; };
            // key "also-commented" {};
            # key "hash-commented" {};
            zone "example.test" { type primary; update-policy { grant one zonesub ANY; }; };
            key "two.example." {
                algorithm hmac-sha256-128;   # BIND truncation
                secret "AAAA AAAA AAAA AAAA";  // whitespace inside base64 is ignored
            };
            key "Three" { secret "AQID"; algorithm hmac-sha1; };
        "#;
        let keys = parse_named_conf(text).unwrap();
        let names: Vec<String> = keys.iter().map(|k| k.name().to_ascii()).collect();
        assert_eq!(names, ["one.", "two.example.", "three."]);
        assert_eq!(keys[0].algorithm(), Algorithm::HmacMd5);
        assert_eq!(keys[1].mac_len(), 16);
        assert_eq!(keys[1].secret().len(), 12);
        assert_eq!(keys[2].secret().expose(), [1, 2, 3]);
    }

    fn error(text: &str) -> KeyFileError {
        parse_named_conf(text).unwrap_err()
    }

    #[test]
    fn errors_carry_line_numbers() {
        let cases = [
            (
                "key \"k\" {\n algorithm hmac-sha256;\n secret \"!!!not-base64\";\n};",
                3,
                "secret is not valid base64",
            ),
            (
                "key \"k\" {\n algorithm hmac-sha3;\n secret \"AAAA\";\n};",
                2,
                "unknown TSIG algorithm \"hmac-sha3\"",
            ),
            (
                "key \"k\" {\n algorithm hmac-sha256-8;\n secret \"AAAA\";\n};",
                2,
                "invalid truncation 8 bits",
            ),
            (
                "\nkey \"k\" {\n secret \"AAAA\";\n};",
                2,
                "no algorithm in key \"k\"",
            ),
            (
                "key \"k\" {\n algorithm hmac-md5;\n};",
                1,
                "no secret in key \"k\"",
            ),
            (
                "key \"k\" {\n algorithm hmac-md5;\n secret \"AAAA\"\n};",
                3,
                "expected ';' after the secret",
            ),
            (
                "key \"k\" {\n algorithm hmac-md5;\n secrets \"AAAA\";\n};",
                3,
                "unknown option",
            ),
            (
                "key \"k\" {\n algorithm hmac-md5;\n secret \"AAAA\";\n}",
                1,
                "expected ';' after '}'",
            ),
            (
                "key \"k\" {\n algorithm hmac-md5;\n secret \"AAAA",
                3,
                "unterminated quoted string",
            ),
            ("\n\n/* never closed", 3, "unterminated /* comment"),
            (
                "options {\n directory \"/x\";\n",
                1,
                "statement has no closing '}'",
            ),
            ("};", 1, "unexpected '}'"),
            (
                "key \"k\" { algorithm hmac-md5; secret \"AAAA\"; };\nkey \"K.\" { algorithm hmac-md5; secret \"AAAA\"; };",
                2,
                "defined twice (first at line 1)",
            ),
            ("key { algorithm hmac-md5; };", 1, "expected a key name"),
            ("key \"\" { algorithm hmac-md5; };", 1, "key name is empty"),
            (
                "key \"a..b\" { algorithm hmac-md5; };",
                1,
                "invalid key name \"a..b\"",
            ),
            (
                "key \"k\" {\n algorithm hmac-md5;\n secret \"\";\n};",
                3,
                "secret is empty",
            ),
        ];
        for (text, line, message) in cases {
            let e = error(text);
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.message.contains(message), "{text:?}: {e}");
        }
        let e = error("options { directory \"/x\"; };");
        assert_eq!(
            (e.line, e.message.as_str()),
            (None, "no key statement found")
        );
    }

    #[test]
    fn errors_never_contain_the_secret() {
        let secret = "c2VjcmV0LXNlY3JldA-oops";
        let texts = [
            format!("key k {{ algorithm hmac-sha256; secret \"{secret}\"; }};"),
            format!("key k {{ algorithm hmac-sha256; secret {secret} extra; }};"),
            format!("key k {{ algorithm hmac-sha256; {secret}; }};"),
            format!("key k {{ algorithm \"{secret}\"; secret \"AAAA\"; }};"),
            format!("key k {{ algorithm hmac-sha256; secret \"{secret}"),
        ];
        for text in texts {
            let e = error(&text);
            assert!(!e.to_string().contains("c2VjcmV0"), "{e}");
        }
    }
}
