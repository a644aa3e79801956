//! The line editor, on its own thread so that the VM keeps running processes while the user
//! types. The main thread asks for an input with [`Editor::request`] and receives [`Event`]s.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, RwLock};
use std::thread;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, ExternalPrinter, Helper};

use super::command;
use super::input::{Accumulator, candidates, is_complete, word_start};

/// Prompt for the lines after the first of an unfinished input.
const CONTINUATION_PROMPT: &str = "... ";

/// What the editor thread reports.
#[derive(Debug)]
pub(crate) enum Event {
    /// A complete input (several lines if parentheses spanned them).
    Input(String),
    /// Ctrl-C at the prompt: the line was dropped.
    Interrupted,
    /// Ctrl-D on an empty line, or the input stream ended.
    Eof,
    /// The terminal failed.
    Failed(String),
}

/// Completes names of bound globals (and of commands after a leading `,`); an input is finished when [`is_complete`].
struct SchemeHelper {
    /// Sorted global names, refreshed by the main thread before each prompt.
    names: Arc<RwLock<Vec<String>>>,
}

impl Completer for SchemeHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let typed = line.get(..pos).unwrap_or(line);
        if command::is_command(typed) && !typed.trim().contains(char::is_whitespace) {
            let start = typed.len() - typed.trim_start().len();
            let found = command::completions(typed)
                .into_iter()
                .map(|name| Pair {
                    display: name.clone(),
                    replacement: name,
                })
                .collect();
            return Ok((start, found));
        }
        let start = word_start(line, pos);
        let prefix = line.get(start..pos).unwrap_or("");
        let names = self
            .names
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = candidates(&names, prefix)
            .into_iter()
            .map(|name| Pair {
                display: name.to_string(),
                replacement: name.to_string(),
            })
            .collect();
        Ok((start, found))
    }
}

impl Validator for SchemeHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Hinter for SchemeHelper {
    type Hint = String;
}

impl Highlighter for SchemeHelper {}

impl Helper for SchemeHelper {}

/// Handle on the editor thread.
pub(crate) struct Editor {
    requests: Sender<String>,
    pub(crate) events: Receiver<Event>,
    names: Arc<RwLock<Vec<String>>>,
    /// Prints above the prompt while the user types; `None` when the terminal has no editor.
    pub(crate) printer: Option<Box<dyn ExternalPrinter + Send>>,
}

impl Editor {
    /// Starts the editor; `history` is loaded now and appended after each input.
    pub(crate) fn start(history: Option<PathBuf>) -> Result<Editor, String> {
        let names = Arc::new(RwLock::new(Vec::new()));
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .completion_type(rustyline::CompletionType::List)
            .build();
        let mut editor: rustyline::Editor<SchemeHelper, DefaultHistory> =
            rustyline::Editor::with_config(config).map_err(|e| e.to_string())?;
        editor.set_helper(Some(SchemeHelper {
            names: Arc::clone(&names),
        }));
        if let Some(path) = &history {
            // A missing file is the first session; anything else is worth saying, not fatal.
            if path.exists()
                && let Err(e) = editor.load_history(path)
            {
                eprintln!("pscheme: cannot read history {}: {e}", path.display());
            }
        }
        let printer = editor
            .create_external_printer()
            .ok()
            .map(|p| Box::new(p) as Box<dyn ExternalPrinter + Send>);
        let (requests, requested) = mpsc::channel::<String>();
        let (events_tx, events) = mpsc::channel();
        thread::Builder::new()
            .name("line-editor".into())
            .spawn(move || editor_thread(editor, history, &requested, &events_tx))
            .map_err(|e| e.to_string())?;
        Ok(Editor {
            requests,
            events,
            names,
            printer,
        })
    }

    /// Asks for the next input with `prompt`; `names` are what Tab completes.
    pub(crate) fn request(&self, prompt: String, names: Vec<String>) {
        *self
            .names
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = names;
        // A closed channel means the thread ended; its last event says why.
        let _ = self.requests.send(prompt);
    }
}

fn editor_thread(
    mut editor: rustyline::Editor<SchemeHelper, DefaultHistory>,
    history: Option<PathBuf>,
    requests: &Receiver<String>,
    events: &Sender<Event>,
) {
    let mut pending = Accumulator::default();
    while let Ok(prompt) = requests.recv() {
        let event = loop {
            let shown = if pending.is_empty() {
                prompt.as_str()
            } else {
                CONTINUATION_PROMPT
            };
            match editor.readline(shown) {
                Ok(line) => {
                    if let Some(text) = pending.push_line(&line) {
                        if !text.trim().is_empty() {
                            remember(&mut editor, history.as_ref(), &text);
                        }
                        break Event::Input(text);
                    }
                }
                Err(ReadlineError::Interrupted) => {
                    pending.clear();
                    break Event::Interrupted;
                }
                Err(ReadlineError::Eof) => break Event::Eof,
                Err(e) => break Event::Failed(e.to_string()),
            }
        };
        let last = matches!(event, Event::Eof | Event::Failed(_));
        if events.send(event).is_err() || last {
            return;
        }
    }
}

/// Adds `text` to the history and appends it to the history file at once, so that a crash
/// loses none of it.
fn remember(
    editor: &mut rustyline::Editor<SchemeHelper, DefaultHistory>,
    history: Option<&PathBuf>,
    text: &str,
) {
    if editor.add_history_entry(text).unwrap_or(false)
        && let Some(path) = history
        && let Err(e) = editor.append_history(path)
    {
        eprintln!("pscheme: cannot write history {}: {e}", path.display());
    }
}
