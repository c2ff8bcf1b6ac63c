//! The dataset's tables and columns, written once.
//!
//! This is data, not documentation: the loader checks every cell against it, `karvan schema`
//! prints it, and the README's table reference is generated from it. A column's meaning,
//! unit and default live here and nowhere else.

/// What a cell may hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A stable identifier: lowercase ASCII letters, digits and `-`.
    Id,
    /// A reference to an id in another table (checked after loading).
    Ref(&'static str),
    /// Free text.
    Text,
    /// A number in an inclusive range.
    Number { min: f64, max: f64 },
    /// A whole number (a year).
    Year,
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of words.
    OneOf(&'static [&'static str]),
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub unit: &'static str,
    /// What an empty cell means, when the column is optional.
    pub default: &'static str,
    pub doc: &'static str,
}

/// One CSV table of a dataset.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub file: &'static str,
    pub doc: &'static str,
    pub columns: &'static [Column],
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

pub const fn req(name: &'static str, kind: Kind, unit: &'static str, doc: &'static str) -> Column {
    Column {
        name,
        kind,
        required: true,
        unit,
        default: "",
        doc,
    }
}

pub const fn opt(
    name: &'static str,
    kind: Kind,
    unit: &'static str,
    default: &'static str,
    doc: &'static str,
) -> Column {
    Column {
        name,
        kind,
        required: false,
        unit,
        default,
        doc,
    }
}

pub const SOURCE: Column = req(
    "source",
    Kind::Text,
    "",
    "Where the row's figures come from: a public reference (URL), `measured: ...`, `derived: ...` or `estimate: <reasoning>`.",
);

pub const MODES: &[&str] = &["rail", "road", "sea"];
pub const LAND_MODES: &[&str] = &["rail", "road"];
pub const GAUGES: &[&str] = &["1435", "1520", "1676"];
pub const STATUSES: &[&str] = &["existing", "under_construction", "planned", "proposed"];
pub const NODE_KINDS: &[&str] = &[
    "city",
    "station",
    "border_post",
    "port",
    "dry_port",
    "junction",
];
pub const LAYERS: &[&str] = &["road", "rail-1435", "rail-1520", "rail-1676", "sea"];
pub const TARIFF_KINDS: &[&str] = &["transit", "domestic"];

/// A number from `min` to `max`, both included.
pub const fn between(min: f64, max: f64) -> Kind {
    Kind::Number { min, max }
}

/// A number greater than 0 and at most `max` (`min` is the smallest positive number).
pub const fn above_zero(max: f64) -> Kind {
    Kind::Number {
        min: f64::MIN_POSITIVE,
        max,
    }
}

