//! Every HTTP notifier through `dnsup notify-test` against one HTTPS fake whose handler checks
//! each request against the service's own documentation (method, path, auth, body fields,
//! signatures) and answers as the service does. Secrets never reach dnsup's output, even when
//! a service echoes them in an error.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use dnsup::provider::sign::hmac_sha256;

use crate::fake::{Fake, FakeRequest, FakeResponse};
use crate::util::{config_with, notify_test, secret};

fn field<'a>(v: &'a serde_json::Value, k: &str) -> Result<&'a str, String> {
    v[k].as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("JSON field '{k}' must be a non-empty string, got {}", v[k]))
}

fn form_field(r: &FakeRequest, k: &str) -> Result<String, String> {
    if !r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        return Err("a form body needs Content-Type: application/x-www-form-urlencoded".into());
    }
    r.form()
        .into_iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| format!("form field '{k}' is missing"))
}

fn method(r: &FakeRequest, m: &str) -> Result<(), String> {
    if r.method == m {
        Ok(())
    } else {
        Err(format!("{} must be {m}, got {}", r.path, r.method))
    }
}

/// The documented request of each service, by the first path segment the test gave it.
fn check(r: &FakeRequest) -> Result<FakeResponse, String> {
    r.expect_user_agent()?;
    let ok_json = |v| Ok(FakeResponse::json(200, v));
    match r.path.split('/').nth(1).unwrap_or("") {
        // ntfy: POST /<topic>, message in the body, title in a header (docs.ntfy.sh/publish).
        "ntfy" => {
            method(r, "POST")?;
            if r.path != "/ntfy/dnsup-topic" {
                return Err(format!("ntfy topic path: {}", r.path));
            }
            r.expect_header("authorization", "Bearer tk_ntfytoken")?;
            if r.header("title").is_none_or(str::is_empty) || r.body.is_empty() {
                return Err("ntfy needs a Title header and a message body".into());
            }
            ok_json(serde_json::json!({"id": "x", "event": "message"}))
        }
        // Gotify: POST /message, X-Gotify-Key, JSON title/message (gotify.net/api-docs).
        "gotify" => {
            method(r, "POST")?;
            if r.path != "/gotify/message" {
                return Err(format!("gotify path: {}", r.path));
            }
            r.expect_header("x-gotify-key", "AgotifyAppToken")?;
            let v = r.json()?;
            field(&v, "title")?;
            field(&v, "message")?;
            ok_json(serde_json::json!({"id": 1, "appid": 1}))
        }
        // Telegram Bot API: POST /bot<token>/sendMessage, JSON chat_id + text.
        "telegram" => {
            method(r, "POST")?;
            if r.path != "/telegram/bot123456:TELEGRAMsecretTOKEN/sendMessage" {
                return Err(format!("telegram path: {}", r.path));
            }
            let v = r.json()?;
            if v["chat_id"] != "-1001234" {
                return Err(format!("chat_id: {}", v["chat_id"]));
            }
            field(&v, "text")?;
            ok_json(serde_json::json!({"ok": true, "result": {"message_id": 1}}))
        }
        // Discord: POST the webhook URL, JSON content of at most 2000 characters.
        "discord" => {
            method(r, "POST")?;
            let v = r.json()?;
            let c = field(&v, "content")?;
            if c.chars().count() > 2000 {
                return Err("discord content over 2000 characters".into());
            }
            Ok(FakeResponse::empty(204))
        }
        // Slack incoming webhook: POST, JSON text; answers "ok".
        "slack" => {
            method(r, "POST")?;
            field(&r.json()?, "text")?;
            Ok(FakeResponse::text(200, "ok"))
        }
        // Matrix client-server API: PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}.
        "matrix" => {
            method(r, "PUT")?;
            let rest = r
                .path
                .strip_prefix(
                    "/matrix/_matrix/client/v3/rooms/!room:example.org/send/m.room.message/",
                )
                .ok_or_else(|| format!("matrix path: {}", r.path))?;
            if rest.is_empty() {
                return Err("matrix needs a transaction id".into());
            }
            r.expect_header("authorization", "Bearer syt_matrixTOKEN")?;
            let v = r.json()?;
            if v["msgtype"] != "m.text" {
                return Err("msgtype must be m.text".into());
            }
            field(&v, "body")?;
            ok_json(serde_json::json!({"event_id": "$abc"}))
        }
        // Pushover: POST /1/messages.json, form token, user, message.
        "pushover" => {
            method(r, "POST")?;
            if r.path != "/pushover/1/messages.json" {
                return Err(format!("pushover path: {}", r.path));
            }
            if form_field(r, "token")? != "azPushoverAppToken"
                || form_field(r, "user")? != "uPushoverUserKey"
            {
                return Err("pushover token/user".into());
            }
            form_field(r, "message")?;
            ok_json(serde_json::json!({"status": 1, "request": "r"}))
        }
        // Bark API v2: POST /push, JSON device_key, title, body.
        "bark" => {
            method(r, "POST")?;
            if r.path != "/bark/push" {
                return Err(format!("bark path: {}", r.path));
            }
            let v = r.json()?;
            if v["device_key"] != "barkDeviceKey" {
                return Err("bark device_key".into());
            }
            field(&v, "title")?;
            field(&v, "body")?;
            ok_json(serde_json::json!({"code": 200, "message": "success"}))
        }
        // ServerChan Turbo: POST /<SendKey>.send, form title + desp.
        "serverchan" => {
            method(r, "POST")?;
            if r.path != "/serverchan/SCT12345sendkey.send" {
                return Err(format!("serverchan path: {}", r.path));
            }
            form_field(r, "title")?;
            form_field(r, "desp")?;
            ok_json(serde_json::json!({"code": 0, "message": ""}))
        }
        // DingTalk robot: POST /robot/send?access_token=..&timestamp=ms&sign=..,
        // sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)); JSON msgtype text.
        "dingtalk" => {
            method(r, "POST")?;
            if r.path != "/dingtalk/robot/send" || r.param("access_token") != Some("dtAccessToken")
            {
                return Err(format!("dingtalk path/token: {}", r.path));
            }
            let ts = r.param("timestamp").ok_or("dingtalk timestamp")?;
            let want = STANDARD.encode(hmac_sha256(
                b"SECdingSecret",
                format!("{ts}\nSECdingSecret").as_bytes(),
            ));
            if r.param("sign") != Some(want.as_str()) {
                return Err(format!("dingtalk sign {:?} != {want}", r.param("sign")));
            }
            let v = r.json()?;
            if v["msgtype"] != "text" {
                return Err("dingtalk msgtype".into());
            }
            field(&v["text"], "content")?;
            ok_json(serde_json::json!({"errcode": 0, "errmsg": "ok"}))
        }
        // Feishu/Lark custom bot: POST the hook, JSON msg_type text, content.text, and with a
        // secret timestamp (s) + sign = base64(HMAC-SHA256(key = ts + "\n" + secret, "")).
        "feishu" => {
            method(r, "POST")?;
            let v = r.json()?;
            if v["msg_type"] != "text" {
                return Err("feishu msg_type".into());
            }
            field(&v["content"], "text")?;
            let ts = field(&v, "timestamp")?;
            let want = STANDARD.encode(hmac_sha256(format!("{ts}\nfeishuSecret").as_bytes(), b""));
            if field(&v, "sign")? != want {
                return Err("feishu sign".into());
            }
            ok_json(serde_json::json!({"code": 0, "msg": "success", "data": {}}))
        }
        // WeCom group robot: POST /cgi-bin/webhook/send?key=.., JSON msgtype text.
        "wecom" => {
            method(r, "POST")?;
            if r.path != "/wecom/cgi-bin/webhook/send" || r.param("key") != Some("wecom-robot-key")
            {
                return Err(format!("wecom path/key: {}", r.path));
            }
            let v = r.json()?;
            if v["msgtype"] != "text" {
                return Err("wecom msgtype".into());
            }
            field(&v["text"], "content")?;
            ok_json(serde_json::json!({"errcode": 0, "errmsg": "ok"}))
        }
        // dnsup's own webhook schema v1.
        "webhook" => {
            method(r, "POST")?;
            let v = r.json()?;
            if v["version"] != 1 || v["event"] != "test" {
                return Err(format!("webhook schema: {v}"));
            }
            for k in ["time", "title", "message"] {
                field(&v, k)?;
            }
            if !v["old"].is_array() || !v["new"].is_array() || v.get("error").is_none() {
                return Err(format!("webhook schema: {v}"));
            }
            Ok(FakeResponse::empty(204))
        }
        "templated" => {
            method(r, "POST")?;
            let v = r.json()?;
            if v["text"] != "dnsup test: test" {
                return Err(format!("template: {v}"));
            }
            Ok(FakeResponse::empty(200))
        }
        // Healthchecks-style: the success URL on a test.
        "heartbeat" => {
            if r.path != "/heartbeat/ping/uuid-1234" {
                return Err(format!("heartbeat path {}", r.path));
            }
            Ok(FakeResponse::text(200, "OK"))
        }
        other => Err(format!("unexpected path /{other}")),
    }
}

