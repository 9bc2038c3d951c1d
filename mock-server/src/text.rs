//! Text from outside (a path, a parameter's name) put into a message.

/// Text from a request, quoted and escaped for a message (a path may hold anything), and
/// cut to 200 characters.
pub(crate) fn escaped(text: &str) -> String {
    let short: String = text.chars().take(200).collect();
    format!("{short:?}")
}
