//! The incident page's event-volume chart: stacked bars by category, key-moment markers,
//! and a table as its text alternative, laid out on the server.

use hindsight_core::metrics::IncidentMetrics;
use hindsight_store::{EventCategory, EventVolume};

use super::*;
use crate::web::view;

/// A bar segment of the volume chart.
pub(super) struct Bar {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) category: &'static str,
    pub(super) title: String,
}

/// A vertical line marking a key moment on the chart.
pub(super) struct Marker {
    pub(super) x: f64,
    pub(super) title: String,
}

/// A row of the chart's table: a slice of time and its counts by category.
pub(super) struct VolumeRow {
    pub(super) from: String,
    pub(super) counts: Vec<i64>,
    pub(super) total: i64,
}

/// The volume chart, drawn on the server.
pub(super) struct Chart {
    pub(super) bars: Vec<Bar>,
    pub(super) markers: Vec<Marker>,
    pub(super) summary: String,
    pub(super) rows: Vec<VolumeRow>,
    pub(super) first: String,
    pub(super) last: String,
    pub(super) peak: i64,
}

pub(super) const CHART_WIDTH: f64 = 720.0;
pub(super) const CHART_HEIGHT: f64 = 140.0;

/// Lays out the stacked bars of the event volume, the key-moment markers and the
/// chart's text alternative.
pub(super) fn chart(volume: &EventVolume, metrics: &IncidentMetrics) -> Option<Chart> {
    let (first, last) = (volume.first?, volume.last?);
    let width_s = volume.width.as_seconds_f64().max(1.0);
    let mut stacks = vec![[0i64; 5]; CHART_BUCKETS];
    for (bucket, category, count) in &volume.counts {
        if let (Some(stack), Some(slot)) =
            (stacks.get_mut(*bucket), EventCategory::ALL.iter().position(|c| c == category))
        {
            stack[slot] += count;
        }
    }
    let peak = stacks.iter().map(|s| s.iter().sum::<i64>()).max().unwrap_or(0).max(1);
    let slot_width = CHART_WIDTH / CHART_BUCKETS as f64;
    let start_of = |bucket: usize| first + time::Duration::seconds_f64(width_s * bucket as f64);
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    for (bucket, stack) in stacks.iter().enumerate() {
        let total: i64 = stack.iter().sum();
        if total == 0 {
            continue;
        }
        let from = view::when_seconds(start_of(bucket));
        let mut y = CHART_HEIGHT;
        for (slot, count) in stack.iter().enumerate() {
            if *count == 0 {
                continue;
            }
            let height = (*count as f64 / peak as f64 * CHART_HEIGHT).max(1.0);
            y -= height;
            let category = EventCategory::ALL[slot];
            bars.push(Bar {
                x: bucket as f64 * slot_width + 1.0,
                y,
                width: (slot_width - 2.0).max(1.0),
                height,
                category: category.as_str(),
                title: format!("{from}: {}", category_count(category, *count)),
            });
        }
        rows.push(VolumeRow { from, counts: stack.to_vec(), total });
    }
    let span_s = width_s * CHART_BUCKETS as f64;
    let markers = MOMENTS
        .iter()
        .filter_map(|(field, name, _)| {
            let at = moment_at(metrics, field)?;
            let offset = (at - first).as_seconds_f64();
            (0.0..=span_s)
                .contains(&offset)
                .then(|| Marker { x: offset / span_s * CHART_WIDTH, title: format!("{name}: {}", view::when(at)) })
        })
        .collect();
    let total: i64 = stacks.iter().flatten().sum();
    let busiest = stacks.iter().enumerate().max_by_key(|(i, s)| (s.iter().sum::<i64>(), std::cmp::Reverse(*i)));
    let minutes = (width_s / 60.0).max(1.0 / 60.0);
    let slice = if minutes >= 1.0 { format!("{minutes:.0}-minute") } else { format!("{:.0}-second", width_s) };
    let summary = match busiest {
        Some((bucket, stack)) => format!(
            "{} from {} to {}, counted in {slice} slices; the busiest slice, from {}, holds {}.",
            view::plural(total, "event", "events"),
            view::when(first),
            view::when(last),
            view::when_seconds(start_of(bucket)),
            view::plural(stack.iter().sum::<i64>(), "event", "events")
        ),
        None => "No events.".into(),
    };
    Some(Chart { bars, markers, summary, rows, first: view::when(first), last: view::when(last), peak })
}
