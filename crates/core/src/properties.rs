//! Property tests (proptest): the stack parser, the URL and text scrubbers, the config reader and
//! the encoders, fed generated input, some of it shaped like their real input. None may panic;
//! encoder output must parse back as the same data.
use proptest::prelude::*;

use crate::config::{schema_keys, Config, Val};
use crate::encode::{native, Page};
use crate::event::{Body, Error, Http, Span};
use crate::{privacy, stack, testing};

/// Text built from the pieces stack strings, URLs and secrets are made of, and any characters.
fn shaped() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("    at ".to_string()),
        Just("@".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(":".to_string()),
        Just("\n".to_string()),
        Just("\"".to_string()),
        Just("async ".to_string()),
        Just("eval at ".to_string()),
        Just(" line 3 > eval".to_string()),
        Just("address at ".to_string()),
        Just("wasm-function[2]:0x1f".to_string()),
        Just("https://a.example/app.js".to_string()),
        Just("safari-extension:".to_string()),
        Just("[native code]".to_string()),
        Just("?token=".to_string()),
        Just("&pass%77ord=".to_string()),
        Just("jo@example.com".to_string()),
        Just("jo%40example.com".to_string()),
        Just("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl".to_string()),
        Just("4111 1111 1111 1111".to_string()),
        Just("%".to_string()),
        "[0-9]{1,12}",
        "[a-zA-Z_$.<>]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop_oneof![prop::collection::vec(piece, 0..40).prop_map(|v| v.concat()), any::<String>()]
}

