//! A list of very common passwords of 12 characters or more, shipped in the
//! binary. Shorter ones are refused by the length rule already.

use std::collections::HashSet;
use std::sync::LazyLock;

static LIST: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// Whether a (lower-cased) password is on the list.
pub fn is_common(lowered: &str) -> bool {
    LIST.contains(lowered)
}

#[cfg(test)]
mod tests {
    #[test]
    fn well_known_passwords_are_on_the_list() {
        assert!(super::is_common("passwordpassword"));
        assert!(!super::is_common("walnut ferry lantern quietly"));
    }
}
