//! The figures a set of runs reduces to.

use std::time::Duration;

/// The minimum of `times`: on a shared machine, other load only ever adds time, so the
/// fastest run is the best estimate of the program's own cost.
pub(crate) fn min(times: &[Duration]) -> Option<Duration> {
    times.iter().copied().min()
}

/// The median of `times` (the mean of the middle two for an even count).
pub(crate) fn median(times: &[Duration]) -> Option<Duration> {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[mid]),
        _ => Some((sorted[mid - 1] + sorted[mid]) / 2),
    }
}

/// `pscheme / other` as text: above 1 pscheme is slower, below 1 it is faster. A zero time
/// (CPU time below its 10 ms resolution) has no meaningful ratio.
pub(crate) fn ratio(pscheme: Duration, other: Duration) -> String {
    if pscheme.is_zero() || other.is_zero() {
        return "-".to_owned();
    }
    format!("{:.2}", pscheme.as_secs_f64() / other.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&m| Duration::from_millis(m)).collect()
    }

    #[test]
    fn min_and_median() {
        assert_eq!(min(&ms(&[30, 10, 20])), Some(Duration::from_millis(10)));
        assert_eq!(median(&ms(&[30, 10, 20])), Some(Duration::from_millis(20)));
        assert_eq!(
            median(&ms(&[40, 10, 20, 30])),
            Some(Duration::from_millis(25))
        );
        assert_eq!(min(&[]), None);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn ratio_is_pscheme_over_other() {
        let s = Duration::from_secs;
        assert_eq!(ratio(s(3), s(2)), "1.50");
        assert_eq!(ratio(s(1), s(4)), "0.25");
        assert_eq!(ratio(s(1), Duration::ZERO), "-");
        assert_eq!(ratio(Duration::ZERO, s(1)), "-");
    }
}
