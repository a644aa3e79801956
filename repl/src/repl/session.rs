//! A REPL session: the VM, and the REPL process inside it that evaluates inputs.
//!
//! The REPL's own state is heap data (`%repl-state`, see `boot.scm`): the process serving
//! inputs, the next input number and the last input finished. The terminal compiles an input
//! (the compiler's expansion environment is the VM's, so macros carry over between inputs),
//! loads it as a thunk and sends it to the REPL process as a message. The process writes the
//! values or the error itself, so the output goes through the VM like any process's output.

use pscheme_vm::object::ProcStatus;
use pscheme_vm::{Idle, ObjId, Object, RunError, Value, Vm};

/// The REPL process's program, compiled into every new session.
const BOOT: &str = include_str!("boot.scm");
/// The name the REPL's own code has in locations; error backtraces leave its frames out.
const BOOT_FILE: &str = "<pscheme-repl>";
/// The global holding `#(process next-input finished-input)`.
const STATE_GLOBAL: &str = "%repl-state";
const STATE_PROCESS: usize = 0;
const STATE_NEXT: usize = 1;
const STATE_FINISHED: usize = 2;
/// Slices run before the boot code must have reached the REPL's receive loop.
const BOOT_SLICES: usize = 10_000;

/// Why a session could not be started.
#[derive(Debug)]
#[non_exhaustive]
pub(crate) enum SessionError {
    /// The VM or the REPL's boot code failed: a bug, not the user's input.
    Boot(String),
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Boot(e) => write!(f, "cannot start the REPL: {e}"),
        }
    }
}

/// What became of a submitted input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Submitted {
    /// Compiled and sent to the REPL process as input `number`; `warnings` are rendered.
    Running { number: u64, warnings: String },
    /// Did not compile; the diagnostics are rendered.
    CompileError { number: u64, message: String },
}

/// One live process, as `,ps` lists it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ProcessInfo {
    pub(crate) number: u64,
    pub(crate) status: ProcStatus,
    /// The process that evaluates REPL inputs.
    pub(crate) is_repl: bool,
}

pub(crate) struct Session {
    pub(crate) vm: Vm,
    /// The `%repl-state` vector (a global, hence always reachable).
    state: ObjId,
}

impl Session {
    /// A session on a fresh in-memory VM.
    pub(crate) fn new() -> Result<Session, SessionError> {
        let vm = Vm::new().map_err(|e| SessionError::Boot(e.to_string()))?;
        Session::boot(vm)
    }

    /// Starts the REPL process in `vm`, which has none yet.
    pub(crate) fn boot(mut vm: Vm) -> Result<Session, SessionError> {
        let compiled = vm
            .compile(BOOT, BOOT_FILE)
            .map_err(|e| SessionError::Boot(e.to_string()))?;
        let thunk = vm
            .load(compiled.unit)
            .map_err(|e| SessionError::Boot(RunError::from(e).to_string()))?;
        let pid = vm.spawn(thunk);
        // The boot code defines the REPL's procedures, then its process waits for input.
        for _ in 0..BOOT_SLICES {
            let waiting = matches!(vm.process_status(pid), Some(ProcStatus::Receiving { .. }));
            if waiting || vm.run_slices(1).is_some() {
                break;
            }
        }
        let reports: Vec<String> = vm.take_reports().iter().map(ToString::to_string).collect();
        let session = Session::attach(vm)?;
        if session.repl_process() == Some(pid) && session.is_waiting_for_input(pid) {
            return Ok(session);
        }
        Err(SessionError::Boot(format!(
            "the REPL process did not start: {}",
            reports.join("; ")
        )))
    }

