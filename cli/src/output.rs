//! How results are shown: a table for people, JSON for scripts, colour only on a terminal
//! that wants it.

use std::io::{IsTerminal, Write};

use nixbuild::Build;
use nixbuild::report::human;

use crate::Failure;

/// Whether a stream takes colour, as `--color` says: `auto` colours a terminal unless
/// `NO_COLOR` is set (<https://no-color.org>), and anything when `CLICOLOR_FORCE` is
/// (<https://bixense.com/clicolors/>), as ripgrep and cargo do.
pub fn colour(choice: crate::args::ColorChoice, terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        crate::args::ColorChoice::Always => true,
        crate::args::ColorChoice::Never => false,
        crate::args::ColorChoice::Auto if set("CLICOLOR_FORCE") => true,
        crate::args::ColorChoice::Auto => {
            terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Writes `text` to stdout; a closed pipe (`| head`) ends the command quietly.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::error(format!("cannot write: {e}")))
        }
        _ => Ok(()),
    }
}

/// `value` as one line of JSON, every control, separator and format character in its
/// strings written `\uXXXX` (serde_json escapes only C0), so a server's text cannot drive
/// the terminal or split the line.
pub fn json_line(value: &impl serde::Serialize) -> Result<String, Failure> {
    nixbuild::printable::to_json_string(value)
        .map(|line| line + "\n")
        .map_err(|e| Failure::error(format!("cannot encode: {e}")))
}

/// `value` as JSON for stdout, as gh prints it: indented on a terminal, where a person reads
/// it, and one line when piped, where a program does ([`json_line`]).
pub fn json(value: &impl serde::Serialize) -> Result<String, Failure> {
    let line = json_line(value)?;
    Ok(if std::io::stdout().is_terminal() {
        indented(&line, 0) + "\n"
    } else {
        line
    })
}

/// Compact JSON (as [`json_line`] writes it) indented two spaces a level, as serde_json's
/// pretty printer does, starting at `depth` levels in; the strings are left as they are,
/// escapes and all.
pub fn indented(compact: &str, depth: usize) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = depth;
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = compact.trim_end().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // An empty object or array stays on its line: `{}`, `[]`.
                match chars.next_if(|next| matches!(next, '}' | ']')) {
                    Some(close) => out.push(close),
                    None => {
                        depth += 1;
                        newline(&mut out, depth);
                    }
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out
}

/// The table's heading line.
pub fn table_header() -> String {
    format!(
        "{:<10}  {:<20}  {:<18}  {:<14}  {:>9}  NAME\n",
        "ID", "CREATED", "STATUS", "SYSTEM", "DURATION"
    )
}

/// One build's line of the table.
pub fn table_row(build: &Build, colour: bool) -> String {
    let status = format!("{:<18}", clean(build.status.as_str()));
    let painted = if colour {
        human::paint(&build.status, &status)
    } else {
        status
    };
    format!(
        "{:<10}  {:<20}  {painted}  {:<14}  {:>9}  {}\n",
        build.build_id,
        build.create_time.format("%Y-%m-%d %H:%M:%S"),
        clean(&build.system),
        build.duration_seconds.map(human::duration).unwrap_or_default(),
        clean(build.name()),
    )
}

/// Stdout for output written piece by piece (a stream of builds): buffered, and quiet once
/// the reader has gone (`| head`), as [`print()`] is.
pub struct Out {
    writer: std::io::BufWriter<std::io::StdoutLock<'static>>,
    closed: bool,
}

impl Out {
    /// Stdout, locked for this command.
    pub fn new() -> Out {
        Out {
            writer: std::io::BufWriter::new(std::io::stdout().lock()),
            closed: false,
        }
    }

    /// Writes `text`; `Ok(false)` once the reader has gone, so the caller can stop.
    pub fn write(&mut self, text: &str) -> Result<bool, Failure> {
        if !self.closed {
            let written = self.writer.write_all(text.as_bytes());
            self.written(written)?;
        }
        Ok(!self.closed)
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> Result<(), Failure> {
        let flushed = self.writer.flush();
        self.written(flushed)
    }

    fn written(&mut self, result: std::io::Result<()>) -> Result<(), Failure> {
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Failure::error(format!("cannot write: {e}"))),
            Ok(()) => Ok(()),
        }
    }
}

/// Server text as a terminal may show it: control characters (escape sequences, bidi
/// marks) written out, never obeyed; the SDK's own escaping.
pub fn clean(text: &str) -> String {
    nixbuild::printable::escape_controls(text).into_owned()
}

/// [`clean`], line by line: the lines stay lines.
pub fn clean_lines(text: &str) -> String {
    text.lines().map(clean).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_json_is_serde_json_s_pretty_print_of_the_same_value() {
        let value = serde_json::json!({
            "builds": [{"id": 1, "tags": {}, "outputs": [], "name": "a \\\"quoted\\\" {name}, [x]: y"}],
            "empty": [],
            "n": null,
            "nested": [[1, 2], {"k": false}],
        });
        let compact = json_line(&value).unwrap();
        assert_eq!(
            indented(&compact, 0),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert_eq!(indented("[1]", 1), "[\n    1\n  ]", "starting a level in");
    }

    #[test]
    fn server_text_never_drives_the_terminal() {
        assert_eq!(clean("a\u{1b}[2Jb\u{202e}"), "a\\u{1b}[2Jb\\u{202e}");
    }
}
