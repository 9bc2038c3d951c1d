//! How results are shown: a table for people, JSON for scripts, colour only on a terminal
//! that wants it.

use std::io::{IsTerminal, Write};

use nixbuild::{Build, BuildStatus};

use crate::Failure;

/// Whether stdout takes colour, as `--color` says: `auto` colours a terminal unless
/// `NO_COLOR` is set (<https://no-color.org>), and anything when `CLICOLOR_FORCE` is
/// (<https://bixense.com/clicolors/>), as ripgrep and cargo do.
pub fn colour(choice: crate::args::ColorChoice) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        crate::args::ColorChoice::Always => true,
        crate::args::ColorChoice::Never => false,
        crate::args::ColorChoice::Auto if set("CLICOLOR_FORCE") => true,
        crate::args::ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
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

/// The table's heading line.
pub fn table_header() -> String {
    format!(
        "{:<10}  {:<20}  {:<18}  {:<14}  {:>9}  NAME\n",
        "ID", "CREATED", "STATUS", "SYSTEM", "DURATION"
    )
}

/// One build's line of the table.
pub fn table_row(build: &Build, colour: bool) -> String {
    let status = clean(build.status.as_str());
    let painted = match (colour, paint(&build.status)) {
        (true, Some(code)) => format!("\u{1b}[{code}m{status:<18}\u{1b}[0m"),
        _ => format!("{status:<18}"),
    };
    format!(
        "{:<10}  {:<20}  {painted}  {:<14}  {:>9}  {}\n",
        build.build_id,
        build.create_time.format("%Y-%m-%d %H:%M:%S"),
        clean(&build.system),
        build.duration_seconds.map(duration).unwrap_or_default(),
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

/// The ANSI colour of a status.
fn paint(status: &BuildStatus) -> Option<&'static str> {
    if status.is_success() {
        Some("32")
    } else if status.is_in_progress() {
        Some("33")
    } else if status.is_known() {
        Some("31")
    } else {
        None
    }
}

/// `1h02m`, `3m07s`, `12s`.
fn duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    match (total / 3600, total % 3600 / 60, total % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
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
    fn durations_read_at_a_glance_and_server_text_never_drives_the_terminal() {
        assert_eq!(duration(12.4), "12s");
        assert_eq!(duration(187.0), "3m07s");
        assert_eq!(duration(3720.0), "1h02m");
        assert_eq!(duration(f64::NAN), "0s");
        assert_eq!(clean("a\u{1b}[2Jb\u{202e}"), "a\\u{1b}[2Jb\\u{202e}");
    }
}
