//! `cargo xtask fuzz --seconds S [--target NAME]... [--jobs J] [--merge]`: coverage-guided
//! fuzzing of every target in `fuzz/` with cargo-fuzz (libFuzzer; needs a nightly toolchain).
//!
//! Each target runs `S` seconds over its committed corpus (`fuzz/corpus/<name>`, read
//! only), `J` targets at a time (default 1; one libFuzzer process each, so give it at most
//! the machine's cores); what it finds goes to a scratch corpus under `target/fuzz/`. With
//! `--merge`, the scratch inputs that add coverage edges are merged back into the
//! committed corpus (libFuzzer's `-merge=1 -use_counters=0`). A crash stops nothing: every target runs, then the
//! task fails listing each crash file and the command that reproduces it.
//!
//! The stable test command never needs any of this: `cargo test --workspace` replays the
//! committed corpora through the same target functions (`fuzz/tests/replay.rs`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use crate::util;

const USAGE: &str = "usage: cargo xtask fuzz [--seconds S] [--target NAME]... [--jobs J] [--merge]";

/// What one target's run reported.
struct Run {
    name: String,
    seconds: f64,
    execs: u64,
    execs_per_sec: u64,
    cov: u64,
    features: u64,
    new_inputs: usize,
    crash: Option<String>,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = 60u64;
    let mut only = Vec::new();
    let mut merge = false;
    let mut jobs = 1usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|s| *s > 0)
                    .ok_or(format!("--seconds takes a positive number\n{USAGE}"))?
            }
            "--target" => only.push(
                it.next()
                    .ok_or(format!("--target takes a name\n{USAGE}"))?
                    .clone(),
            ),
            "--jobs" => {
                jobs = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|j| *j > 0)
                    .ok_or(format!("--jobs takes a positive number\n{USAGE}"))?
            }
            "--merge" => merge = true,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let root = util::root();
    let fuzz_dir = root.join("fuzz/libfuzzer");
    let all = targets(&fuzz_dir)?;
    for name in &only {
        if !all.contains(name) {
            return Err(format!(
                "no fuzz target {name:?}; the targets: {}",
                all.join(", ")
            ));
        }
    }
    let chosen: Vec<String> = if only.is_empty() { all } else { only };

    ensure_nightly()?;
    ensure_cargo_fuzz()?;
    util::step("cargo +nightly fuzz build (every target, debug assertions on)");
    util::run(
        nightly_cargo()
            .args(["fuzz", "build", "--fuzz-dir"])
            .arg(&fuzz_dir)
            .args(["--sanitizer", "none", "--debug-assertions"]),
    )?;

    let scratch_root = util::target_dir(&root).join("fuzz");
    // A shared queue of targets, `jobs` workers taking the next one each; the report keeps
    // the targets' order.
    let queue = Mutex::new(chosen.iter().enumerate());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.min(chosen.len()) {
            s.spawn(|| loop {
                let Some((i, name)) = queue.lock().map(|mut q| q.next()).unwrap_or(None) else {
                    return;
                };
                util::step(&format!("fuzzing {name} for {seconds} s"));
                let run = fuzz_one(&root, &fuzz_dir, &scratch_root, name, seconds, merge);
                if let Ok(mut r) = results.lock() {
                    r.push((i, run));
                }
            });
        }
    });
    let mut results = results.into_inner().map_err(|_| "a fuzz worker panicked")?;
    results.sort_by_key(|(i, _)| *i);
    let runs = results
        .into_iter()
        .map(|(_, r)| r)
        .collect::<Result<Vec<Run>, String>>()?;

    println!();
    println!(
        "{:<22} {:>8} {:>12} {:>9} {:>6} {:>7} {:>9}  crash",
        "target", "seconds", "execs", "execs/s", "cov", "ft", "new"
    );
    for r in &runs {
        println!(
            "{:<22} {:>8.0} {:>12} {:>9} {:>6} {:>7} {:>9}  {}",
            r.name,
            r.seconds,
            r.execs,
            r.execs_per_sec,
            r.cov,
            r.features,
            r.new_inputs,
            r.crash.as_deref().unwrap_or("none")
        );
    }
    let crashes: Vec<&Run> = runs.iter().filter(|r| r.crash.is_some()).collect();
    if crashes.is_empty() {
        println!("\n{} targets, 0 crashes", runs.len());
        return Ok(());
    }
    let mut msg = format!("{} of {} targets crashed:", crashes.len(), runs.len());
    for r in crashes {
        let file = r.crash.as_deref().unwrap_or_default();
        msg += &format!(
            "\n  {}: {file}\n    reproduce: cargo +nightly fuzz run --fuzz-dir fuzz/libfuzzer -s none -a {} {file}\n    then fix the bug, copy the file into fuzz/corpus/{}/ and add a regression test",
            r.name, r.name, r.name
        );
    }
    Err(msg)
}

