//! The workspace every integration test runs the binary in (after ripgrep's
//! `tests/util.rs`): a temp dir of its own, and a process that sees nothing of the
//! developer's machine.
//!
//! Layout of one [`Dir`]:
//!
//! ```text
//! <tempdir>/.git/   empty marker: `.harscrub.toml` is looked up from the current dir up
//!                   to the enclosing git root, so the lookup stops here and never finds
//!                   a config file of the checkout or of wherever the temp dir lives
//! <tempdir>/home/   HOME and XDG_CONFIG_HOME (home/.config)
//! <tempdir>/tmp/    TMPDIR
//! <tempdir>/work/   Dir::path(): the files of the test, the current dir of every run
//! ```
//!
//! Every process started through a `Dir` (the binary, or `script`, `bash`, `git` around
//! it) starts from an empty environment: only PATH (with the binary's folder first),
//! HOME, XDG_CONFIG_HOME and TMPDIR are set, so no `HARSCRUB_*` variable, `NO_COLOR`,
//! `TERM`, `PRE_COMMIT` or `RAYON_NUM_THREADS` of the developer's shell leaks in. A
//! test that wants one sets it with [`Cmd::env`].

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The harscrub binary cargo built for these tests.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("harscrub")
}

/// The package root (where `Cargo.toml` and `testdata/` are).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A test's temp workspace. Dropped, it removes everything.
pub struct Dir {
    tmp: TempDir,
    work: PathBuf,
}

impl Default for Dir {
    fn default() -> Self {
        Self::new()
    }
}

impl Dir {
    pub fn new() -> Dir {
        let tmp = tempfile::Builder::new()
            .prefix("harscrub-test-")
            .tempdir()
            .expect("a temp dir");
        for sub in [".git", "home/.config", "tmp", "work"] {
            fs::create_dir_all(tmp.path().join(sub)).unwrap();
        }
        let work = tmp.path().join("work");
        Dir { tmp, work }
    }

    /// A workspace holding a copy of the package's `testdata/` (so that relative
    /// `testdata/...` paths, and the paths reports print for them, read as in the repo).
    pub fn with_testdata() -> Dir {
        let d = Dir::new();
        copy_tree(&root().join("testdata"), &d.join("testdata"));
        d
    }

    /// The working folder (the current dir of every run).
    pub fn path(&self) -> &Path {
        &self.work
    }

    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.work.join(rel)
    }

    /// The temp dir itself (holding `work/`, `home/`, `tmp/`).
    pub fn base(&self) -> &Path {
        self.tmp.path()
    }

    /// HOME of every process run from here.
    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    /// Writes `data` to `rel` (parents created); returns the full path.
    pub fn write(&self, rel: impl AsRef<Path>, data: impl AsRef<[u8]>) -> PathBuf {
        write(&self.join(rel), data)
    }

    pub fn mkdir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let p = self.join(rel);
        fs::create_dir_all(&p).unwrap();
        p
    }

    pub fn read(&self, rel: impl AsRef<Path>) -> Vec<u8> {
        super::read(&self.join(rel))
    }

    pub fn text(&self, rel: impl AsRef<Path>) -> String {
        String::from_utf8(self.read(rel)).expect("UTF-8")
    }

    pub fn exists(&self, rel: impl AsRef<Path>) -> bool {
        self.join(rel).exists()
    }

    /// Copies `src` (a file) into the folder `rel_dir` under its own name; returns the
    /// copy's path.
    pub fn stage(&self, src: &Path, rel_dir: impl AsRef<Path>) -> PathBuf {
        super::stage(src, &self.mkdir(rel_dir))
    }

    /// Every file under `rel` (`/`-separated, relative to it, sorted); empty when `rel`
    /// does not exist.
    pub fn tree(&self, rel: impl AsRef<Path>) -> Vec<String> {
        tree(&self.join(rel))
    }

    /// Every file under `rel` with its bytes, sorted by name.
    pub fn contents(&self, rel: impl AsRef<Path>) -> Vec<(String, Vec<u8>)> {
        contents(&self.join(rel))
    }

    /// The report at `rel`, parsed.
    pub fn report(&self, rel: impl AsRef<Path>) -> serde_json::Value {
        let p = self.join(rel);
        serde_json::from_slice(&super::read(&p))
            .unwrap_or_else(|e| panic!("report {} is not JSON: {e}", p.display()))
    }

    /// `harscrub ARGS` in this workspace.
    pub fn cmd<S: AsRef<OsStr>>(&self, args: &[S]) -> Cmd<'_> {
        Cmd {
            dir: self,
            program: bin().into_os_string(),
            args: args.iter().map(|a| a.as_ref().to_owned()).collect(),
            cwd: self.work.clone(),
            env: Vec::new(),
            stdin: None,
            timeout: Duration::from_secs(300),
        }
    }

    /// Another program (`script`, `bash`, `git`, `pre-commit`…), isolated the same way;
    /// the binary is first on its PATH.
    pub fn program<S: AsRef<OsStr>>(&self, program: impl AsRef<OsStr>, args: &[S]) -> Cmd<'_> {
        let mut c = self.cmd(args);
        c.program = program.as_ref().to_owned();
        c
    }

    /// Runs `harscrub ARGS` here and waits.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Run {
        self.cmd(args).run()
    }

    /// Runs `harscrub ARGS` with `rel` (under the workspace) as the current dir.
    pub fn run_in<S: AsRef<OsStr>>(&self, rel: impl AsRef<Path>, args: &[S]) -> Run {
        self.cmd(args).cwd(rel).run()
    }

    /// The environment every process starts from (see the module docs).
    fn isolate(&self, c: &mut Process) {
        c.env_clear();
        let mut path = vec![bin().parent().unwrap().to_path_buf()];
        if let Some(p) = std::env::var_os("PATH") {
            path.extend(std::env::split_paths(&p));
        }
        c.env("PATH", std::env::join_paths(path).unwrap())
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("TMPDIR", self.tmp.path().join("tmp"));
    }
}

