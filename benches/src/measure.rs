//! Running one program once: wall-clock and CPU time, output capture, a timeout.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// What one run produced.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Exit status 0 within the time limit.
    Finished {
        stdout: String,
        wall: Duration,
        /// User plus system time of the child, when the platform reports it.
        cpu: Option<Duration>,
    },
    Failed {
        status: ExitStatus,
        stderr: String,
    },
    TimedOut,
    CannotStart(String),
}

/// How often a running child is polled: far below the resolution the report prints.
const POLL: Duration = Duration::from_millis(1);

/// Runs `command` to completion (or kills it after `limit`) with stdin closed and stdout and
/// stderr captured.
pub(crate) fn run(command: &mut Command, limit: Duration) -> Outcome {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let cpu_before = children_cpu_time();
    let start = Instant::now();
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Outcome::CannotStart(e.to_string()),
    };
    // Drained on threads so that a chatty child never blocks on a full pipe.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > limit => {
                // Already exited or killed is all the same here: the run is a timeout.
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::TimedOut;
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => return Outcome::CannotStart(e.to_string()),
        }
    };
    let wall = start.elapsed();
    let cpu = cpu_before
        .zip(children_cpu_time())
        .map(|(before, after)| after.saturating_sub(before));
    let stdout = stdout.map(join).unwrap_or_default();
    let stderr = stderr.map(join).unwrap_or_default();
    if status.success() {
        Outcome::Finished { stdout, wall, cpu }
    } else {
        Outcome::Failed { status, stderr }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        // A read error leaves what was read so far, which the output check then rejects.
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn join(handle: std::thread::JoinHandle<String>) -> String {
    handle.join().unwrap_or_default()
}

/// User plus system time of all waited-for children of this process (`cutime` and `cstime`
/// of `/proc/self/stat`), or `None` off Linux. The kernel counts in clock ticks of 10 ms
/// (`USER_HZ` is 100 on every Linux ABI), which bounds the resolution.
fn children_cpu_time() -> Option<Duration> {
    const TICK: Duration = Duration::from_millis(10);
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let ticks = parse_children_ticks(&stat)?;
    Some(TICK * u32::try_from(ticks).ok()?)
}

/// `cutime + cstime` from the text of `/proc/<pid>/stat`. The command name (field 2) may
/// contain spaces and parentheses, so fields are counted after its last `)`.
fn parse_children_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After the name come fields 3 (state) onwards; cutime and cstime are fields 16 and 17.
    let mut fields = rest.split_whitespace().skip(16 - 3);
    let cutime: u64 = fields.next()?.parse().ok()?;
    let cstime: u64 = fields.next()?.parse().ok()?;
    Some(cutime + cstime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_ticks_are_fields_16_and_17() {
        let stat = "4242 (a (weird) name) S 1 2 3 4 5 6 7 8 9 10 11 12 300 45 20 0 1 0";
        assert_eq!(parse_children_ticks(stat), Some(345));
        assert_eq!(parse_children_ticks("4242 (x) S 1 2"), None);
    }

    #[test]
    fn a_run_captures_output_and_a_failure_its_status() {
        let mut ok = Command::new("sh");
        ok.args(["-c", "echo hi"]);
        match run(&mut ok, Duration::from_secs(10)) {
            Outcome::Finished { stdout, .. } => assert_eq!(stdout, "hi\n"),
            other => panic!("{other:?}"),
        }
        let mut bad = Command::new("sh");
        bad.args(["-c", "echo oops >&2; exit 3"]);
        match run(&mut bad, Duration::from_secs(10)) {
            Outcome::Failed { status, stderr } => {
                assert_eq!(status.code(), Some(3));
                assert_eq!(stderr, "oops\n");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_slow_run_is_killed_at_the_limit() {
        let mut slow = Command::new("sleep");
        slow.arg("5");
        let start = Instant::now();
        assert!(matches!(
            run(&mut slow, Duration::from_millis(100)),
            Outcome::TimedOut
        ));
        assert!(start.elapsed() < Duration::from_secs(4));
    }
}
