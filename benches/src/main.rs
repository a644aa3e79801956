//! `pscheme-bench`: the VM benchmark. Runs every program of `benches/programs` in pscheme and,
//! when installed, in guile and chibi-scheme, checks each run's output against the program's
//! header, and prints the times and ratios side by side. `benches/run` builds and calls it;
//! `docs/performance.md` ("VM benchmarks") explains the method and records results.

mod measure;
mod program;
mod scheme;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use measure::Outcome;
use program::Program;
use scheme::Scheme;

const USAGE: &str = "\
usage: pscheme-bench --pscheme BIN --programs DIR --cache DIR [options]
  --runs N          timed runs per program and Scheme, after one untimed warm-up (default 3)
  --stat min|median the figure reported per cell (default min)
  --only A,B        only these programs (file names without .scm)
  --schemes A,B     only these columns (pscheme, guile, guile-interp, chibi)
  --timeout SECS    a run taking longer fails (default 600)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stat {
    Min,
    Median,
}

struct Options {
    pscheme: PathBuf,
    programs: PathBuf,
    cache: PathBuf,
    runs: usize,
    stat: Stat,
    only: Option<Vec<String>>,
    schemes: Option<Vec<String>>,
    timeout: Duration,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let (mut pscheme, mut programs, mut cache) = (None, None, None);
    let mut options = Options {
        pscheme: PathBuf::new(),
        programs: PathBuf::new(),
        cache: PathBuf::new(),
        runs: 3,
        stat: Stat::Min,
        only: None,
        schemes: None,
        timeout: Duration::from_secs(600),
    };
    let list = |v: String| v.split(',').map(str::to_owned).collect::<Vec<_>>();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--pscheme" => pscheme = Some(PathBuf::from(value()?)),
            "--programs" => programs = Some(PathBuf::from(value()?)),
            "--cache" => cache = Some(PathBuf::from(value()?)),
            "--runs" => {
                options.runs = value()?
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or("--runs needs a positive integer")?;
            }
            "--stat" => {
                options.stat = match value()?.as_str() {
                    "min" => Stat::Min,
                    "median" => Stat::Median,
                    other => return Err(format!("--stat min or median, not {other}")),
                };
            }
            "--only" => options.only = Some(list(value()?)),
            "--schemes" => options.schemes = Some(list(value()?)),
            "--timeout" => {
                let secs: u64 = value()?
                    .parse()
                    .map_err(|_| "--timeout needs whole seconds")?;
                options.timeout = Duration::from_secs(secs);
            }
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    options.pscheme = pscheme.ok_or("--pscheme is required")?;
    options.programs = programs.ok_or("--programs is required")?;
    options.cache = cache.ok_or("--cache is required")?;
    Ok(options)
}

/// The runs of one program in one Scheme.
#[derive(Default)]
struct Cell {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
    /// Why the cell has no time: set by the first failing run, which ends the cell's runs.
    failure: Option<String>,
    /// The program does not run in this Scheme (pscheme-only programs elsewhere).
    not_applicable: bool,
}

impl Cell {
    fn record(&mut self, outcome: Outcome, expected: &str, timed: bool) {
        match outcome {
            Outcome::Finished { stdout, wall, cpu } if stdout == expected => {
                if timed {
                    self.wall.push(wall);
                    self.cpu.extend(cpu);
                }
            }
            Outcome::Finished { stdout, .. } => {
                self.failure = Some(format!(
                    "wrong output: expected {expected:?}, got {stdout:?}"
                ));
            }
            Outcome::Failed { status, stderr } => {
                let last = stderr.lines().last().unwrap_or("").to_owned();
                self.failure = Some(format!("failed ({status}): {last}"));
            }
            Outcome::TimedOut => self.failure = Some("timed out".to_owned()),
            Outcome::CannotStart(e) => self.failure = Some(format!("cannot start: {e}")),
        }
    }

    fn runnable(&self) -> bool {
        !self.not_applicable && self.failure.is_none()
    }