/// A number as people read it: plain when moderate, in scientific notation when huge or
/// tiny (`1e300`, not three hundred digits).
pub fn number_text(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && a != 0.0 && !(1e-4..1e9).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// The valid range of a number, in words: "between 0 and 100", "greater than 0 and at
/// most 1e9".
pub fn range_text(min: f64, max: f64) -> String {
    if min == f64::MIN_POSITIVE {
        format!("greater than 0 and at most {}", number_text(max))
    } else {
        format!("between {} and {}", number_text(min), number_text(max))
    }
}

/// Tables that must have at least one data row.
pub const NEEDS_ROWS: &[&str] = &[
    "countries.csv",
    "nodes.csv",
    "links.csv",
    "commodities.csv",
    "demand.csv",
];

pub const COUNTRIES: Table = Table {
    file: "countries.csv",
    doc: "The countries of the network.",
    columns: &[
        req(
            "iso3",
            Kind::Id,
            "",
            "ISO 3166-1 alpha-3 code, upper case (e.g. `AFG`).",
        ),
        req("name", Kind::Text, "", "Country name in English."),
        SOURCE,
    ],
};

pub const NODES: Table = Table {
    file: "nodes.csv",
    doc: "Places: cities, stations, border posts, ports, dry ports, junctions.",
    columns: &[
        req(
            "id",
            Kind::Id,
            "",
            "Stable identifier used by every other table and by scenarios.",
        ),
        req(
            "name",
            Kind::Text,
            "",
            "Name shown in reports; matched forgivingly by `karvan route`.",
        ),
        opt(
            "aliases",
            Kind::Text,
            "",
            "none",
            "Other spellings, separated by `;` (e.g. `Hayraton;Khairaton`).",
        ),
        req(
            "country",
            Kind::Ref("countries.csv"),
            "",
            "ISO3 code of the country the node lies in.",
        ),
        opt(
            "province",
            Kind::Text,
            "",
            "none",
            "Province or region, matched against `risk.csv`.",
        ),
        req(
            "lat",
            Kind::Number {
                min: -90.0,
                max: 90.0,
            },
            "degrees",
            "Latitude, WGS84.",
        ),
        req(
            "lon",
            Kind::Number {
                min: -180.0,
                max: 180.0,
            },
            "degrees",
            "Longitude, WGS84.",
        ),
        req("kind", Kind::OneOf(NODE_KINDS), "", "What the place is."),
        opt(
            "is_zone",
            Kind::Bool,
            "",
            "false",
            "Whether demand may start or end here.",
        ),
        SOURCE,
    ],
};

pub const LINKS: Table = Table {
    file: "links.csv",
    doc: "Rail, road and sea links between two nodes, usable both ways. Rail and road links lie within one country; borders are crossed by `crossings.csv`.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        opt("name", Kind::Text, "", "from – to", "Name shown in reports."),
        req("from", Kind::Ref("nodes.csv"), "", "One end (node id)."),
        req("to", Kind::Ref("nodes.csv"), "", "The other end (node id)."),
        req("mode", Kind::OneOf(MODES), "", "Transport mode."),
        opt("gauge_mm", Kind::OneOf(GAUGES), "mm", "required for rail", "Track gauge; rail only."),
        req("length_km", above_zero(20_000.0), "km", "Length along the line."),
        opt("length_source", Kind::Text, "", "the row's source", "Where the length comes from: a reference, `measured: ...` (on the OpenStreetMap-derived graphs) or `estimate: ...`."),
        opt("speed_kmh", between(1.0, 300.0), "km/h", "the dataset's default speed for the mode", "Average running speed of freight."),
        opt("capacity_t_per_year", above_zero(1e10), "t/year", "unlimited", "Freight capacity; leave empty for unlimited (0 is refused: close a link with a scenario instead)."),
        req("status", Kind::OneOf(STATUSES), "", "Whether the link exists or is being built, planned or proposed."),
        opt("opens_year", Kind::Year, "year", "never (unless a scenario switches its project on)", "Year the link opens; required when under construction or planned."),
        opt("project", Kind::Id, "", "none", "Project that scenarios switch on or off as a whole."),
        SOURCE,
    ],
};

pub const CROSSINGS: Table = Table {
    file: "crossings.csv",
    doc: "Border crossings between a node in one country and a node in another, usable both ways.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        req("name", Kind::Text, "", "Name shown in reports."),
        req("from", Kind::Ref("nodes.csv"), "", "Node on one side."),
        req(
            "to",
            Kind::Ref("nodes.csv"),
            "",
            "Node on the other side (another country).",
        ),
        req("mode", Kind::OneOf(LAND_MODES), "", "rail or road."),
        opt(
            "gauge_mm",
            Kind::OneOf(GAUGES),
            "mm",
            "required for rail",
            "Gauge of the track across the border; rail only.",
        ),
        opt(
            "length_km",
            between(0.0, 100.0),
            "km",
            "0",
            "Length of the bridge or crossing itself.",
        ),
        req(
            "dwell_hours",
            between(0.0, 2_000.0),
            "h",
            "Average time spent at the border, both sides together.",
        ),
        req(
            "fee_usd_per_t",
            between(0.0, 10_000.0),
            "USD/t",
            "Border charges per tonne, paid to the country entered.",
        ),
        opt(
            "capacity_t_per_day",
            above_zero(1e8),
            "t/day",
            "unlimited",
            "Throughput capacity; leave empty for unlimited (0 is refused: close a crossing with a scenario instead).",
        ),
        req(
            "status",
            Kind::OneOf(STATUSES),
            "",
            "Whether the crossing exists or is being built, planned or proposed.",
        ),
        opt(
            "opens_year",
            Kind::Year,
            "year",
            "never (unless a scenario switches its project on)",
            "Year the crossing opens.",
        ),
        opt(
            "project",
            Kind::Id,
            "",
            "none",
            "Project that scenarios switch on or off as a whole.",
        ),
        SOURCE,
    ],
};

