//! The request each HTTP notifier sends for an event, and how each service says "done".
//! Pure: secrets, settings, the event and the time in; a request out. Every shape follows the
//! service's own documentation (links in README "Notifications"):
//!
//! | type       | request                                                                 |
//! |------------|-------------------------------------------------------------------------|
//! | webhook    | `POST url`, the event JSON (schema v1) or the rendered `template`       |
//! | ntfy       | `POST {endpoint}/{topic}`, text body, `Title`/`Tags`/`Priority` headers, `Authorization: Bearer` |
//! | gotify     | `POST {endpoint}/message`, `X-Gotify-Key`, JSON `title`/`message`/`priority` |
//! | telegram   | `POST {endpoint}/bot{token}/sendMessage`, JSON `chat_id`/`text`         |
//! | discord    | `POST url` (the channel webhook), JSON `content` (at most 2000 chars)   |
//! | slack      | `POST url` (incoming webhook), JSON `text`                              |
//! | matrix     | `PUT {endpoint}/_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}`, Bearer, JSON `msgtype`/`body` |
//! | pushover   | `POST {endpoint}/1/messages.json`, form `token`/`user`/`title`/`message` |
//! | bark       | `POST {endpoint}/push`, JSON `device_key`/`title`/`body`/`group`        |
//! | serverchan | `POST {endpoint}/{sendkey}.send`, form `title`/`desp`                   |
//! | dingtalk   | `POST {endpoint}/robot/send?access_token=..[&timestamp=&sign=]`, JSON `msgtype=text` |
//! | feishu     | `POST url` (custom bot hook), JSON `msg_type=text`, `content.text`[, `timestamp`, `sign`] |
//! | wecom      | `POST {endpoint}/cgi-bin/webhook/send?key=..`, JSON `msgtype=text`      |
//! | heartbeat  | `GET url` after a good pass, `GET fail_url` after a bad one, `GET start_url` at start |

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;

use super::config::{Kind, check_url};
use super::event::{Event, EventKind};
use crate::provider::Secret;
use crate::provider::http::Request;
use crate::provider::sign::{encode_query, hmac_sha256};

/// A notifier's settings with its secrets loaded.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The type.
    pub kind: Kind,
    /// Base URL override.
    pub endpoint: Option<String>,
    /// The URL (a secret when the configuration referenced it).
    pub url: Option<Secret>,
    /// The token.
    pub token: Option<Secret>,
    /// The signing secret.
    pub secret: Option<Secret>,
    /// Pushover user key.
    pub user: Option<Secret>,
    /// ntfy topic.
    pub topic: Option<String>,
    /// Telegram chat.
    pub chat_id: Option<String>,
    /// Matrix room.
    pub room: Option<String>,
    /// Priority.
    pub priority: Option<i8>,
    /// Webhook template.
    pub template: Option<String>,
    /// Webhook content type.
    pub content_type: Option<String>,
    /// Webhook headers.
    pub headers: BTreeMap<String, String>,
    /// Heartbeat start URL.
    pub start_url: Option<Secret>,
    /// Heartbeat fail URL.
    pub fail_url: Option<Secret>,
}

fn need<'a>(v: &'a Option<Secret>, what: &str) -> Result<&'a str, String> {
    v.as_ref()
        .map(Secret::expose)
        .ok_or_else(|| format!("{what} is not set"))
}

fn url(text: &str) -> Result<reqwest::Url, String> {
    // The text may be a secret: say what is wrong without repeating it.
    check_url(text).map_err(|_| {
        "the URL is not a valid https URL (plain http only to a loopback address)".to_string()
    })
}

fn base(r: &Resolved, default: &str, path: &str) -> Result<reqwest::Url, String> {
    let b = r.endpoint.as_deref().unwrap_or(default);
    check_url(&format!(
        "{}/{}",
        b.trim_end_matches('/'),
        path.trim_start_matches('/')
    ))
    .map_err(|e| format!("endpoint: {e}"))
}

/// `title` newline `message`, the text of chat presets.
fn text(e: &Event) -> String {
    format!("{}\n{}", e.title(), e.message())
}

/// At most `max` characters.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An `application/x-www-form-urlencoded` body (RFC 3986 escapes, which form decoders accept).
fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    encode_query(&owned).into_bytes()
}

