//! The `nsupdate` front end: BIND 9.18 nsupdate's options (its `isc_commandline_parse` getopt,
//! `pre_parse_args` and `parse_args`), its key set-up (`-y`, `-k`, `-l`: `setup_keystr`,
//! `setup_keyfile`, `read_sessionkey`), then the script runner. Exit codes are nsupdate's: 0 all
//! sent updates succeeded, 1 input or setup error, 2 an update failed after it was sent.
//!
//! Every message here is the installed nsupdate's, with one deliberate difference: where
//! nsupdate prints a `-y` argument that holds a secret, dnsup prints the key name only.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::script_runner::{self, Options, VERSION};
use crate::gss::GssAlgorithm;
use crate::script::{iana_type_list, private_type_list};
use crate::transport::tls::TlsOptions;
use crate::tsig::{self, Key};

/// nsupdate 9.18's usage line.
const USAGE: &str = "usage: nsupdate [-CdDi] [-L level] [-l] [-g | -o | -y keyname:secret | -k keyfile] [-p port] [-v] [-V] [-P] [-T] [-4 | -6] [filename]";

/// Where nsupdate looks for named's session key in local mode (`-l`): Debian's BIND is built
/// with this path, double slash included, and nsupdate prints it so.
const SESSION_KEYFILE: &str = "//run/named/session.key";

/// nsupdate 9.18's option letters; `true` for those that take an argument.
fn option_kind(c: char) -> Option<bool> {
    match c {
        '4' | '6' | 'd' | 'D' | 'g' | 'h' | 'i' | 'l' | 'M' | 'o' | 'P' | 'T' | 'v' | 'V' => {
            Some(false)
        }
        'C' | 'k' | 'L' | 'p' | 'r' | 'R' | 't' | 'u' | 'y' => Some(true),
        // BIND 9.20's DNS-over-TLS options (see `tls_option`).
        'S' | 'O' => Some(false),
        'A' | 'E' | 'H' | 'K' => Some(true),
        _ => None,
    }
}

/// One option as getopt returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Opt {
    Flag(char, Option<String>),
    /// An option letter nsupdate does not know, or one missing its argument.
    Bad(char, String),
}

/// `isc_commandline_parse`: options until the first operand or `--`; a lone `-` is an illegal
/// option. Returns the options and the operands.
fn getopt(prog: &str, args: &[String]) -> (Vec<Opt>, Vec<String>) {
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with('-') {
            break;
        }
        i += 1;
        if arg == "-" {
            opts.push(Opt::Bad('-', format!("{prog}: illegal option -- -")));
            continue;
        }
        let flags = &arg[1..];
        for (pos, c) in flags.char_indices() {
            match option_kind(c) {
                None => opts.push(Opt::Bad(c, format!("{prog}: illegal option -- {c}"))),
                Some(false) => opts.push(Opt::Flag(c, None)),
                Some(true) => {
                    let rest = &flags[pos + c.len_utf8()..];
                    if !rest.is_empty() {
                        opts.push(Opt::Flag(c, Some(rest.to_string())));
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        opts.push(Opt::Flag(c, Some(v.clone())));
                    } else {
                        opts.push(Opt::Bad(
                            c,
                            format!("{prog}: option requires an argument -- {c}"),
                        ));
                    }
                    break;
                }
            }
        }
    }
    (opts, args[i..].to_vec())
}

