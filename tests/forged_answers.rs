//! A signed update must accept only the server's authentic answer: a forged answer (unsigned,
//! or signed with another key) that arrives first is ignored, and if only forgeries arrive the
//! update fails as "no authentic answer" instead of reporting the forger's outcome.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::str::FromStr;
use std::thread;
use std::time::Duration;

use common::*;
use dnsup::client::{self, ClientError, Signer};
use dnsup::transport;
use dnsup::tsig;
use dnsup::update::{Change, Update, parse_rdata};
use hickory_proto::rr::{Name, RecordType};

/// What the man in the middle sends back before (or instead of) the real answer.
#[derive(Clone, Copy)]
enum Forgery {
    /// The request echoed back as a NOERROR response, without TSIG.
    Unsigned,
    /// The same, signed with a key the client does not use.
    WrongKey,
}

fn forged_reply(request: &[u8], forgery: Forgery) -> Vec<u8> {
    // Header with QR set, counts zone=1 and nothing else: a plausible "NOERROR, done".
    let mut msg = request.to_vec();
    msg[2] |= 0x80;
    let zone_end = 12 + question_len(&msg[12..]);
    msg.truncate(zone_end);
    msg[6..12].copy_from_slice(&[0, 0, 0, 0, 0, 0]);
    match forgery {
        Forgery::Unsigned => msg,
        Forgery::WrongKey => {
            let other = tsig::parse_nsupdate_y(
                "hmac-sha256:k-sha256:b3RoZXIga2V5IG9mIHRoZSBmb3JnZXIgMTIzNDU2Nzg5MA==",
            )
            .unwrap();
            tsig::sign_request(&msg, &other, 0, 300).unwrap().0
        }
    }
}

fn question_len(b: &[u8]) -> usize {
    let mut i = 0;
    while b[i] != 0 {
        i += 1 + usize::from(b[i]);
    }
    i + 1 + 4
}

/// A UDP relay on loopback that answers each request first with a forgery and then, if
/// `relay`, with the real server's answer.
fn start_relay(server: SocketAddr, forgery: Forgery, relay: bool) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    thread::spawn(move || {
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 65535];
        // Bounded: a handful of requests per test at most.
        for _ in 0..8 {
            let Ok((n, client)) = front.recv_from(&mut buf) else {
                return;
            };
            let request = buf[..n].to_vec();
            front
                .send_to(&forged_reply(&request, forgery), client)
                .unwrap();
            if relay {
                back.send_to(&request, server).unwrap();
                let mut answer = [0u8; 65535];
                if let Ok(m) = back.recv(&mut answer) {
                    front.send_to(&answer[..m], client).unwrap();
                }
            }
        }
    });
    addr
}

fn update() -> Update {
    let mut up = Update::new(Name::from_str("example.test.").unwrap());
    up.change(Change::Add {
        name: Name::from_str("mitm.example.test.").unwrap(),
        ttl: 300,
        rdata: parse_rdata(RecordType::A, "192.0.2.77", &Name::root()).unwrap(),
    })
    .unwrap();
    up
}

fn send(to: SocketAddr) -> Result<client::Outcome, ClientError> {
    let key = tsig::parse_nsupdate_y(&key_arg(key("k-sha256"))).unwrap();
    let config = transport::Config {
        udp_interval: Duration::from_secs(1),
        udp_retries: 1,
        timeout: Duration::from_secs(4),
        ..transport::Config::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(client::send_update(
        &update(),
        Some(Signer::new(&key)),
        &[to],
        &config,
    ))
}

#[test]
fn forged_answers_first_are_ignored_for_the_real_one() {
    for forgery in [Forgery::Unsigned, Forgery::WrongKey] {
        let named = Named::start();
        let relay = start_relay(named.addr(), forgery, true);
        let outcome = send(relay).expect("the real answer follows the forgery");
        assert!(outcome.authenticated && outcome.is_success());
        assert_eq!(named.query("mitm.example.test", "A"), ["192.0.2.77"]);
    }
}

#[test]
fn only_forged_answers_is_no_authentic_answer() {
    for forgery in [Forgery::Unsigned, Forgery::WrongKey] {
        let named = Named::start();
        let relay = start_relay(named.addr(), forgery, false);
        let err = send(relay).expect_err("a forgery must not be taken for the answer");
        assert!(matches!(err, ClientError::Unverified(_)), "{err}");
        assert!(
            err.to_string().contains("TSIG verification failed"),
            "{err}"
        );
        assert!(named.query("mitm.example.test", "A").is_empty());
    }
}
