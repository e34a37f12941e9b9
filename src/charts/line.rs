//! A line of a 0–10 value over time (the trust level someone recorded), with
//! breaks and "trust restored" marked as vertical lines and pauses as shaded
//! spans.

use askama::Template;
use jiff::civil::Date;

use super::{Plot, Tick, WIDTH, num};

/// The chart's height in viewBox units.
pub const HEIGHT: f64 = 210.0;
/// Above this many points, the dots are left out and only the line is drawn.
pub const MAX_DOTS: usize = 60;

/// One value on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub date: Date,
    /// 0 to 10; values outside are drawn at the nearest edge.
    pub value: f64,
}

/// What happened on a day, marked on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A commitment was broken or a new breach recorded.
    Break,
    /// The repair was paused from the event's date until `until` (or still).
    Pause { until: Option<Date> },
    /// The hurt person said trust is restored.
    Restored,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Break => "Break",
            EventKind::Pause { .. } => "Pause",
            EventKind::Restored => "Trust restored",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub date: Date,
    pub kind: EventKind,
    pub label: String,
}

/// Everything the chart is drawn from.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    /// Unique on the page: used for the ids of the title and description.
    pub id: String,
    pub title: String,
    pub desc: String,
    pub points: Vec<Point>,
    pub events: Vec<Event>,
    /// The last day shown (usually today); defaults to the last date given.
    pub until: Option<Date>,
}

pub struct Dot {
    pub cx: String,
    pub cy: String,
    pub label: String,
}

pub struct Shade {
    pub x: String,
    pub width: String,
    pub label: String,
}

pub struct Marker {
    pub x: String,
    /// `chart-break` or `chart-restored`.
    pub class: &'static str,
    pub label: String,
}

pub struct Row {
    pub date: String,
    pub value: String,
}

pub struct EventRow {
    pub date: String,
    pub kind: &'static str,
    pub label: String,
}

/// The drawn chart: coordinates as attribute text, labels as given.
pub struct LineChart {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub width: String,
    pub height: String,
    pub plot: Plot,
    pub top: String,
    pub bottom: String,
    pub left: String,
    pub right: String,
    pub path: String,
    pub dots: Vec<Dot>,
    pub shades: Vec<Shade>,
    pub markers: Vec<Marker>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub x_label_y: String,
    pub rows: Vec<Row>,
    pub event_rows: Vec<EventRow>,
    pub has_breaks: bool,
    pub has_pauses: bool,
    pub has_restored: bool,
}

/// Renders a line chart on its own.
#[derive(Template)]
#[template(path = "charts/line.html")]
pub struct LineSvg<'a> {
    pub chart: &'a LineChart,
}