pub const TRANSFERS: Table = Table {
    file: "transfers.csv",
    doc: "Handling where cargo changes gauge or mode at a node; applies both ways.",
    columns: &[
        req(
            "node",
            Kind::Ref("nodes.csv"),
            "",
            "Where the transfer happens.",
        ),
        req("from", Kind::OneOf(LAYERS), "", "One network layer."),
        req("to", Kind::OneOf(LAYERS), "", "The other layer."),
        req(
            "usd_per_t",
            between(0.0, 10_000.0),
            "USD/t",
            "Handling cost per tonne.",
        ),
        req("hours", between(0.0, 2_000.0), "h", "Handling time."),
        SOURCE,
    ],
};

pub const COMMODITIES: Table = Table {
    file: "commodities.csv",
    doc: "Kinds of cargo; their value sets the value of time and the risk premium.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        req("name", Kind::Text, "", "Name shown in reports."),
        req(
            "value_usd_per_t",
            between(0.0, 1e8),
            "USD/t",
            "Average value of a tonne.",
        ),
        SOURCE,
    ],
};

pub const FREIGHT_RATES: Table = Table {
    file: "freight_rates.csv",
    doc: "Carriers' market freight rate by country and mode: what a trucker or rail operator charges to haul a tonne one kilometre there, without the government levies of tariffs.csv. A country and mode without a row pay the operating_cost_* parameter of the layer.",
    columns: &[
        req("country", Kind::Ref("countries.csv"), "", "Country whose carriers charge the rate."),
        req("mode", Kind::OneOf(LAND_MODES), "", "rail or road."),
        req("usd_per_tkm", between(0.0, 10.0), "USD/t-km", "Freight rate per tonne-kilometre on the country's links of this mode."),
        SOURCE,
    ],
};

pub const TARIFFS: Table = Table {
    file: "tariffs.csv",
    doc: "Levies a government or state railway sets on freight using its network (transit tariffs, road transit and entry fees, tolls): the policy lever of tariff scenarios and the game. Carriers' own rates are in freight_rates.csv. A tariff is `transit` when the country is neither the shipment's origin nor its destination country; a commodity-specific row wins over `*`.",
    columns: &[
        req("country", Kind::Ref("countries.csv"), "", "Country that levies the tariff."),
        req("mode", Kind::OneOf(LAND_MODES), "", "rail or road."),
        req("commodity", Kind::Text, "", "Commodity id, or `*` for every commodity."),
        req("kind", Kind::OneOf(TARIFF_KINDS), "", "transit or domestic."),
        opt("usd_per_tkm", between(0.0, 100.0), "USD/t-km", "0", "Charge per tonne-kilometre on the country's links of this mode."),
        opt("usd_per_t", between(0.0, 10_000.0), "USD/t", "0", "Charge per tonne on entering the country by a crossing of this mode."),
        SOURCE,
    ],
};

pub const DEMAND: Table = Table {
    file: "demand.csv",
    doc: "Freight to be moved in the base year, between zones.",
    columns: &[
        req(
            "origin",
            Kind::Ref("nodes.csv"),
            "",
            "Origin zone (node id with is_zone = true).",
        ),
        req(
            "destination",
            Kind::Ref("nodes.csv"),
            "",
            "Destination zone.",
        ),
        req(
            "commodity",
            Kind::Ref("commodities.csv"),
            "",
            "Commodity id.",
        ),
        req(
            "tonnes_per_year",
            between(0.0, 1e9),
            "t/year",
            "Tonnes per year.",
        ),
        opt(
            "year",
            Kind::Year,
            "year",
            "the dataset's base year",
            "Year the figure describes.",
        ),
        SOURCE,
    ],
};

pub const RISK: Table = Table {
    file: "risk.csv",
    doc: "Security risk by country or province; a node takes its province's index when listed, else its country's.",
    columns: &[
        req("region", Kind::Text, "", "Country ISO3 code or a province name used in `nodes.csv`."),
        req("index", Kind::Number { min: 0.0, max: 1.0 }, "0–1", "Risk index: 0 safe, 1 the worst in the region."),
        SOURCE,
    ],
};

