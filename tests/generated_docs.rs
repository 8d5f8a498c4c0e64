//! The man pages and shell completions in doc/ are generated from the clap definitions
//! (`dnsup::cli::Cli`) and must be current: this test renders them and compares.
//!
//! `scripts/gen-docs` (DNSUP_REGENERATE_DOCS=1) writes them instead. doc/man/dnsup.toml.5 is
//! written by hand (the file format is not a command line); this test checks that it exists and
//! that every page it and dnsup(1) refer to is there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

/// Every generated file: path under the repository -> contents.
fn generated() -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    // The man pages name the version only: the commit and target of `--version` would make them
    // change with every commit.
    let mut cmd = dnsup::cli::Cli::command()
        .long_version(None::<&str>)
        .disable_help_subcommand(true);
    cmd.build();

    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .manual("dnsup manual")
        .render(&mut page)
        .unwrap();
    page.extend_from_slice(root_page_extra(&cmd).as_bytes());
    out.insert(PathBuf::from("doc/man/dnsup.1"), page);

    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let man = clap_mangen::Man::new(sub.clone()).manual("dnsup manual");
        let mut page = Vec::new();
        man.render(&mut page).unwrap();
        page.extend_from_slice(b".SH SEE ALSO\n.BR dnsup (1),\n.BR dnsup.toml (5)\n");
        out.insert(Path::new("doc/man").join(man.get_filename()), page);
    }

    for (shell, file) in [
        (Shell::Bash, "doc/completions/dnsup.bash"),
        (Shell::Zsh, "doc/completions/_dnsup"),
        (Shell::Fish, "doc/completions/dnsup.fish"),
    ] {
        let mut text = Vec::new();
        clap_complete::generate(shell, &mut dnsup::cli::Cli::command(), "dnsup", &mut text);
        out.insert(PathBuf::from(file), text);
    }
    out
}

/// dnsup(1)'s own sections after clap_mangen's: exit status, files, and the other pages.
fn root_page_extra(cmd: &clap::Command) -> String {
    let mut s = String::from(
        ".SH EXIT STATUS\n\
         The native commands (set, add, delete, apply, run, detect, plan, check\\-config, keygen):\n\
         .TP\n0\nDone (with \\-\\-dry\\-run: would be sent).\n\
         .TP\n1\nBad arguments or input: syntax, unknown type, malformed data, unreadable key file.\n\
         .TP\n2\nThe server answered with an error: REFUSED, NOTAUTH, NOTZONE, SERVFAIL, FORMERR, NOTIMP.\n\
         .TP\n3\nA prerequisite failed (YXDOMAIN, NXDOMAIN, YXRRSET, NXRRSET); the zone is unchanged.\n\
         .TP\n4\nTSIG failed: BADSIG, BADKEY, BADTIME or BADTRUNC, or no answer was authentic.\n\
         .TP\n5\nNo answer: timeout, connection refused, unreachable.\n\
         .TP\n6\nThe zone or its primary server could not be found.\n\
         .TP\n7\nThe daemon (run \\-\\-once, detect): a record is not in sync or has no address.\n\
         .PP\n\
         .B dnsup nsupdate\n\
         (and dnsup invoked as\n.BR nsupdate )\n\
         uses nsupdate's codes: 0 success, 1 input error, 2 update failed.\n\
         .SH ENVIRONMENT\n\
         .TP\n.B DNSUP_KEY\nA TSIG key as [ALG:]NAME:SECRET, instead of \\-\\-key (which other users can see in ps).\n\
         .TP\n.B RUST_LOG\nLog filter, e.g. dnsup=debug (overrides \\-v).\n\
         .SH FILES\n\
         .TP\n.I /etc/dnsup/dnsup.toml\nThe daemon's configuration, see\n.BR dnsup.toml (5).\n\
         .SH SEE ALSO\n",
    );
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        s.push_str(&format!(
            ".BR {} (1),\n",
            sub.get_display_name().unwrap_or(sub.get_name())
        ));
    }
    s.push_str(".BR dnsup.toml (5),\n.BR nsupdate (1),\n.BR knsupdate (1)\n");
    s
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_docs_are_current() {
    let regenerate = std::env::var_os("DNSUP_REGENERATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (path, want) in generated() {
        let full = root().join(&path);
        let have = std::fs::read(&full).unwrap_or_default();
        if have == want {
            continue;
        }
        if regenerate {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &want).unwrap();
            eprintln!("wrote {}", path.display());
        } else {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (the clap definitions changed): {}; run scripts/gen-docs and commit",
        stale.join(", ")
    );
}

#[test]
fn no_stale_generated_pages_are_left_behind() {
    // A removed subcommand must not leave its page in doc/man (the package would ship it).
    let want = generated();
    for entry in std::fs::read_dir(root().join("doc/man")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "dnsup.toml.5" {
            continue;
        }
        let path = Path::new("doc/man").join(&name);
        assert!(
            want.contains_key(&path),
            "{} is not generated any more: delete it",
            path.display()
        );
    }
}

#[test]
fn every_page_the_pages_refer_to_exists() {
    let pages: Vec<String> = std::fs::read_dir(root().join("doc/man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for page in &pages {
        let text = std::fs::read_to_string(root().join("doc/man").join(page)).unwrap();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix(".BR ") else {
                continue;
            };
            let Some((name, section)) = rest.split_once(" (") else {
                continue;
            };
            let name = name.replace("\\-", "-");
            if !name.starts_with("dnsup") {
                continue; // other packages' pages
            }
            let section = &section[..1];
            assert!(
                pages.contains(&format!("{name}.{section}")),
                "{page} refers to {name}({section}), which doc/man lacks"
            );
        }
    }
}