/// `isc_parse_uint32` / `isc_parse_uint16`: decimal digits only.
fn parse_u32(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// What the options say to do.
enum Parsed {
    Run(Options, KeySource),
    Exit(u8),
}

/// Where the default key comes from.
enum KeySource {
    None,
    Literal(String),
    File(PathBuf),
}

fn usage_exit(prog: &str, c: char, getopt_text: Option<&str>) -> Parsed {
    if let Some(text) = getopt_text {
        crate::errln!("{text}");
    }
    crate::errln!("{prog}: invalid argument -{c}");
    crate::errln!("{USAGE}");
    Parsed::Exit(1)
}

fn parse(prog: &str, args: &[String]) -> Parsed {
    let (opts, operands) = getopt(prog, args);
    // pre_parse_args: usage errors, -4/-6, and the listing options, which exit at once.
    let (mut v4, mut v6, mut exit_now) = (false, false, false);
    for opt in &opts {
        match opt {
            Opt::Bad(c, text) => return usage_exit(prog, *c, Some(text)),
            Opt::Flag('h', _) => return usage_exit(prog, 'h', None),
            Opt::Flag('4', _) => {
                if v6 {
                    crate::errln!("only one of -4 and -6 allowed");
                    return Parsed::Exit(1);
                }
                v4 = true;
            }
            Opt::Flag('6', _) => {
                if v4 {
                    crate::errln!("only one of -4 and -6 allowed");
                    return Parsed::Exit(1);
                }
                v6 = true;
            }
            Opt::Flag('P', _) => {
                crate::out!("{}", private_type_list());
                exit_now = true;
            }
            Opt::Flag('T', _) => {
                crate::out!("{}", iana_type_list());
                exit_now = true;
            }
            Opt::Flag('V', _) => {
                crate::errln!("nsupdate {VERSION}");
                exit_now = true;
            }
            _ => {}
        }
    }
    if exit_now {
        return Parsed::Exit(0);
    }
    let mut o = Options::default();
    let mut key = KeySource::None;
    let (mut key_file, mut key_literal) = (false, false);
    let mut tls: Option<TlsOptions> = None;
    for opt in opts {
        let Opt::Flag(c, value) = opt else { continue };
        let value = value.unwrap_or_default();
        let bad = |what: &str| {
            crate::errln!("bad {what} '{value}'");
            Parsed::Exit(1)
        };
        match c {
            '4' => o.only_v4 = true,
            '6' => o.only_v6 = true,
            'C' => o.resolv_conf = Some(PathBuf::from(&value)),
            'd' => o.debug = o.debug.max(1),
            'D' | 'M' => o.debug = 2,
            'i' => o.interactive = true,
            'l' => o.local_only = true,
            'L' if parse_u32(&value).is_none() => {
                crate::errln!("bad library debug value '{value}'");
                return Parsed::Exit(1);
            }
            'y' => {
                key = KeySource::Literal(value.clone());
                key_literal = true;
            }
            'v' => o.tcp = true,
            'k' => {
                key = KeySource::File(PathBuf::from(&value));
                key_file = true;
            }
            'g' => o.gss = Some(GssAlgorithm::GssTsig),
            'o' => o.gss = Some(GssAlgorithm::Microsoft),
            'p' => match parse_u32(&value).and_then(|p| u16::try_from(p).ok()) {
                Some(p) => o.port = Some(p),
                None => return bad("port number"),
            },
            't' => match parse_u32(&value) {
                Some(t) => o.timeout = Some(u64::from(t)),
                None => return bad("timeout"),
            },
            'u' => match parse_u32(&value) {
                Some(u) => o.udp_interval = Some(u64::from(u)),
                None => return bad("udp timeout"),
            },
            'r' => match parse_u32(&value) {
                Some(r) => o.udp_retries = Some(r),
                None => return bad("udp retries"),
            },
            'R' => {
                crate::errln!("The -R option has been deprecated.");
                return Parsed::Exit(1);
            }
            'S' | 'O' | 'A' | 'E' | 'H' | 'K' => tls_option(&mut tls, c, value),
            _ => {}
        }
    }
    if let Some(t) = &tls
        && let Some(code) = check_tls(prog, t)
    {
        return Parsed::Exit(code);
    }
    if tls.is_some() {
        o.tcp = true;
    }
    o.tls_options = tls.map(Box::new);
    if key_file && key_literal {
        crate::errln!("{prog}: cannot specify both -k and -y");
        return Parsed::Exit(1);
    }
    if o.gss.is_some() && (key_file || key_literal) {
        crate::errln!("{prog}: cannot specify -g with -k or -y");
        return Parsed::Exit(1);
    }
    if let Some(file) = operands.first()
        && file != "-"
    {
        o.file = Some(PathBuf::from(file));
    }
    if !operands.is_empty() && !o.interactive {
        // A file (or "-") on the command line makes the session batch, unless -i.
        o.interactive = false;
    }
    Parsed::Run(o, key)
}

/// BIND 9.20's `-S` (DNS over TLS), `-A` CA file, `-E` client certificate, `-K` its key, `-H`
/// the name to verify, `-O` no verification: each implies `-S`.
fn tls_option(tls: &mut Option<TlsOptions>, c: char, value: String) {
    let t = tls.get_or_insert_with(TlsOptions::default);
    match c {
        'A' => t.ca_file = Some(PathBuf::from(value)),
        'E' => t.client_cert = Some(PathBuf::from(value)),
        'K' => t.client_key = Some(PathBuf::from(value)),
        'H' => t.server_name = Some(value),
        'O' => t.insecure = true,
        _ => {}
    }
}

/// 9.20's `parse_args` checks, with its texts (the missing space and "conjuction" included).
fn check_tls(prog: &str, t: &TlsOptions) -> Option<u8> {
    if t.client_key.is_some() != t.client_cert.is_some() {
        crate::errln!("{prog}: cannot specify the -K option withoutthe -E option, and vice versa.");
        return Some(1);
    }
    if t.ca_file.is_some() && t.insecure {
        crate::errln!("{prog}: cannot specify the -A option in conjuction with the -O option.");
        return Some(1);
    }
    None
}

/// `basenamelen`: the key file name without `.key`, `.private` or a final dot.
fn key_file_base(path: &Path) -> String {
    let text = path.display().to_string();
    if text.len() > 1 && text.ends_with('.') {
        return text[..text.len() - 1].to_string();
    }
    for suffix in [".private", ".key"] {
        if text.len() > suffix.len()
            && let Some(base) = text.strip_suffix(suffix)
        {
            return base.to_string();
        }
    }
    text
}

/// `setup_keystr`: `-y [hmac:]name:secret`, split at the first colon. `Err(())` ends nsupdate
/// with status 1; a secret that is not base64 is reported and the run goes on without a key.
fn key_from_literal(spec: &str, debug: bool) -> Result<Option<Key>, ()> {
    if debug {
        crate::errln!("Creating key...");
    }
    let usage = || {
        crate::errln!("key option must specify [hmac:]keyname:secret");
    };
    let Some((first, rest)) = spec.split_once(':') else {
        usage();
        return Err(());
    };
    if first.is_empty() || rest.is_empty() {
        usage();
        return Err(());
    }
    let (algorithm, name, secret) = match rest.split_once(':') {
        Some((name, secret)) => {
            if name.is_empty() || secret.is_empty() {
                usage();
                return Err(());
            }
            (Some(first), name, secret)
        }
        None => (None, first, rest),
    };
    if let Some(alg) = algorithm
        && let Err(text) = crate::script::check_hmac(alg)
    {
        crate::errln!("{text}");
        return Err(());
    }
    if debug {
        crate::errln!("namefromtext");
    }
    if let Err(why) = crate::script::parse_name(name) {
        crate::errln!("dns_name_fromtext: {why}");
        return Err(());
    }
    use base64::Engine as _;
    let compact: String = secret
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .is_err()
    {
        // nsupdate prints the whole argument, secret included; dnsup names the key only.
        crate::errln!("could not create key from {name}: bad base64 encoding");
        return Ok(None);
    }
    if debug {
        crate::errln!("keycreate");
    }
    let text = format!("{}:{name}:{secret}", algorithm.unwrap_or("hmac-md5"));
    match tsig::parse_nsupdate_y(&text) {
        Ok(k) => Ok(Some(k)),
        Err(e) => {
            crate::errln!("could not create key from {name}: {}", e.message);
            Ok(None)
        }
    }
}

/// A named.conf-style key file (session.key, tsig-keygen) through `setup_keystr`.
fn key_from_conf(path: &Path, debug: bool) -> Result<Key, String> {
    let loaded = tsig::load_key_file(path, None).map_err(|e| e.message)?;
    for w in &loaded.warnings {
        crate::errln!("warning: {w}");
    }
    if debug {
        crate::errln!("Creating key...");
        crate::errln!("namefromtext");
        crate::errln!("keycreate");
    }
    Ok(loaded.key)
}

/// `setup_keyfile`: a key file that cannot be read is reported, and the run goes on without a
/// key.
fn key_from_file(path: &Path, debug: bool) -> Option<Key> {
    if debug {
        crate::errln!("Creating key...");
    }
    let why = if !path.exists() {
        "file not found".to_string()
    } else {
        match key_from_conf(path, debug) {
            Ok(k) => {
                hmac_pair_warning(path);
                return Some(k);
            }
            Err(e) => e,
        }
    };
    crate::errln!(
        "could not read key from {}.{{private,key}}: {why}",
        key_file_base(path)
    );
    None
}

/// BIND's dst library logs this (with its time stamp and a blank line) when `-k` names a
/// `K<name>.+<alg>+<id>` pair holding an HMAC key; dnsup loads only HMAC keys from pairs.
fn hmac_pair_warning(path: &Path) {
    let is_pair = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix('K'))
        .and_then(|n| n.rsplit_once(".+"))
        .is_some_and(|(_, tail)| {
            let tail = tail.trim_end_matches(".private").trim_end_matches(".key");
            let tail = tail.trim_end_matches('.');
            tail.split_once('+').is_some_and(|(a, b)| {
                [a, b]
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
            })
        });
    if is_pair {
        crate::errln!(
            "{} {}.private: Use of K* file pairs for HMAC is deprecated\n",
            script_runner::log_stamp(),
            key_file_base(path)
        );
    }
}

