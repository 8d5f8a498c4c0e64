//! `dnsup knsupdate` against Knot's own `knsupdate`: each script runs through both tools against
//! two identical fresh knotd instances; exit status and resulting zone must be the same.

mod common;

use common::*;

/// Scripts with `@SERVER@` standing for `server 127.0.0.1 PORT`.
const CORPUS: &[(&str, &str)] = &[
    (
        "add_and_send",
        "@SERVER@\nzone example.test\nupdate add a.example.test. 300 A 192.0.2.1\nsend\n",
    ),
    (
        "ttl_defaults_to_3600",
        "@SERVER@\nzone example.test\nadd b.example.test. A 192.0.2.2\nsend\n",
    ),
    (
        "origin_makes_relative_names",
        "@SERVER@\nzone example.test\norigin example.test\nupdate add f 300 A 192.0.2.2\nadd g A 192.0.2.3\nsend\n",
    ),
    (
        "blank_line_does_not_send",
        "@SERVER@\nzone example.test\nadd c.example.test. 300 A 192.0.2.4\n\n",
    ),
    (
        "failing_prerequisite_stops_the_script",
        "@SERVER@\nzone example.test\nprereq nxdomain www.example.test.\nupdate add www.example.test. 300 TXT \"no\"\nsend\nadd d.example.test. 300 A 192.0.2.5\nsend\n",
    ),
    (
        "no_zone_is_an_error",
        "@SERVER@\nupdate add e.example.test. 300 A 192.0.2.1\nsend\n",
    ),
    (
        "syntax_error_stops",
        "@SERVER@\nzone example.test\nadd ok.example.test. 300 A 192.0.2.1\nsend\nadd bad.example.test. 300 A 300.1.1.1\nsend\n",
    ),
    (
        "delete_forms",
        "@SERVER@\nzone example.test\nupdate delete www.example.test. A 192.0.2.80\nsend\ndel www.example.test. AAAA\nsend\ndel mail.example.test.\nsend\n",
    ),
    (
        "prereq_forms_holding",
        "@SERVER@\nzone example.test\nprereq yxdomain www.example.test.\nprereq nxdomain n.example.test.\nprereq yxrrset www.example.test. A\nprereq nxrrset www.example.test. TXT\nadd n.example.test. 300 A 192.0.2.9\nsend\n",
    ),
    (
        "exit_ends_the_script",
        "@SERVER@\nzone example.test\nadd x.example.test. 300 A 192.0.2.1\nsend\nexit\nadd y.example.test. 300 A 192.0.2.2\nsend\n",
    ),
    (
        "several_rrsets_one_send",
        "@SERVER@\nzone example.test\nadd m.example.test. 60 A 192.0.2.1\nadd m.example.test. 60 A 192.0.2.2\nadd m.example.test. 60 TXT \"a b\" c\nadd m.example.test. 60 MX 10 mail.example.test.\nsend\n",
    ),
    (
        "unknown_type",
        "@SERVER@\nzone example.test\nadd u.example.test. 300 TYPE65280 \\# 4 0a000001\nsend\n",
    ),
];

fn with_server(script: &str, server: &dyn Server) -> String {
    script.replace("@SERVER@", &format!("server 127.0.0.1 {}", server.port()))
}

#[test]
fn same_script_same_zone_same_exit_status() {
    let y = key_arg(key("k-sha256"));
    let mut failures = Vec::new();
    for (name, script) in CORPUS {
        let theirs = Knot::start();
        let ours = Knot::start();
        let knot = run_knsupdate(&theirs, &with_server(script, &theirs), &["-y", &y]);
        let dnsup = run_dnsup(&ours, &with_server(script, &ours), &["knsupdate", "-y", &y]);
        if knot.status.code() != dnsup.status.code() {
            failures.push(format!(
                "{name}: exit status knsupdate {:?}, dnsup {:?}\n--- knsupdate\n{}\n--- dnsup\n{}",
                knot.status.code(),
                dnsup.status.code(),
                describe(&knot),
                describe(&dnsup)
            ));
            continue;
        }
        let (z1, z2) = (theirs.axfr("example.test"), ours.axfr("example.test"));
        if z1 != z2 {
            failures.push(format!(
                "{name}: zones differ\n--- knsupdate\n{z1}\n--- dnsup\n{z2}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_knsupdate_symlink_behaves_as_knsupdate() {
    let server = Knot::start();
    let link = server.dir().join("knsupdate");
    std::os::unix::fs::symlink(dnsup_bin(), &link).unwrap();
    let script = format!(
        "server 127.0.0.1 {}\nzone example.test\nadd link.example.test. A 192.0.2.8\nsend\n",
        server.port()
    );
    let out = run_with_timeout(
        std::process::Command::new(&link).args(["-y", &key_arg(key("k-sha512"))]),
        script.as_bytes(),
        CLIENT_TIMEOUT,
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(server.query("link.example.test", "A"), ["192.0.2.8"]);
    assert_eq!(
        server.axfr("example.test").find("link.example.test.", "A"),
        ["link.example.test. 3600 IN A 192.0.2.8"]
    );
}
