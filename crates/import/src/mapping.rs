//! Which column of a file feeds which canonical field: columns with canonical names map
//! themselves, and `--map FIELD=COLUMN,...` renames the others.

use domain::fields::CanonicalField;

/// The mapping of a file's columns onto canonical fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// (field, column index, column name), in `CanonicalField::ALL` order.
    mapped: Vec<(CanonicalField, usize, String)>,
}

impl ColumnMap {
    /// Builds the mapping for `header` from an optional `FIELD=COLUMN,...` spec. The error is
    /// a message for the user that says what to change.
    pub fn new(header: &[String], spec: Option<&str>) -> Result<ColumnMap, String> {
        let mut chosen: Vec<(CanonicalField, usize)> = Vec::new();
        for entry in spec
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (field, column) = parse_entry(entry, header)?;
            if chosen.iter().any(|(f, _)| *f == field) {
                return Err(format!("--map names the field `{field}` twice"));
            }
            chosen.push((field, column));
        }
        for (index, name) in header.iter().enumerate() {
            let Some(field) = CanonicalField::parse(name) else {
                continue;
            };
            let column_taken = chosen.iter().any(|(_, c)| *c == index);
            if !column_taken && !chosen.iter().any(|(f, _)| *f == field) {
                chosen.push((field, index));
            }
        }
        chosen.sort();
        let mapped: Vec<(CanonicalField, usize, String)> = chosen
            .into_iter()
            .map(|(f, c)| (f, c, header[c].clone()))
            .collect();
        let names = [
            CanonicalField::GivenName,
            CanonicalField::Surname,
            CanonicalField::FullName,
        ];
        if !mapped.iter().any(|(f, _, _)| names.contains(f)) {
            return Err(format!(
                "no column holds a name; name a column given_name, surname or full_name, or map \
                 one, e.g. --map full_name=COLUMN (the file's columns are: {})",
                header.join(", ")
            ));
        }
        Ok(ColumnMap { mapped })
    }

    /// (field, column index) pairs, in canonical order.
    pub fn fields(&self) -> impl Iterator<Item = (CanonicalField, usize)> + '_ {
        self.mapped.iter().map(|(f, c, _)| (*f, *c))
    }

    /// (field, column name) pairs, for the registry's record of the import.
    pub fn named(&self) -> Vec<(CanonicalField, String)> {
        self.mapped
            .iter()
            .map(|(f, _, name)| (*f, name.clone()))
            .collect()
    }

    /// The column name feeding a field.
    pub fn column_of(&self, field: CanonicalField) -> Option<&str> {
        self.mapped
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, _, n)| n.as_str())
    }
}

fn parse_entry(entry: &str, header: &[String]) -> Result<(CanonicalField, usize), String> {
    let Some((field, column)) = entry.split_once('=') else {
        return Err(format!(
            "--map entry `{entry}` should look like FIELD=COLUMN, e.g. birth_date=date_of_birth"
        ));
    };
    let field = CanonicalField::parse(field).ok_or_else(|| {
        let all: Vec<&str> = CanonicalField::ALL.iter().map(|f| f.as_str()).collect();
        format!(
            "`{}` is not a canonical field; the fields are: {}",
            field.trim(),
            all.join(", ")
        )
    })?;
    let column = column.trim();
    let index = header.iter().position(|h| h == column).ok_or_else(|| {
        format!(
            "--map {field}={column}: the file has no column `{column}`; its columns are: {}",
            header.join(", ")
        )
    })?;
    Ok((field, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn canonical_columns_map_themselves_and_map_renames_others() {
        let map = ColumnMap::new(
            &header(&["rec_id", "given_name", "dob"]),
            Some("record_id=rec_id, birth_date=dob"),
        )
        .unwrap();
        let fields: Vec<_> = map.fields().collect();
        assert_eq!(
            fields,
            vec![
                (CanonicalField::RecordId, 0),
                (CanonicalField::GivenName, 1),
                (CanonicalField::BirthDate, 2)
            ]
        );
    }

    #[test]
    fn bad_maps_say_what_to_change() {
        let cases = [
            ("nickname=a", "not a canonical field"),
            ("given_name=missing", "no column `missing`"),
            ("given_name", "FIELD=COLUMN"),
            ("surname=a,surname=b", "twice"),
        ];
        for (spec, expected) in cases {
            let error = ColumnMap::new(&header(&["a", "b"]), Some(spec)).unwrap_err();
            assert!(error.contains(expected), "{spec}: {error}");
        }
    }

    #[test]
    fn a_list_without_any_name_column_is_refused() {
        let error = ColumnMap::new(&header(&["city", "prison"]), None).unwrap_err();
        assert!(error.contains("no column holds a name"), "{error}");
    }
}
