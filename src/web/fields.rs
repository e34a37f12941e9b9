//! Checking what people type. Limits are counted in characters (not bytes),
//! so a long text in any script is treated the same. Every problem becomes a
//! message next to its field, and the form comes back with what was typed.

use std::collections::BTreeMap;

/// Field name → the message to show next to it.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(BTreeMap<&'static str, String>);

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for one field, for templates.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Whether a field has a message, for templates (`aria-invalid`).
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&&'static str, &String)> {
        self.0.iter()
    }

    /// Records the outcome of a check, returning the value when it passed.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }
}

/// Normalises line endings and trims; refuses control characters other than
/// tabs and line breaks (a NUL byte is never something a person meant).
fn clean(input: &str) -> Result<String, String> {
    let text = input.replace("\r\n", "\n").replace('\r', "\n");
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err("This contains invisible control characters; please remove them.".into());
    }
    Ok(text.trim().to_string())
}

/// Text that must be present and at most `max` characters long.
pub fn required(input: &str, max: usize, what: &str) -> Result<String, String> {
    let text = clean(input)?;
    if text.is_empty() {
        return Err(format!("Please write {what}."));
    }
    within(text, max)
}

/// Text that may be empty, at most `max` characters long.
pub fn optional(input: &str, max: usize) -> Result<Option<String>, String> {
    let text = clean(input)?;
    if text.is_empty() {
        return Ok(None);
    }
    within(text, max).map(Some)
}

/// A single line (a name or a title): no line breaks.
pub fn single_line(input: &str, max: usize, what: &str) -> Result<String, String> {
    let text = required(input, max, what)?;
    if text.contains('\n') {
        return Err("Please keep this to one line.".into());
    }
    Ok(text)
}

fn within(text: String, max: usize) -> Result<String, String> {
    let count = text.chars().count();
    if count > max {
        return Err(format!(
            "This is {count} characters long; the limit is {max}. Please shorten it by {}.",
            count - max
        ));
    }
    Ok(text)
}

/// Standard limits, so the same kind of field has the same limit everywhere.
pub mod limits {
    pub const NAME: usize = 60;
    pub const TITLE: usize = 200;
    pub const TEXT: usize = 20_000;
    pub const NOTE: usize = 2_000;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_characters_not_bytes() {
        let thai = "ก".repeat(200);
        assert!(required(&thai, 200, "a title").is_ok());
        assert!(required(&format!("{thai}ก"), 200, "a title").is_err());
    }

    #[test]
    fn empty_and_whitespace_are_missing() {
        assert_eq!(
            required("  \n ", 10, "a name").unwrap_err(),
            "Please write a name."
        );
        assert_eq!(optional("   ", 10).unwrap(), None);
    }

    #[test]
    fn nul_bytes_are_refused_with_a_message() {
        assert!(required("a\0b", 10, "x").is_err());
        assert!(required("line one\r\nline two", 40, "x").unwrap() == "line one\nline two");
    }

    #[test]
    fn single_lines_refuse_line_breaks() {
        assert!(single_line("Sam\nAlex", 60, "a name").is_err());
    }
}