pub const CORRIDORS: Table = Table {
    file: "corridors.csv",
    doc: "Named corridors for reporting. A route belongs to the first corridor (in table order) all of whose crossings and links it uses; name at least one of either.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        req("name", Kind::Text, "", "Name shown in reports."),
        opt("crossings", Kind::Text, "", "none", "Crossing ids separated by `;`; the route must use all of them."),
        opt("links", Kind::Text, "", "none", "Link ids separated by `;`; the route must use all of them too."),
        SOURCE,
    ],
};

pub const OBSERVATIONS: Table = Table {
    file: "observations.csv",
    doc: "Observed freight that the base year should match (`karvan fit`, `karvan calibrate`): tonnes or vehicles over a set of links or crossings, or one set's share of another's. Optional.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        req("kind", Kind::OneOf(OBSERVATION_KINDS), "", "`flow`: a quantity over the elements; `share`: the elements' flow divided by the denominator's."),
        req("elements", Kind::Text, "", "Link or crossing ids separated by `;` (`missing:<name>` for a crossing not yet in the network: reported, not fitted)."),
        opt("direction", Kind::Text, "", "both ways", "`into:ISO3` or `out-of:ISO3`: only the flow entering or leaving that country at the elements (crossings)."),
        opt("mode", Kind::OneOf(LAND_MODES), "", "any", "Only this mode."),
        opt("commodity", Kind::Ref("commodities.csv"), "", "every commodity", "Only this commodity."),
        opt("denominator", Kind::Text, "", "none", "For a share: the ids whose flow the share is of, separated by `;`."),
        req("value", between(0.0, 1e10), "unit", "The observed figure."),
        opt("low", between(0.0, 1e10), "unit", "value", "Lowest figure where sources disagree."),
        opt("high", between(0.0, 1e10), "unit", "value", "Highest figure where sources disagree."),
        req("unit", Kind::OneOf(OBSERVATION_UNITS), "", "Unit of value, low and high."),
        opt("tonnes_per_vehicle", above_zero(200.0), "t", "required for vehicles and wagons", "Tonnes per vehicle or wagon, to convert counts."),
        opt("period", Kind::Text, "", "the base year", "When the figure was observed (`2024`, `2024-03..2025-03`)."),
        opt("weight", between(0.0, 1.0), "0–1", "1", "Confidence: 1 official and consistent, 0.5 one credible report, 0.2 a rough estimate."),
        SOURCE,
        opt("role", Kind::OneOf(OBSERVATION_ROLES), "", "calibrate", "`calibrate`: fitted by `karvan calibrate`; `validate`: kept out of the fit to check it; `context`: another period, condition or scope than the base year (listed, not scored)."),
    ],
};

pub const OBSERVATION_KINDS: &[&str] = &["flow", "share"];
pub const OBSERVATION_ROLES: &[&str] = &["calibrate", "validate", "context"];
pub const OBSERVATION_UNITS: &[&str] = &["t/year", "vehicles/day", "wagons/day", "share"];

pub const PROJECT_COSTS: Table = Table {
    file: "project_costs.csv",
    doc: "What a project costs (`karvan appraise`): capital cost with its range, construction period, opening year, operation and maintenance, renewal and service life. Project ids are those of links.csv, crossings.csv and upgrades.csv. Optional.",
    columns: &[
        req("project", Kind::Id, "", "Project id."),
        req("capex_usd", between(0.0, 1e12), "USD", "Central capital cost."),
        opt("capex_low_usd", between(0.0, 1e12), "USD", "capex_usd", "Lowest capital cost where sources disagree."),
        opt("capex_high_usd", between(0.0, 1e12), "USD", "capex_usd", "Highest capital cost where sources disagree."),
        opt("spent_usd", between(0.0, 1e12), "USD", "0", "Capital cost already spent by the dataset's base year: sunk, left out of an appraisal of the years after (the rest is what is still to spend; the low and high estimates keep the same share unspent)."),
        req("build_years", between(1.0, 20.0), "years", "Construction period; the capital cost is spent evenly over the years before opening."),
        req("opens_year", Kind::Year, "year", "Opening year assumed unless the appraisal sets another."),
        opt("opex_usd_per_year", between(0.0, 1e11), "USD/year", "0", "Operation and maintenance of the infrastructure from opening."),
        opt("renewal_usd", between(0.0, 1e12), "USD", "no renewal", "A periodic renewal's cost."),
        opt("renewal_every_years", between(1.0, 100.0), "years", "no renewal", "Years between renewals, counted from opening."),
        req("service_life_years", between(1.0, 200.0), "years", "Life of the asset, for its straight-line residual value at the appraisal's horizon."),
        SOURCE,
    ],
};

