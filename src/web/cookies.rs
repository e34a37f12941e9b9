//! Reading and writing the few cookies we use, without a cookie framework.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The value of the first cookie called `name`, if the request has one.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Attributes every cookie of ours carries.
pub struct CookieOptions {
    pub secure: bool,
}

/// A `Set-Cookie` value. `max_age` of `None` makes a browser-session cookie.
pub fn set(name: &str, value: &str, max_age_secs: Option<i64>, options: &CookieOptions) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if options.secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// A `Set-Cookie` value that removes the cookie.
pub fn remove(name: &str, options: &CookieOptions) -> String {
    set(name, "", Some(0), options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_a_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; amends=xyz; b=2"));
        assert_eq!(get(&headers, "amends"), Some("xyz"));
        assert_eq!(get(&headers, "missing"), None);
    }
}
