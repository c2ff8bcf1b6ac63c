//! The README's table reference is generated from the schema; this keeps it current.
//! Run with `KARVAN_BLESS=1` to rewrite it.

use std::path::Path;

#[test]
fn readme_table_reference_matches_the_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- schema:start -->\n", "<!-- schema:end -->");
    let a = readme
        .find(start)
        .expect("README has the schema start marker")
        + start.len();
    let b = readme.find(end).expect("README has the schema end marker");
    let want = karvan_data::schema::to_markdown();
    if std::env::var_os("KARVAN_BLESS").is_some() {
        std::fs::write(&path, format!("{}{}{}", &readme[..a], want, &readme[b..])).unwrap();
        return;
    }
    assert_eq!(
        &readme[a..b],
        want,
        "README is out of date: run `KARVAN_BLESS=1 cargo test -p karvan --test readme`"
    );
}