impl LineChart {
    pub fn new(input: LineInput) -> LineChart {
        let plot = Plot {
            left: 26.0,
            top: 10.0,
            width: WIDTH - 26.0 - 12.0,
            height: HEIGHT - 10.0 - 30.0,
        };
        let mut points = input.points;
        points.sort_by_key(|p| p.date);
        let dates = points
            .iter()
            .map(|p| p.date)
            .chain(input.events.iter().map(|e| e.date))
            .chain(input.until);
        let (first, last) = dates.fold((None::<Date>, None::<Date>), |(lo, hi), d| {
            (
                Some(lo.map_or(d, |lo| lo.min(d))),
                Some(hi.map_or(d, |hi| hi.max(d))),
            )
        });
        let span_days = match (first, last) {
            (Some(a), Some(b)) => f64::from((b - a).get_days()),
            _ => 0.0,
        };
        let x = |d: Date| -> f64 {
            match first {
                Some(first) if span_days > 0.0 => {
                    plot.left + plot.width * f64::from((d - first).get_days()) / span_days
                }
                _ => plot.left + plot.width / 2.0,
            }
        };
        let y = |v: f64| plot.bottom() - plot.height * v.clamp(0.0, 10.0) / 10.0;

        let path = points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{}{} {}",
                    if i == 0 { "M" } else { "L" },
                    num(x(p.date)),
                    num(y(p.value))
                )
            })
            .collect::<Vec<_>>()
            .join(" ");
        let dots = if points.len() <= MAX_DOTS {
            points
                .iter()
                .map(|p| Dot {
                    cx: num(x(p.date)),
                    cy: num(y(p.value)),
                    label: format!("{}: {}", long(p.date), value_text(p.value)),
                })
                .collect()
        } else {
            Vec::new()
        };

        let mut shades = Vec::new();
        let mut markers = Vec::new();
        for event in &input.events {
            match event.kind {
                EventKind::Pause { until } => {
                    let end = until.or(last).unwrap_or(event.date).max(event.date);
                    let from = x(event.date);
                    shades.push(Shade {
                        x: num(from),
                        width: num((x(end) - from).max(2.0)),
                        label: event.label.clone(),
                    });
                }
                EventKind::Break => markers.push(Marker {
                    x: num(x(event.date)),
                    class: "chart-break",
                    label: event.label.clone(),
                }),
                EventKind::Restored => markers.push(Marker {
                    x: num(x(event.date)),
                    class: "chart-restored",
                    label: event.label.clone(),
                }),
            }
        }

        let y_ticks = [0.0, 5.0, 10.0]
            .into_iter()
            .map(|v| Tick {
                at: num(y(v)),
                label: num(v),
                anchor: "end",
            })
            .collect();
        let x_ticks = match (first, last) {
            (Some(a), Some(b)) if a == b => vec![Tick {
                at: num(x(a)),
                label: short(a, 0.0),
                anchor: "middle",
            }],
            (Some(a), Some(b)) => vec![
                Tick {
                    at: num(x(a)),
                    label: short(a, span_days),
                    anchor: "start",
                },
                Tick {
                    at: num(x(b)),
                    label: short(b, span_days),
                    anchor: "end",
                },
            ],
            _ => Vec::new(),
        };

        let mut events = input.events.clone();
        events.sort_by_key(|e| e.date);
        LineChart {
            id: input.id,
            title: input.title,
            desc: input.desc,
            width: num(WIDTH),
            height: num(HEIGHT),
            top: num(plot.top),
            bottom: num(plot.bottom()),
            left: num(plot.left),
            right: num(plot.right()),
            x_label_y: num(plot.bottom() + 18.0),
            plot,
            path,
            dots,
            has_breaks: events.iter().any(|e| e.kind == EventKind::Break),
            has_pauses: events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Pause { .. })),
            has_restored: events.iter().any(|e| e.kind == EventKind::Restored),
            shades,
            markers,
            y_ticks,
            x_ticks,
            rows: points
                .iter()
                .map(|p| Row {
                    date: long(p.date),
                    value: value_text(p.value),
                })
                .collect(),
            event_rows: events
                .iter()
                .map(|e| EventRow {
                    date: match e.kind {
                        EventKind::Pause { until: Some(end) } => {
                            format!("{} to {}", long(e.date), long(end))
                        }
                        EventKind::Pause { until: None } => format!("since {}", long(e.date)),
                        _ => long(e.date),
                    },
                    kind: e.kind.name(),
                    label: e.label.clone(),
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.event_rows.is_empty()
    }
}

fn long(d: Date) -> String {
    crate::web::time::long_date(d)
}

/// Axis dates: day and month within a year or so, month and year beyond.
fn short(d: Date, span_days: f64) -> String {
    if span_days <= 300.0 {
        d.strftime("%-d %b").to_string()
    } else {
        d.strftime("%b %Y").to_string()
    }
}

