//! The `pscheme` command.

fn main() {}
