//! The command line: clap definitions, turned once into an [`Engine`] and an
//! [`Action`]; no clap type travels further.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::engine::{Engine, Limits};
use crate::report::{Report, Status};
use crate::rules::RuleSet;
use crate::run::{self, Action};

const AFTER_HELP: &str = "\
Placeholders look like [REDACTED:<kind>:<fingerprint>]. The fingerprint is the first 8 hex
digits of HMAC-SHA256 over the secret, keyed per run (random unless --fingerprint-key or
HARSCRUB_FINGERPRINT_KEY is given), so the same secret gets the same placeholder everywhere
in a run and can never be brute-forced back from the report. JWTs keep their header and
payload (claims stay readable); only the signature is replaced.

Exit codes: clean: 0 every copy written and verified, 2 anything failed.
            scan:  0 nothing found, 1 credentials found, 2 an input could not be read.";

/// Find and redact credentials in HAR files and support bundles.
///
/// harscrub writes redacted copies that stay useful (valid HAR, same entries, every
/// non-secret byte unchanged, the same secret always replaced by the same placeholder)
/// and a findings report that never contains a secret.
#[derive(Debug, Parser)]
#[command(name = "harscrub", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a redacted copy of every input (never modifies inputs unless --in-place).
    ///
    /// Each copy is written to a temporary file, scanned again, and only renamed into
    /// place when nothing is left; an input that cannot be parsed or fully sanitized gets
    /// an error and no copy. Without --out, the copy of `capture.har` is written beside it
    /// as `capture.redacted.har`; with --out DIR, copies keep their file names (and, for a
    /// directory input, their relative paths) under DIR.
    #[command(after_help = AFTER_HELP)]
    Clean(CleanArgs),
    /// Report credentials without writing anything.
    ///
    /// Exits 0 when nothing was found, 1 when anything was found, 2 on error.
    #[command(after_help = AFTER_HELP)]
    Scan(ScanArgs),
    /// List or check the detection rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Print every rule: id, kind, description.
    List(RulesArgs),
    /// Check every rule: it compiles, its examples match, its negative examples do not.
    Check(RulesArgs),
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Also load rules from this TOML file or directory of TOML files.
    #[arg(long, value_name = "FILE|DIR")]
    pub rules: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Key for placeholder fingerprints (any string). Fixed keys make runs reproducible
    /// and let placeholders be correlated across runs; keep it secret.
    #[arg(
        long,
        env = "HARSCRUB_FINGERPRINT_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub fingerprint_key: Option<String>,
    /// Also load rules from this TOML file or directory of TOML files.
    #[arg(long, value_name = "FILE|DIR")]
    pub rules: Vec<PathBuf>,
    /// Print nothing on stderr except errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Refuse archives that expand to more than this many bytes in total.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_total_bytes)]
    pub max_total_bytes: u64,
    /// Refuse archive members compressed more than this ratio.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_ratio)]
    pub max_ratio: u64,
    /// Refuse archives nested deeper than this.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    pub max_depth: usize,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Files or directories (walked recursively); `-` reads standard input and writes the
    /// copy to standard output.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write copies under this directory instead of beside the inputs.
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the findings report (JSON) to this file.
    #[arg(short, long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Overwrite existing copies.
    #[arg(short, long)]
    pub force: bool,
    /// Replace each input with its redacted copy (atomically, after verification).
    /// Exits 1 when any file was changed, like other pre-commit fixers.
    #[arg(long, conflicts_with = "out")]
    pub in_place: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories (walked recursively); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format for the findings on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write the findings report (JSON) to this file.
    #[arg(short, long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// Build the engine from the common options.
pub fn engine(c: &Common) -> Result<Engine> {
    let mut e = Engine::builtin()?;
    if let Some(k) = &c.fingerprint_key {
        e = e.with_key(k.as_bytes());
    }
    for r in &c.rules {
        e.rules
            .add_path(r)
            .with_context(|| format!("loading rules from {}", r.display()))?;
    }
    e.limits.max_total_bytes = c.max_total_bytes;
    e.limits.max_ratio = c.max_ratio;
    e.limits.max_depth = c.max_depth;
    Ok(e)
}

