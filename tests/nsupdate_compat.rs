//! `dnsup nsupdate` against BIND's own `nsupdate`: each script runs through both tools against
//! two identical fresh named instances, and the exit status and the resulting zone (AXFR, SOA
//! serial included) must be the same.

mod common;

use common::*;

/// Scripts with `@SERVER@` standing for `server 127.0.0.1 PORT`.
const CORPUS: &[(&str, &str)] = &[
    (
        "add_and_send",
        "@SERVER@\nzone example.test\nupdate add a.example.test. 300 A 192.0.2.1\nsend\n",
    ),
    (
        "blank_line_sends",
        "@SERVER@\nupdate add b.example.test. 300 A 192.0.2.2\n\nupdate add c.example.test. 300 A 192.0.2.3\n\n",
    ),
    (
        "end_of_input_drops_the_pending_update",
        "@SERVER@\nupdate add d.example.test. 300 A 192.0.2.4\n",
    ),
    (
        "several_sends_and_forms",
        "@SERVER@\n; a comment\nzone example.test.\nupdate add m.example.test. 60 A 192.0.2.1\nupdate add m.example.test. 60 A 192.0.2.2\nadd m.example.test. 60 TXT \"one\" \"two\"\nsend\nupdate delete m.example.test. A 192.0.2.1\nsend\ndel m.example.test. TXT\nsend\nupdate delete www.example.test.\nsend\n",
    ),
    (
        "relative_names_are_from_the_root",
        "@SERVER@\nupdate add rel.example.test 300 A 192.0.2.9\nsend\n",
    ),
    (
        "default_ttl_and_class",
        "@SERVER@\nttl 120\nclass IN\nupdate add t.example.test. A 192.0.2.10\nsend\n",
    ),
    (
        "unknown_type_generic_rdata",
        "@SERVER@\nupdate add u.example.test. 300 TYPE65280 \\# 4 0a000001\nupdate add u.example.test. 300 A \\# 4 C0000205\nsend\n",
    ),
    (
        "prereq_nxdomain_holds",
        "@SERVER@\nprereq nxdomain new.example.test.\nupdate add new.example.test. 300 A 192.0.2.11\nsend\n",
    ),
    (
        "prereq_nxdomain_fails",
        "@SERVER@\nprereq nxdomain www.example.test.\nupdate add www.example.test. 300 TXT \"no\"\nsend\n",
    ),
    (
        "prereq_yxdomain_fails_then_next_send_runs",
        "@SERVER@\nprereq yxdomain nothing.example.test.\nupdate add x.example.test. 300 A 192.0.2.12\nsend\nupdate add y.example.test. 300 A 192.0.2.13\nsend\n",
    ),
    (
        "prereq_yxrrset_value_dependent",
        "@SERVER@\nprereq yxrrset www.example.test. A 192.0.2.80\nupdate delete www.example.test. A\nupdate add www.example.test. 300 A 192.0.2.81\nsend\n",
    ),
    (
        "prereq_yxrrset_value_dependent_fails",
        "@SERVER@\nprereq yxrrset www.example.test. IN A 192.0.2.1\nupdate delete www.example.test. A\nsend\n",
    ),
    (
        "prereq_nxrrset_and_yxrrset",
        "@SERVER@\nprereq nxrrset www.example.test. TXT\nprereq yxrrset www.example.test. A\nupdate add www.example.test. 300 TXT \"ok\"\nsend\n",
    ),
    (
        "name_outside_the_zone",
        "@SERVER@\nzone example.test\nupdate add host.other.test. 300 A 192.0.2.1\nsend\n",
    ),
    (
        "syntax_error_is_fatal_in_batch_mode",
        "@SERVER@\nupdate add ok.example.test. 300 A 192.0.2.1\nsend\nupdate add bad.example.test. 300 A 300.1.1.1\nsend\n",
    ),
    (
        "quit_drops_the_rest",
        "@SERVER@\nupdate add q.example.test. 300 A 192.0.2.1\nsend\nquit\nupdate add r.example.test. 300 A 192.0.2.2\nsend\n",
    ),
    (
        "show_pending_update",
        "@SERVER@\nzone example.test\nprereq nxrrset s.example.test. A\nupdate add s.example.test. 300 A 192.0.2.1\nupdate delete www.example.test. AAAA\nshow\nsend\n",
    ),
    (
        "answer_after_success_and_failure",
        "@SERVER@\nupdate add ans.example.test. 300 A 192.0.2.1\nsend\nanswer\nprereq nxdomain ans.example.test.\nupdate add ans.example.test. 300 A 192.0.2.2\nsend\nanswer\n",
    ),
    (
        "cname_and_mx_and_srv",
        "@SERVER@\nupdate add c1.example.test. 300 CNAME www.example.test.\nupdate add example.test. 300 MX 20 mail2.example.test.\nupdate add _h._tcp.example.test. 300 SRV 0 0 80 www.example.test.\nsend\n",
    ),
];

