//! Small SVG charts drawn in rsx: daily bars, and one stacked share bar.

use dioxus::prelude::*;

/// One bar: its label under the axis, its height, and the words on hover.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// A second value drawn inside the bar (e.g. delivered of ordered).
    pub inner: Option<f64>,
    pub tip: String,
}

const W: f64 = 640.0;
const H: f64 = 200.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 12.0;

/// Bars over days with a labelled scale. `axis` formats a value for the scale.
#[component]
pub fn BarChart(title: String, bars: Vec<Bar>, axis: Callback<f64, String>) -> Element {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let top = nice_max(max);
    let plot_h = H - BOTTOM - TOP;
    let n = bars.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let bw = (slot * 0.7).max(2.0);
    // Label every day for a week, about every fifth for a month.
    let every = if bars.len() > 10 {
        bars.len().div_ceil(6)
    } else {
        1
    };
    // Counts get whole-number ticks: the middle one only when it is whole.
    let whole = bars.iter().all(|b| b.value.fract() == 0.0);
    let top = if whole { top.max(2.0) } else { top };
    let ticks: Vec<f64> = if whole && (top / 2.0).fract() != 0.0 {
        vec![0.0, top]
    } else {
        vec![0.0, top / 2.0, top]
    };
    let y_of = move |v: f64| TOP + plot_h - if top > 0.0 { v / top * plot_h } else { 0.0 };
    rsx! {
        figure { class: "chart",
            figcaption { "{title}" }
            svg {
                "viewBox": "0 0 {W} {H}",
                role: "img",
                "aria-label": "{title}",
                for t in ticks {
                    line {
                        x1: "{LEFT}",
                        x2: "{W}",
                        y1: "{y_of(t)}",
                        y2: "{y_of(t)}",
                        class: "grid",
                    }
                    text {
                        x: "{LEFT - 6.0}",
                        y: "{y_of(t) + 4.0}",
                        "text-anchor": "end",
                        class: "axis",
                        "{axis.call(t)}"
                    }
                }
                for (i, b) in bars.iter().enumerate() {
                    g { key: "{i}",
                        title { "{b.tip}" }
                        rect {
                            x: "{LEFT + slot * i as f64 + (slot - bw) / 2.0}",
                            y: "{y_of(b.value)}",
                            width: "{bw}",
                            height: "{(TOP + plot_h - y_of(b.value)).max(0.0)}",
                            class: "bar",
                        }
                        if let Some(inner) = b.inner {
                            rect {
                                x: "{LEFT + slot * i as f64 + (slot - bw) / 2.0 + bw * 0.2}",
                                y: "{y_of(inner)}",
                                width: "{bw * 0.6}",
                                height: "{(TOP + plot_h - y_of(inner)).max(0.0)}",
                                class: "bar inner",
                            }
                        }
                        if i % every == 0 || i + 1 == bars.len() {
                            text {
                                x: "{LEFT + slot * i as f64 + slot / 2.0}",
                                y: "{H - 6.0}",
                                "text-anchor": "middle",
                                class: "axis",
                                "{b.label}"
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A round scale top at or above `max`: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= max {
            return m * p;
        }
    }
    10.0 * p
}

/// One part of a share bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub label: String,
    pub value: f64,
    pub class: String,
}

/// A single horizontal bar split into parts, with a legend.
#[component]
pub fn ShareBar(parts: Vec<Part>) -> Element {
    let total: f64 = parts.iter().map(|p| p.value).sum();
    let mut x = 0.0;
    let segs: Vec<(f64, f64, Part)> = parts
        .iter()
        .map(|p| {
            let w = if total > 0.0 {
                p.value / total * 100.0
            } else {
                0.0
            };
            let s = (x, w, p.clone());
            x += w;
            s
        })
        .collect();
    rsx! {
        div { class: "share",
            svg { "viewBox": "0 0 100 8", "preserveAspectRatio": "none", class: "sharebar",
                rect { x: "0", y: "0", width: "100", height: "8", class: "empty" }
                for (i, (x, w, p)) in segs.iter().enumerate() {
                    rect { key: "{i}", x: "{x}", y: "0", width: "{w}", height: "8", class: "{p.class}" }
                }
            }
            ul { class: "legend",
                for p in parts.iter() {
                    li { key: "{p.label}",
                        span { class: "swatch {p.class}" }
                        "{p.label}: {p.value}"
                    }
                }
            }
        }
    }
}
