//! A `settle` service run as a process by an end-to-end flow (the operator, the
//! challenger, the watchtower): started with a config file and its key in the
//! environment, its output in a log file, killed with SIGKILL when dropped, so no process
//! outlives a flow whatever happens.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Service {
    child: Option<Child>,
    log: PathBuf,
}

impl Service {
    /// Starts `settle <subcommand> --config <config>` in the config's folder, with the key
    /// in `key.0` (an environment variable) and its output appended to `log`. With
    /// `pause_at`, test-only, it stops at that point of its round
    /// (`SETTLE_TEST_PAUSE_AT`) and waits there to be killed.
    pub fn spawn(
        subcommand: &str,
        config: &Path,
        key: (&str, &str),
        log: &Path,
        pause_at: Option<&str>,
    ) -> Result<Service, String> {
        let bin = super::settle_binary();
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&bin);
        cmd.arg(subcommand)
            .arg("--config")
            .arg(config)
            .env(key.0, key.1)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        if let Some(dir) = config.parent() {
            cmd.current_dir(dir);
        }
        match pause_at {
            Some(p) => cmd.env("SETTLE_TEST_PAUSE_AT", p),
            None => cmd.env_remove("SETTLE_TEST_PAUSE_AT"),
        };
        let child = cmd
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
        Ok(Service {
            child: Some(child),
            log: log.to_path_buf(),
        })
    }

    /// What the process has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> Result<bool, String> {
        match self.child.as_mut() {
            Some(c) => Ok(c.try_wait().map_err(|e| e.to_string())?.is_none()),
            None => Ok(false),
        }
    }

    /// Waits for `needle` in the log (an error if the process exits first).
    pub async fn wait_log(&mut self, needle: &str, within: Duration) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if self.log().contains(needle) {
                return Ok(());
            }
            if !self.alive()? {
                return Err(format!(
                    "the process exited before {needle:?}:\n{}",
                    self.log()
                ));
            }
            if started.elapsed() > within {
                return Err(format!(
                    "no {needle:?} in the log after {within:?}:\n{}",
                    self.log()
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// SIGKILL, as a crash.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The exit status of a process that stops on its own within `within`.
    pub async fn exited(&mut self, within: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + within;
        loop {
            let c = self.child.as_mut().ok_or("no process")?;
            if let Some(status) = c.try_wait().map_err(|e| e.to_string())? {
                self.child = None;
                return Ok(status);
            }
            if Instant::now() > deadline {
                return Err(format!("still running after {within:?}:\n{}", self.log()));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// SIGTERM, then the exit status within `within` (SIGKILL if it does not stop).
    pub async fn terminate(&mut self, within: Duration) -> Result<ExitStatus, String> {
        let c = self.child.as_ref().ok_or("no process to stop")?;
        let pid = nix::unistd::Pid::from_raw(c.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM)
            .map_err(|e| format!("SIGTERM: {e}"))?;
        self.exited(within).await.map_err(|e| {
            self.kill();
            format!("SIGTERM: {e}")
        })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}