/// The request `r` sends for `e`. `now_ms` is the wall clock in milliseconds (signatures);
/// `txn` is a number unique per delivery (Matrix transaction ids).
pub fn request(r: &Resolved, e: &Event, now_ms: u64, txn: u64) -> Result<Request, String> {
    let post = |u: reqwest::Url| Request::new(Method::POST, u);
    let req = match r.kind {
        Kind::Webhook => {
            let u = url(need(&r.url, "url")?)?;
            let ctype = r
                .content_type
                .clone()
                .unwrap_or_else(|| "application/json".into());
            let body = match &r.template {
                Some(t) => render(t, e, ctype.contains("json")),
                None => e.to_json().to_string(),
            };
            let mut req = post(u).header("content-type", ctype);
            for (k, v) in &r.headers {
                req = req.header(k, v.clone());
            }
            req.body = body.into_bytes();
            req
        }
        Kind::Ntfy => {
            let topic = r.topic.as_deref().unwrap_or_default();
            let mut u = base(r, "https://ntfy.sh", "")?;
            u.path_segments_mut()
                .map_err(|()| "endpoint cannot hold a path".to_string())?
                .pop_if_empty()
                .push(topic);
            let mut req = post(u)
                .header("title", e.title())
                .header("tags", e.kind.as_str())
                .header("content-type", "text/plain; charset=utf-8");
            if let Some(p) = r.priority {
                req = req.header("priority", p.to_string());
            } else if e.kind.is_problem() {
                req = req.header("priority", "4");
            }
            if let Some(t) = &r.token {
                req = req.bearer(t);
            }
            req.body = e.message().into_bytes();
            req
        }
        Kind::Gotify => {
            let mut body = serde_json::json!({"title": e.title(), "message": e.message()});
            if let Some(p) = r.priority {
                body["priority"] = p.into();
            }
            post(base(r, "", "message")?)
                .header("x-gotify-key", need(&r.token, "token")?)
                .json(&body)
        }
        Kind::Telegram => {
            let token = need(&r.token, "token")?;
            let mut u = base(r, "https://api.telegram.org", "")?;
            u.path_segments_mut()
                .map_err(|()| "endpoint cannot hold a path".to_string())?
                .pop_if_empty()
                .push(&format!("bot{token}"))
                .push("sendMessage");
            post(u).json(&serde_json::json!({
                "chat_id": r.chat_id.as_deref().unwrap_or_default(),
                "text": clip(&text(e), 4096),
            }))
        }
        Kind::Discord => post(url(need(&r.url, "url")?)?).json(&serde_json::json!({
            "content": clip(&format!("**{}**\n{}", e.title(), e.message()), 2000),
        })),
        Kind::Slack => post(url(need(&r.url, "url")?)?).json(&serde_json::json!({
            "text": format!("*{}*\n{}", e.title(), e.message()),
        })),
        Kind::Matrix => {
            let mut u = base(r, "", "")?;
            u.path_segments_mut()
                .map_err(|()| "endpoint cannot hold a path".to_string())?
                .pop_if_empty()
                .extend([
                    "_matrix",
                    "client",
                    "v3",
                    "rooms",
                    r.room.as_deref().unwrap_or_default(),
                    "send",
                    "m.room.message",
                    &format!("dnsup-{now_ms}-{txn}"),
                ]);
            Request::new(Method::PUT, u)
                .bearer(r.token.as_ref().ok_or("token is not set")?)
                .json(&serde_json::json!({"msgtype": "m.text", "body": text(e)}))
        }
        Kind::Pushover => {
            let prio = r.priority.map(|p| p.to_string());
            let title = e.title();
            let message = clip(&e.message(), 1024);
            let mut pairs = vec![
                ("token", need(&r.token, "token")?),
                ("user", need(&r.user, "user")?),
                ("title", title.as_str()),
                ("message", message.as_str()),
            ];
            if let Some(p) = &prio {
                pairs.push(("priority", p));
            }
            let mut req = post(base(r, "https://api.pushover.net", "1/messages.json")?)
                .header("content-type", "application/x-www-form-urlencoded");
            req.body = form(&pairs);
            req
        }
        Kind::Bark => post(base(r, "https://api.day.app", "push")?).json(&serde_json::json!({
            "device_key": need(&r.token, "token")?,
            "title": e.title(),
            "body": e.message(),
            "group": "dnsup",
        })),
        Kind::Serverchan => {
            let key = need(&r.token, "token")?;
            let mut u = base(r, "https://sctapi.ftqq.com", "")?;
            u.path_segments_mut()
                .map_err(|()| "endpoint cannot hold a path".to_string())?
                .pop_if_empty()
                .push(&format!("{key}.send"));
            let mut req = post(u).header("content-type", "application/x-www-form-urlencoded");
            req.body = form(&[("title", &clip(&e.title(), 32)), ("desp", &e.message())]);
            req
        }
        Kind::Dingtalk => {
            let mut u = base(r, "https://oapi.dingtalk.com", "robot/send")?;
            {
                let mut q = u.query_pairs_mut();
                q.append_pair("access_token", need(&r.token, "token")?);
                if let Some(s) = &r.secret {
                    // timestamp (ms) "\n" secret, HMAC-SHA256 keyed with the secret, base64.
                    let ts = now_ms.to_string();
                    let mac = hmac_sha256(
                        s.expose().as_bytes(),
                        format!("{ts}\n{}", s.expose()).as_bytes(),
                    );
                    q.append_pair("timestamp", &ts);
                    q.append_pair("sign", &STANDARD.encode(mac));
                }
            }
            post(u).json(&serde_json::json!({
                "msgtype": "text",
                "text": {"content": text(e)},
            }))
        }
        Kind::Feishu => {
            let mut body = serde_json::json!({
                "msg_type": "text",
                "content": {"text": text(e)},
            });
            if let Some(s) = &r.secret {
                // timestamp (s) "\n" secret is the HMAC-SHA256 key of an empty message.
                let ts = (now_ms / 1_000).to_string();
                let mac = hmac_sha256(format!("{ts}\n{}", s.expose()).as_bytes(), b"");
                body["timestamp"] = ts.into();
                body["sign"] = STANDARD.encode(mac).into();
            }
            post(url(need(&r.url, "url")?)?).json(&body)
        }
        Kind::Wecom => {
            let mut u = base(r, "https://qyapi.weixin.qq.com", "cgi-bin/webhook/send")?;
            u.query_pairs_mut()
                .append_pair("key", need(&r.token, "token")?);
            post(u).json(&serde_json::json!({
                "msgtype": "text",
                "text": {"content": clip(&text(e), 680)},
            }))
        }
        Kind::Heartbeat => {
            let which = match e.kind {
                EventKind::Started => r.start_url.as_ref(),
                EventKind::Pass if e.error.is_some() => r.fail_url.as_ref(),
                EventKind::Pass | EventKind::Test => r.url.as_ref(),
                _ => None,
            };
            let Some(which) = which else {
                return Err("no URL for this event".into());
            };
            Request::new(Method::GET, url(which.expose())?)
        }
        Kind::Email | Kind::Exec => return Err("not an HTTP notifier".into()),
    };
    Ok(req)
}

