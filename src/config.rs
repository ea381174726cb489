//! The user's configuration file, `.harscrub.toml`: extra sensitive names, allow-lists,
//! the fingerprint key. Found in the current directory, else at the root of the
//! enclosing git repository, or given with `--config`.
//!
//! ```toml
//! fingerprint_key_env = "HARSCRUB_KEY"   # or fingerprint_key = "…" (keep it out of git)
//! rules = ["ci/harscrub-rules"]          # extra rule files or folders
//! placeholder = "kind"                   # [REDACTED:<kind>]; or "fixed", "kind-fingerprint"
//!
//! [names]
//! headers = ["X-Acme-Session"]           # whole value is a credential
//! params = ["acme_sid", "pinCode"]       # query/form parameters, cookies, JSON keys
//!
//! [allow]
//! values = ["demo-public-key-123"]       # never redacted (exact value)
//! patterns = ['^pk_test_[A-Za-z0-9]+$']  # never redacted (regex over the whole value)
//! paths = ["/log/entries/*/request/headers/*/value"]  # JSON Pointers, `*` = one segment
//! ```

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::engine::Engine;

pub const FILE_NAME: &str = ".harscrub.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub fingerprint_key: Option<String>,
    #[serde(default)]
    pub fingerprint_key_env: Option<String>,
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// How placeholders look in the copies: `kind-fingerprint` (default,
    /// `[REDACTED:<kind>:<fingerprint>]`), `kind` (`[REDACTED:<kind>]`) or `fixed`
    /// (`[REDACTED]`).
    #[serde(default)]
    pub placeholder: Option<crate::redact::Style>,
    #[serde(default)]
    pub names: Names,
    #[serde(default)]
    pub allow: Allow,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub params: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default)]
    pub paths: Vec<String>,
}

/// Where the config file is: `--config`, else `./.harscrub.toml`, else the one at the
/// root of the enclosing git repository.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let cwd = std::env::current_dir().ok()?;
    let here = cwd.join(FILE_NAME);
    if here.is_file() {
        return Some(here);
    }
    let mut dir = cwd.as_path();
    loop {
        if dir.join(".git").exists() {
            let p = dir.join(FILE_NAME);
            return p.is_file().then_some(p);
        }
        dir = dir.parent()?;
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config {}", path.display()))
    }

    /// The fingerprint key the config names, if any.
    pub fn key(&self) -> Result<Option<String>> {
        if let Some(var) = &self.fingerprint_key_env {
            return match std::env::var(var) {
                Ok(k) => Ok(Some(k)),
                Err(_) => bail!(
                    "config: fingerprint_key_env names {}, which is not set",
                    var
                ),
            };
        }
        Ok(self.fingerprint_key.clone())
    }

    /// Apply names and allow-lists to an engine. Rule paths are relative to `base`.
    pub fn apply(&self, e: &mut Engine, base: &Path) -> Result<()> {
        if let Some(style) = self.placeholder {
            e.placeholder = style;
        }
        for r in &self.rules {
            let p = base.join(r);
            e.rules
                .add_path(&p)
                .with_context(|| format!("config: loading rules from {}", p.display()))?;
        }
        e.names
            .add_sensitive(&self.names.headers, &self.names.params);
        e.allow_values
            .extend(self.allow.values.iter().map(|v| v.as_bytes().to_vec()));
        for p in &self.allow.patterns {
            let re = regex::bytes::Regex::new(p)
                .with_context(|| format!("config: allow pattern {:?}", p))?;
            e.allow_patterns.push(re);
        }
        for p in &self.allow.paths {
            if !p.starts_with('/') {
                bail!(
                    "config: allow path {:?} must be a JSON Pointer starting with '/'",
                    p
                );
            }
            e.allow_paths
                .push(p.split('/').skip(1).map(str::to_string).collect());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies() {
        let c: Config = toml::from_str(
            r#"
            fingerprint_key = "k"
            [names]
            headers = ["X-Acme-Session"]
            params = ["pinCode"]
            [allow]
            values = ["demo-key"]
            patterns = ['^pk_test_\w+$']
            paths = ["/log/entries/*/request/url"]
            "#,
        )
        .unwrap();
        let mut e = Engine::builtin().unwrap();
        c.apply(&mut e, Path::new(".")).unwrap();
        assert!(e.allowed(b"demo-key") && e.allowed(b"pk_test_abc") && !e.allowed(b"pk_live_abc"));
        assert!(e.path_allowed("/log/entries/3/request/url"));
        assert!(!e.path_allowed("/log/entries/3/request/headers/0/value"));
        assert_eq!(
            e.names.header(b"x-acme-session"),
            crate::rules::names::HeaderClass::Secret
        );
        assert_eq!(
            e.names.param(b"pin_code"),
            crate::rules::names::ParamClass::Secret
        );
        assert_eq!(c.key().unwrap().as_deref(), Some("k"));
    }

    #[test]
    fn unknown_fields_are_errors() {
        assert!(toml::from_str::<Config>("[allow]\nvalue = []").is_err());
        assert!(toml::from_str::<Config>("placeholder = \"hash\"").is_err());
    }

    #[test]
    fn placeholder_style() {
        use crate::redact::Style;
        let mut e = Engine::builtin().unwrap();
        assert_eq!(e.placeholder, Style::KindFingerprint);
        let c: Config = toml::from_str("").unwrap();
        c.apply(&mut e, Path::new(".")).unwrap();
        assert_eq!(e.placeholder, Style::KindFingerprint);
        for (text, style) in [
            ("kind-fingerprint", Style::KindFingerprint),
            ("kind", Style::Kind),
            ("fixed", Style::Fixed),
        ] {
            let c: Config = toml::from_str(&format!("placeholder = {:?}", text)).unwrap();
            c.apply(&mut e, Path::new(".")).unwrap();
            // A key given later (config or command line) keeps the style.
            let mut e2 = Engine::builtin().unwrap();
            c.apply(&mut e2, Path::new(".")).unwrap();
            let e2 = e2.with_key(b"k");
            assert_eq!((e.placeholder, e2.placeholder), (style, style));
        }
    }
}