/// Entry point: returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("harscrub: error: {:#}", e);
            2
        }
    }
}

fn dispatch(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Clean(a) => {
            let action = Action::Clean {
                out: a.out.clone(),
                in_place: a.in_place,
                force: a.force,
            };
            let (report, _) = execute(&a.common, &a.paths, &action, a.out.as_deref())?;
            if let Some(p) = &a.report {
                write_report(&report, p)?;
            }
            if !a.common.quiet || report.summary.files_failed > 0 {
                report.write_summary(std::io::stderr().lock(), "clean")?;
            }
            if report.summary.files_failed > 0 {
                Ok(2)
            } else if a.in_place && report.summary.findings > 0 {
                Ok(1)
            } else {
                Ok(0)
            }
        }
        Command::Scan(a) => {
            let (report, _) = execute(&a.common, &a.paths, &Action::Scan, None)?;
            if let Some(p) = &a.report {
                write_report(&report, p)?;
            }
            let stdout = std::io::stdout().lock();
            let r = match a.format {
                Format::Json => report.write_json(stdout),
                Format::Text => report.write_text(stdout),
            };
            if let Err(e) = r {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e).context("writing standard output");
                }
            }
            if !a.common.quiet || report.summary.files_failed > 0 {
                report.write_summary(std::io::stderr().lock(), "scan")?;
            }
            Ok(if report.summary.files_failed > 0 {
                2
            } else if report.summary.findings > 0 {
                1
            } else {
                0
            })
        }
        Command::Rules { command } => rules(command),
    }
}

fn write_report(report: &Report, path: &PathBuf) -> Result<()> {
    let mut f = std::fs::File::create(path)
        .with_context(|| format!("writing report {}", path.display()))?;
    report
        .write_json(&mut f)
        .with_context(|| format!("writing report {}", path.display()))?;
    f.flush()?;
    Ok(())
}

fn execute(
    c: &Common,
    paths: &[PathBuf],
    action: &Action,
    out: Option<&std::path::Path>,
) -> Result<(Report, ())> {
    let engine = engine(c)?;
    if let Some(n) = c.threads {
        // Only the first call can set the global pool; later calls are harmless.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let (inputs, mut failures) = run::enumerate(paths, out);
    let bar = if !c.quiet && std::io::stderr().is_terminal() && inputs.len() > 20 {
        let b = indicatif::ProgressBar::new(inputs.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} files {elapsed_precise} ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let results = run::process_all(&engine, action, &inputs, &bar);
    bar.finish_and_clear();
    let mut files = Vec::with_capacity(results.len() + failures.len());
    let mut findings = Vec::new();
    for r in results {
        files.push(r.report);
        findings.extend(r.findings);
    }
    files.append(&mut failures);
    let verb = match action {
        Action::Scan => "scan",
        Action::Clean { .. } => "clean",
    };
    debug_assert!(files
        .iter()
        .all(|f| f.status != Status::Written || verb == "clean"));
    Ok((Report::new(verb, files, findings), ()))
}

fn rules(cmd: RulesCommand) -> Result<i32> {
    let (args, check) = match &cmd {
        RulesCommand::List(a) => (a, false),
        RulesCommand::Check(a) => (a, true),
    };
    let mut set = RuleSet::builtin()?;
    for r in &args.rules {
        set.add_path(r)
            .with_context(|| format!("loading rules from {}", r.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if check {
        let problems = set.check();
        for p in &problems {
            writeln!(out, "FAIL {}", p)?;
        }
        writeln!(
            out,
            "{} rules checked, {} problem(s)",
            set.rules().len(),
            problems.len()
        )?;
        return Ok(if problems.is_empty() { 0 } else { 1 });
    }
    for r in set.rules() {
        writeln!(out, "{:<40} {:<22} {}", r.id, r.kind, r.description)?;
    }
    Ok(0)
}
