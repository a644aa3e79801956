//! What the two crash harnesses (`crash.rs` for programs, `repl_crash.rs` for the REPL) share:
//! how many rounds to run and the seed of their random choices.

/// Rounds of kills: 1 in the normal test run, `PSCHEME_CRASH_SOAK=N` for a longer soak.
pub fn soak_rounds() -> usize {
    std::env::var("PSCHEME_CRASH_SOAK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

/// A generator seeded from `PSCHEME_CRASH_SEED`, or from the clock; the seed is printed so a
/// failing run can be repeated.
pub fn rng(harness: &str) -> fastrand::Rng {
    let seed = std::env::var("PSCHEME_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("{harness} seed {seed} (PSCHEME_CRASH_SEED={seed} repeats its choices)");
    fastrand::Rng::with_seed(seed)
}