/// The targets: the `[[bin]]` names of the cargo-fuzz manifest.
fn targets(fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let manifest = std::fs::read_to_string(fuzz_dir.join("Cargo.toml"))
        .map_err(|e| format!("cannot read the cargo-fuzz manifest: {e}"))?;
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin {
            if let Some(v) = line.strip_prefix("name = ") {
                names.push(v.trim_matches('"').to_string());
            }
        }
    }
    Ok(names)
}

/// `cargo +nightly`, without what the stable cargo that runs xtask put in the environment.
fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly");
    for var in [
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "RUSTDOC",
        "CARGO",
        "RUSTC_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn ensure_nightly() -> Result<(), String> {
    let ok = nightly_cargo()
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(
            "cargo xtask fuzz needs a nightly toolchain (libFuzzer's coverage \
             instrumentation is nightly-only): `rustup toolchain install nightly`. \
             The committed corpora replay on stable in `cargo test -p settle-fuzz`."
                .into(),
        )
    }
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = nightly_cargo()
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    util::step("cargo install cargo-fuzz --locked (about 3 min)");
    util::cargo(&["install", "cargo-fuzz", "--locked"])
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
                .count()
        })
        .unwrap_or(0)
}

fn fuzz_one(
    root: &Path,
    fuzz_dir: &Path,
    scratch_root: &Path,
    name: &str,
    seconds: u64,
    merge: bool,
) -> Result<Run, String> {
    let committed = root.join("fuzz/corpus").join(name);
    std::fs::create_dir_all(&committed).map_err(|e| format!("{}: {e}", committed.display()))?;
    let scratch = scratch_root.join("corpus").join(name);
    let artifacts = scratch_root.join("artifacts").join(name);
    for dir in [&scratch, &artifacts] {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let started = Instant::now();
    // New inputs go to the first corpus folder (the scratch one); the committed corpus is
    // only read.
    let output = nightly_cargo()
        .current_dir(root)
        .args(["fuzz", "run", "--fuzz-dir"])
        .arg(fuzz_dir)
        .args(["--sanitizer", "none", "--debug-assertions", name])
        .arg(&scratch)
        .arg(&committed)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .args(["-print_final_stats=1", "-timeout=60", "-rss_limit_mb=4096"])
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&output.stderr);
    let log_file = scratch_root.join(format!("{name}.log"));
    let _ = std::fs::write(&log_file, log.as_bytes());
    let stat = |key: &str| -> u64 {
        log.lines()
            .filter_map(|l| l.strip_prefix(&format!("stat::{key}:")))
            .filter_map(|v| v.trim().parse().ok())
            .next_back()
            .unwrap_or(0)
    };
    // The last status line (`#N ... cov: C ft: F ...`) holds the coverage.
    let field = |key: &str| -> u64 {
        log.lines()
            .filter(|l| l.starts_with('#'))
            .filter_map(|l| {
                let mut words = l.split_whitespace();
                words.find(|w| *w == key)?;
                words.next()?.parse().ok()
            })
            .next_back()
            .unwrap_or(0)
    };
    let crash = std::fs::read_dir(&artifacts).ok().and_then(|d| {
        d.filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    });
    if crash.is_none() && !output.status.success() {
        return Err(format!(
            "cargo fuzz run {name} failed with {} and no crash file; its log: {}",
            output.status,
            log_file.display()
        ));
    }
    let new_inputs = files_in(&scratch);
    if merge {
        let before = files_in(&committed);
        util::run(
            nightly_cargo()
                .current_dir(root)
                .args(["fuzz", "run", "--fuzz-dir"])
                .arg(fuzz_dir)
                .args(["--sanitizer", "none", "--debug-assertions", name])
                .arg(&committed)
                .arg(&scratch)
                // edges only, not hit counts: the committed corpus stays small
                .args(["--", "-merge=1", "-use_counters=0", "-rss_limit_mb=4096"])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )?;
        eprintln!(
            "{name}: merged {} new inputs into {}",
            files_in(&committed).saturating_sub(before),
            committed.display()
        );
    }
    Ok(Run {
        name: name.to_string(),
        seconds: elapsed,
        execs: stat("number_of_executed_units"),
        execs_per_sec: stat("average_exec_per_sec"),
        cov: field("cov:"),
        features: field("ft:"),
        new_inputs,
        crash,
    })
}