    fn figure(&self, stat: Stat, cpu: bool) -> Option<Duration> {
        let times = if cpu { &self.cpu } else { &self.wall };
        match stat {
            Stat::Min => stats::min(times),
            Stat::Median => stats::median(times),
        }
    }

    fn text(&self, stat: Stat, cpu: bool) -> String {
        if self.not_applicable {
            "n/a".to_owned()
        } else if self.failure.is_some() {
            "FAILED".to_owned()
        } else {
            self.figure(stat, cpu)
                .map_or("-".to_owned(), |d| format!("{:.3}", d.as_secs_f64()))
        }
    }
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("pscheme-bench: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut programs = match program::load_all(&options.programs) {
        Ok(programs) => programs,
        Err(e) => {
            eprintln!("pscheme-bench: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(only) = &options.only {
        programs.retain(|p| only.contains(&p.name));
    }
    let (others, missing) = Scheme::others(&options.cache);
    let mut schemes = vec![Scheme::pscheme(options.pscheme.clone())];
    schemes.extend(others);
    if let Some(wanted) = &options.schemes {
        schemes.retain(|s| wanted.iter().any(|w| w == s.name));
    }
    if programs.is_empty() || schemes.is_empty() {
        eprintln!("pscheme-bench: nothing to run");
        return ExitCode::from(2);
    }
    let cells = run_all(&programs, &schemes, &options);
    print_report(&programs, &schemes, &missing, &cells, &options);
    if cells.iter().flatten().any(|c| c.failure.is_some()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// One warm-up pass, then `runs` timed passes. Each pass runs every program in every Scheme
/// in turn, so that load drifting on a shared machine hits all columns alike.
fn run_all(programs: &[Program], schemes: &[Scheme], options: &Options) -> Vec<Vec<Cell>> {
    let mut cells: Vec<Vec<Cell>> = programs
        .iter()
        .map(|p| {
            schemes
                .iter()
                .map(|s| Cell {
                    not_applicable: p.pscheme_only.is_some() && !s.is_pscheme(),
                    ..Cell::default()
                })
                .collect()
        })
        .collect();
    for pass in 0..=options.runs {
        let timed = pass > 0;
        for (program, row) in programs.iter().zip(&mut cells) {
            for (scheme, cell) in schemes.iter().zip(row.iter_mut()) {
                if !cell.runnable() {
                    continue;
                }
                let outcome = measure::run(&mut scheme.command(&program.path), options.timeout);
                cell.record(outcome, &program.expected, timed);
                let label = if timed {
                    format!("run {pass}")
                } else {
                    "warm-up".to_owned()
                };
                let wall = cell.wall.last().filter(|_| timed);
                let shown = match (&cell.failure, wall) {
                    (Some(failure), _) => failure.clone(),
                    (None, Some(w)) => format!("{:.3} s", w.as_secs_f64()),
                    (None, None) => "ok".to_owned(),
                };
                eprintln!("{label}: {} in {}: {shown}", program.name, scheme.name);
            }
        }
    }
    cells
}

fn print_report(
    programs: &[Program],
    schemes: &[Scheme],
    missing: &[&str],
    cells: &[Vec<Cell>],
    options: &Options,
) {
    let stat = match options.stat {
        Stat::Min => "minimum",
        Stat::Median => "median",
    };
    println!(
        "{} timed runs of each program in each Scheme after one untimed warm-up; {stat} in \
         seconds; pscheme/X above 1 means pscheme is slower than X.",
        options.runs
    );
    println!();
    for scheme in schemes {
        println!("- {}: {}", scheme.name, scheme.describe());
    }
    for name in missing {
        println!("- {name}: not installed (not run)");
    }
    for (title, cpu) in [
        ("Wall-clock time", false),
        ("CPU time (user + system)", true),
    ] {
        println!();
        println!("{title}:");
        println!();
        print_table(programs, schemes, cells, options.stat, cpu);
    }
    let notes: Vec<String> = programs
        .iter()
        .filter_map(|p| {
            p.pscheme_only
                .as_ref()
                .map(|why| format!("{}: {why}", p.name))
        })
        .chain(programs.iter().zip(cells).flat_map(|(p, row)| {
            schemes.iter().zip(row).filter_map(|(s, c)| {
                c.failure
                    .as_ref()
                    .map(|f| format!("{} in {}: {f}", p.name, s.name))
            })
        }))
        .collect();
    if !notes.is_empty() {
        println!();
        for note in notes {
            println!("- {note}");
        }
    }
}

fn print_table(
    programs: &[Program],
    schemes: &[Scheme],
    cells: &[Vec<Cell>],
    stat: Stat,
    cpu: bool,
) {
    let mut header = vec!["program".to_owned(), "pscheme".to_owned()];
    for scheme in schemes.iter().filter(|s| !s.is_pscheme()) {
        header.push(scheme.name.to_owned());
        header.push(format!("pscheme/{}", scheme.name));
    }
    let pscheme_column = schemes.iter().position(Scheme::is_pscheme);
    let mut rows = vec![header];
    for (program, row) in programs.iter().zip(cells) {
        let ours = pscheme_column.map(|i| &row[i]);
        let mut line = vec![
            program.name.clone(),
            ours.map_or("-".to_owned(), |c| c.text(stat, cpu)),
        ];
        for (scheme, cell) in schemes.iter().zip(row) {
            if scheme.is_pscheme() {
                continue;
            }
            line.push(cell.text(stat, cpu));
            let ratio = ours
                .filter(|c| c.runnable())
                .and_then(|c| c.figure(stat, cpu))
                .zip(cell.figure(stat, cpu).filter(|_| cell.runnable()))
                .map_or("-".to_owned(), |(a, b)| stats::ratio(a, b));
            line.push(ratio);
        }
        rows.push(line);
    }
    print!("{}", markdown_table(&rows));
}

/// A Markdown table with aligned columns; the first row is the header.
fn markdown_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(String::len)
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut out = String::new();
    for (index, row) in rows.iter().enumerate() {
        let cells = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let text = row.get(i).map_or("", String::as_str);
                // Names left, figures right.
                if i == 0 {
                    format!("{text:<w$}")
                } else {
                    format!("{text:>w$}")
                }
            })
            .collect();
        out.push_str(&line(cells));
        if index == 0 {
            out.push_str(&line(widths.iter().map(|&w| "-".repeat(w)).collect()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn arguments_parse_and_bad_ones_are_refused() {
        let base = ["--pscheme", "p", "--programs", "d", "--cache", "c"];
        let options = parse_args(args(
            &[&base[..], &["--runs", "5", "--stat", "median"]].concat(),
        ))
        .expect("valid");
        assert_eq!((options.runs, options.stat), (5, Stat::Median));
        assert!(parse_args(args(&[&base[..], &["--runs", "0"]].concat())).is_err());
        assert!(parse_args(args(&[&base[..], &["--stat", "mean"]].concat())).is_err());
        assert!(parse_args(args(&["--programs", "d", "--cache", "c"])).is_err());
    }

    #[test]
    fn a_wrong_answer_is_a_failure_not_a_time() {
        let mut cell = Cell::default();
        let run = |stdout: &str| Outcome::Finished {
            stdout: stdout.to_owned(),
            wall: Duration::from_millis(5),
            cpu: None,
        };
        cell.record(run("42\n"), "42\n", true);
        assert_eq!(cell.wall.len(), 1);
        cell.record(run("41\n"), "42\n", true);
        assert!(!cell.runnable());
        assert_eq!(cell.text(Stat::Min, false), "FAILED");
    }

    #[test]
    fn tables_align_and_have_a_rule_under_the_header() {
        let rows = vec![
            vec!["program".to_owned(), "t".to_owned()],
            vec!["fib".to_owned(), "1.000".to_owned()],
        ];
        assert_eq!(
            markdown_table(&rows),
            "| program |     t |\n| ------- | ----- |\n| fib     | 1.000 |\n"
        );
    }
}
