//! What the bot sends, checked against Discord's own OpenAPI description
//! (`../shared/discord/openapi.json`, discord/discord-api-spec, MIT): the
//! request body schema of the operation a method and path name, with the
//! two coercions Discord applies that the description types strictly
//! (snowflakes as integers, permission sets as strings of digits; see the
//! README beside it). The fake Discord refuses what fails, as Discord does
//! (50035), and the HTTP endpoint's answers are checked as callbacks.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{json, Value};

/// Bodies checked so far in this test binary.
pub static CHECKED: AtomicUsize = AtomicUsize::new(0);

/// The description, or `None` where `shared/` is not beside the repo (a
/// clone on its own): then nothing is checked, and the test that needs it
/// says so.
pub static SPEC: LazyLock<Option<Spec>> = LazyLock::new(|| {
    let path = crate::crate_path("../shared/discord/openapi.json");
    let text = std::fs::read_to_string(path).ok()?;
    Some(Spec::parse(&text))
});

pub struct Spec {
    /// Path templates split into segments, with their operations.
    paths: Vec<(Vec<String>, Value)>,
    components: Value,
    compiled: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Spec {
    pub fn parse(text: &str) -> Spec {
        let mut doc: Value = serde_json::from_str(text).expect("openapi.json is JSON");
        let mut components = doc["components"].take();
        loosen(&mut components);
        components["schemas"]["SnowflakeType"] = json!({"anyOf": [
            {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
            {"type": "integer", "minimum": 0}
        ]});
        let paths = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .map(|(template, ops)| (segments(template), ops.clone()))
            .collect();
        Spec {
            paths,
            components,
            compiled: Mutex::default(),
        }
    }

    /// Checks a JSON body sent as `method` to `path` (`/api/v10/…` or the
    /// bare route). An operation the description does not have is an error.
    pub fn check(&self, method: &str, path: &str, body: &Value) -> Result<(), String> {
        let path = path.strip_prefix("/api/v10").unwrap_or(path);
        let (template, ops) = self
            .operation(path)
            .ok_or_else(|| format!("no route {path} in Discord's description"))?;
        let op = &ops[method.to_ascii_lowercase()];
        if op.is_null() {
            return Err(format!(
                "no {method} on {template} in Discord's description"
            ));
        }
        CHECKED.fetch_add(1, Ordering::Relaxed);
        // `OPENAPI_CHECKED=FILE cargo test` lists every body checked.
        if let Some(file) = std::env::var_os("OPENAPI_CHECKED") {
            use std::io::Write as _;
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
            {
                let _ = writeln!(f, "{method} {template}");
            }
        }
        let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"].as_object()
        else {
            return if body.is_null() {
                Ok(())
            } else {
                Err(format!("{method} {template} takes no body"))
            };
        };
        let key = format!("{method} {template}");
        let validator = {
            let mut compiled = self.compiled.lock().unwrap();
            compiled
                .entry(key.clone())
                .or_insert_with(|| {
                    let mut root = Value::Object(schema.clone());
                    root["components"] = self.components.clone();
                    Arc::new(
                        jsonschema::options()
                            .with_draft(jsonschema::Draft::Draft202012)
                            .build(&root)
                            .unwrap_or_else(|e| panic!("{key}: {e}")),
                    )
                })
                .clone()
        };
        let errors: Vec<String> = validator
            .iter_errors(body)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{key}: {}", errors.join("; ")))
        }
    }

    /// The template matching `path`, literal segments before parameters
    /// (`/messages/@original` before `/messages/{message_id}`).
    fn operation(&self, path: &str) -> Option<(String, &Value)> {
        let wanted = segments(path);
        self.paths
            .iter()
            .filter(|(t, _)| {
                t.len() == wanted.len()
                    && t.iter()
                        .zip(&wanted)
                        .all(|(t, w)| t.starts_with('{') || t == w)
            })
            .max_by_key(|(t, _)| t.iter().filter(|s| !s.starts_with('{')).count())
            .map(|(t, ops)| (format!("/{}", t.join("/")), ops))
    }
}

fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            // Percent-encoded segments (an emoji) compare as sent.
            s.to_string()
        })
        .collect()
}

/// Permission sets (`*permissions`, integers in the description) may be
/// sent as strings of digits, as Discord's documentation shows them.
fn loosen(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for (name, schema) in props.iter_mut() {
                    if name.ends_with("permissions") {
                        let strict = schema.take();
                        *schema =
                            json!({"anyOf": [strict, {"type": "string", "pattern": "^[0-9]+$"}]});
                    }
                }
            }
            for (_, child) in map.iter_mut() {
                loosen(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(loosen),
        _ => {}
    }
}

/// The check every body in the tests goes through: `Err` with Discord's
/// reasons when the description refuses it; `Ok` without `shared/`.
pub fn check(method: &str, path: &str, body: &Value) -> Result<(), String> {
    match &*SPEC {
        Some(spec) => spec.check(method, path, body),
        None => Ok(()),
    }
}

/// The checker refuses what Discord refuses: a message over its limits, an
/// unknown field type, a route that does not exist.
#[test]
fn the_description_refuses_what_discord_refuses() {
    let Some(spec) = &*SPEC else {
        eprintln!("../shared/discord/openapi.json is not here: skipped");
        return;
    };
    let callback = "/api/v10/interactions/1/tok/callback";
    spec.check(
        "POST",
        callback,
        &json!({"type": 4, "data": {"content": "hi", "flags": 64}}),
    )
    .unwrap();
    let long = "x".repeat(2001);
    assert!(spec
        .check(
            "POST",
            callback,
            &json!({"type": 4, "data": {"content": long}})
        )
        .is_err());
    assert!(spec
        .check(
            "POST",
            callback,
            &json!({"type": 4, "data": {"embeds": [{"title": 5}]}})
        )
        .is_err());
    assert!(spec.check("POST", "/api/v10/nowhere", &json!({})).is_err());
    // The two coercions Discord applies.
    spec.check(
        "PATCH",
        "/api/v10/webhooks/1/tok/messages/@original",
        &json!({"content": "x", "attachments": [{"id": 0, "filename": "a.png"}]}),
    )
    .unwrap();
    spec.check(
        "PUT",
        "/api/v10/applications/1/guilds/2/commands",
        &json!([{"name": "gaps", "description": "d", "default_member_permissions": "8"}]),
    )
    .unwrap();
}