/// One process to run from a [`Dir`].
pub struct Cmd<'a> {
    dir: &'a Dir,
    program: OsString,
    args: Vec<OsString>,
    cwd: PathBuf,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Cmd<'_> {
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Self {
        self.args.push(a.as_ref().to_owned());
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: &[S]) -> Self {
        self.args.extend(args.iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets one variable on top of the isolated environment.
    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Self {
        self.env
            .push((k.as_ref().to_owned(), v.as_ref().to_owned()));
        self
    }

    /// The current dir: `rel` under the workspace (or an absolute path).
    pub fn cwd(mut self, rel: impl AsRef<Path>) -> Self {
        self.cwd = self.dir.join(rel);
        self
    }

    pub fn stdin(mut self, data: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(data.as_ref().to_vec());
        self
    }

    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The isolated `std::process::Command`, for tests that spawn, signal or wait
    /// themselves (stdin is not set).
    pub fn process(&self) -> Process {
        let mut c = Process::new(&self.program);
        self.dir.isolate(&mut c);
        c.args(&self.args).current_dir(&self.cwd);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs to the end (killed after the timeout) and collects exit code and output.
    pub fn run(self) -> Run {
        let mut c = assert_cmd::Command::from_std(self.process());
        c.timeout(self.timeout);
        if let Some(i) = &self.stdin {
            c.write_stdin(i.clone());
        }
        let start = Instant::now();
        let out = c
            .output()
            .unwrap_or_else(|e| panic!("running {:?} {:?}: {e}", self.program, self.args));
        Run::from_output(out, start.elapsed())
    }
}

/// What a run gave.
pub struct Run {
    pub code: Option<i32>,
    /// stdout, lossily decoded.
    pub stdout: String,
    /// stdout as written (binary copies on `-` go there).
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// A run the test spawned and waited for itself.
    pub fn from_output(out: std::process::Output, took: Duration) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stdout_bytes: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took,
        }
    }

    /// stdout and stderr together, for leak checks.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The `failed: …` line about `file` on stderr.
    pub fn failure_line(&self, file: &str) -> Option<&str> {
        self.stderr
            .lines()
            .find(|l| l.starts_with("failed: ") && l.contains(file))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?} after {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.took, self.stdout, self.stderr
        )
    }
}

/// `harscrub ARGS` in a fresh workspace holding a copy of `testdata/` (relative
/// `testdata/...` arguments work; absolute paths are read where they are).
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Run {
    Dir::with_testdata().run(args)
}

/// Writes `data` to `path` (parents created); returns the path.
pub fn write(path: &Path, data: impl AsRef<[u8]>) -> PathBuf {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap();
    }
    fs::write(path, data).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    path.to_path_buf()
}

/// Every file under `dir` (relative, `/`-separated, sorted; symlinks listed, not
/// followed); empty when `dir` does not exist.
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if fs::symlink_metadata(&p).unwrap().is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy();
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// Every file under `dir` with its bytes (empty when unreadable), sorted by name:
/// for "nothing was written" and "same output" checks.
pub fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    tree(dir)
        .into_iter()
        .map(|f| {
            let d = fs::read(dir.join(&f)).unwrap_or_default();
            (f, d)
        })
        .collect()
}

/// Copies the folder `from` to `to`, recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}
