//! The command line: clap definitions, turned once into an [`Engine`] and an
//! [`Action`]; no clap type travels further.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::engine::{Engine, Limits};
use crate::report::sarif::{self, SarifOptions};
use crate::report::{self, FileReport, Findings, Report, Status, SummaryOptions};
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
  2  an input could not be read, parsed or fully sanitized (it has no copy), no input was
     read at all (nothing processed), a destination cannot work (--report a directory,
     --out a file: refused before any work), or bad usage.
  130  interrupted (SIGINT, SIGTERM): temporary files removed, previous report kept.
With --exit-zero, 1 becomes 0 (report-only jobs); 2 stays 2.

Nothing is skipped silently: symlinks, VCS folders, the --out folder and files named like
harscrub's copies are listed with the reason in the summary and the report.

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
    /// Work with findings reports: `merge` combines the reports of shards.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
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
pub enum ReportCommand {
    /// Combine the JSON reports of the shards of one batch (`--shard I/N`) into one,
    /// equal to the report of a single run over the same inputs: files sorted by path
    /// (component by component, the order of a folder walk), each file's findings in
    /// document order, the summary computed again. Refuses reports of different
    /// commands and shards that overlap.
    Merge {
        /// The shard reports.
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        /// Write the merged report here (atomically) instead of standard output.
        #[arg(short, long, value_name = "FILE")]
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
    /// Worker threads (default: one per core). With -j 1 every file is read, scrubbed,
    /// verified, written and committed (flushed to disk where needed, renamed into
    /// place) on that one thread; with more, one more thread commits finished copies.
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

/// Which inputs a run takes.
#[derive(Debug, Args)]
pub struct Inputs {
    /// Read more paths from FILE (`-`: standard input), one a line, or NUL-separated
    /// (as `find -print0` and `git ls-files -z` write them; detected by the first NUL).
    /// Listed paths must be relative and keep their place under --out.
    #[arg(long, value_name = "FILE|-")]
    pub files_from: Option<PathBuf>,
    /// Process only the inputs of shard I of N (1 <= I <= N), to split one batch over
    /// several processes or machines. An input belongs to the shard given by a hash of
    /// its path relative to the input root, the same in every run and on every machine.
    /// Give every shard the same --fingerprint-key (or config file) and combine the
    /// reports with `harscrub report merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<run::Shard>,
    /// Also process files named like harscrub's copies (`*.redacted.*`) found in
    /// folders; by default they are skipped (and listed as skipped).
    #[arg(long)]
    pub include_own_output: bool,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Files or directories (walked recursively); `-` reads standard input and writes the
    /// copy to standard output.
    #[arg(required_unless_present = "files_from", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write copies under this directory instead of beside the inputs.
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the findings report (JSON) to this file.
    #[arg(short, long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Overwrite existing copies. Without it, an existing copy identical to the new one
    /// is left as it is ("unchanged"), one that differs only in placeholder fingerprints
    /// (a run with another key) is replaced, and any other makes that input fail.
    #[arg(short, long)]
    pub force: bool,
    /// Leave inputs whose copy already exists alone (not read; listed as skipped):
    /// resumes an interrupted batch.
    #[arg(long, conflicts_with_all = ["force", "in_place"])]
    pub skip_existing: bool,
    /// Replace each input with its redacted copy (atomically, after verification).
    /// Exits 1 when any file was changed, like other pre-commit fixers.
    #[arg(long, conflicts_with = "out")]
    pub in_place: bool,
    #[command(flatten)]
    pub inputs: Inputs,
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
    #[arg(required_unless_present = "files_from", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format for the findings on stdout.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
    pub format: Format,
    /// Also write the findings report (JSON) to this file.
    #[arg(short, long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub inputs: Inputs,
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
    if matches!(
        cli.command,
        Command::Clean(_) | Command::Scan(_) | Command::Report { .. }
    ) {
        // SIGINT, SIGTERM (and SIGHUP): remove this run's temporary files (copies and
        // the report being written), say so, exit 130. Copies already renamed into
        // place are complete and verified; a previous report is left as it was.
        let _ = ctrlc::set_handler(|| {
            let n = crate::output::remove_temporaries();
            eprintln!(
                "harscrub: interrupted: removed {} temporary file(s); copies already in place are complete, no report written",
                n
            );
            std::process::exit(130);
        });
    }
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
        shard: None,
        pre_commit: std::env::var_os("PRE_COMMIT").is_some_and(|v| !v.is_empty()),
    }
}

/// A run that read no input file at all is not a success: exit 2, unless it is one
/// shard of a batch whose inputs all went to other shards.
fn nothing_processed(o: &Outcome, inputs: &Inputs) -> bool {
    o.nothing_read() && !(inputs.shard.is_some() && o.other_shards > 0)
}

/// The summary on stderr: in full, or only the failures with --quiet (and, always, the
/// error of a run that processed nothing).
fn summarize(o: &Outcome, g: &Global, opts: &SummaryOptions) -> Result<()> {
    let report = &o.report;
    let mut err = std::io::stderr().lock();
    let r = if g.quiet {
        report.write_failures(&mut err, opts)
    } else {
        report.write_summary(&mut err, opts)
    };
    let r = r.and_then(|_| {
        if o.nothing_read() && !(opts.shard.is_some() && o.other_shards > 0) {
            writeln!(
                err,
                "harscrub: error: nothing processed: no input file was read{}",
                if report.summary.files_skipped > 0 {
                    " (every input was skipped; see above)"
                } else {
                    " (no file found in the inputs)"
                }
            )
        } else {
            Ok(())
        }
    });
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing standard error")
        }
        _ => Ok(()),
    }
}

