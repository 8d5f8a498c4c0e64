//! The `knsupdate` front end (Knot DNS 3.2): Knot's options, then the shared script runner in
//! Knot's dialect (`origin`, optional TTL, no send on a blank line, stop at the first error
//! with status 1, kdig-style text).
//!
//! Options are read as knsupdate 3.2.6 reads them (glibc `getopt_long`: options anywhere, in
//! order, a key option acting at once), with its messages; dnsup also takes Knot 3.4's `-T` /
//! `--tcp` and the long forms of the other options.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::script_runner::{self, Options};
use crate::tsig::{self, Key};

const USAGE: &str = "Usage: knsupdate [-d] [-v] [-k keyfile | -y [hmac:]name:key]\n                 [-p port] [-t timeout] [-r retries] [filename]";

/// What the options say to do.
enum Parsed {
    Run(Box<Options>, Option<Key>),
    Exit(u8),
}

/// The program name getopt prints: argv[0] when dnsup runs as `knsupdate`, else `knsupdate`.
fn program_name() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let named = Path::new(&argv0)
        .file_name()
        .is_some_and(|n| n == "knsupdate");
    if named {
        argv0.to_string_lossy().into_owned()
    } else {
        "knsupdate".into()
    }
}

/// The key name of a `[alg:]name:secret` argument, for messages (never the secret).
fn key_name(spec: &str) -> &str {
    match spec.rsplit_once(':') {
        Some((head, _)) => head.rsplit_once(':').map_or(head, |(_, name)| name),
        None => "",
    }
}

fn load_key_file(path: &Path) -> Result<Key, ()> {
    match tsig::load_key_file(path, None) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                crate::errln!(";; WARNING: {w}");
            }
            Ok(loaded.key)
        }
        Err(_) => {
            crate::errln!(";; ERROR: failed to parse keyfile '{}'", path.display());
            Err(())
        }
    }
}

fn parse(prog: &str, args: &[String]) -> Parsed {
    let mut o = Options {
        timeout: Some(12),
        ..Options::default()
    };
    let mut key = None;
    let mut operands = Vec::new();
    let usage_error = |text: String| {
        crate::outln!("{USAGE}");
        crate::errln!("{text}");
        Parsed::Exit(1)
    };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            operands.extend(args[i..].iter().cloned());
            break;
        }
        if arg == "-" || !arg.starts_with('-') {
            operands.push(arg.clone());
            continue;
        }
        // Long options become their short letter.
        let (flags, long) = match arg.strip_prefix("--") {
            Some(name) => {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (name, None),
                };
                let letter = match name {
                    "help" => 'h',
                    "version" => 'V',
                    "tcp" => 'T',
                    "debug" => 'd',
                    "port" => 'p',
                    "timeout" => 't',
                    "retry" => 'r',
                    "tsig" => 'y',
                    "tsigfile" => 'k',
                    _ => return usage_error(format!("{prog}: unrecognized option '{arg}'")),
                };
                (letter.to_string(), inline)
            }
            None => (arg[1..].to_string(), None),
        };
        for (pos, c) in flags.char_indices() {
            let takes_value = matches!(c, 'p' | 't' | 'r' | 'y' | 'k');
            let value = if takes_value {
                let rest = &flags[pos + 1..];
                if let Some(v) = &long {
                    Some(v.clone())
                } else if !rest.is_empty() {
                    Some(rest.to_string())
                } else if let Some(v) = args.get(i) {
                    i += 1;
                    Some(v.clone())
                } else {
                    return usage_error(format!("{prog}: option requires an argument -- '{c}'"));
                }
            } else {
                None
            };
            let value = value.unwrap_or_default();
            match c {
                'd' => o.debug = 1,
                'v' | 'T' => o.tcp = true,
                'h' => {
                    crate::outln!("{USAGE}");
                    return Parsed::Exit(0);
                }
                'V' => {
                    crate::outln!("knsupdate (dnsup), version {}", env!("CARGO_PKG_VERSION"));
                    return Parsed::Exit(0);
                }
                'p' => o.port = value.parse().ok().or(o.port),
                't' => match value.parse::<u32>() {
                    Ok(t) => o.timeout = Some(u64::from(t)),
                    Err(_) => {
                        crate::errln!(";; ERROR: invalid timeout '{value}'");
                        return Parsed::Exit(1);
                    }
                },
                'r' => match value.parse::<u32>() {
                    Ok(r) => o.udp_retries = Some(r),
                    Err(_) => {
                        crate::errln!(";; ERROR: invalid retries '{value}'");
                        return Parsed::Exit(1);
                    }
                },
                'y' => match tsig::parse_knot_line(&value) {
                    Ok(k) => key = Some(k),
                    Err(_) => {
                        // knsupdate prints the whole argument; dnsup names the key only.
                        crate::errln!(";; ERROR: failed to parse key '{}'", key_name(&value));
                        return Parsed::Exit(1);
                    }
                },
                'k' => match load_key_file(Path::new(&value)) {
                    Ok(k) => key = Some(k),
                    Err(()) => return Parsed::Exit(1),
                },
                other => return usage_error(format!("{prog}: invalid option -- '{other}'")),
            }
            if takes_value {
                break;
            }
        }
    }
    if let Some(file) = operands.first()
        && file != "-"
    {
        o.file = Some(PathBuf::from(file));
    }
    Parsed::Run(Box::new(o), key)
}

/// Run the knsupdate front end with these arguments (without argv[0]).
pub fn main(args: Vec<OsString>) -> u8 {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let prog = program_name();
    let (opts, key) = match parse(&prog, &args) {
        Parsed::Run(o, k) => (o, k),
        Parsed::Exit(code) => return code,
    };
    super::init_logging(0);
    script_runner::run_knsupdate(&opts, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_without_secrets() {
        assert_eq!(key_name("hmac-sha256:name:c2VjcmV0"), "name");
        assert_eq!(key_name("name:c2VjcmV0"), "name");
        assert_eq!(key_name("c2VjcmV0"), "");
    }
}
