//! What the policy crate's tests share.

use std::path::Path;

use karvan_data::{Applied, Dataset, Scenario};

/// The hand-made tiny dataset with no scenario, its trade answering to price.
pub fn tiny_baseline() -> Applied {
    let ds = Dataset::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny"))
        .unwrap();
    Scenario::parse("base = \"tiny\"", "t")
        .unwrap()
        .apply(&ds, "t")
        .unwrap()
}
