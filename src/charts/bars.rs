//! Stacked bars of kept, broken and unrecorded commitments per period, and
//! the aggregation from weeks to months once there is more than about half a
//! year of data.

use askama::Template;
use jiff::ToSpan;
use jiff::civil::Date;

use super::{Plot, Tick, WIDTH, nice_ceiling, num};

/// The chart's height in viewBox units.
pub const HEIGHT: f64 = 210.0;
/// Up to this many weeks are shown week by week; beyond it, by month.
pub const WEEKS_BEFORE_MONTHS: usize = 26;
/// At most this many labels along the bottom, so they never overlap.
const MAX_X_LABELS: usize = 6;

/// The counts of one week (Monday to Sunday in the pair's zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekCounts {
    /// The Monday the week starts on.
    pub week_start: Date,
    pub kept: u32,
    pub broken: u32,
    pub unrecorded: u32,
}

/// One bar: a week or a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// In the table and the bar's tooltip: "Week of 2 March 2026", "March 2026".
    pub label: String,
    /// Along the axis: "2 Mar", "Mar 2026".
    pub short: String,
    pub kept: u32,
    pub broken: u32,
    pub unrecorded: u32,
}

impl Period {
    pub fn total(&self) -> u32 {
        self.kept + self.broken + self.unrecorded
    }
}

