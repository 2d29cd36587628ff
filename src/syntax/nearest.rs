//! "Did you mean": the closest spelling to a mistyped word, for error hints anywhere in the crate.

/// The candidate closest to `word` by edit distance (insertions, deletions, substitutions and
/// swaps of neighbours, ASCII case ignored), if it is close enough to be a plausible typo: at most
/// one edit per five characters of `word`, and at least one. Ties go to the earliest candidate.
///
/// `nearest("REQ.HTTP.HEADR", ["REQ.HTTP.URL", "REQ.HTTP.HEADER"])` is `Some("REQ.HTTP.HEADER")`;
/// an exact (case-insensitive) match is distance 0 and so is returned as well.
pub(crate) fn nearest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 5).max(1);
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        // Cheap bound first: the length difference alone costs that many edits.
        if word.len().abs_diff(candidate.len()) > limit {
            continue;
        }
        let distance = edit_distance(word, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal-string-alignment distance over ASCII-uppercased bytes, with three rolling rows.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_uppercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_uppercase()).collect();
    let width = b.len() + 1;
    let cell = |row: &[usize], j: usize| row.get(j).copied().unwrap_or(usize::MAX - 1);
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for (i, &ca) in a.iter().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        for (j, &cb) in b.iter().enumerate() {
            let substitute = cell(&previous, j) + usize::from(ca != cb);
            let delete = cell(&previous, j + 1) + 1;
            let insert = cell(&current, j) + 1;
            let mut cost = substitute.min(delete).min(insert);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(&cb) && b.get(j - 1) == Some(&ca);
            if swapped {
                cost = cost.min(cell(&before, j - 1) + 1);
            }
            if let Some(slot) = current.get_mut(j + 1) {
                *slot = cost;
            }
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    cell(&previous, b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("CONTAIN", "CONTAINS"), 1);
        assert_eq!(edit_distance("hedaer", "HEADER"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn nearest_within_the_limit() {
        let ops = ["CONTAINS", "NOTCONTAINS", "EXISTS", "NOTEXISTS"];
        assert_eq!(nearest("contain", ops), Some("CONTAINS"));
        assert_eq!(nearest("NOTEXIST", ops), Some("NOTEXISTS"));
        assert_eq!(nearest("XCONTAINS", ops), Some("CONTAINS"));
        assert_eq!(nearest("BETWEENS", ops), None);
        assert_eq!(
            nearest("REQ.HTTP.HEADR", ["REQ.HTTP.URL", "REQ.HTTP.HEADER"]),
            Some("REQ.HTTP.HEADER")
        );
    }
}