/// Every preset, one notify-test each: delivered, and exactly the documented request.
#[test]
fn every_preset_sends_its_documented_request() {
    let fake = Fake::start(check);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let u = &fake.url;
    let ca = format!("ca_file = \"{}\"", fake.ca_file.display());
    let notify = format!(
        r#"
[notify.ntfy]
type = "ntfy"
endpoint = "{u}/ntfy"
topic = "dnsup-topic"
token = {ntfy}
{ca}

[notify.gotify]
type = "gotify"
endpoint = "{u}/gotify"
token = {gotify}
{ca}

[notify.telegram]
type = "telegram"
endpoint = "{u}/telegram"
token = {telegram}
chat_id = "-1001234"
{ca}

[notify.discord]
type = "discord"
url = {discord}
{ca}

[notify.slack]
type = "slack"
url = {slack}
{ca}

[notify.matrix]
type = "matrix"
endpoint = "{u}/matrix"
room = "!room:example.org"
token = {matrix}
{ca}

[notify.pushover]
type = "pushover"
endpoint = "{u}/pushover"
token = {pushover}
user = {pushover_user}
{ca}

[notify.bark]
type = "bark"
endpoint = "{u}/bark"
token = {bark}
{ca}

[notify.serverchan]
type = "serverchan"
endpoint = "{u}/serverchan"
token = {serverchan}
{ca}

[notify.dingtalk]
type = "dingtalk"
endpoint = "{u}/dingtalk"
token = {dingtalk}
secret = {dingtalk_secret}
{ca}

[notify.feishu]
type = "feishu"
url = {feishu}
secret = {feishu_secret}
{ca}

[notify.wecom]
type = "wecom"
endpoint = "{u}/wecom"
token = {wecom}
{ca}

[notify.webhook]
type = "webhook"
url = "{u}/webhook/in"
{ca}

[notify.templated]
type = "webhook"
url = "{u}/templated"
template = '{{"text": "dnsup test: {{event}}"}}'
{ca}

[notify.heartbeat]
type = "heartbeat"
url = {heartbeat}
{ca}
"#,
        ntfy = secret(d, "ntfy", "tk_ntfytoken"),
        gotify = secret(d, "gotify", "AgotifyAppToken"),
        telegram = secret(d, "telegram", "123456:TELEGRAMsecretTOKEN"),
        discord = secret(
            d,
            "discord",
            &format!("{u}/discord/api/webhooks/1/DISCORDsecret")
        ),
        slack = secret(d, "slack", &format!("{u}/slack/services/T0/B0/SLACKsecret")),
        matrix = secret(d, "matrix", "syt_matrixTOKEN"),
        pushover = secret(d, "pushover", "azPushoverAppToken"),
        pushover_user = secret(d, "pushover_user", "uPushoverUserKey"),
        bark = secret(d, "bark", "barkDeviceKey"),
        serverchan = secret(d, "serverchan", "SCT12345sendkey"),
        dingtalk = secret(d, "dingtalk", "dtAccessToken"),
        dingtalk_secret = secret(d, "dingtalk_secret", "SECdingSecret"),
        feishu = secret(
            d,
            "feishu",
            &format!("{u}/feishu/open-apis/bot/v2/hook/FEISHUhookID")
        ),
        feishu_secret = secret(d, "feishu_secret", "feishuSecret"),
        wecom = secret(d, "wecom", "wecom-robot-key"),
        heartbeat = secret(d, "heartbeat", &format!("{u}/heartbeat/ping/uuid-1234")),
    );
    let config = config_with(d, &notify);
    let names = [
        "ntfy",
        "gotify",
        "telegram",
        "discord",
        "slack",
        "matrix",
        "pushover",
        "bark",
        "serverchan",
        "dingtalk",
        "feishu",
        "wecom",
        "webhook",
        "templated",
        "heartbeat",
    ];
    for name in names {
        fake.clear();
        let out = notify_test(&config, name);
        fake.assert_clean();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            crate::common::describe(&out)
        );
        assert_eq!(fake.requests().len(), 1, "{name}: exactly one request");
    }
}

