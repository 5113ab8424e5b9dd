//! Encodes one request body: the channel's array of events plus the batch fields every body carries.
use crate::json;

pub const SDK_NAME: &str = "sightline";
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `{"errors":[...],"sdk":{...},"sessionId":"...","sentAt":"...","dropped":N}`; `dropped` only when non-zero.
pub fn encode(channel: &str, items: &[String], session_id: &str, sent_at_ms: u64, dropped: u32) -> String {
    let mut out = String::with_capacity(items.iter().map(|i| i.len() + 1).sum::<usize>() + 160);
    out.push_str("{\"");
    out.push_str(channel);
    out.push_str("\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push_str("],\"sdk\":{\"name\":\"");
    out.push_str(SDK_NAME);
    out.push_str("\",\"version\":\"");
    out.push_str(SDK_VERSION);
    out.push_str("\"}");
    json::field_str(&mut out, "sessionId", session_id);
    json::key(&mut out, "sentAt");
    out.push('"');
    json::iso_time(&mut out, sent_at_ms);
    out.push('"');
    if dropped > 0 {
        json::field_u64(&mut out, "dropped", u64::from(dropped));
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        let body = encode("errors", &["{\"a\":1}".into(), "{\"b\":2}".into()], "s1", 0, 0);
        assert_eq!(
            body,
            format!("{{\"errors\":[{{\"a\":1}},{{\"b\":2}}],\"sdk\":{{\"name\":\"sightline\",\"version\":\"{SDK_VERSION}\"}},\"sessionId\":\"s1\",\"sentAt\":\"1970-01-01T00:00:00.000Z\"}}")
        );
        let with_drops = encode("metrics", &[], "s\"2", 1000, 7);
        assert!(with_drops.starts_with("{\"metrics\":[],"));
        assert!(with_drops.ends_with("\"sessionId\":\"s\\\"2\",\"sentAt\":\"1970-01-01T00:00:01.000Z\",\"dropped\":7}"));
    }
}