/// Refuse destinations that cannot work before anything is read or written: a report
/// path that is a folder (or in a folder that does not exist), an --out that is not a
/// folder.
fn check_destinations(report: Option<&Path>, out: Option<&Path>) -> Result<()> {
    if let Some(r) = report {
        if r.is_dir() {
            bail!(
                "--report {} is a directory; give a file name (e.g. {})",
                r.display(),
                r.join("report.json").display()
            );
        }
        let parent = match r.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if !parent.is_dir() {
            bail!(
                "--report {}: the folder {} does not exist",
                r.display(),
                parent.display()
            );
        }
    }
    if let Some(o) = out {
        if o.exists() && !o.is_dir() {
            bail!(
                "--out {} exists and is not a directory; --out names the folder the copies go to",
                o.display()
            );
        }
    }
    Ok(())
}

/// The inputs of a run: the paths on the command line, then those of --files-from.
fn roots(paths: &[PathBuf], inputs: &Inputs) -> Result<Vec<run::Root>> {
    let mut roots: Vec<run::Root> = paths.iter().cloned().map(run::Root::arg).collect();
    if let Some(list) = &inputs.files_from {
        let data = if list.as_os_str() == "-" {
            if paths.iter().any(|p| p.as_os_str() == "-") {
                bail!("--files-from - and the input - both want standard input");
            }
            let mut d = Vec::new();
            std::io::stdin()
                .read_to_end(&mut d)
                .context("reading --files-from from standard input")?;
            d
        } else {
            std::fs::read(list)
                .with_context(|| format!("reading --files-from {}", list.display()))?
        };
        roots.extend(
            run::read_file_list(&data)
                .into_iter()
                .map(|path| run::Root { path, listed: true }),
        );
    }
    Ok(roots)
}

/// What a run's exit code and summary need beyond the report.
struct Outcome {
    report: Report,
    engine: Engine,
    /// Inputs (files found, before sharding) that belong to other shards.
    other_shards: usize,
    /// Input files selected for processing (found, not skipped by the walk, in this
    /// shard); with --skip-existing some may then be left alone.
    selected: usize,
}