/// stdout and stderr with what legitimately differs between runs masked: message IDs, TSIG
/// times and MACs, and the timestamped library log line nsupdate prints before some errors.
fn normalize(out: &std::process::Output) -> String {
    let text = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter(|l| !l.contains("dns_rdata_fromtext:"))
        .map(|l| {
            // "id:  12345" is printed %6u: mask the number and its padding.
            let line = match l.find("id:") {
                Some(i) => {
                    let rest = l[i + 3..].trim_start_matches(' ');
                    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                    format!("{}id: ID{rest}", &l[..i])
                }
                None => l.to_string(),
            };
            // TSIG pseudo-records carry a time and a MAC that differ on every run.
            if line.contains("ANY\tTSIG\t") {
                line.split('\t').take(4).collect::<Vec<_>>().join("\t")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn with_server(script: &str, server: &dyn Server) -> String {
    script.replace("@SERVER@", &format!("server 127.0.0.1 {}", server.port()))
}

#[test]
fn same_script_same_zone_same_exit_status() {
    let k = key("k-sha256");
    let y = key_arg(k);
    let mut failures = Vec::new();
    for (name, script) in CORPUS {
        let theirs = Named::start();
        let ours = Named::start();
        let bind = run_nsupdate(&theirs, &with_server(script, &theirs), &["-y", &y]);
        let dnsup = run_dnsup(&ours, &with_server(script, &ours), &["nsupdate", "-y", &y]);
        if bind.status.code() != dnsup.status.code() {
            failures.push(format!(
                "{name}: exit status nsupdate {:?}, dnsup {:?}\n--- nsupdate\n{}\n--- dnsup\n{}",
                bind.status.code(),
                dnsup.status.code(),
                describe(&bind),
                describe(&dnsup)
            ));
            continue;
        }
        let (a, b) = (normalize(&bind), normalize(&dnsup));
        if a != b {
            failures.push(format!(
                "{name}: output differs\n--- nsupdate\n{a}\n--- dnsup\n{b}"
            ));
        }
        let (z1, z2) = (theirs.axfr("example.test"), ours.axfr("example.test"));
        if z1 != z2 {
            failures.push(format!(
                "{name}: zones differ\n--- nsupdate\n{z1}\n--- dnsup\n{z2}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every TSIG algorithm through the nsupdate front end, with the key as `-y` and as `-k` file.
#[test]
fn every_key_form_the_way_nsupdate_takes_it() {
    let server = Named::start();
    for k in server.keys() {
        let file = write_key_file(server.dir(), k);
        for args in [
            vec!["nsupdate".to_string(), "-y".into(), key_arg(k)],
            vec!["nsupdate".into(), "-k".into(), file.display().to_string()],
        ] {
            let owner = format!(
                "{}-{}.example.test.",
                k.name,
                args[1].trim_start_matches('-')
            );
            let script = format!(
                "server 127.0.0.1 {}\nupdate add {owner} 300 A 192.0.2.3\nsend\n",
                server.port()
            );
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run_dnsup(&server, &script, &args);
            assert!(
                out.status.success(),
                "{} {args:?}: {}",
                k.algorithm,
                describe(&out)
            );
            assert_eq!(server.query(&owner, "A"), ["192.0.2.3"], "{}", k.algorithm);
        }
    }
}

#[test]
fn an_nsupdate_symlink_behaves_as_nsupdate() {
    let server = Named::start();
    let link = server.dir().join("nsupdate");
    std::os::unix::fs::symlink(dnsup_bin(), &link).unwrap();
    let script = format!(
        "server 127.0.0.1 {}\nupdate add link.example.test. 300 A 192.0.2.8\nsend\n",
        server.port()
    );
    let out = run_with_timeout(
        std::process::Command::new(&link).args(["-y", &key_arg(key("k-sha384"))]),
        script.as_bytes(),
        CLIENT_TIMEOUT,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(server.query("link.example.test", "A"), ["192.0.2.8"]);
}
