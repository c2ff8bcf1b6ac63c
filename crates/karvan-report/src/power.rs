//! The power report: monthly charts (imports by supplier, unserved energy by grid
//! island, prices, line loadings) drawn with plotters around the tables of `power.md`.

use crate::html::esc;
use crate::water::monthly_lines;

/// One monthly chart: its title, the y axis, and one series per name.
pub struct MonthlyChart {
    pub title: String,
    pub y_desc: String,
    pub series: Vec<(String, [f64; 12])>,
}

/// The power grid's year as a section of the HTML report: its title, its tables as
/// Markdown, and its monthly charts.
pub struct PowerSection {
    pub title: String,
    pub tables_md: String,
    pub charts: Vec<MonthlyChart>,
}

/// Each chart, or why it could not be drawn.
fn charts_html(charts: &[MonthlyChart]) -> String {
    let mut h = String::new();
    for c in charts {
        match monthly_lines(&c.title, &c.y_desc, &c.series) {
            Ok(svg) => h.push_str(&svg),
            Err(e) => h.push_str(&format!(
                "<p>The chart could not be drawn: {}</p>",
                esc(&e.to_string())
            )),
        }
    }
    h
}

/// The section of the report.
pub fn html_section(p: &PowerSection) -> String {
    format!(
        "<section><h2>{}</h2>{}<pre>{}</pre></section>",
        esc(&p.title),
        charts_html(&p.charts),
        esc(&p.tables_md)
    )
}

/// The report as one self-contained HTML document: the tables (already HTML), then each
/// chart.
pub fn html_document(
    title: &str,
    tables_html: &str,
    charts: &[MonthlyChart],
    attribution: &str,
) -> String {
    let mut h = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"Karvan\"><title>{}</title><style>{}</style></head><body><h1>{}</h1>",
        esc(title),
        crate::html::STYLE,
        esc(title),
    );
    h.push_str(&charts_html(charts));
    h.push_str(tables_html);
    h.push_str(&format!(
        "<footer>{}</footer></body></html>",
        esc(attribution)
    ));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_and_tables_make_one_document() {
        let chart = MonthlyChart {
            title: "Imports by supplier".into(),
            y_desc: "GWh in the month".into(),
            series: vec![("uz".into(), [150.0; 12]), ("tj".into(), [10.0; 12])],
        };
        let h = html_document("Power", "<table></table>", &[chart], "Facts from <x>");
        assert!(h.starts_with("<!doctype html>"));
        assert!(h.contains("<svg") && h.contains("Imports by supplier"));
        assert!(h.contains("Facts from &lt;x&gt;"));
    }
}
