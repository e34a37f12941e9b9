//! Links the app shows to people: built from the public URL when one is
//! configured, otherwise from the address this browser used.

use axum::http::HeaderMap;
use axum::http::header::HOST;

/// The base URL (scheme, host and port, no trailing slash) for links.
pub fn base_url(public_url: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(url) = public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| is_plausible_host(h))
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// A Host header is only echoed into links when it looks like a host name or
/// address with an optional port, nothing else.
fn is_plausible_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// Whether `next` is a path on this site: it must start with one `/`, and
/// contain no scheme, backslash or control character. Anything else could
/// send a person to another site after signing in.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains('\\')
        && next.len() <= 2000
        && !next.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_accepted_as_next() {
        assert!(is_local_path("/breaches/3?tab=path"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("javascript:alert(1)"));
        assert!(!is_local_path(""));
    }

    #[test]
    fn a_strange_host_header_is_not_echoed_into_links() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "192.168.1.20:3000".parse().unwrap());
        assert_eq!(base_url(None, &headers), "http://192.168.1.20:3000");
        headers.insert(HOST, "evil.example/<script>".parse().unwrap());
        assert_eq!(base_url(None, &headers), "http://localhost");
        assert_eq!(
            base_url(Some("https://amends.home.arpa/"), &headers),
            "https://amends.home.arpa"
        );
    }
}
