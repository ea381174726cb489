//! The command line: clap definitions, turned once into an [`Engine`] and an
//! [`Action`]; no clap type travels further.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::engine::{Engine, Limits};
use crate::report::sarif::{self, SarifOptions};
use crate::report::{self, Findings, Report, Status, SummaryOptions};
use crate::rules::RuleSet;
use crate::run::{self, Action};

const AFTER_HELP: &str = "\
Placeholders look like [REDACTED:<kind>:<fingerprint>]. The fingerprint is the first 8 hex
digits of HMAC-SHA256 over the secret, keyed per run (random unless --fingerprint-key or
HARSCRUB_FINGERPRINT_KEY is given), so the same secret gets the same placeholder everywhere
in a run. Guesses can be tested against a fingerprint only with the key: the random key is
never printed or stored, but whoever knows a fixed key can try guesses of a short secret (a
PIN, a weak password) against its fingerprint, so keep such a key as secret as the inputs
(SECURITY.md, \"The fingerprint key is a secret\"). JWTs keep their header and
payload (claims stay readable); only the signature is replaced. `placeholder = \"kind\"` or
`\"fixed\"` in .harscrub.toml writes [REDACTED:<kind>] or [REDACTED] instead (the report
keeps the fingerprint; the copy loses the correlation).

Exit codes (stable):
  0  clean: every copy written and verified.   scan: nothing found.
  1  clean --in-place: a file was changed.      scan: credentials found.
  2  an input could not be read, parsed or fully sanitized (it has no copy), or bad usage.
With --exit-zero, 1 becomes 0 (report-only jobs); 2 stays 2.

The summary on stderr is coloured when stderr is a terminal (--color auto) unless NO_COLOR
is set to a non-empty value; --color always|never overrides both.";

/// Find and redact credentials in HAR files and support bundles.
///
/// harscrub writes redacted copies that stay useful (valid HAR, same entries, every
/// non-secret byte unchanged, the same secret always replaced by the same placeholder)
/// and a findings report that never contains a secret.
#[derive(Debug, Parser)]
#[command(name = "harscrub", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after any subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// Colour the summary on stderr: auto (when stderr is a terminal and NO_COLOR is
    /// unset or empty), always, never.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorWhen::Auto,
        global = true
    )]
    pub color: ColorWhen,
    /// Print nothing on stderr except errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// List every file in the summary (clean ones too) and, for clean, every finding.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour output going to a stream that `is_terminal` or not.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
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
    /// Exits 0 when nothing was found, 1 when anything was found (0 with --exit-zero),
    /// 2 when an input could not be read or parsed. `--format sarif` writes SARIF 2.1.0
    /// for GitHub code scanning; `--format json` the report of schema/report.schema.json.
    #[command(after_help = AFTER_HELP)]
    Scan(ScanArgs),
    /// List or check the detection rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print a shell completion script on standard output.
    ///
    /// bash: `harscrub completions bash > ~/.local/share/bash-completion/completions/harscrub`;
    /// zsh: `harscrub completions zsh > ~/.zfunc/_harscrub` (with `fpath+=~/.zfunc` before
    /// `compinit`); fish: `harscrub completions fish > ~/.config/fish/completions/harscrub.fish`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output, or write one page per command.
    ///
    /// `harscrub man | man -l -` reads it now; `harscrub man --out ~/.local/share/man/man1`
    /// installs harscrub.1, harscrub-scan.1, harscrub-clean.1 and the others, for `man harscrub`.
    Man {
        /// Write harscrub.1 and a page for every subcommand into this directory.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
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
    /// and let placeholders be correlated across runs; keep it secret: whoever has it can
    /// test guesses of a short secret against its fingerprint.
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
    /// Configuration file (default: ./.harscrub.toml, else the one at the root of the
    /// enclosing git repository): extra sensitive names, allow-lists, fingerprint key.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Exit 0 even when credentials were found (scan) or files were changed (clean
    /// --in-place), for report-only jobs; errors still exit 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Refuse archives that expand to more than this many bytes in total.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_total_bytes)]
    pub max_total_bytes: u64,
    /// Refuse archive members and HTTP bodies compressed more than this ratio, and
    /// archives that expand to more than this many times their size in total (all
    /// members at all depths; at least 64 MiB).
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One finding per line: `FILE:LOCATION  KIND  RULE  [FINGERPRINT] len=N`.
    Text,
    /// The findings report (see schema/report.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories (walked recursively); `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format for the findings on stdout.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
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
    if let Some(path) = crate::config::locate(c.config.as_deref()) {
        let cfg = crate::config::Config::load(&path)?;
        let base = path.parent().unwrap_or(std::path::Path::new("."));
        cfg.apply(&mut e, base)?;
        if let Some(k) = cfg.key()? {
            e = e.with_key(k.as_bytes());
        }
    }
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

/// The clap command, for completions and man pages.
pub fn command() -> clap::Command {
    Cli::command()
}

fn summary_options(g: &Global, in_place: bool) -> SummaryOptions {
    SummaryOptions {
        color: g.color.enabled(std::io::stderr().is_terminal()),
        verbose: g.verbose,
        in_place,
    }
}

/// The summary on stderr: in full, or only the failures with --quiet.
fn summarize(report: &Report, g: &Global, opts: &SummaryOptions) -> Result<()> {
    let err = std::io::stderr().lock();
    let r = if g.quiet {
        report.write_failures(err, opts)
    } else {
        report.write_summary(err, opts)
    };
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing standard error")
        }
        _ => Ok(()),
    }
}

