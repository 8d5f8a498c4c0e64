//! Transport behaviour against tiny loopback peers (the real-server tests live in tests/).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

use super::*;

fn config() -> Config {
    Config {
        udp_interval: Duration::from_millis(200),
        udp_retries: 1,
        timeout: Duration::from_secs(2),
        ..Config::default()
    }
}

/// Accepts a message whose first two bytes are 0xAB 0xCD; byte 2 bit 1 is TC.
fn accept(msg: &[u8]) -> Verdict<(Vec<u8>, bool)> {
    if msg.len() >= 3 && msg[..2] == [0xab, 0xcd] {
        Verdict::Accept((msg.to_vec(), msg[2] & 0x02 != 0))
    } else {
        Verdict::Ignore(format!("{} bytes that are not the answer", msg.len()))
    }
}

async fn udp_peer(replies: Vec<Vec<u8>>) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 600];
        let (_, from) = socket.recv_from(&mut buf).await.unwrap();
        for r in replies {
            socket.send_to(&r, from).await.unwrap();
        }
    });
    addr
}

#[tokio::test]
async fn stray_and_garbled_datagrams_are_ignored() {
    let server = udp_peer(vec![vec![1], vec![0x12, 0x34, 0], vec![0xab, 0xcd, 0]]).await;
    let got = exchange(&[server], b"q", &config(), accept).await.unwrap();
    assert_eq!(got.value, vec![0xab, 0xcd, 0]);
    assert!(!got.tcp);
}

#[tokio::test]
async fn truncated_answer_is_asked_again_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let udp = UdpSocket::bind(addr).await.unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 600];
        let (_, from) = udp.recv_from(&mut buf).await.unwrap();
        udp.send_to(&[0xab, 0xcd, 0x02], from).await.unwrap();
    });
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut len = [0u8; 2];
        s.read_exact(&mut len).await.unwrap();
        let mut req = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut req).await.unwrap();
        // A forged message first, then the answer, in one write.
        s.write_all(&[0, 1, 0xff, 0, 3, 0xab, 0xcd, 0])
            .await
            .unwrap();
    });
    let got = exchange(&[addr], b"q", &config(), accept).await.unwrap();
    assert!(got.tcp);
    assert_eq!(got.value, vec![0xab, 0xcd, 0]);
}

#[tokio::test]
async fn silent_server_fails_over_to_the_next() {
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let good = udp_peer(vec![vec![0xab, 0xcd, 0]]).await;
    let got = exchange(&[silent_addr, good], b"q", &config(), accept)
        .await
        .unwrap();
    assert_eq!(got.server, good);
    drop(silent);
}

#[tokio::test]
async fn only_rejected_answers_are_reported_as_such() {
    let server = udp_peer(vec![vec![0x12, 0x34, 0]]).await;
    let err = exchange(&[server], b"q", &config(), accept)
        .await
        .unwrap_err();
    assert!(err.only_rejected(), "{err}");
    assert!(err.to_string().contains("not the answer"), "{err}");
}

#[tokio::test]
async fn tcp_closed_mid_message_is_a_clean_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 16];
        let _ = s.read(&mut buf).await;
        s.write_all(&[0, 40, 0xab]).await.unwrap();
    });
    let cfg = Config {
        tcp: true,
        ..config()
    };
    let err = exchange(&[addr], b"q", &cfg, accept).await.unwrap_err();
    assert_eq!(err.0, vec![(addr, Failure::Closed)]);
}

#[tokio::test]
async fn large_requests_go_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut len = [0u8; 2];
        s.read_exact(&mut len).await.unwrap();
        assert_eq!(u16::from_be_bytes(len), 600);
        let mut req = vec![0u8; 600];
        s.read_exact(&mut req).await.unwrap();
        s.write_all(&[0, 3, 0xab, 0xcd, 0]).await.unwrap();
    });
    let got = exchange(&[addr], &[0u8; 600], &config(), accept)
        .await
        .unwrap();
    assert!(got.tcp);
}

#[tokio::test]
async fn ipv6_servers_work() {
    let Ok(socket) = UdpSocket::bind("[::1]:0").await else {
        panic!("this machine has no ::1; the IPv6 transport test needs a loopback IPv6 address");
    };
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = [0u8; 600];
        let (_, from) = socket.recv_from(&mut buf).await.unwrap();
        socket.send_to(&[0xab, 0xcd, 0], from).await.unwrap();
    });
    let got = exchange(&[addr], b"q", &config(), accept).await.unwrap();
    assert_eq!(got.server, addr);
}

#[tokio::test]
async fn the_chosen_source_address_is_used() {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let seen = tokio::spawn(async move {
        let mut buf = [0u8; 600];
        let (_, from) = socket.recv_from(&mut buf).await.unwrap();
        socket.send_to(&[0xab, 0xcd, 0], from).await.unwrap();
        from
    });
    let cfg = Config {
        local: Some("127.0.0.2:0".parse().unwrap()),
        ..config()
    };
    exchange(&[addr], b"q", &cfg, accept).await.unwrap();
    assert_eq!(seen.await.unwrap().ip().to_string(), "127.0.0.2");
}

#[tokio::test]
async fn kept_udp_socket_serves_the_next_send() {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut buf = [0u8; 600];
        let mut sources = Vec::new();
        for _ in 0..3 {
            let (_, from) = socket.recv_from(&mut buf).await.unwrap();
            sources.push(from);
            socket.send_to(&[0xab, 0xcd, 0], from).await.unwrap();
        }
        let _ = tx.send(sources);
    });
    let cfg = Config {
        reuse: Some(Arc::default()),
        ..config()
    };
    for _ in 0..3 {
        exchange(&[addr], b"q", &cfg, accept).await.unwrap();
    }
    let sources = rx.await.unwrap();
    assert!(sources.iter().all(|s| *s == sources[0]), "{sources:?}");
}

#[tokio::test]
async fn kept_tcp_connection_serves_the_next_send_and_is_replaced_once_closed() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut accepted = 0;
        // First connection: two requests answered, then closed while idle (as a server's
        // idle timeout does). Second connection: one request answered.
        for answers in [2, 1] {
            let (mut s, _) = listener.accept().await.unwrap();
            accepted += 1;
            for _ in 0..answers {
                let mut buf = [0u8; 3];
                s.read_exact(&mut buf).await.unwrap();
                s.write_all(&[0, 3, 0xab, 0xcd, 0]).await.unwrap();
            }
            drop(s);
        }
        let _ = tx.send(accepted);
    });
    let cfg = Config {
        tcp: true,
        reuse: Some(Arc::default()),
        ..config()
    };
    for _ in 0..2 {
        let got = exchange(&[addr], b"q", &cfg, accept).await.unwrap();
        assert_eq!(got.sends, 1);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    // The kept connection is closed now: sent again on a new one, counted once.
    let got = exchange(&[addr], b"q", &cfg, accept).await.unwrap();
    assert_eq!(got.sends, 1);
    assert_eq!(rx.await.unwrap(), 2);
}