/// A service that answers an error echoing the token (as some do, with the request path):
/// exit 5, the service's status in the message, the token nowhere.
#[test]
fn an_error_that_echoes_the_token_does_not_show_it() {
    let fake = Fake::start(check);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let notify = format!(
        r#"
[notify.telegram]
type = "telegram"
endpoint = "{u}/telegram"
token = {t}
chat_id = "-1001234"
ca_file = "{ca}"
"#,
        u = fake.url,
        t = secret(d, "telegram", "123456:TELEGRAMsecretTOKEN"),
        ca = fake.ca_file.display()
    );
    let config = config_with(d, &notify);
    fake.inject(FakeResponse::json(
        401,
        serde_json::json!({"ok": false, "description": "Unauthorized: /bot123456:TELEGRAMsecretTOKEN/sendMessage"}),
    ));
    let out = notify_test(&config, "telegram");
    assert_eq!(out.status.code(), Some(5));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("401"), "{all}");
    assert!(!all.contains("TELEGRAMsecretTOKEN"), "token leaked: {all}");
    fake.assert_clean();
}

/// Service-level errors inside a 200 (DingTalk/WeCom errcode) are failures.
#[test]
fn an_errcode_inside_a_200_is_a_failure() {
    let fake = Fake::start(|r| {
        let _ = check(r)?;
        Ok(FakeResponse::json(
            200,
            serde_json::json!({"errcode": 93000, "errmsg": "invalid webhook url"}),
        ))
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let notify = format!(
        "[notify.wecom]\ntype = \"wecom\"\nendpoint = \"{}/wecom\"\ntoken = {}\nca_file = \"{}\"\n",
        fake.url,
        secret(d, "wecom", "wecom-robot-key"),
        fake.ca_file.display()
    );
    let config = config_with(d, &notify);
    let out = notify_test(&config, "wecom");
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("93000"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("wecom-robot-key"));
}

/// Unknown names and bad tables are configuration errors (exit 1) naming what to fix.
#[test]
fn configuration_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(
        dir.path(),
        "[notify.x]\ntype = \"telegram\"\ntopic = \"t\"\n",
    );
    let out = notify_test(&config, "x");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("notify 'x' (type telegram): token is required"),
        "{err}"
    );
    let config = config_with(dir.path(), "");
    let out = notify_test(&config, "nope");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no [notify.nope]"));
}

/// check-config loads notifier secrets as `run` would, and names the notifiers and endpoint.
#[test]
fn check_config_checks_notifiers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |config: &std::path::Path| {
        std::process::Command::new(crate::common::dnsup_bin())
            .args(["check-config", "--config"])
            .arg(config)
            .output()
            .unwrap()
    };
    let missing = d.join("missing.token");
    let config = config_with(
        d,
        &format!(
            "[notify.g]\ntype = \"gotify\"\nendpoint = \"https://push.example.net\"\ntoken = {{ file = \"{}\" }}\n",
            missing.display()
        ),
    );
    let out = run(&config);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        crate::common::describe(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("notify 'g': token"),
        "{}",
        crate::common::describe(&out)
    );
    let config = config_with(
        d,
        &format!(
            "[notify.g]\ntype = \"gotify\"\nendpoint = \"https://push.example.net\"\ntoken = {}\n",
            secret(d, "tok", "AgotifyAppToken")
        ),
    );
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("listen = \"127.0.0.1:9753\"\n{text}")).unwrap();
    let out = run(&config);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::describe(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("notifiers: g; HTTP endpoint: 127.0.0.1:9753"),
        "{}",
        crate::common::describe(&out)
    );
}
