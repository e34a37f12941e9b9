//! Charts drawn on the server as SVG, with no chart JavaScript.
//!
//! Each chart is a view model ([`line::LineChart`], [`bars::BarsChart`])
//! computed in Rust and drawn by an askama template (`templates/charts/*.html`),
//! so every label is escaped. The SVG is scaled by its viewBox (width 100% in
//! the stylesheet) and coloured only through classes (`chart-line`,
//! `chart-kept`, …) whose colours come from `--chart-1/2/3`, which follow dark
//! mode; the CSP forbids style attributes, so there are none. Each chart has a
//! `<title>` and `<desc>` and a table of the same numbers in a `<details>`.
//!
//! Using one on a page: put the view model in the page struct and include the
//! template with a local named `chart`:
//!
//! ```text
//! {% let chart = trust_chart %}{% include "charts/line.html" %}
//! ```
//!
//! [`line::LineSvg`] and [`bars::BarsSvg`] render one on its own (for tests).

pub mod bars;
pub mod line;

pub use bars::{BarsChart, Period, WeekCounts, periods};
pub use line::{Event, EventKind, LineChart, LineInput, Point};

/// The viewBox width. Narrow enough that labels stay readable on a 360 px
/// phone (the chart is drawn at about 330 px there), wide enough for a desktop.
pub const WIDTH: f64 = 400.0;

/// The plotting area inside the viewBox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Plot {
    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }
}

/// A label on an axis, at a position along it. `anchor` is a CSS class
/// suffix: `start`, `middle` or `end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: String,
    pub label: String,
    pub anchor: &'static str,
}

/// A coordinate for an attribute: at most one decimal, no trailing zeros.
pub fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

/// A round number at or above `max` for the top of an axis (1, 2, 5 × 10ⁿ).
pub fn nice_ceiling(max: u32) -> u32 {
    if max <= 1 {
        return 1;
    }
    let mut step = 1u32;
    loop {
        for m in [1u32, 2, 5] {
            let candidate = step.saturating_mul(m);
            if candidate >= max {
                return candidate;
            }
        }
        step = step.saturating_mul(10);
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Checks every chart test makes on SVG output.

    /// Asserts the markup is well-formed: every tag closed in order, every
    /// attribute quoted, no stray `<` or `&` in text.
    pub fn assert_well_formed(markup: &str) {
        let mut stack: Vec<String> = Vec::new();
        let mut rest = markup;
        while let Some(start) = rest.find(['<', '&']) {
            let (text, tail) = rest.split_at(start);
            assert!(!text.contains('>'), "stray '>' in text: {text}");
            if tail.starts_with('&') {
                let end = tail.find(';').expect("entity without ';'");
                let entity = &tail[1..end];
                assert!(
                    ["amp", "lt", "gt", "quot", "#39", "#x27"].contains(&entity)
                        || entity.starts_with('#'),
                    "unknown entity &{entity};"
                );
                rest = &tail[end + 1..];
                continue;
            }
            let end = tail.find('>').expect("unclosed tag");
            let tag = &tail[1..end];
            rest = &tail[end + 1..];
            if tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack
                    .pop()
                    .unwrap_or_else(|| panic!("</{name}> closes nothing"));
                assert_eq!(open, name.trim(), "tags closed out of order");
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name: String = tag.chars().take_while(|c| !c.is_whitespace()).collect();
            assert_eq!(
                tag[name.len()..].matches('"').count() % 2,
                0,
                "unbalanced quotes in <{tag}>"
            );
            for attribute in tag[name.len()..].split('"').step_by(2) {
                let attribute = attribute.trim();
                if !attribute.is_empty() {
                    assert!(attribute.ends_with('='), "unquoted attribute in <{tag}>");
                }
            }
            let void = ["input", "br", "meta", "link", "img"].contains(&name.as_str());
            if !self_closing && !void {
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed tags: {stack:?}");
    }

    /// Asserts nothing is styled inline (the CSP would refuse it).
    pub fn assert_no_inline_style(markup: &str) {
        assert!(!markup.contains("style="), "inline style found");
        assert!(!markup.contains("<style"), "style element found");
        assert!(!markup.contains("<script"), "script found");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_plain() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(0.04), "0");
        assert_eq!(num(-3.26), "-3.3");
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(43), 50);
        assert_eq!(nice_ceiling(120), 200);
    }
}
