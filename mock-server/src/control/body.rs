//! A control request's JSON body, read as the document's clients write it.

use serde::de::DeserializeOwned;
use wiremock::Request;

use crate::answer::Answer;

/// The request's body, a JSON object, as a `T`; an empty body reads as `{}`; the 400 naming
/// what is wrong otherwise. (serde would also read a struct from an array of its fields.)
pub(super) fn json_object<T: DeserializeOwned>(request: &Request) -> Result<T, Answer> {
    let bad = |e: &dyn std::fmt::Display| Answer::error(400, format!("bad request body: {e}"));
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return serde_json::from_slice(b"{}").map_err(|e| bad(&e));
    }
    let mut value: serde_json::Value = serde_json::from_slice(&request.body).map_err(|e| bad(&e))?;
    if !value.is_object() {
        return Err(bad(&"the body is a JSON object"));
    }
    integral_numbers_as_integers(&mut value);
    serde_json::from_value(value).map_err(|e| bad(&e))
}

/// `2.0` as `2`: JSON Schema counts a number with no fraction as an integer, and so do the
/// clients generated from the document (JavaScript has no other kind), but serde reads only
/// `2` as a `u64`.
pub(super) fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            // Within ±2^53 every integral float is exact.
            if float.fract() == 0.0 && float.abs() <= 9_007_199_254_740_992.0 {
                *number = serde_json::Number::from(float as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}