pub const PROJECT_FINANCING: Table = Table {
    file: "project_financing.csv",
    doc: "Who pays a project's capital cost (`karvan appraise`): one row per financier, shares of a project summing to 1. Optional; a project without rows is paid by the countries its links and crossings lie in, by length.",
    columns: &[
        req("project", Kind::Id, "", "Project id."),
        req("financier", Kind::Id, "", "A country id of countries.csv, or an outside financier's id (`adb`, `world-bank`)."),
        req("instrument", Kind::OneOf(INSTRUMENTS), "", "`equity`: paid from the financier's budget; `loan`: lent to the borrower; `grant`: given to the borrower."),
        opt("borrower", Kind::Ref("countries.csv"), "", "required for loans and grants", "Country that borrows or receives the grant."),
        req("share", between(0.0, 1.0), "0–1", "Share of the capital cost."),
        opt("interest_percent", between(0.0, 50.0), "%/year", "0", "A loan's interest rate."),
        opt("tenor_years", between(1.0, 60.0), "years", "required for loans", "A loan's term, grace included."),
        opt("grace_years", between(0.0, 30.0), "years", "0", "Years after the last disbursement with interest only."),
        SOURCE,
    ],
};

pub const UPGRADES: Table = Table {
    file: "upgrades.csv",
    doc: "What an upgrade project changes at an existing crossing when a scenario builds it (a single window, more lanes): a blank cell keeps the crossing's value. Upgrades of one crossing add up: each saves the dwell it saves and changes the fee by what it changes; the capacity is the largest. Optional.",
    columns: &[
        req("project", Kind::Id, "", "Upgrade project id (scenarios switch it like any project)."),
        req("crossing", Kind::Ref("crossings.csv"), "", "Crossing upgraded."),
        opt("dwell_hours", between(0.0, 2000.0), "h", "unchanged", "Dwell at the crossing after the upgrade."),
        opt("capacity_t_per_day", above_zero(1e7), "t/day", "unchanged", "Capacity after the upgrade, per direction."),
        opt("fee_usd_per_t", between(0.0, 10_000.0), "USD/t", "unchanged", "Border fee after the upgrade."),
        SOURCE,
    ],
};

pub const INSTRUMENTS: &[&str] = &["equity", "loan", "grant"];

/// Every table, in loading order.
pub const TABLES: &[Table] = &[
    COUNTRIES,
    NODES,
    LINKS,
    CROSSINGS,
    TRANSFERS,
    COMMODITIES,
    FREIGHT_RATES,
    TARIFFS,
    DEMAND,
    RISK,
    CORRIDORS,
    OBSERVATIONS,
    UPGRADES,
    PROJECT_COSTS,
    PROJECT_FINANCING,
];

/// Tables a dataset may leave out.
pub const OPTIONAL: &[&str] = &[
    "observations.csv",
    "freight_rates.csv",
    "upgrades.csv",
    "project_costs.csv",
    "project_financing.csv",
];

/// A numeric parameter of `dataset.toml`.
#[derive(Debug, Clone, Copy)]
pub struct Parameter {
    pub name: &'static str,
    pub unit: &'static str,
    pub doc: &'static str,
    /// Smallest valid value ([`f64::MIN_POSITIVE`] for "greater than 0").
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
}

impl Parameter {
    /// Whether `value` lies in the parameter's valid range.
    pub fn accepts(&self, value: f64) -> bool {
        value.is_finite() && value >= self.min && value <= self.max
    }

    /// The valid range in words.
    pub fn range(&self) -> String {
        range_text(self.min, self.max)
    }
}

/// Looks a parameter up by name.
pub fn parameter(name: &str) -> Option<&'static Parameter> {
    PARAMETERS.iter().find(|p| p.name == name)
}