/// Weeks as periods for the chart: every week from the first to the last
/// (weeks missing from the input count as zero), or, when that is more than
/// [`WEEKS_BEFORE_MONTHS`] weeks, every month. A week belongs to the month
/// its Thursday falls in, so each week is counted once, in the month that
/// holds most of its days.
pub fn periods(weeks: &[WeekCounts]) -> Vec<Period> {
    let mut weeks = weeks.to_vec();
    weeks.sort_by_key(|w| w.week_start);
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Vec::new();
    };
    let (first, last) = (first.week_start, last.week_start);
    let span_weeks = usize::try_from((last - first).get_days() / 7 + 1).unwrap_or(usize::MAX);
    if span_weeks <= WEEKS_BEFORE_MONTHS {
        let mut out = Vec::new();
        let mut week = first;
        while week <= last {
            let found = weeks.iter().filter(|w| w.week_start == week);
            let (kept, broken, unrecorded) = found.fold((0, 0, 0), |(k, b, u), w| {
                (k + w.kept, b + w.broken, u + w.unrecorded)
            });
            out.push(Period {
                label: format!("Week of {}", crate::web::time::long_date(week)),
                short: week.strftime("%-d %b").to_string(),
                kept,
                broken,
                unrecorded,
            });
            week = match week.checked_add(7.days()) {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        return out;
    }
    let month_of = |w: &WeekCounts| {
        w.week_start
            .checked_add(3.days())
            .unwrap_or(w.week_start)
            .first_of_month()
    };
    let first_month = month_of(&weeks[0]);
    let last_month = month_of(&weeks[weeks.len() - 1]);
    let mut out = Vec::new();
    let mut month = first_month;
    while month <= last_month {
        let (kept, broken, unrecorded) = weeks
            .iter()
            .filter(|w| month_of(w) == month)
            .fold((0, 0, 0), |(k, b, u), w| {
                (k + w.kept, b + w.broken, u + w.unrecorded)
            });
        out.push(Period {
            label: month.strftime("%B %Y").to_string(),
            short: month.strftime("%b %Y").to_string(),
            kept,
            broken,
            unrecorded,
        });
        month = match month.checked_add(1.month()) {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    out
}

pub struct Segment {
    pub y: String,
    pub height: String,
    /// `chart-kept`, `chart-broken` or `chart-unrecorded`.
    pub class: &'static str,
}

pub struct Bar {
    pub x: String,
    pub width: String,
    pub segments: Vec<Segment>,
    pub title: String,
}

/// The drawn chart.
pub struct BarsChart {
    pub id: String,
    pub title: String,
    pub desc: String,
    pub width: String,
    pub height: String,
    pub plot: Plot,
    pub left: String,
    pub right: String,
    pub bars: Vec<Bar>,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub x_label_y: String,
    pub rows: Vec<Period>,
}

/// Renders a bars chart on its own.
#[derive(Template)]
#[template(path = "charts/bars.html")]
pub struct BarsSvg<'a> {
    pub chart: &'a BarsChart,
}

impl BarsChart {
    /// `id` must be unique on the page.
    pub fn new(id: &str, title: &str, desc: &str, periods: Vec<Period>) -> BarsChart {
        let plot = Plot {
            left: 30.0,
            top: 10.0,
            width: WIDTH - 30.0 - 8.0,
            height: HEIGHT - 10.0 - 30.0,
        };
        let top = nice_ceiling(periods.iter().map(Period::total).max().unwrap_or(0));
        let n = periods.len().max(1);
        let slot = plot.width / n as f64;
        // A gap between bars while there is room for one.
        let gap = if slot >= 4.0 { slot * 0.2 } else { 0.0 };
        let scale = |count: u32| plot.height * f64::from(count) / f64::from(top);
        let bars = periods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let x = plot.left + slot * i as f64 + gap / 2.0;
                let mut base = plot.bottom();
                let mut segments = Vec::new();
                for (count, class) in [
                    (p.kept, "chart-kept"),
                    (p.broken, "chart-broken"),
                    (p.unrecorded, "chart-unrecorded"),
                ] {
                    if count == 0 {
                        continue;
                    }
                    let h = scale(count);
                    base -= h;
                    segments.push(Segment {
                        y: num(base),
                        height: num(h),
                        class,
                    });
                }
                Bar {
                    x: num(x),
                    width: num((slot - gap).max(0.5)),
                    segments,
                    title: format!(
                        "{}: {} kept, {} broken, {} not recorded",
                        p.label, p.kept, p.broken, p.unrecorded
                    ),
                }
            })
            .collect();
        let y = |count: u32| plot.bottom() - scale(count);
        let mut y_ticks = vec![Tick {
            at: num(y(0)),
            label: "0".into(),
            anchor: "end",
        }];
        if top >= 2 && top.is_multiple_of(2) {
            y_ticks.push(Tick {
                at: num(y(top / 2)),
                label: (top / 2).to_string(),
                anchor: "end",
            });
        }
        y_ticks.push(Tick {
            at: num(y(top)),
            label: top.to_string(),
            anchor: "end",
        });
        let every = periods.len().div_ceil(MAX_X_LABELS).max(1);
        let x_ticks = periods
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, p)| Tick {
                at: num(plot.left + slot * i as f64 + slot / 2.0),
                label: p.short.clone(),
                anchor: if i == 0 && periods.len() > 1 {
                    "start"
                } else {
                    "middle"
                },
            })
            .collect();
        BarsChart {
            id: id.to_string(),
            title: title.to_string(),
            desc: desc.to_string(),
            width: num(WIDTH),
            height: num(HEIGHT),
            left: num(plot.left),
            right: num(plot.right()),
            x_label_y: num(plot.bottom() + 18.0),
            plot,
            bars,
            y_ticks,
            x_ticks,
            rows: periods,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{assert_no_inline_style, assert_well_formed};
    use super::*;
    use jiff::civil::date;

    fn weeks(from: Date, n: i64) -> Vec<WeekCounts> {
        (0..n)
            .map(|i| WeekCounts {
                week_start: from.checked_add((i * 7).days()).unwrap(),
                kept: 6,
                broken: u32::from(i % 5 == 0),
                unrecorded: u32::from(i % 3 == 0),
            })
            .collect()
    }

    #[test]
    fn half_a_year_stays_weekly_and_fills_gaps() {
        let mut input = weeks(date(2026, 1, 5), 26);
        input.remove(3);
        let p = periods(&input);
        assert_eq!(p.len(), 26);
        assert_eq!(p[0].label, "Week of 5 January 2026");
        assert_eq!(p[0].short, "5 Jan");
        assert_eq!(p[3].total(), 0, "the missing week counts as zero");
        assert_eq!(p[1].kept, 6);
    }

    #[test]
    fn more_than_half_a_year_is_shown_by_month() {
        let input = weeks(date(2026, 1, 5), 27);
        let p = periods(&input);
        assert_eq!(p[0].label, "January 2026");
        assert_eq!(p[0].short, "Jan 2026");
        // Weeks starting 5, 12, 19, 26 January; 26 Jan's Thursday is 29 Jan.
        assert_eq!(p[0].kept, 24);
        // The week of Monday 30 March has its Thursday on 2 April.
        let march = p.iter().find(|x| x.label == "March 2026").unwrap();
        let april = p.iter().find(|x| x.label == "April 2026").unwrap();
        assert_eq!(march.kept, 6 * 4);
        assert!(april.kept >= 6);
        let total_in: u32 = input.iter().map(|w| w.kept + w.broken + w.unrecorded).sum();
        let total_out: u32 = p.iter().map(Period::total).sum();
        assert_eq!(total_in, total_out, "every week counted exactly once");
    }

    #[test]
    fn ten_years_become_about_120_months() {
        let input = weeks(date(2016, 1, 4), 522);
        let p = periods(&input);
        assert!((119..=121).contains(&p.len()), "{}", p.len());
        let total_in: u32 = input.iter().map(|w| w.kept + w.broken + w.unrecorded).sum();
        assert_eq!(total_in, p.iter().map(Period::total).sum::<u32>());
        let chart = BarsChart::new("kept", "Kept and broken", "Per month", p);
        let svg = BarsSvg { chart: &chart }.render().unwrap();
        assert_well_formed(&svg);
        assert_no_inline_style(&svg);
        assert!(chart.x_ticks.len() <= MAX_X_LABELS);
    }

    #[test]
    fn the_svg_is_well_formed_styled_by_classes_and_has_its_numbers_in_a_table() {
        let p = vec![
            Period {
                label: "Week of 2 March 2026".into(),
                short: "2 Mar".into(),
                kept: 5,
                broken: 1,
                unrecorded: 1,
            },
            Period {
                label: "Week of 9 March 2026".into(),
                short: "9 Mar".into(),
                kept: 7,
                broken: 0,
                unrecorded: 0,
            },
        ];
        let chart = BarsChart::new("kept", "Kept & broken", "Commitments per week", p);
        let svg = BarsSvg { chart: &chart }.render().unwrap();
        assert_well_formed(&svg);
        assert_no_inline_style(&svg);
        assert!(svg.contains("viewBox=\"0 0 400 210\""));
        assert!(
            svg.contains("<title id=\"kept-title\">Kept &#38; broken</title>")
                || svg.contains("<title id=\"kept-title\">Kept &amp; broken</title>")
        );
        assert!(svg.contains("<desc id=\"kept-desc\">Commitments per week</desc>"));
        assert_eq!(svg.matches("class=\"chart-kept\"").count(), 2);
        assert_eq!(svg.matches("class=\"chart-broken\"").count(), 1);
        assert_eq!(svg.matches("class=\"chart-unrecorded\"").count(), 1);
        assert!(svg.contains(
            "<tr><th scope=\"row\">Week of 2 March 2026</th><td>5</td><td>1</td><td>1</td></tr>"
        ));
        assert!(svg.contains(
            "<tr><th scope=\"row\">Week of 9 March 2026</th><td>7</td><td>0</td><td>0</td></tr>"
        ));
        // The axis tops out at a round number above the largest bar.
        assert!(chart.y_ticks.iter().any(|t| t.label == "10"));
    }

    #[test]
    fn no_data_draws_a_calm_sentence() {
        let chart = BarsChart::new("kept", "Kept and broken", "Per week", periods(&[]));
        let svg = BarsSvg { chart: &chart }.render().unwrap();
        assert_well_formed(&svg);
        assert!(svg.contains("Nothing recorded yet"));
    }
}
