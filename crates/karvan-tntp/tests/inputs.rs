//! Bad TNTP inputs, one test per problem found by fuzzing: each is refused with the
//! file, the line and the field, and nothing panics or allocates by a header's word.

use std::io::Write;

use karvan_tntp::{decode, parse_flow, parse_net, parse_trips, to_problem, Instance, TntpError};

const NET: &str = include_str!("../../../testdata/tntp/SiouxFalls/SiouxFalls_net.tntp");
const TRIPS: &str = include_str!("../../../testdata/tntp/SiouxFalls/SiouxFalls_trips.tntp");
const FLOW: &str = include_str!("../../../testdata/tntp/SiouxFalls/SiouxFalls_flow.tntp");

/// The first link of SiouxFalls is on line 10: `1 2 25900.20064 6 6 0.15 4 0 0 1 ;`.
const FIRST_LINK: usize = 10;

/// `text` with whitespace-separated field `field` (1-based) of line `line` replaced.
fn with_field(text: &str, line: usize, field: usize, value: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                let mut f: Vec<&str> = l.split_whitespace().collect();
                f[field - 1] = value;
                f.join("\t")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn with_header(text: &str, key: &str, value: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with(key) {
                format!("{key} {value}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses a network and expects a field error on `line` about `field`.
fn net_field_error(text: &str, line: usize, field: &str) -> String {
    match parse_net(text, "net.tntp") {
        Err(e @ TntpError::Field { .. }) => {
            let m = e.to_string();
            assert_eq!(e.line(), Some(line), "{m}");
            assert!(m.starts_with(&format!("net.tntp:{line}: {field}")), "{m}");
            m
        }
        other => panic!("expected a field error about {field}, got {other:?}"),
    }
}

#[test]
fn nan_capacity_is_refused_with_file_line_and_field() {
    for v in ["NaN", "nan", "inf", "-inf", "infinity"] {
        let m = net_field_error(
            &with_field(NET, FIRST_LINK, 3, v),
            FIRST_LINK,
            "capacity (field 3)",
        );
        assert!(m.contains(&format!("is `{v}`")), "{m}");
    }
}

#[test]
fn nan_or_infinite_free_flow_time_is_refused() {
    for v in ["NaN", "inf"] {
        net_field_error(
            &with_field(NET, FIRST_LINK + 3, 5, v),
            FIRST_LINK + 3,
            "free-flow time (field 5)",
        );
    }
    net_field_error(
        &with_field(NET, FIRST_LINK, 5, "-1"),
        FIRST_LINK,
        "free-flow time",
    );
}

#[test]
fn nan_anywhere_numeric_in_a_link_is_refused() {
    for (field, name) in [
        (1, "init node"),
        (2, "term node"),
        (4, "length"),
        (6, "b"),
        (7, "power"),
        (8, "speed"),
        (9, "toll"),
        (10, "link type"),
    ] {
        net_field_error(&with_field(NET, FIRST_LINK, field, "NaN"), FIRST_LINK, name);
    }
}

#[test]
fn capacity_of_1e_minus_300_is_refused() {
    let m = net_field_error(
        &with_field(NET, FIRST_LINK, 3, "1e-300"),
        FIRST_LINK,
        "capacity",
    );
    assert!(m.contains("[1e-6, 1e15]"), "{m}");
    assert!(m.contains("overflow"), "{m}");
}

#[test]
fn capacities_near_zero_are_refused_at_the_floor() {
    for v in ["0", "-0", "-100", "9.9e-7", "5e-324"] {
        net_field_error(&with_field(NET, FIRST_LINK, 3, v), FIRST_LINK, "capacity");
    }
    assert!(parse_net(&with_field(NET, FIRST_LINK, 3, "1e-6"), "n").is_ok());
    net_field_error(
        &with_field(NET, FIRST_LINK, 3, "1e16"),
        FIRST_LINK,
        "capacity",
    );
}

#[test]
fn bpr_power_500_is_refused() {
    let m = net_field_error(
        &with_field(NET, FIRST_LINK, 7, "500"),
        FIRST_LINK,
        "power (field 7)",
    );
    assert!(m.contains("[0, 20]"), "{m}");
    net_field_error(&with_field(NET, FIRST_LINK, 7, "-1"), FIRST_LINK, "power");
    assert!(parse_net(&with_field(NET, FIRST_LINK, 7, "20"), "n").is_ok());
    net_field_error(&with_field(NET, FIRST_LINK, 6, "-0.15"), FIRST_LINK, "b");
}

#[test]
fn demand_of_1e300_is_refused() {
    let text = TRIPS.replacen("2 :    100.0;", "2 : 1e300;", 1);
    let e = parse_trips(&text, "trips.tntp").unwrap_err();
    let m = e.to_string();
    assert!(
        m.starts_with("trips.tntp:7: demand 1 → 2 is `1e300`; expected a number in [0, 1e12]"),
        "{m}"
    );
    for v in ["NaN", "inf", "-1", "1e13"] {
        let text = TRIPS.replacen("2 :    100.0;", &format!("2 : {v};"), 1);
        let e = parse_trips(&text, "trips.tntp").unwrap_err();
        assert!(matches!(e, TntpError::Field { line: 7, .. }), "{v}: {e}");
    }
}

#[test]
fn node_count_4294967296_is_refused_before_allocating() {
    let e = parse_net(
        &with_header(NET, "<NUMBER OF NODES>", "4294967296"),
        "net.tntp",
    )
    .unwrap_err();
    let m = e.to_string();
    assert!(
        m.starts_with("net.tntp:2: <NUMBER OF NODES> is `4294967296`; expected a whole number in 1..=50000000"),
        "{m}"
    );
}

#[test]
fn node_count_1e30_is_refused() {
    for v in ["1e30", "NaN", "-3", "24.5", "0"] {
        let e = parse_net(&with_header(NET, "<NUMBER OF NODES>", v), "net.tntp").unwrap_err();
        assert!(matches!(e, TntpError::Field { line: 2, .. }), "{v}: {e}");
    }
    for key in [
        "<NUMBER OF ZONES>",
        "<NUMBER OF LINKS>",
        "<FIRST THRU NODE>",
    ] {
        let e = parse_net(&with_header(NET, key, "1e30"), "net.tntp").unwrap_err();
        assert!(e.to_string().contains(key), "{e}");
    }
}

#[test]
fn node_count_beyond_what_the_links_can_reach_is_refused() {
    // 76 links reach at most 152 nodes.
    let text = with_header(NET, "<NUMBER OF NODES>", "153");
    let m = parse_net(&text, "net.tntp").unwrap_err().to_string();
    assert!(
        m.starts_with("net.tntp:2: <NUMBER OF NODES> is `153`; expected at most 152"),
        "{m}"
    );
    assert!(parse_net(&with_header(NET, "<NUMBER OF NODES>", "152"), "n").is_ok());
    let text = with_header(NET, "<NUMBER OF ZONES>", "25");
    let m = parse_net(&text, "net.tntp").unwrap_err().to_string();
    assert!(
        m.starts_with("net.tntp:1: <NUMBER OF ZONES> is `25`"),
        "{m}"
    );
}

#[test]
fn truncated_network_is_refused_with_both_counts() {
    // Cut after the 30th link (line 39), and cut in the middle of the next line.
    let cut: String = NET.lines().take(39).collect::<Vec<_>>().join("\n");
    let m = parse_net(&cut, "net.tntp").unwrap_err().to_string();
    assert_eq!(m, "net.tntp:4: links: the header says 76, the file has 30");
    let line40 = NET.lines().nth(39).unwrap();
    let half = format!("{cut}\n{}", &line40[..12]);
    let e = parse_net(&half, "net.tntp").unwrap_err();
    assert_eq!(e.line(), Some(40), "{e}");
}

#[test]
fn more_links_than_the_header_says_are_refused() {
    let text = with_header(NET, "<NUMBER OF LINKS>", "75");
    let m = parse_net(&text, "net.tntp").unwrap_err().to_string();
    assert!(
        m.starts_with(
            "net.tntp:4: links: the header says 75, the file has more (line 85 is link 76)"
        ),
        "{m}"
    );
}

#[test]
fn missing_or_extra_fields_are_refused() {
    let short: String = NET
        .lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == FIRST_LINK { "1 2 3 4 5" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    let m = parse_net(&short, "net.tntp").unwrap_err().to_string();
    assert!(m.starts_with("net.tntp:10: expected 9 or 10 fields"), "{m}");
    let long = with_field(NET, FIRST_LINK, 10, "1 7 7");
    let m = parse_net(&long, "net.tntp").unwrap_err().to_string();
    assert!(m.contains("found 12"), "{m}");
}

#[test]
fn headers_must_be_complete() {
    let no_end = NET.replace("<END OF METADATA>", "");
    assert!(parse_net(&no_end, "n")
        .unwrap_err()
        .to_string()
        .contains("no <END OF METADATA>"));
    let no_links = NET.replace("<NUMBER OF LINKS> 76", "");
    assert!(parse_net(&no_links, "n")
        .unwrap_err()
        .to_string()
        .contains("no <NUMBER OF LINKS>"));
    let twice = NET.replace("<NUMBER OF LINKS> 76", "<NUMBER OF NODES> 24");
    assert_eq!(parse_net(&twice, "n").unwrap_err().line(), Some(4));
}

#[test]
fn trip_table_with_other_zones_than_its_network_is_refused() {
    let trips = TRIPS.replace("<NUMBER OF ZONES> 24", "<NUMBER OF ZONES> 25");
    let e = Instance::parse((NET, "net.tntp"), (&trips, "trips.tntp"), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "trips.tntp:1: zones: the header says 25, the file has 24 in its network net.tntp"
    );
}

#[test]
fn trips_beyond_the_zones_are_refused() {
    let trips = TRIPS.replacen("2 :    100.0;", "25 :    100.0;", 1);
    let m = parse_trips(&trips, "trips.tntp").unwrap_err().to_string();
    assert!(
        m.starts_with("trips.tntp:7: destination is `25`; expected a whole number in 1..=24"),
        "{m}"
    );
    let trips = TRIPS.replacen("Origin \t1", "Origin 99", 1);
    let m = parse_trips(&trips, "trips.tntp").unwrap_err().to_string();
    assert!(m.starts_with("trips.tntp:6: origin is `99`"), "{m}");
}

#[test]
fn truncated_trip_table_is_refused_by_its_total() {
    let cut: String = TRIPS.lines().take(40).collect::<Vec<_>>().join("\n");
    let m = parse_trips(&cut, "trips.tntp").unwrap_err().to_string();
    assert!(
        m.starts_with("trips.tntp:2: total OD flow: the header says 360600, the file has"),
        "{m}"
    );
}

#[test]
fn truncated_flow_file_is_refused() {
    let cut: String = FLOW.lines().take(50).collect::<Vec<_>>().join("\n");
    let e = Instance::parse(
        (NET, "net.tntp"),
        (TRIPS, "trips.tntp"),
        Some((&cut, "flow.tntp")),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "flow.tntp:50: link flows: the header says 76 links in net.tntp, the file has 49 rows"
    );
    let bad = FLOW.replacen("4494.6576464564205", "NaN", 1);
    let e = parse_flow(&bad, "flow.tntp").unwrap_err();
    assert_eq!(e.line(), Some(2), "{e}");
    assert!(Instance::parse((NET, "n"), (TRIPS, "t"), Some((FLOW, "f"))).is_ok());
}

#[test]
fn non_utf8_bytes_are_reported_on_their_line() {
    let mut bytes = NET.as_bytes().to_vec();
    let at = NET.find("25900.20064").unwrap();
    bytes[at + 2] = 0xff;
    let text = decode(bytes, "net.tntp", false).unwrap();
    let e = parse_net(&text, "net.tntp").unwrap_err();
    assert_eq!(e.line(), Some(FIRST_LINK), "{e}");
    assert!(e.to_string().contains("capacity"), "{e}");
}

#[test]
fn gzip_garbage_is_an_error_naming_the_file() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(NET.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    assert_eq!(decode(gz.clone(), "net.tntp.gz", true).unwrap(), NET);
    // Gzip data is recognised by its magic number whatever the name.
    assert_eq!(decode(gz.clone(), "net.tntp", false).unwrap(), NET);
    for bad in [
        &gz[..gz.len() / 2],
        &b"not gzip at all"[..],
        &[0x1f, 0x8b, 0, 0][..],
    ] {
        let e = decode(bad.to_vec(), "net.tntp.gz", true).unwrap_err();
        assert_eq!(e.file(), Some("net.tntp.gz"), "{e}");
    }
    let mut flipped = gz.clone();
    flipped[20] ^= 0x55;
    if let Err(e) = decode(flipped, "net.tntp.gz", true) {
        assert_eq!(e.file(), Some("net.tntp.gz"), "{e}");
    }
}

#[test]
fn factors_out_of_range_are_refused() {
    let inst = Instance::parse((NET, "n"), (TRIPS, "t"), None).unwrap();
    for v in [f64::NAN, f64::INFINITY, -1.0, 1e7] {
        let e = to_problem(&inst, v, 0.0).unwrap_err();
        assert!(e.to_string().starts_with("the toll factor is"), "{e}");
        assert!(to_problem(&inst, 0.0, v).is_err());
    }
    assert!(to_problem(&inst, 0.02, 0.04).is_ok());
}