/// The parameters every dataset must set (each with a value and a source).
pub const PARAMETERS: &[Parameter] = &[
    Parameter { name: "operating_cost_road", unit: "USD/t-km", doc: "Carrier's rate for moving a tonne one km by road where freight_rates.csv has no row for the country; levies come on top.", min: 0.0, max: 10.0 },
    Parameter { name: "operating_cost_rail_1520", unit: "USD/t-km", doc: "Rail carrier's cost (wagons, traction, crew) on 1520 mm where freight_rates.csv has no rail row; the state railway's levy comes on top.", min: 0.0, max: 10.0 },
    Parameter { name: "operating_cost_rail_1435", unit: "USD/t-km", doc: "Carrier's cost on 1435 mm rail.", min: 0.0, max: 10.0 },
    Parameter { name: "operating_cost_rail_1676", unit: "USD/t-km", doc: "Carrier's cost on 1676 mm rail.", min: 0.0, max: 10.0 },
    Parameter { name: "operating_cost_sea", unit: "USD/t-km", doc: "Carrier's cost by sea.", min: 0.0, max: 10.0 },
    Parameter { name: "default_speed_road", unit: "km/h", doc: "Freight speed on a road link with no speed of its own.", min: 1.0, max: 300.0 },
    Parameter { name: "default_speed_rail", unit: "km/h", doc: "Freight speed on a rail link with no speed of its own.", min: 1.0, max: 300.0 },
    Parameter { name: "default_speed_sea", unit: "km/h", doc: "Speed on a sea link with no speed of its own.", min: 1.0, max: 300.0 },
    Parameter { name: "time_value_share_per_year", unit: "1/year", doc: "Share of cargo value lost per year in transit (capital, spoilage, obsolescence); the value of time is value × this / 8760 per hour.", min: 0.0, max: 10.0 },
    Parameter { name: "insurance_rate_per_1000km", unit: "1/1000 km", doc: "Share of cargo value paid as risk premium per 1000 km through a region of risk index 1.", min: 0.0, max: 1.0 },
    Parameter { name: "risk_dwell_hours", unit: "h", doc: "Extra hours at a border crossing per unit of risk index (the higher of its two sides), for security checks and convoys.", min: 0.0, max: 2000.0 },
    Parameter { name: "closure_chance_per_year", unit: "1/year", doc: "Chance per year that a border crossing in a region of risk index 1 closes (`karvan resilience`); a crossing's chance is this times its risk index.", min: 0.0, max: 1.0 },
    Parameter { name: "closure_days", unit: "days", doc: "How long a sampled closure lasts (`karvan resilience`).", min: 0.0, max: 365.0 },
    Parameter { name: "rail_terminal_usd_per_t", unit: "USD/t", doc: "Loading or unloading rail cargo where it starts or ends, with the drayage to the door, at a railhead with no rail↔road transfer of its own in `transfers.csv` (which is used where it exists).", min: 0.0, max: 1000.0 },
    Parameter { name: "rail_terminal_hours", unit: "h", doc: "Time of that loading or unloading.", min: 0.0, max: 2000.0 },
    Parameter { name: "sea_transshipment_usd_per_t", unit: "USD/t", doc: "Handling when cargo changes ship at a port (sea to sea), per tonne.", min: 0.0, max: 1000.0 },
    Parameter { name: "sea_transshipment_hours", unit: "h", doc: "Time in port when cargo changes ship: handling and the wait for the connecting sailing.", min: 0.0, max: 2000.0 },
];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The schema rendered as Markdown, for the README and `karvan schema`.
pub fn to_markdown() -> String {
    let mut out = String::new();
    for table in TABLES {
        out.push_str(&format!("### `{}`\n\n{}\n\n", table.file, table.doc));
        out.push_str("| column | required | unit | default | meaning |\n|---|---|---|---|---|\n");
        for c in table.columns {
            let kind = match c.kind {
                Kind::OneOf(words) => format!(" One of: {}.", words.join(", ")),
                Kind::Ref(t) => format!(" Refers to `{t}`."),
                Kind::Number { min, max } => format!(" {}.", capitalise(&range_text(min, max))),
                _ => String::new(),
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {}{} |\n",
                c.name,
                if c.required { "yes" } else { "no" },
                c.unit,
                c.default,
                c.doc,
                kind
            ));
        }
        out.push('\n');
    }
    out.push_str("### `dataset.toml` parameters\n\nEach is written `name = { value = 0.0, source = \"...\" }` under `[parameters]`.\n\n| parameter | unit | range | meaning |\n|---|---|---|---|\n");
    for p in PARAMETERS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            p.name,
            p.unit,
            p.range(),
            p.doc
        ));
    }
    out
}
