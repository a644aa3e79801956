//! REPL commands: a line starting with `,` (outside Scheme, `,x` is an `unquote` with no
//! enclosing quasiquote, an error, so the prefix takes nothing from the language).

/// A command typed at the prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// `,ps`: list the live processes.
    Processes,
    /// `,sync`: wait until everything done so far is durable.
    Sync,
    /// `,fsck`: check the store's integrity.
    Fsck,
    /// `,help`: list the commands.
    Help,
    /// `,quit` (or Ctrl-D): leave the REPL; its processes stay in the store.
    Quit,
}

/// Each command's names (the first is the one shown) and its one-line description.
pub(crate) const COMMANDS: &[(Command, &[&str], &str)] = &[
    (
        Command::Processes,
        &["ps"],
        "list live processes: number and status",
    ),
    (
        Command::Sync,
        &["sync"],
        "wait until everything done so far is durable",
    ),
    (Command::Fsck, &["fsck"], "check the integrity of the store"),
    (Command::Help, &["help", "h", "?"], "show this help"),
    (
        Command::Quit,
        &["quit", "q", "exit"],
        "leave the REPL (Ctrl-D too)",
    ),
];

/// A line that starts with `,` but names no command.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CommandError {
    Unknown(String),
    /// A known command given arguments; none takes any.
    UnexpectedArgument {
        command: &'static str,
        argument: String,
    },
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandError::Unknown(name) if name.is_empty() => {
                write!(f, "a command name must follow `,` (,help lists them)")
            }
            CommandError::Unknown(name) => {
                write!(f, "unknown command `,{name}` (,help lists the commands)")
            }
            CommandError::UnexpectedArgument { command, argument } => {
                write!(f, "`,{command}` takes no argument, found `{argument}`")
            }
        }
    }
}

/// True when `input` is a command line rather than Scheme.
pub(crate) fn is_command(input: &str) -> bool {
    input.trim_start().starts_with(',')
}

/// Parses a command line (`input` starts with `,` after optional blanks).
pub(crate) fn parse(input: &str) -> Result<Command, CommandError> {
    let body = input.trim().strip_prefix(',').unwrap_or(input.trim());
    let mut words = body.split_whitespace();
    let name = words.next().unwrap_or("");
    let (command, names, _) = COMMANDS
        .iter()
        .find(|(_, names, _)| names.contains(&name))
        .ok_or_else(|| CommandError::Unknown(name.to_string()))?;
    if let Some(argument) = words.next() {
        return Err(CommandError::UnexpectedArgument {
            command: names[0],
            argument: argument.to_string(),
        });
    }
    Ok(*command)
}

/// Command names (with their `,`) that start with `typed` (which starts with `,`), for Tab.
pub(crate) fn completions(typed: &str) -> Vec<String> {
    let prefix = typed.trim_start().strip_prefix(',').unwrap_or("");
    COMMANDS
        .iter()
        .map(|(_, names, _)| names[0])
        .filter(|name| name.starts_with(prefix))
        .map(|name| format!(",{name}"))
        .collect()
}

/// The text `,help` prints.
pub(crate) fn help() -> String {
    let mut out = String::from(
        "Type Scheme expressions; input continues on the next line until parentheses balance.\n\
         Tab completes the names of defined globals. Commands:\n",
    );
    for (_, names, description) in COMMANDS {
        let aliases: Vec<String> = names[1..].iter().map(|n| format!(",{n}")).collect();
        let shown = if aliases.is_empty() {
            format!(",{}", names[0])
        } else {
            format!(",{} ({})", names[0], aliases.join(" "))
        };
        out.push_str(&format!("  {shown:<18} {description}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_command_and_its_aliases() {
        assert_eq!(parse(",ps"), Ok(Command::Processes));
        assert_eq!(parse("  ,sync  "), Ok(Command::Sync));
        assert_eq!(parse(",fsck\n"), Ok(Command::Fsck));
        assert_eq!(parse(",help"), Ok(Command::Help));
        assert_eq!(parse(",?"), Ok(Command::Help));
        assert_eq!(parse(",quit"), Ok(Command::Quit));
        assert_eq!(parse(",q"), Ok(Command::Quit));
        assert_eq!(parse(", quit"), Ok(Command::Quit));
    }

    #[test]
    fn rejects_unknown_commands_and_arguments() {
        assert_eq!(parse(",psx"), Err(CommandError::Unknown("psx".into())));
        assert_eq!(parse(","), Err(CommandError::Unknown(String::new())));
        assert_eq!(
            parse(",ps all"),
            Err(CommandError::UnexpectedArgument {
                command: "ps",
                argument: "all".into()
            })
        );
        assert!(parse(",nope").unwrap_err().to_string().contains(",help"));
    }

    #[test]
    fn only_a_leading_comma_makes_a_command() {
        assert!(is_command(",ps"));
        assert!(is_command("   ,help"));
        assert!(!is_command("(list 1 ,x)"));
        assert!(!is_command("`(a ,b)"));
        assert!(!is_command(""));
    }

    #[test]
    fn command_names_complete() {
        assert_eq!(completions(",s"), [",sync"]);
        assert_eq!(completions(",q"), [",quit"]);
        assert_eq!(completions(",").len(), COMMANDS.len());
        assert!(completions(",zz").is_empty());
    }

    #[test]
    fn help_lists_every_command() {
        let text = help();
        for (_, names, _) in COMMANDS {
            assert!(text.contains(&format!(",{}", names[0])), "{text}");
        }
    }
}