/// Text of words (anything but spaces) with spaces, newlines or slashes between them, as real
/// messages and URLs separate a secret from what is around it.
fn words() -> impl Strategy<Value = String> {
    prop::collection::vec((shaped().prop_map(|w| w.replace([' ', '\n', '/'], "")), prop::sample::select(vec![" ", "\n", "/", ", "])), 0..12)
        .prop_map(|v| v.into_iter().map(|(w, sep)| w + sep).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn the_stack_parser_takes_anything(s in shaped(), max in 0usize..60) {
        let frames = stack::parse(&s, max);
        prop_assert!(frames.len() <= max);
        for f in &frames {
            prop_assert!(f.function.chars().count() <= stack::MAX_FIELD + 1 && f.file.chars().count() <= stack::MAX_FIELD + 1);
            prop_assert!(!f.function.is_empty());
        }
        // a frame's parts are found in its line, as they are: the scrubbers rewrite lines by them
        let v8 = stack::is_v8(&s);
        for line in s.split('\n') {
            if let Some(p) = stack::parts(line, v8) {
                prop_assert!(line.contains(p.function) && line.contains(p.file), "{line:?} {p:?}");
            }
        }
    }

    #[test]
    fn masking_takes_anything(s in shaped()) {
        let _ = privacy::mask(&s);
        let _ = privacy::scrub_url(&s, &["custom".to_string()]);
    }

    #[test]
    fn masking_leaves_nothing_to_mask(s in words()) {
        if let Some(m) = privacy::mask(&s) {
            prop_assert_eq!(privacy::mask(&m), None, "masked once: {:?}", m);
        }
    }

    #[test]
    fn secrets_never_pass(before in "[a-zA-Z0-9 .,:/@?=&%+-]{0,40}", after in "[a-zA-Z0-9 .,:/@?=&%+-]{0,40}", secret in prop::sample::select(vec!["jo.doe@example.com", "jo%40example.com", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "4111 1111 1111 1111", "5500-0000-0000-0004"])) {
        let text = format!("{before} {secret} {after}");
        let masked = privacy::masked(text.clone());
        prop_assert!(!masked.contains(secret), "{text:?} -> {masked:?}");
        let url = privacy::scrub_url(&format!("https://a.example/{}/x?q={}", secret.replace(' ', "%20"), secret.replace(' ', "+")), &[]);
        prop_assert!(!url.contains(&secret.replace(' ', "%20")) && !url.contains(&secret.replace(' ', "+")), "{url}");
    }

    #[test]
    fn secret_parameters_never_pass(name in prop::sample::select(vec!["token", "access_token", "Password", "pass%77ord", "apiKey", "sig", "custom_id", "X-Auth"]), value in "[A-Z]{12}", path in "[a-z/]{0,12}") {
        let url = format!("https://a.example/{path}?q=1&{name}={value}#frag");
        let clean = privacy::scrub_url(&url, &["custom".to_string()]);
        prop_assert!(!clean.contains(&value), "{url} -> {clean}");
    }

    #[test]
    fn the_config_reader_takes_any_entries(entries in prop::collection::vec((prop::sample::select(schema_keys()).prop_map(String::from), prop_oneof![
        Just(Val::Null),
        any::<bool>().prop_map(Val::Bool),
        any::<f64>().prop_map(Val::Num),
        (-10.0f64..100_000.0).prop_map(Val::Num),
        shaped().prop_map(Val::Str),
        prop::collection::vec(shaped().prop_map(Val::Str), 0..4).prop_map(Val::Arr),
        Just(Val::Obj),
        Just(Val::Func(0)),
        Just(Val::Regex(0)),
        Just(Val::Other),
    ]), 0..12)) {
        // Ok or a message naming the key: never a panic
        if let Err(m) = Config::from_entries(Some(&entries)) {
            prop_assert!(m.starts_with("sightline: "), "{m}");
        }
    }

    #[test]
    fn the_native_encoder_round_trips(message in shaped(), stack_text in shaped(), name in shaped(), method in shaped(), url in shaped(), tag in shaped(), user in shaped()) {
        let mut ev = testing::ev(Body::Error(Box::new(Error { kind: "manual", name: name.clone(), message: message.clone(), stack: Some(stack_text.clone()), level: "error", count: 1, http: Some(Http { method: method.clone(), url: url.clone(), ..Http::default() }), ..Error::default() })));
        ev.scope = std::rc::Rc::new(crate::event::Scope { user: Some(user.clone()), tags: vec![(tag.clone(), tag.clone())] });
        let mut out = String::new();
        native::item(&mut out, &ev, &Page { user_agent: user.clone(), ..Page::default() });
        let v: serde_json::Value = serde_json::from_str(&out).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
        // an empty text may be left out
        let text = |k: &serde_json::Value| k.as_str().unwrap_or("").to_string();
        prop_assert_eq!(text(&v["message"]), message);
        prop_assert_eq!(text(&v["stack"]), stack_text);
        prop_assert_eq!(text(&v["method"]), method.clone());
        prop_assert_eq!(text(&v["userId"]), user);
        prop_assert_eq!(text(&v["tags"][tag.as_str()]), tag);
        let span = testing::ev(Body::Span(Box::new(Span { method: method.clone(), url: url.clone(), trace_id: "a".repeat(32), span_id: "b".repeat(16), status: 200, outcome: crate::event::Outcome::Load, start: 1.0, duration: 2.0, size: -1.0 })));
        let mut out = String::new();
        native::item(&mut out, &span, &Page::default());
        let v: serde_json::Value = serde_json::from_str(&out).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
        prop_assert_eq!(text(&v["data"]["name"]), format!("HTTP {method}"));
        prop_assert_eq!(text(&v["data"]["attributes"]["url.full"]), url);
    }
}

#[cfg(feature = "otlp")]
proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn otlp_exports_parse_by_the_protobuf_definitions(message in shaped(), method in shaped(), service in "[ -~]{0,20}") {
        use crate::config::Channel;
        use crate::encode::otlp;
        let ev = testing::ev(Body::Error(Box::new(Error { kind: "manual", name: "Error".into(), message: message.clone(), level: "error", count: 1, http: Some(Http { method: method.clone(), url: "https://a/x".into(), ..Http::default() }), ..Error::default() })));
        let resource = otlp::resource(&Page::default(), Some(&service), "i");
        let mut out = String::new();
        otlp::head(&mut out, Channel::Errors, &resource, 1, 0);
        otlp::item(&mut out, &ev, Channel::Errors);
        out.push_str(otlp::TAIL);
        let req: opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest = serde_json::from_str(&out).map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
        let record = &req.resource_logs[0].scope_logs[0].log_records[0];
        let body = serde_json::to_value(record.body.as_ref().unwrap()).unwrap();
        prop_assert!(body.to_string().contains(&serde_json::Value::String(message.clone()).to_string()), "{body} lacks {message:?}");
    }
}
