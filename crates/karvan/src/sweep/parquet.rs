//! The results table as Parquet, which pandas, polars, DuckDB and Arrow read directly:
//! one row group, the variant id as text, each dimension as a number, a true/false or
//! text (whichever fits all its cells), and each figure as an optional double (empty
//! where a variant lacks it).

use std::sync::Arc;

use anyhow::Result;
use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use karvan_report::sweep::SweepTable as Table;

/// How a column is stored.
enum Column {
    Text(Vec<String>),
    Number(Vec<f64>),
    Flag(Vec<bool>),
    Figure(Vec<Option<f64>>),
}

impl Column {
    /// A dimension's cells, as the narrowest type that holds them all.
    fn of_cells(cells: Vec<String>) -> Column {
        if let Ok(xs) = cells.iter().map(|c| c.parse::<f64>()).collect() {
            Column::Number(xs)
        } else if let Ok(bs) = cells.iter().map(|c| c.parse::<bool>()).collect() {
            Column::Flag(bs)
        } else {
            Column::Text(cells)
        }
    }

    fn field(&self, name: &str) -> Result<Type> {
        let (physical, logical, repetition) = match self {
            Column::Text(_) => (
                Physical::BYTE_ARRAY,
                Some(LogicalType::String),
                Repetition::REQUIRED,
            ),
            Column::Number(_) => (Physical::DOUBLE, None, Repetition::REQUIRED),
            Column::Flag(_) => (Physical::BOOLEAN, None, Repetition::REQUIRED),
            Column::Figure(_) => (Physical::DOUBLE, None, Repetition::OPTIONAL),
        };
        Ok(Type::primitive_type_builder(name, physical)
            .with_logical_type(logical)
            .with_repetition(repetition)
            .build()?)
    }
}

/// The table as the bytes of a Parquet file.
pub fn encode(t: &Table) -> Result<Vec<u8>> {
    let mut columns: Vec<(String, Column)> = vec![(
        "id".into(),
        Column::Text(t.rows.iter().map(|r| r.0.clone()).collect()),
    )];
    for (i, d) in t.dimensions.iter().enumerate() {
        let cells = t.rows.iter().map(|r| r.1[i].clone()).collect();
        columns.push((d.clone(), Column::of_cells(cells)));
    }
    for (i, f) in t.figures.iter().enumerate() {
        let values = t.rows.iter().map(|r| r.2[i]).collect();
        columns.push((f.clone(), Column::Figure(values)));
    }
    let fields = columns
        .iter()
        .map(|(name, c)| c.field(name).map(Arc::new))
        .collect::<Result<Vec<_>>>()?;
    let schema = Arc::new(
        Type::group_type_builder("sweep")
            .with_fields(fields)
            .build()?,
    );
    let mut bytes = Vec::new();
    let mut writer = SerializedFileWriter::new(
        &mut bytes,
        schema,
        Arc::new(WriterProperties::builder().build()),
    )?;
    let mut group = writer.next_row_group()?;
    for (_, column) in &columns {
        let Some(mut w) = group.next_column()? else {
            break;
        };
        match column {
            Column::Text(cells) => {
                let values: Vec<ByteArray> =
                    cells.iter().map(|c| ByteArray::from(c.as_str())).collect();
                w.typed::<ByteArrayType>()
                    .write_batch(&values, None, None)?;
            }
            Column::Number(xs) => {
                w.typed::<DoubleType>().write_batch(xs, None, None)?;
            }
            Column::Flag(bs) => {
                w.typed::<BoolType>().write_batch(bs, None, None)?;
            }
            Column::Figure(values) => {
                let present: Vec<f64> = values.iter().flatten().copied().collect();
                let levels: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
                w.typed::<DoubleType>()
                    .write_batch(&present, Some(&levels), None)?;
            }
        }
        w.close()?;
    }
    group.close()?;
    writer.close()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    /// What a Parquet reader finds in the file: every row's (column, value) pairs.
    fn read_back(bytes: &[u8]) -> Vec<Vec<(String, Field)>> {
        let mut file = tempfile::tempfile().expect("a temporary file");
        std::io::Write::write_all(&mut file, bytes).expect("written");
        let reader = SerializedFileReader::new(file).expect("a Parquet file");
        reader
            .get_row_iter(None)
            .expect("rows")
            .map(|row| {
                row.expect("a row")
                    .get_column_iter()
                    .map(|(name, field)| (name.clone(), field.clone()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_reader_finds_the_table_with_its_types_and_gaps() {
        let t = Table {
            name: "t".into(),
            dimensions: vec!["uzb".into(), "railway".into(), "open".into()],
            figures: vec!["run.routed_tonnes".into(), "appraise.bcr.tar".into()],
            rows: vec![
                (
                    "v000000".into(),
                    vec!["-30".into(), "false".into(), "true".into()],
                    vec![Some(1.5e6), None],
                ),
                (
                    "v000001".into(),
                    vec!["0".into(), "2026".into(), "false".into()],
                    vec![Some(2.5e6), Some(0.37)],
                ),
            ],
        };
        let rows = read_back(&encode(&t).expect("encodes"));
        assert_eq!(rows.len(), 2);
        let names: Vec<&str> = rows[0].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "uzb",
                "railway",
                "open",
                "run.routed_tonnes",
                "appraise.bcr.tar"
            ]
        );
        assert_eq!(rows[0][0].1, Field::Str("v000000".into()));
        assert_eq!(rows[0][1].1, Field::Double(-30.0));
        // `false` and `2026` share a column only as text.
        assert_eq!(rows[1][2].1, Field::Str("2026".into()));
        assert_eq!(rows[1][3].1, Field::Bool(false));
        assert_eq!(rows[0][4].1, Field::Double(1.5e6));
        assert_eq!(rows[0][5].1, Field::Null);
        assert_eq!(rows[1][5].1, Field::Double(0.37));
    }
}