impl Outcome {
    /// No input file was read: neither processed nor failed (everything skipped, an
    /// empty folder, or only other shards' files).
    fn nothing_read(&self) -> bool {
        self.selected == 0
    }
}

fn dispatch(cli: Cli) -> Result<i32> {
    let g = &cli.global;
    match cli.command {
        Command::Clean(a) => {
            check_destinations(a.report.as_deref(), a.out.as_deref())?;
            let action = Action::Clean {
                out: a.out.clone(),
                in_place: a.in_place,
                force: a.force,
                skip_existing: a.skip_existing,
            };
            let roots = roots(&a.paths, &a.inputs)?;
            let mut o = execute(&a.common, g, &roots, &a.inputs, &action, a.out.as_deref())?;
            // The summary is printed even when the report cannot be written.
            let report_error = a
                .report
                .as_ref()
                .and_then(|p| write_report(&mut o.report, p).err());
            let mut opts = summary_options(g, a.in_place);
            opts.shard = a.inputs.shard.map(|s| s.to_string());
            if g.verbose {
                o.report
                    .write_text(std::io::stderr().lock())
                    .context("writing standard error")?;
            }
            summarize(&o, g, &opts)?;
            if let Some(e) = report_error {
                return Err(e);
            }
            Ok(
                if o.report.summary.files_failed > 0 || nothing_processed(&o, &a.inputs) {
                    2
                } else if a.in_place && o.report.summary.findings > 0 && !a.common.exit_zero {
                    1
                } else {
                    0
                },
            )
        }
        Command::Scan(a) => {
            check_destinations(a.report.as_deref(), None)?;
            let roots = roots(&a.paths, &a.inputs)?;
            let mut o = execute(&a.common, g, &roots, &a.inputs, &Action::Scan, None)?;
            // The summary is printed even when the report cannot be written.
            let report_error = a
                .report
                .as_ref()
                .and_then(|p| write_report(&mut o.report, p).err());
            let stdout = std::io::stdout().lock();
            let report = &mut o.report;
            let r = match a.format {
                Format::Json => report.write_json(stdout),
                Format::Text => report.write_text(stdout),
                Format::Sarif => {
                    let opts = SarifOptions {
                        stable_key: a.common.fingerprint_key.is_some(),
                        base_dir: std::env::current_dir().ok(),
                        read_files: true,
                    };
                    sarif::write_sarif(report, &o.engine.rules, &opts, stdout)
                }
            };
            if let Err(e) = r {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e).context("writing standard output");
                }
            }
            let mut opts = summary_options(g, false);
            opts.shard = a.inputs.shard.map(|s| s.to_string());
            summarize(&o, g, &opts)?;
            if let Some(e) = report_error {
                return Err(e);
            }
            Ok(
                if o.report.summary.files_failed > 0 || nothing_processed(&o, &a.inputs) {
                    2
                } else if o.report.summary.findings > 0 && !a.common.exit_zero {
                    1
                } else {
                    0
                },
            )
        }
        Command::Report { command } => match command {
            ReportCommand::Merge { reports, out } => {
                if let Some(o) = &out {
                    check_destinations(Some(o), None)?;
                }
                let mut merged = report::merge::merge(&reports)?;
                match &out {
                    Some(p) => write_report(&mut merged, p)?,
                    None => {
                        let mut buf = Vec::new();
                        merged.write_json(&mut buf).context("writing the report")?;
                        write_stdout(&buf)?;
                    }
                }
                if !g.quiet {
                    let s = &merged.summary;
                    eprintln!(
                        "harscrub report merge: {} reports, {} files ({} failed, {} skipped), {} findings{}",
                        reports.len(),
                        s.files,
                        s.files_failed,
                        s.files_skipped,
                        s.findings,
                        out.as_ref()
                            .map(|p| format!(" -> {}", report::printable(&p.to_string_lossy())))
                            .unwrap_or_default()
                    );
                }
                Ok(0)
            }
        },
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

