//! A manifest field that is parsed without ever failing, so one wrong field does not hide the others.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One field of a raw manifest type as found in the file.
///
/// A derived `Deserialize` stops at the first value of the wrong type. Wrapping every field in `Field`
/// makes the raw types accept any JSON, keeping the wrong values so that validation can report each of
/// them, with its path, in one pass.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Field<T> {
    /// The key is absent.
    #[default]
    Missing,
    /// The key is present with the value `null`.
    Null,
    /// The value has the expected type.
    Valid(T),
    /// The value has another type; kept to say what was found.
    Invalid(Value),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Field::Null);
        }
        Ok(match T::deserialize(&value) {
            Ok(parsed) => Field::Valid(parsed),
            Err(_) => Field::Invalid(value),
        })
    }
}

impl<T> Field<T> {
    /// The value when it is present and well typed.
    pub fn valid(&self) -> Option<&T> {
        match self {
            Field::Valid(value) => Some(value),
            _ => None,
        }
    }
}

/// A short description of a JSON value for messages: `the number 5`, `a list`, `the string "x"`.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", Value::from(s.as_str())),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Pair {
        a: Field<String>,
        b: Field<Vec<Field<u32>>>,
    }

    #[test]
    fn wrong_types_are_kept_not_fatal() {
        let pair: Pair = serde_json::from_str(r#"{"a": 5, "b": [1, "two", null]}"#).unwrap();
        assert_eq!(pair.a, Field::Invalid(Value::from(5)));
        assert_eq!(
            pair.b,
            Field::Valid(vec![
                Field::Valid(1),
                Field::Invalid(Value::from("two")),
                Field::Null
            ])
        );
    }

    #[test]
    fn absent_and_null_differ() {
        let pair: Pair = serde_json::from_str(r#"{"b": null}"#).unwrap();
        assert_eq!(pair.a, Field::Missing);
        assert_eq!(pair.b, Field::Null);
    }

    #[test]
    fn descriptions_quote_strings() {
        assert_eq!(describe(&Value::from("a\"b")), r#"the string "a\"b""#);
        assert_eq!(describe(&serde_json::json!([1])), "a list");
    }
}
