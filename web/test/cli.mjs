// What the CLI writes for an input, to compare the page's and the package's copies with.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.resolve(WEB, "..");
export const KEY = "harscrub-web-test-key";

export const FIXTURES = {
  har: path.join(ROOT, "testdata/har/okta-login.har"),
  zip: path.join(ROOT, "testdata/bundle/support-bundle.zip"),
  broken: path.join(ROOT, "testdata/malformed/truncated.har"),
};

export function bin() {
  const b = process.env.HARSCRUB_BIN || path.join(ROOT, "target/release/harscrub");
  if (!fs.existsSync(b)) throw new Error(`${b} missing: run cargo build --release first (web/test.sh does)`);
  return b;
}

// The planted fake secrets of a fixture (its .secrets file), as they read decoded.
export function secrets(fixture) {
  const f = fixture.replace(/\.(har|zip)$/, ".secrets");
  return fs
    .readFileSync(f, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));
}

// Run `harscrub clean NAME --fingerprint-key KEY --out OUT --report R` in a fresh
// folder (no config file, no key from the environment): { status, copy, report }.
export function cliClean(fixture, key = KEY) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harscrub-web-cli-"));
  const name = path.basename(fixture);
  fs.copyFileSync(fixture, path.join(dir, name));
  const env = { ...process.env };
  delete env.HARSCRUB_FINGERPRINT_KEY;
  const r = spawnSync(
    bin(),
    ["clean", name, "--fingerprint-key", key, "--out", "out", "--report", "report.json"],
    { cwd: dir, env, encoding: "utf8" }
  );
  const copyPath = path.join(dir, "out", name);
  const out = {
    status: r.status,
    stderr: r.stderr,
    copy: fs.existsSync(copyPath) ? fs.readFileSync(copyPath) : null,
    report: JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")),
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

export const same = (f) => ({ file: f.file, location: f.location, rule: f.rule, kind: f.kind, fingerprint: f.fingerprint, length: f.length, name: f.name, url: f.url });

export { execFileSync };