fn dispatch(cli: Cli) -> Result<i32> {
    let g = &cli.global;
    match cli.command {
        Command::Clean(a) => {
            let action = Action::Clean {
                out: a.out.clone(),
                in_place: a.in_place,
                force: a.force,
            };
            let (mut report, _) = execute(&a.common, g, &a.paths, &action, a.out.as_deref())?;
            if let Some(p) = &a.report {
                write_report(&mut report, p)?;
            }
            let opts = summary_options(g, a.in_place);
            if g.verbose {
                report
                    .write_text(std::io::stderr().lock())
                    .context("writing standard error")?;
            }
            summarize(&report, g, &opts)?;
            Ok(if report.summary.files_failed > 0 {
                2
            } else if a.in_place && report.summary.findings > 0 && !a.common.exit_zero {
                1
            } else {
                0
            })
        }
        Command::Scan(a) => {
            let (mut report, engine) = execute(&a.common, g, &a.paths, &Action::Scan, None)?;
            if let Some(p) = &a.report {
                write_report(&mut report, p)?;
            }
            let stdout = std::io::stdout().lock();
            let r = match a.format {
                Format::Json => report.write_json(stdout),
                Format::Text => report.write_text(stdout),
                Format::Sarif => {
                    let opts = SarifOptions {
                        stable_key: a.common.fingerprint_key.is_some(),
                        base_dir: std::env::current_dir().ok(),
                        read_files: true,
                    };
                    sarif::write_sarif(&mut report, &engine.rules, &opts, stdout)
                }
            };
            if let Err(e) = r {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e).context("writing standard output");
                }
            }
            summarize(&report, g, &summary_options(g, false))?;
            Ok(if report.summary.files_failed > 0 {
                2
            } else if report.summary.findings > 0 && !a.common.exit_zero {
                1
            } else {
                0
            })
        }
        Command::Rules { command } => rules(command),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(), "harscrub", &mut script);
            write_stdout(&script)?;
            Ok(0)
        }
        Command::Man { out } => {
            match out {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)
                        .with_context(|| format!("creating {}", dir.display()))?;
                    clap_mangen::generate_to(command(), &dir)
                        .with_context(|| format!("writing man pages into {}", dir.display()))?;
                    if !g.quiet {
                        eprintln!(
                            "harscrub: man pages written to {}",
                            report::printable(&dir.to_string_lossy())
                        );
                    }
                }
                None => {
                    let mut page = Vec::new();
                    clap_mangen::Man::new(command())
                        .render(&mut page)
                        .context("rendering the man page")?;
                    write_stdout(&page)?;
                }
            }
            Ok(0)
        }
    }
}

/// Write all of `data` to standard output; a closed pipe (`| head`) is not an error.
fn write_stdout(data: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(data).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing standard output")
        }
        _ => Ok(()),
    }
}

fn write_report(report: &mut Report, path: &PathBuf) -> Result<()> {
    let f = std::fs::File::create(path)
        .with_context(|| format!("writing report {}", path.display()))?;
    report
        .write_json(&f)
        .with_context(|| format!("writing report {}", path.display()))?;
    Ok(())
}

fn execute(
    c: &Common,
    g: &Global,
    paths: &[PathBuf],
    action: &Action,
    out: Option<&std::path::Path>,
) -> Result<(Report, Engine)> {
    let engine = engine(c)?;
    if let Some(n) = c.threads {
        // Only the first call can set the global pool; later calls are harmless.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let (inputs, mut failures) = run::enumerate(paths, out);
    if g.verbose {
        eprintln!(
            "harscrub: {} input file(s), {} rules, fingerprint key {}",
            inputs.len(),
            engine.rules.rules().len(),
            if c.fingerprint_key.is_some() {
                "fixed (reproducible placeholders)"
            } else {
                "random for this run"
            }
        );
    }
    let bar = if !g.quiet && std::io::stderr().is_terminal() && inputs.len() > 20 {
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
    let mut files = Vec::with_capacity(inputs.len() + failures.len());
    let mut findings = Findings::new();
    let mut spool_error = None;
    run::process_all(&engine, action, &inputs, &bar, |r| {
        files.push(r.report);
        if let Err(e) = findings.append(r.findings) {
            spool_error.get_or_insert(e);
        }
    });
    bar.finish_and_clear();
    if let Some(e) = spool_error {
        return Err(e).context("recording findings in a temporary file");
    }
    files.append(&mut failures);
    let verb = match action {
        Action::Scan => "scan",
        Action::Clean { .. } => "clean",
    };
    debug_assert!(files
        .iter()
        .all(|f| f.status != Status::Written || verb == "clean"));
    Ok((Report::new(verb, files, findings), engine))
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
    writeln!(
        out,
        "Context rules (built in: a value is a credential because of where it is; names in \
         patterns/names.toml):"
    )?;
    for (id, name, description) in report::CONTEXT_RULES {
        writeln!(out, "{:<40} {}. {}", id, name, description)?;
    }
    writeln!(out, "\nToken rules (known formats, anywhere):")?;
    for r in set.rules() {
        writeln!(out, "{:<40} {:<22} {}", r.id, r.kind, r.description)?;
    }
    let per_provider = set.count_per_provider();
    writeln!(
        out,
        "\n{} context rules; {} token rules for {} providers:",
        report::CONTEXT_RULES.len(),
        set.rules().len(),
        per_provider.len()
    )?;
    for (provider, n) in &per_provider {
        writeln!(out, "  {:<32} {}", provider, n)?;
    }
    Ok(0)
}