fn value_text(v: f64) -> String {
    format!("{} of 10", num(v.clamp(0.0, 10.0)))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_no_inline_style, assert_well_formed};
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;

    fn input(points: Vec<Point>, events: Vec<Event>) -> LineInput {
        LineInput {
            id: "trust".into(),
            title: "Trust over time".into(),
            desc: "How much Alex trusts, in Alex's own words, 0 to 10.".into(),
            points,
            events,
            until: None,
        }
    }

    fn render(input: LineInput) -> String {
        LineSvg {
            chart: &LineChart::new(input),
        }
        .render()
        .unwrap()
    }

    #[test]
    fn a_week_of_values_is_drawn_with_dots_markers_and_a_table() {
        let start = date(2026, 3, 2);
        let points: Vec<Point> = (0..7)
            .map(|i| Point {
                date: start.checked_add(i.days()).unwrap(),
                value: f64::from(i) + 2.0,
            })
            .collect();
        let events = vec![
            Event {
                date: date(2026, 3, 4),
                kind: EventKind::Break,
                label: "Home late <again> & no call".into(),
            },
            Event {
                date: date(2026, 3, 5),
                kind: EventKind::Pause {
                    until: Some(date(2026, 3, 6)),
                },
                label: "A pause".into(),
            },
            Event {
                date: date(2026, 3, 8),
                kind: EventKind::Restored,
                label: "Trust restored".into(),
            },
        ];
        let svg = render(input(points, events));
        assert_well_formed(&svg);
        assert_no_inline_style(&svg);
        assert!(svg.contains("<title id=\"trust-title\">Trust over time</title>"));
        assert!(svg.contains("<desc id=\"trust-desc\">"));
        assert!(svg.contains("viewBox=\"0 0 400 210\""));
        assert!(svg.contains("class=\"chart-line\""));
        assert_eq!(svg.matches("class=\"chart-dot\"").count(), 7);
        assert!(svg.contains("class=\"chart-break\""));
        assert!(svg.contains("class=\"chart-pause\""));
        assert!(svg.contains("class=\"chart-restored\""));
        // The table holds the same numbers.
        for v in 2..=8 {
            assert!(svg.contains(&format!("<td>{v} of 10</td>")), "{v} missing");
        }
        assert!(svg.contains("<td>2 March 2026</td>"));
        // Labels people typed are escaped.
        assert!(
            svg.contains("Home late &#60;again&#62; &#38; no call")
                || svg.contains("Home late &lt;again&gt; &amp; no call")
        );
    }

    #[test]
    fn ten_years_of_values_draw_a_line_without_dots() {
        let start = date(2016, 1, 4);
        let points: Vec<Point> = (0..520)
            .map(|i| Point {
                date: start.checked_add((i * 7).days()).unwrap(),
                value: f64::from(i % 11),
            })
            .collect();
        let svg = render(input(points, vec![]));
        assert_well_formed(&svg);
        assert_no_inline_style(&svg);
        assert_eq!(svg.matches("class=\"chart-dot\"").count(), 0);
        assert_eq!(
            svg.matches("<tr>").count(),
            521,
            "a row per value and a header"
        );
        assert!(svg.contains("Jan 2016"));
    }

    #[test]
    fn one_value_or_none_still_draws() {
        let svg = render(input(
            vec![Point {
                date: date(2026, 3, 2),
                value: 11.0,
            }],
            vec![],
        ));
        assert_well_formed(&svg);
        assert!(svg.contains("<td>10 of 10</td>"), "clamped to the scale");
        let empty = render(input(vec![], vec![]));
        assert_well_formed(&empty);
        assert!(empty.contains("Nothing recorded yet"));
    }

    /// How a page shows a chart: a local named `chart` and the include.
    #[derive(Template)]
    #[template(
        source = "<main>{% let chart = trust %}{% include \"charts/line.html\" %}</main>",
        ext = "html"
    )]
    struct PageWithChart {
        trust: LineChart,
    }

    #[test]
    fn a_page_includes_a_chart_by_its_template() {
        let page = PageWithChart {
            trust: LineChart::new(input(
                vec![Point {
                    date: date(2026, 3, 2),
                    value: 4.0,
                }],
                vec![],
            )),
        };
        let html = page.render().unwrap();
        assert_well_formed(&html);
        assert!(html.starts_with("<main>") && html.contains("<figure class=\"chart\">"));
        assert!(html.contains("<td>4 of 10</td>"));
    }

    #[test]
    fn an_ongoing_pause_reaches_the_last_day() {
        let chart = LineChart::new(LineInput {
            until: Some(date(2026, 3, 31)),
            ..input(
                vec![Point {
                    date: date(2026, 3, 1),
                    value: 5.0,
                }],
                vec![Event {
                    date: date(2026, 3, 16),
                    kind: EventKind::Pause { until: None },
                    label: "Paused".into(),
                }],
            )
        });
        let shade = &chart.shades[0];
        let x: f64 = shade.x.parse().unwrap();
        let w: f64 = shade.width.parse().unwrap();
        assert!((x + w - chart.plot.right()).abs() < 0.2);
        assert_eq!(chart.event_rows[0].date, "since 16 March 2026");
    }
}
