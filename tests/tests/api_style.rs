//! The suite's one API style (ARCHITECTURE.md "API conventions"), checked on the committed
//! schemas (schema/<contract>/<contract>.json, which `cargo xtask schema --check` keeps
//! equal to what the contracts' types generate): what a client generator reads is what is
//! checked.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

const CONTRACTS: [&str; 3] = ["optimistic-rollup", "payment-channels", "validity-rollup"];

fn schema(contract: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../schema")
        .join(contract)
        .join(format!("{contract}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask schema`)", path.display()));
    serde_json::from_str(&text).expect("schema JSON")
}

/// The names of a message enum's variants: the one key of each `oneOf` object, or the
/// strings of a unit variant.
fn variants(msg: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for v in msg["oneOf"].as_array().expect("a message enum is a oneOf") {
        if let Some(required) = v["required"].as_array() {
            assert_eq!(required.len(), 1, "a variant object has one key: {v}");
            names.insert(required[0].as_str().expect("a name").to_string());
        }
        for unit in v["enum"].as_array().into_iter().flatten() {
            names.insert(unit.as_str().expect("a name").to_string());
        }
    }
    names
}

/// ts-codegen's signing client extends its query client: an execute message and a query
/// of the same name give two methods of one name with different types.
#[test]
fn no_contract_names_an_execute_message_and_a_query_alike() {
    for contract in CONTRACTS {
        let s = schema(contract);
        let execute = variants(&s["execute"]);
        let query = variants(&s["query"]);
        assert!(
            execute.len() > 3 && query.len() > 3,
            "{contract}: {execute:?} {query:?}"
        );
        let both: Vec<_> = execute.intersection(&query).collect();
        assert!(
            both.is_empty(),
            "{contract}: {both:?} is both an execute message and a query"
        );
    }
}

/// Where a schema leaves something undocumented: a property or a `oneOf` variant without
/// a `description`, or a string enum listed bare (schemars lists unit variants bare when
/// none of them has a doc comment).
fn undocumented(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            // An enum variant `{ "name": {...} }`: its doc comment is on the wrapper.
            let wrapper = has_description(v)
                && map.get("required").and_then(Value::as_array).map(Vec::len) == Some(1)
                && map
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|p| p.len())
                    == Some(1);
            if let Some(Value::Object(props)) = map.get("properties").filter(|_| !wrapper) {
                for (name, p) in props {
                    if !has_description(p) {
                        out.push(format!("{path}.{name}"));
                    }
                }
            }
            if let Some(Value::Array(variants)) = map.get("oneOf") {
                for (i, variant) in variants.iter().enumerate() {
                    if !has_description(variant) {
                        out.push(format!("{path}.oneOf[{i}] ({variant})"));
                    }
                }
            }
            if let Some(Value::Array(values)) = map.get("enum") {
                if values.len() > 1 {
                    out.push(format!("{path}: variants {values:?} without doc comments"));
                }
            }
            for (key, child) in map {
                undocumented(child, &format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                undocumented(child, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn has_description(v: &Value) -> bool {
    v["description"]
        .as_str()
        .is_some_and(|d| !d.trim().is_empty())
}

#[test]
fn every_message_and_response_field_and_variant_is_documented() {
    let mut missing = Vec::new();
    for contract in CONTRACTS {
        let s = schema(contract);
        for section in ["instantiate", "execute", "query", "migrate"] {
            undocumented(&s[section], &format!("{contract}.{section}"), &mut missing);
        }
        for (name, response) in s["responses"].as_object().expect("responses") {
            undocumented(
                response,
                &format!("{contract}.responses.{name}"),
                &mut missing,
            );
        }
    }
    assert!(
        missing.is_empty(),
        "{} undocumented:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The checker itself: it finds what it must find.
#[test]
fn the_documentation_check_finds_a_bare_property_variant_and_enum() {
    let bare = serde_json::json!({
        "properties": { "documented": { "description": "yes" }, "bare": { "type": "string" } },
        "definitions": {
            "E": { "oneOf": [ { "description": "ok", "type": "object" }, { "type": "object" } ] },
            "U": { "type": "string", "enum": ["a", "b"] }
        }
    });
    let mut out = Vec::new();
    undocumented(&bare, "t", &mut out);
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(out[0].ends_with(".bare") && out[2].contains("without doc comments"));
}

/// The definitions every section and response of a schema uses, by name.
fn definitions(s: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut add = |v: &Value| {
        for name in v["definitions"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
        {
            names.insert(name.clone());
        }
    };
    for section in ["instantiate", "execute", "query", "migrate"] {
        add(&s[section]);
    }
    for response in s["responses"].as_object().expect("responses").values() {
        add(response);
    }
    names
}

/// One time unit (u64 unix seconds, never `Timestamp`'s nanosecond strings) and one byte
/// encoding (`Binary`, base64; never `HexBinary`) in every message and response.
#[test]
fn no_message_or_response_carries_a_timestamp_or_hex_bytes() {
    for contract in CONTRACTS {
        let defs = definitions(&schema(contract));
        assert!(defs.contains("Binary"), "{contract}: {defs:?}");
        for banned in ["Timestamp", "Uint64", "HexBinary"] {
            assert!(
                !defs.contains(banned),
                "{contract}: a message or response uses {banned}"
            );
        }
    }
}

/// Every contract answers `solvency` in the same shape.
#[test]
fn every_contract_answers_solvency_in_one_shape() {
    let shapes: Vec<Value> = CONTRACTS
        .iter()
        .map(|c| schema(c)["responses"]["solvency"].clone())
        .collect();
    assert!(shapes[0]["properties"]["denoms"].is_object());
    for (c, shape) in CONTRACTS.iter().zip(&shapes) {
        assert_eq!(shape, &shapes[0], "{c}'s solvency answer differs");
    }
}