/// The webhook body template with its placeholders filled; values JSON-escaped when the body
/// is JSON (so a quote in an error message cannot break the document).
pub fn render(template: &str, e: &Event, json: bool) -> String {
    let esc = |s: String| -> String {
        if json {
            let q = serde_json::Value::String(s).to_string();
            q[1..q.len() - 1].to_string()
        } else {
            s
        }
    };
    let values: [(&str, String); 11] = [
        ("{event}", esc(e.kind.as_str().into())),
        ("{record}", esc(e.record.clone())),
        ("{type}", esc(e.rtype.clone())),
        ("{provider}", esc(e.provider.clone())),
        ("{old}", esc(e.old_text())),
        ("{new}", esc(e.new_text())),
        ("{error}", esc(e.error.clone().unwrap_or_default())),
        ("{time}", esc(super::event::rfc3339(e.time))),
        ("{title}", esc(e.title())),
        ("{message}", esc(e.message())),
        ("{json}", e.to_json().to_string()),
    ];
    // One left-to-right scan, so a value that contains "{record}" is not expanded again.
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    'scan: while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        for (k, v) in &values {
            if let Some(after) = rest.strip_prefix(k) {
                out.push_str(v);
                rest = after;
                continue 'scan;
            }
        }
        out.push('{');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// Whether a 2xx answer from the service means it took the message (some answer 200 with an
