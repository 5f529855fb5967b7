//! The order PowerShell 7.6 puts things in, for output that log parsers compare line by line
//! with the original script's: `Sort-Object` is .NET's `List<T>.Sort` (an introsort, so items
//! that compare equal do not keep their input order once there are more than 16), and string
//! keys compare culture-aware and case-insensitively (ICU's root order, as pwsh runs under the
//! invariant culture in CI).

use std::cmp::Ordering;

/// ASCII in ICU's root collation order, case folded: spaces, then punctuation and symbols,
/// digits, letters. Other characters sort after these by code point (an approximation: ICU's
/// full table is not needed for mailbox names and folder names).
const ASCII_ORDER: &str = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

/// `string.Compare(a, b, CultureInfo.InvariantCulture, CompareOptions.IgnoreCase)`.
pub fn compare_text(a: &str, b: &str) -> Ordering {
    a.chars().map(weight).cmp(b.chars().map(weight))
}

fn weight(c: char) -> u32 {
    let folded = c.to_ascii_lowercase();
    match ASCII_ORDER.find(folded) {
        Some(index) if folded.is_ascii() => index as u32,
        _ => ASCII_ORDER.len() as u32 + folded.to_lowercase().next().unwrap_or(folded) as u32,
    }
}

/// `Sort-Object` without `-Stable`: .NET's `ArraySortHelper<T>.IntrospectiveSort` step for
/// step, so that items comparing equal end up where pwsh puts them.
pub fn sort_like_pwsh<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() > 1 {
        let depth = 2 * (usize::BITS - 1 - items.len().leading_zeros() + 1);
        intro_sort(items, depth, &compare);
    }
}

fn intro_sort<T>(items: &mut [T], mut depth: u32, compare: &impl Fn(&T, &T) -> Ordering) {
    let mut size = items.len();
    while size > 1 {
        if size <= 16 {
            match size {
                2 => swap_if_greater(items, compare, 0, 1),
                3 => {
                    swap_if_greater(items, compare, 0, 1);
                    swap_if_greater(items, compare, 0, 2);
                    swap_if_greater(items, compare, 1, 2);
                }
                _ => insertion_sort(&mut items[..size], compare),
            }
            return;
        }
        if depth == 0 {
            heap_sort(&mut items[..size], compare);
            return;
        }
        depth -= 1;
        let pivot = partition(&mut items[..size], compare);
        intro_sort(&mut items[pivot + 1..size], depth, compare);
        size = pivot;
    }
}

fn swap_if_greater<T>(items: &mut [T], compare: &impl Fn(&T, &T) -> Ordering, i: usize, j: usize) {
    if compare(&items[i], &items[j]) == Ordering::Greater {
        items.swap(i, j);
    }
}

/// Median of three, then Hoare's partition around it (`PickPivotAndPartition`).
fn partition<T>(items: &mut [T], compare: &impl Fn(&T, &T) -> Ordering) -> usize {
    let hi = items.len() - 1;
    let middle = hi >> 1;
    swap_if_greater(items, compare, 0, middle);
    swap_if_greater(items, compare, 0, hi);
    swap_if_greater(items, compare, middle, hi);
    items.swap(middle, hi - 1);
    let pivot = hi - 1;
    let (mut left, mut right) = (0, hi - 1);
    while left < right {
        left += 1;
        while compare(&items[left], &items[pivot]) == Ordering::Less {
            left += 1;
        }
        right -= 1;
        while compare(&items[pivot], &items[right]) == Ordering::Less {
            right -= 1;
        }
        if left >= right {
            break;
        }
        items.swap(left, right);
    }
    if left != hi - 1 {
        items.swap(left, hi - 1);
    }
    left
}

fn insertion_sort<T>(items: &mut [T], compare: &impl Fn(&T, &T) -> Ordering) {
    for i in 0..items.len() - 1 {
        let mut j = i + 1;
        while j > 0 && compare(&items[j], &items[j - 1]) == Ordering::Less {
            items.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn heap_sort<T>(items: &mut [T], compare: &impl Fn(&T, &T) -> Ordering) {
    let n = items.len();
    for i in (1..=n >> 1).rev() {
        down_heap(items, i, n, compare);
    }
    for i in (2..=n).rev() {
        items.swap(0, i - 1);
        down_heap(items, 1, i - 1, compare);
    }
}

/// `DownHeap` with 1-based indexes, moving the item at `i` down by swaps.
fn down_heap<T>(items: &mut [T], mut i: usize, n: usize, compare: &impl Fn(&T, &T) -> Ordering) {
    while i <= n >> 1 {
        let mut child = 2 * i;
        if child < n && compare(&items[child - 1], &items[child]) == Ordering::Less {
            child += 1;
        }
        if compare(&items[i - 1], &items[child - 1]) != Ordering::Less {
            break;
        }
        items.swap(i - 1, child - 1);
        i = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_compares_like_the_invariant_culture_ignoring_case() {
        let mut words = vec!["ab", "a1b", "a@b", "A.B", "a.b", "a-b", "a_b"];
        words.sort_by(|a, b| compare_text(a, b));
        assert_eq!(words, ["a_b", "a-b", "A.B", "a.b", "a@b", "a1b", "ab"]);
        assert_eq!(compare_text("Bob", "bob"), Ordering::Equal);
    }

    #[test]
    fn the_sort_orders_what_differs_whatever_it_does_with_ties() {
        let mut values: Vec<(u32, usize)> = (0..200).map(|i| ((i * 7919 % 13) as u32, i)).collect();
        sort_like_pwsh(&mut values, |a, b| a.0.cmp(&b.0));
        assert!(values.windows(2).all(|w| w[0].0 <= w[1].0));
        let mut ids: Vec<usize> = values.iter().map(|v| v.1).collect();
        ids.sort();
        assert_eq!(ids, (0..200).collect::<Vec<_>>(), "a permutation");
    }
}
