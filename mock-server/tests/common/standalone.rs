//! The standalone `nixbuild-mock` binary, started for a test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use nixbuild::Client;

/// A running binary and the variables it printed.
pub struct Standalone {
    child: Child,
    pub vars: HashMap<String, String>,
    /// What it logged on stderr, read as it comes so that a busy mock never blocks on a
    /// full pipe.
    log: Arc<Mutex<String>>,
    log_reader: Option<JoinHandle<()>>,
}

impl Standalone {
    pub fn start(args: &[&str]) -> Standalone {
        Standalone::start_with_env(args, &[])
    }

    /// Starts it with these environment variables besides the test's own.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Standalone {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nixbuild-mock"));
        command.args(args).envs(env.iter().copied());
        Standalone::launch(command)
    }

    /// Starts it allowed at most `files` open file descriptors (`ulimit -n`, soft and hard
    /// limits both), through a shell that then becomes the binary (same process id).
    #[allow(dead_code)]
    pub fn start_with_fd_limit(args: &[&str], files: u32) -> Standalone {
        Standalone::start_under_ulimit(args, &format!("-n {files}"))
    }

    /// Starts it with a soft limit of `files` open file descriptors (`ulimit -S -n`), its hard
    /// limit the test's.
    #[allow(dead_code)]
    pub fn start_with_soft_fd_limit(args: &[&str], files: u32) -> Standalone {
        Standalone::start_under_ulimit(args, &format!("-S -n {files}"))
    }

    fn start_under_ulimit(args: &[&str], limit: &str) -> Standalone {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit {limit} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_nixbuild-mock"))
            .args(args);
        Standalone::launch(command)
    }

    fn launch(mut command: Command) -> Standalone {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let log = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let log_reader = {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut chunk = [0u8; 8192];
                while let Ok(n @ 1..) = stderr.read(&mut chunk) {
                    log.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&chunk[..n]));
                }
            })
        };
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut vars = HashMap::new();
        for line in stdout.lines() {
            let line = line.unwrap();
            if line.starts_with("export ") {
                break;
            }
            if let Some((name, value)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
                vars.insert(name.to_owned(), value.to_owned());
            }
        }
        assert!(vars.contains_key("NIXBUILD_API_URL"), "printed {vars:?}");
        Standalone {
            child,
            vars,
            log,
            log_reader: Some(log_reader),
        }
    }

    /// The process id, to read its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self) -> &str {
        &self.vars["NIXBUILD_API_URL"]
    }

    pub fn token(&self) -> &str {
        &self.vars["NIXBUILD_TOKEN"]
    }

    pub fn client(&self) -> Client {
        Client::builder()
            .token(self.token())
            .base_url(self.url())
            .build()
            .unwrap()
    }

    /// Sends SIGTERM to the pid it printed and returns whether it exited successfully, and
    /// what it logged.
    pub fn terminate(mut self) -> (bool, String) {
        let pid = self.vars["NIXBUILD_MOCK_PID"].clone();
        assert_eq!(pid, self.child.id().to_string(), "it prints its own pid");
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.log_reader.take() {
            let _ = reader.join();
        }
        let log = self.log.lock().unwrap().clone();
        (status.success(), log)
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        // A test that fails before `terminate` leaves no process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