    /// A session on a VM whose heap already holds a REPL (a resumed store).
    pub(crate) fn attach(vm: Vm) -> Result<Session, SessionError> {
        let state = vm
            .heap
            .global_named(STATE_GLOBAL)
            .and_then(Value::as_obj)
            .filter(|&id| {
                matches!(vm.heap.try_get(id), Some(Object::Vector(v)) if v.len() > STATE_FINISHED)
            })
            .ok_or_else(|| SessionError::Boot(format!("`{STATE_GLOBAL}` is not the REPL's state")))?;
        Ok(Session { vm, state })
    }

    fn state_slot(&self, slot: usize) -> Value {
        match self.vm.heap.try_get(self.state) {
            Some(Object::Vector(v)) => v.get(slot).copied().unwrap_or(Value::FALSE),
            _ => Value::FALSE,
        }
    }

    fn set_state_slot(&mut self, slot: usize, value: Value) {
        if let Object::Vector(v) = self.vm.heap.get_mut(self.state)
            && let Some(cell) = v.get_mut(slot)
        {
            *cell = value;
        }
    }

    fn counter(&self, slot: usize) -> u64 {
        self.state_slot(slot)
            .as_fixnum()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0)
    }

    /// The number the next input will get (`<repl>:N` in locations).
    pub(crate) fn next_input(&self) -> u64 {
        self.counter(STATE_NEXT).max(1)
    }

    /// The process that evaluates inputs, if it is set.
    fn repl_process(&self) -> Option<ObjId> {
        self.state_slot(STATE_PROCESS).as_obj()
    }

    fn is_waiting_for_input(&self, pid: ObjId) -> bool {
        matches!(
            self.vm.process_status(pid),
            Some(ProcStatus::Receiving { .. })
        )
    }

    /// True while an input sent to the REPL process has not finished.
    pub(crate) fn is_busy(&self) -> bool {
        self.counter(STATE_FINISHED) + 1 < self.next_input()
    }

    /// The input being evaluated, if any.
    pub(crate) fn running_input(&self) -> Option<u64> {
        self.is_busy().then(|| self.next_input() - 1)
    }

    /// True when `vm`'s heap holds a REPL (it was saved by a REPL session).
    pub(crate) fn has_repl(vm: &Vm) -> bool {
        vm.heap.global_named(STATE_GLOBAL).is_some()
    }

    /// True when the REPL process has ended (a program killed or broke it): inputs need a new one.
    pub(crate) fn repl_is_dead(&self) -> bool {
        self.repl_process()
            .and_then(|pid| self.vm.process_status(pid))
            .is_none_or(|s| !s.is_alive())
    }

    /// Starts a new REPL process in place of a dead one; an input it was running is abandoned.
    pub(crate) fn restart_repl(&mut self) -> Result<(), SessionError> {
        let serve = self
            .vm
            .heap
            .global_named("%repl-serve")
            .ok_or_else(|| SessionError::Boot("`%repl-serve` is not bound".into()))?;
        let pid = self.vm.spawn(serve);
        self.set_state_slot(STATE_PROCESS, Value::obj(pid));
        let last = self.next_input() - 1;
        self.set_state_slot(STATE_FINISHED, fixnum(last));
        Ok(())
    }

    /// Abandons the input being evaluated (Ctrl-C): ends the REPL process and starts another.
    /// Background processes are not touched. Returns the number of the abandoned input.
    pub(crate) fn interrupt(&mut self) -> Result<Option<u64>, SessionError> {
        let Some(number) = self.running_input() else {
            return Ok(None);
        };
        if let Some(pid) = self.repl_process() {
            self.vm.kill(pid);
        }
        self.restart_repl()?;
        Ok(Some(number))
    }

    /// Compiles `text` as the next input and, if it compiles, sends it to the REPL process.
    /// The caller must wait until the session is no longer [busy](Session::is_busy).
    pub(crate) fn submit(&mut self, text: &str) -> Result<Submitted, SessionError> {
        if self.repl_is_dead() {
            self.restart_repl()?;
        }
        let number = self.next_input();
        self.set_state_slot(STATE_NEXT, fixnum(number + 1));
        let file = format!("<repl>:{number}");
        let compiled = match self.vm.compile(text, &file) {
            Ok(c) => c,
            Err(e) => {
                self.set_state_slot(STATE_FINISHED, fixnum(number));
                return Ok(Submitted::CompileError {
                    number,
                    message: e.to_string(),
                });
            }
        };
        // Macros and globals this input defined must reach the store with its code.
        self.vm.note_expand_env_changed();
        let warnings = self.vm.render_warnings(&compiled);
        let thunk = match self.vm.load(compiled.unit) {
            Ok(t) => t,
            Err(e) => {
                self.set_state_slot(STATE_FINISHED, fixnum(number));
                return Ok(Submitted::CompileError {
                    number,
                    message: format!("{}\n", RunError::from(e)),
                });
            }
        };
        let tag = self.vm.heap.intern_value("%repl-input");
        let message = self.vm.heap.list(&[tag, fixnum(number), thunk]);
        let pid = self
            .repl_process()
            .ok_or_else(|| SessionError::Boot("the REPL has no process".into()))?;
        if !self.vm.send(pid, message) {
            return Err(SessionError::Boot("the REPL process is not alive".into()));
        }
        Ok(Submitted::Running { number, warnings })
    }

    /// Every live process, by number.
    pub(crate) fn processes(&self) -> Vec<ProcessInfo> {
        let repl = self.repl_process();
        let (scheduler, _) = self.vm.roots();
        let Some(Object::Scheduler(s)) = self.vm.heap.try_get(scheduler) else {
            return Vec::new();
        };
        let mut list: Vec<ProcessInfo> = s
            .live
            .iter()
            .filter_map(|&pid| match self.vm.heap.try_get(pid) {
                Some(Object::Process(p)) => Some(ProcessInfo {
                    number: p.number,
                    status: p.status,
                    is_repl: Some(pid) == repl,
                }),
                _ => None,
            })
            .collect();
        list.sort_by_key(|p| p.number);
        list
    }

    /// Names of the globals that have a value, sorted: what tab completion offers.
    pub(crate) fn global_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .vm
            .heap
            .iter()
            .filter_map(|(_, obj)| match obj {
                Object::Symbol(s) if s.interned && s.value != Value::UNBOUND => {
                    Some(s.name.to_string())
                }
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names
    }

    /// Runs up to `slices` slices of the VM's processes; `None` if more may be runnable now.
    pub(crate) fn run(&mut self, slices: usize) -> Option<Idle> {
        self.vm.run_slices(slices)
    }
}