/// Write the report atomically: to a temporary file beside it, renamed over `path` only
/// once complete, so an interrupted or failing write never leaves a torn report and
/// never replaces a previous one.
fn write_report(report: &mut Report, path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let ctx = || format!("writing report {}", path.display());
    let tmp = crate::output::temp_file_in(dir).with_context(ctx)?;
    let tmp_path = tmp.path().to_path_buf();
    let r = (|| -> Result<()> {
        report.write_json(tmp.as_file()).with_context(ctx)?;
        tmp.as_file().sync_all().with_context(ctx)?;
        tmp.persist(path).map_err(|e| e.error).with_context(ctx)?;
        Ok(())
    })();
    crate::output::forget_temp(&tmp_path);
    r
}

fn execute(
    c: &Common,
    g: &Global,
    roots: &[run::Root],
    inputs_opts: &Inputs,
    action: &Action,
    out: Option<&Path>,
) -> Result<Outcome> {
    let engine = engine(c)?;
    if let Some(n) = c.threads {
        // Only the first call can set the global pool; later calls are harmless.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    // Temporary files an interrupted or killed run left under --out. Not with --shard:
    // the other shards may be writing theirs right now.
    if let (Some(dir), None) = (out, inputs_opts.shard) {
        if dir.is_dir() {
            let removed = crate::output::remove_stale_temporaries(dir);
            if !removed.is_empty() && !g.quiet {
                eprintln!(
                    "harscrub: removed {} stale temporary file(s) (.harscrub-*.tmp) left under {} by an interrupted run",
                    removed.len(),
                    report::printable(&dir.to_string_lossy())
                );
            }
        }
    }
    let walk = run::WalkOptions {
        out,
        include_own_output: inputs_opts.include_own_output,
    };
    let mut entries = run::enumerate(roots, &walk);
    let mut other_shards = 0;
    if let Some(shard) = inputs_opts.shard {
        let before = entries.len();
        entries.retain(|e| shard.takes(&e.key));
        other_shards = before - entries.len();
    }
    let inputs: Vec<run::Input> = entries
        .iter()
        .filter_map(|e| match &e.item {
            run::Item::Input(i) => Some(i.clone()),
            run::Item::Done(_) => None,
        })
        .collect();
    if g.verbose {
        eprintln!(
            "harscrub: {} input file(s){}, {} rules, fingerprint key {}",
            inputs.len(),
            inputs_opts
                .shard
                .map(|s| format!(" in shard {} ({} in other shards)", s, other_shards))
                .unwrap_or_default(),
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
    let selected = inputs.len();
    let mut processed = Vec::with_capacity(inputs.len());
    let mut findings = Findings::new();
    let mut spool_error = None;
    // Byte progress for large files, when the file bar is not shown (few inputs).
    let bytes = (!g.quiet && std::io::stderr().is_terminal() && inputs.len() <= 20)
        .then(indicatif::MultiProgress::new);
    run::process_all(&engine, action, &inputs, &bar, bytes.as_ref(), |r| {
        processed.push(r.report);
        if let Err(e) = findings.append(r.findings) {
            spool_error.get_or_insert(e);
        }
    });
    bar.finish_and_clear();
    if let Some(e) = spool_error {
        return Err(e).context("recording findings in a temporary file");
    }
    // Every entry in enumeration order: processed inputs and those accounted for.
    let mut processed = processed.into_iter();
    let files: Vec<FileReport> = entries
        .into_iter()
        .filter_map(|e| match e.item {
            run::Item::Input(_) => processed.next(),
            run::Item::Done(r) => Some(r),
        })
        .collect();
    let verb = match action {
        Action::Scan => "scan",
        Action::Clean { .. } => "clean",
    };
    debug_assert!(files
        .iter()
        .all(|f| f.status != Status::Written || verb == "clean"));
    Ok(Outcome {
        report: Report::new(verb, files, findings),
        engine,
        other_shards,
        selected,
    })
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