/// error code in the body). `body` is at most a few KiB.
pub fn accepted(kind: Kind, body: &[u8]) -> Result<(), String> {
    let json = || serde_json::from_slice::<serde_json::Value>(body).ok();
    let field = |v: &serde_json::Value, k: &str| v.get(k).cloned();
    match kind {
        Kind::Telegram => match json() {
            Some(v) if v["ok"] == true => Ok(()),
            Some(v) => Err(format!(
                "Telegram: {}",
                v["description"].as_str().unwrap_or("ok is not true")
            )),
            None => Err("Telegram: the answer is not JSON".into()),
        },
        Kind::Dingtalk | Kind::Wecom => match json() {
            Some(v) if field(&v, "errcode").is_none_or(|c| c == 0) => Ok(()),
            Some(v) => Err(format!(
                "errcode {}: {}",
                v["errcode"],
                v["errmsg"].as_str().unwrap_or("")
            )),
            None => Err("the answer is not JSON".into()),
        },
        Kind::Feishu => match json() {
            Some(v)
                if field(&v, "code")
                    .or(field(&v, "StatusCode"))
                    .is_none_or(|c| c == 0) =>
            {
                Ok(())
            }
            Some(v) => Err(format!(
                "code {}: {}",
                v.get("code").unwrap_or(&serde_json::Value::Null),
                v["msg"].as_str().unwrap_or("")
            )),
            None => Err("the answer is not JSON".into()),
        },
        Kind::Serverchan => match json() {
            Some(v) if field(&v, "code").is_none_or(|c| c == 0) => Ok(()),
            Some(v) => Err(format!(
                "code {}: {}",
                v["code"],
                v["message"].as_str().unwrap_or("")
            )),
            None => Ok(()),
        },
        Kind::Pushover => match json() {
            Some(v) if v["status"] == 1 => Ok(()),
            Some(v) => Err(format!("Pushover: {}", v["errors"])),
            None => Err("Pushover: the answer is not JSON".into()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolved(kind: Kind) -> Resolved {
        Resolved {
            kind,
            endpoint: Some("https://h.test".into()),
            url: Some(Secret::new("https://h.test/hook/SECRET")),
            token: Some(Secret::new("TOK")),
            secret: None,
            user: Some(Secret::new("USR")),
            topic: Some("t".into()),
            chat_id: Some("42".into()),
            room: Some("!r:h.test".into()),
            priority: None,
            template: None,
            content_type: None,
            headers: BTreeMap::new(),
            start_url: None,
            fail_url: None,
        }
    }

    fn ev() -> Event {
        let mut e = Event::daemon(EventKind::Updated, 1_796_210_184);
        e.record = "a.example.".into();
        e.rtype = "A".into();
        e.old = vec!["192.0.2.1".parse().unwrap()];
        e.new = vec!["192.0.2.2".parse().unwrap()];
        e
    }

    #[test]
    fn dingtalk_signature_matches_the_documented_algorithm() {
        let mut r = resolved(Kind::Dingtalk);
        r.secret = Some(Secret::new("SECxyz"));
        let req = request(&r, &ev(), 1_700_000_000_000, 1).unwrap();
        let q: BTreeMap<_, _> = req.url.query_pairs().into_owned().collect();
        assert_eq!(q["timestamp"], "1700000000000");
        let mac = hmac_sha256(b"SECxyz", b"1700000000000\nSECxyz");
        assert_eq!(q["sign"], STANDARD.encode(mac));
    }

    #[test]
    fn template_escapes_json_and_does_not_reexpand() {
        let mut e = ev();
        e.error = Some("say \"{record}\"".into());
        let out = render("{\"e\":\"{error}\",\"r\":\"{record}\"}", &e, true);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["e"], "say \"{record}\"");
        assert_eq!(v["r"], "a.example.");
    }

    #[test]
    fn matrix_room_is_one_path_segment() {
        let req = request(&resolved(Kind::Matrix), &ev(), 5, 7).unwrap();
        assert_eq!(req.method, Method::PUT);
        assert_eq!(
            req.url.path(),
            "/_matrix/client/v3/rooms/!r:h.test/send/m.room.message/dnsup-5-7"
        );
    }

    #[test]
    fn hostile_answers_and_templates_do_not_panic() {
        let junk: [&[u8]; 7] = [
            b"",
            b"\xff\xfe",
            b"[]",
            b"{\"errcode\":\"x\"}",
            b"{\"ok\":null}",
            b"{\"code\":1e999}",
            &[b'['; 4096],
        ];
        for kind in [
            Kind::Telegram,
            Kind::Dingtalk,
            Kind::Wecom,
            Kind::Feishu,
            Kind::Serverchan,
            Kind::Pushover,
            Kind::Webhook,
        ] {
            for body in junk {
                let _ = accepted(kind, body);
            }
        }
        for t in [
            "{",
            "{{",
            "}",
            "{unknown}",
            "{record",
            "\u{e9}{type}\u{1f600}",
            "",
        ] {
            let _ = render(t, &ev(), true);
            let _ = render(t, &ev(), false);
        }
        assert_eq!(render("{record", &ev(), false), "{record");
        assert_eq!(render("x{type}y", &ev(), false), "xAy");
    }

    #[test]
    fn answers_with_error_codes_are_failures() {
        assert!(accepted(Kind::Wecom, br#"{"errcode":93000,"errmsg":"invalid"}"#).is_err());
        assert!(accepted(Kind::Wecom, br#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(accepted(Kind::Telegram, br#"{"ok":false,"description":"x"}"#).is_err());
        assert!(accepted(Kind::Feishu, br#"{"code":19021,"msg":"sign match fail"}"#).is_err());
    }
}