fn fixnum(n: u64) -> Value {
    i64::try_from(n)
        .ok()
        .and_then(Value::fixnum)
        .unwrap_or(Value::FALSE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the VM until the input sent last has finished; returns (stdout, stderr).
    fn finish(session: &mut Session) -> (String, String) {
        for _ in 0..100_000 {
            if !session.is_busy() {
                return (session.vm.take_output(), session.vm.take_error_output());
            }
            if let Some(Idle::WaitUntil(deadline)) = session.run(16) {
                let wait = deadline.saturating_sub(pscheme_vm::sched::now_ms());
                std::thread::sleep(std::time::Duration::from_millis(wait.min(5)));
            }
        }
        panic!("input {:?} did not finish", session.running_input());
    }

    fn eval(session: &mut Session, text: &str) -> (String, String) {
        match session.submit(text).expect("submit") {
            Submitted::Running { .. } => finish(session),
            Submitted::CompileError { message, .. } => (String::new(), message),
        }
    }

    #[test]
    fn definitions_and_macros_carry_over_between_inputs() {
        let mut s = Session::new().expect("session");
        assert_eq!(s.next_input(), 1);
        assert_eq!(
            eval(&mut s, "(define (double x) (* x 2))"),
            (String::new(), String::new())
        );
        assert_eq!(eval(&mut s, "(double 21)").0, "42\n");
        eval(
            &mut s,
            "(define-syntax twice (syntax-rules () ((_ e) (begin e e))))",
        );
        assert_eq!(eval(&mut s, "(twice (display 1))").0, "11");
        assert_eq!(eval(&mut s, "(values 1 \"a\" #\\b)").0, "1\n\"a\"\n#\\b\n");
        assert_eq!(s.next_input(), 6);
        assert!(!s.is_busy());
    }

    #[test]
    fn errors_name_the_input_and_the_repl_goes_on() {
        let mut s = Session::new().expect("session");
        eval(&mut s, "(define (first x) (car x))");
        let (out, err) = eval(&mut s, "(first 5)");
        assert_eq!(out, "");
        assert!(err.starts_with("<repl>:1:"), "{err}");
        assert!(err.contains("error: car"), "{err}");
        assert!(err.contains("in first (<repl>:1:"), "{err}");
        assert!(
            !err.contains("<pscheme-repl>"),
            "REPL frames are hidden: {err}"
        );
        let (_, err) = eval(&mut s, "(if)");
        assert!(err.contains("<repl>:3:1:1"), "{err}");
        let (_, err) = eval(&mut s, "(raise 'boom)");
        assert_eq!(err, "error: uncaught exception: boom\n");
        assert_eq!(eval(&mut s, "(+ 1 2)").0, "3\n");
    }

    #[test]
    fn background_processes_run_between_inputs() {
        let mut s = Session::new().expect("session");
        eval(&mut s, "(define ticks 0)");
        eval(
            &mut s,
            "(define worker (spawn (lambda () (let loop () (set! ticks (+ ticks 1)) (yield) (loop)))))",
        );
        let ps = s.processes();
        assert_eq!(ps.len(), 2, "{ps:?}");
        assert!(ps[0].is_repl && !ps[1].is_repl);
        s.run(50);
        let (out, _) = eval(&mut s, "(> ticks 10)");
        assert_eq!(out, "#t\n");
    }

    #[test]
    fn an_endless_input_can_be_interrupted() {
        let mut s = Session::new().expect("session");
        assert_eq!(
            s.interrupt().expect("interrupt"),
            None,
            "nothing to interrupt"
        );
        eval(&mut s, "(define n 0)");
        let Submitted::Running { number, .. } = s
            .submit("(let loop () (set! n (+ n 1)) (loop))")
            .expect("submit")
        else {
            panic!("compiles");
        };
        s.run(20);
        assert!(s.is_busy());
        assert_eq!(s.interrupt().expect("interrupt"), Some(number));
        assert!(!s.is_busy());
        assert_eq!(s.processes().len(), 1, "only the new REPL process");
        assert_eq!(eval(&mut s, "(> n 0)").0, "#t\n");
    }

    #[test]
    fn completion_names_are_the_bound_globals() {
        let mut s = Session::new().expect("session");
        eval(&mut s, "(define my-answer 42)");
        let names = s.global_names();
        assert!(names.windows(2).all(|w| w[0] <= w[1]), "sorted");
        assert!(names.iter().any(|n| n == "my-answer"));
        assert!(names.iter().any(|n| n == "vector-ref"));
        // Quoted symbols are interned but have no value.
        eval(&mut s, "(quote some-unbound-symbol)");
        assert!(!s.global_names().iter().any(|n| n == "some-unbound-symbol"));
    }

    #[test]
    fn a_repl_without_a_live_process_gets_a_new_one() {
        let mut s = Session::new().expect("session");
        assert!(!s.repl_is_dead());
        // A program can reach the REPL's state; losing its process must not end the session.
        eval(&mut s, "(vector-set! %repl-state 0 #f)");
        assert!(s.repl_is_dead());
        assert_eq!(eval(&mut s, "(+ 2 2)").0, "4\n");
        assert!(!s.repl_is_dead());
    }
}