/// `read_sessionkey` in local mode: a missing or bad session key ends nsupdate.
fn session_key(path: &Path, debug: bool) -> Result<Key, ()> {
    if !path.exists() {
        crate::errln!("can't read key from {}: file not found\n", path.display());
        return Err(());
    }
    key_from_conf(path, debug).map_err(|why| {
        crate::errln!("can't read key from {}: {why}\n", path.display());
    })
}

/// The program name nsupdate prints in option errors: argv[0] when dnsup runs as `nsupdate`
/// (a symlink or a copy), else `nsupdate`.
fn program_name() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let is_nsupdate = Path::new(&argv0)
        .file_name()
        .is_some_and(|n| n == "nsupdate");
    if is_nsupdate {
        argv0.to_string_lossy().into_owned()
    } else {
        "nsupdate".into()
    }
}

/// Run the nsupdate front end with these arguments (without argv[0]).
pub fn main(args: Vec<OsString>) -> u8 {
    let args: Vec<String> = args
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let prog = program_name();
    let (opts, key_source) = match parse(&prog, &args) {
        Parsed::Run(o, k) => (o, k),
        Parsed::Exit(code) => return code,
    };
    super::init_logging(opts.debug.saturating_sub(1));
    let debug = opts.debug > 0;
    let key = match (&key_source, opts.local_only) {
        (KeySource::Literal(spec), _) => match key_from_literal(spec, debug) {
            Ok(k) => k,
            Err(()) => return 1,
        },
        (KeySource::File(path), true) => match session_key(path, debug) {
            Ok(k) => Some(k),
            Err(()) => return 1,
        },
        (KeySource::None, true) => match session_key(Path::new(SESSION_KEYFILE), debug) {
            Ok(k) => Some(k),
            Err(()) => return 1,
        },
        (KeySource::File(path), false) => key_from_file(path, debug),
        (KeySource::None, false) => None,
    };
    script_runner::run_nsupdate(&opts, &prog, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn getopt_like_bind() {
        let (opts, rest) = getopt("p", &s(&["-dv", "-t5", "-k", "f", "file", "-d"]));
        assert_eq!(
            opts,
            vec![
                Opt::Flag('d', None),
                Opt::Flag('v', None),
                Opt::Flag('t', Some("5".into())),
                Opt::Flag('k', Some("f".into())),
            ]
        );
        assert_eq!(rest, s(&["file", "-d"]));
        let (opts, _) = getopt("p", &s(&["-"]));
        assert!(matches!(opts[0], Opt::Bad('-', _)));
        let (opts, _) = getopt("p", &s(&["-Zk"]));
        assert_eq!(opts[0], Opt::Bad('Z', "p: illegal option -- Z".into()));
        assert_eq!(
            opts[1],
            Opt::Bad('k', "p: option requires an argument -- k".into())
        );
        let (opts, rest) = getopt("p", &s(&["--", "-d"]));
        assert!(opts.is_empty());
        assert_eq!(rest, s(&["-d"]));
    }

    #[test]
    fn key_file_base_names() {
        assert_eq!(key_file_base(Path::new("/x/K.key")), "/x/K");
        assert_eq!(key_file_base(Path::new("/x/K.private")), "/x/K");
        assert_eq!(key_file_base(Path::new("/x/K.")), "/x/K");
        assert_eq!(key_file_base(Path::new("/x/k.conf")), "/x/k.conf");
    }
}
