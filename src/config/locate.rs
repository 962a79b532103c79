//! Key paths ↔ places in the file, from the spans of toml's `DeTable` parse tree.
//!
//! A key path is written as in problem messages: `windows[2].services[0].weight`
//! (keys separated by dots, 0-based array indexes in brackets).

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => part.split_at(i),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(end) = stripped.find(']') else { break };
            if let Ok(i) = stripped[..end].parse() {
                out.push(Segment::Index(i));
            }
            rest = &stripped[end + 1..];
        }
    }
    out
}

fn child<'t, 'i>(
    table: &'t DeTable<'i>,
    key: &str,
) -> Option<(Range<usize>, &'t Spanned<DeValue<'i>>)> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(k, v)| (k.span(), v))
}

/// Byte offset where `path` is written: the key for a key, the element for an array index.
/// When the full path is not in the file (e.g. a key left to its default), the deepest
/// ancestor that is written.
pub(super) fn offset_of(root: &DeTable<'_>, path: &str) -> Option<usize> {
    let mut found = None;
    let mut table = Some(root);
    let mut current: Option<&Spanned<DeValue<'_>>> = None;
    for seg in segments(path) {
        match seg {
            Segment::Key(key) => {
                let t = match (table, current.map(|c| c.get_ref())) {
                    (_, Some(DeValue::Table(t))) => t,
                    (Some(t), None) => t,
                    _ => break,
                };
                let Some((key_span, value)) = child(t, key) else {
                    break;
                };
                found = Some(key_span.start);
                current = Some(value);
                table = None;
            }
            Segment::Index(i) => {
                let Some(DeValue::Array(a)) = current.map(|c| c.get_ref()) else {
                    break;
                };
                let Some(item) = a.get(i) else { break };
                found = Some(item.span().start);
                current = Some(item);
            }
        }
    }
    found
}

/// The deepest key path whose key or value span contains `offset`.
pub(super) fn path_at(root: &DeTable<'_>, offset: usize) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    walk_table(root, String::new(), 0, offset, &mut best);
    best.map(|(_, p)| p)
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.contains(&offset) || (span.is_empty() && span.start == offset)
}

fn consider(best: &mut Option<(usize, String)>, depth: usize, path: &str) {
    if best.as_ref().is_none_or(|(d, _)| depth > *d) {
        *best = Some((depth, path.to_owned()));
    }
}

fn walk_table(
    table: &DeTable<'_>,
    prefix: String,
    depth: usize,
    offset: usize,
    best: &mut Option<(usize, String)>,
) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if contains(&key.span(), offset) || contains(&value.span(), offset) {
            consider(best, depth + 1, &path);
        }
        walk_value(value, path, depth + 1, offset, best);
    }
}

fn walk_value(
    value: &Spanned<DeValue<'_>>,
    path: String,
    depth: usize,
    offset: usize,
    best: &mut Option<(usize, String)>,
) {
    match value.get_ref() {
        DeValue::Table(t) => walk_table(t, path, depth, offset, best),
        DeValue::Array(a) => {
            for (i, item) in a.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                if contains(&item.span(), offset) {
                    consider(best, depth + 1, &item_path);
                }
                walk_value(item, item_path, depth + 1, offset, best);
            }
        }
        _ => {}
    }
}

/// 1-based line of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[hall]\nname = \"x\"\n\n[[windows]]\nnumber = 1\nservices = [\n  \"A\",\n  { service = \"B\", weight = 0 },\n]\n";

    fn line(path: &str) -> Option<usize> {
        let root = DeTable::parse(DOC).ok()?;
        offset_of(root.get_ref(), path).map(|o| line_of(DOC, o))
    }

    #[test]
    fn paths_split_into_keys_and_indexes() {
        assert_eq!(
            segments("windows[2].services[0].weight"),
            vec![
                Segment::Key("windows"),
                Segment::Index(2),
                Segment::Key("services"),
                Segment::Index(0),
                Segment::Key("weight"),
            ]
        );
    }

    #[test]
    fn lines_of_keys_elements_and_defaults() {
        assert_eq!(line("hall"), Some(1));
        assert_eq!(line("hall.name"), Some(2));
        assert_eq!(line("windows[0]"), Some(4));
        assert_eq!(line("windows[0].services"), Some(6));
        assert_eq!(line("windows[0].services[1]"), Some(8));
        assert_eq!(line("windows[0].services[1].weight"), Some(8));
        // Not written: falls back to the nearest written ancestor.
        assert_eq!(line("windows[0].name"), Some(4));
        assert_eq!(line("hall.timezone"), Some(1));
        assert_eq!(line("devices"), None);
    }

    #[test]
    fn offset_maps_back_to_deepest_path() {
        let root = DeTable::parse(DOC).unwrap();
        let at = DOC.find("weight").unwrap();
        assert_eq!(
            path_at(root.get_ref(), at).as_deref(),
            Some("windows[0].services[1].weight")
        );
        let at = DOC.find("\"x\"").unwrap();
        assert_eq!(path_at(root.get_ref(), at).as_deref(), Some("hall.name"));
    }
}
