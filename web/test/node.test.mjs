// The Node package (web/pkg-node, wasm-bindgen --target nodejs) on the fixtures the
// browser test uses: its copies are byte for byte the CLI's with the same key.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import zlib from "node:zlib";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { FIXTURES, KEY, cliClean, secrets, same, WEB } from "./cli.mjs";
// Both ways a portal would load it.
import { cleanBytes as importedClean } from "../pkg-node/harscrub_web.js";

const require = createRequire(import.meta.url);
const { cleanBytes, scanBytes, version } = require(path.join(WEB, "pkg-node"));

const now = Date.now() / 1000;

function clean(fixture, key = KEY) {
  return cleanBytes(path.basename(fixture), fs.readFileSync(fixture), key, now);
}

test("require and import give the same functions", () => {
  assert.equal(typeof cleanBytes, "function");
  assert.equal(importedClean, cleanBytes);
  assert.match(version(), /^\d+\.\d+\.\d+/);
});

for (const kind of ["har", "zip"]) {
  test(`${kind}: the copy equals the CLI's, the report lists the same findings`, () => {
    const fixture = FIXTURES[kind];
    const r = clean(fixture);
    assert.equal(r.error, undefined, r.error);
    assert.ok(r.copy instanceof Uint8Array);
    const cli = cliClean(fixture);
    assert.equal(cli.status, 0, cli.stderr);
    assert.ok(Buffer.from(r.copy).equals(cli.copy), "copy differs from the CLI's");
    assert.ok(!Buffer.from(r.copy).equals(fs.readFileSync(fixture)), "nothing was redacted");

    const report = JSON.parse(r.report);
    assert.equal(report.schema_version, 1);
    assert.equal(report.command, "clean");
    assert.deepEqual(report.files, [{ path: path.basename(fixture), status: "written", output: path.basename(fixture), findings: report.findings.length }]);
    assert.ok(report.findings.length >= 5);
    assert.deepEqual(report.findings.map(same), cli.report.findings.map(same));
    assert.deepEqual(JSON.parse(r.findings), report.findings);
    assert.equal(report.summary.findings, cli.report.summary.findings);
    assert.equal(report.summary.distinct_secrets, cli.report.summary.distinct_secrets);
    assert.deepEqual(report.summary.by_kind, cli.report.summary.by_kind);

    // No planted secret in the report (the copy's own check is the CLI's test suite).
    for (const s of secrets(fixture)) assert.ok(!r.report.includes(s), "secret in the report");
  });
}

test("har: a HAR entry finding has its entry, method, redacted URL and field name", () => {
  const f = JSON.parse(clean(FIXTURES.har).findings);
  const entry = f.find((x) => x.location.startsWith("/log/entries/") && x.method && x.url && x.name);
  assert.ok(entry, "no finding with method, url and name");
  for (const s of secrets(FIXTURES.har)) assert.ok(!entry.url.includes(s));
});

test("the same key gives the same copy, another key other placeholders", () => {
  const a = clean(FIXTURES.har, "one");
  const b = clean(FIXTURES.har, "one");
  const c = clean(FIXTURES.har, "two");
  assert.ok(Buffer.from(a.copy).equals(Buffer.from(b.copy)));
  assert.ok(!Buffer.from(a.copy).equals(Buffer.from(c.copy)));
  assert.equal(a.copy.length, c.copy.length); // placeholders have a fixed width
});

test(".har.gz: cleaned inside the gzip, as the CLI does", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harscrub-web-gz-"));
  const gz = path.join(dir, "capture.har.gz");
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(FIXTURES.har)));
  const r = clean(gz);
  assert.equal(r.error, undefined, r.error);
  const cli = cliClean(gz);
  assert.ok(Buffer.from(r.copy).equals(cli.copy));
  const inner = zlib.gunzipSync(Buffer.from(r.copy)).toString("utf8");
  assert.ok(inner.includes("[REDACTED:"));
  for (const s of secrets(FIXTURES.har)) assert.ok(!inner.includes(JSON.stringify(s).slice(1, -1)), "secret left in the gzip copy");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a broken file: an error that says why, no copy, like the CLI", () => {
  const r = clean(FIXTURES.broken);
  assert.equal(r.copy, undefined);
  assert.equal(typeof r.error, "string");
  assert.equal(r.errorKind, "malformed");
  for (const s of secrets(FIXTURES.broken)) assert.ok(!r.error.includes(s), "error echoes a secret");
  const report = JSON.parse(r.report);
  assert.equal(report.files[0].status, "failed");
  assert.equal(report.summary.files_failed, 1);
  const cli = cliClean(FIXTURES.broken);
  assert.equal(cli.copy, null);
  assert.equal(cli.report.files[0].status, "failed");
});

test("scanBytes reports the findings without a copy", () => {
  const r = scanBytes("okta-login.har", fs.readFileSync(FIXTURES.har), KEY, now);
  assert.equal(r.copy, undefined);
  const report = JSON.parse(r.report);
  assert.equal(report.command, "scan");
  assert.deepEqual(report.findings.map(same), JSON.parse(clean(FIXTURES.har).findings).map(same));
});

test("a cleaned copy cleaned again: nothing found, the same bytes", () => {
  for (const kind of ["har", "zip"]) {
    const first = clean(FIXTURES[kind]);
    const again = cleanBytes(path.basename(FIXTURES[kind]), first.copy, KEY, now);
    assert.equal(again.error, undefined, again.error);
    assert.deepEqual(JSON.parse(again.findings), []);
    assert.ok(Buffer.from(again.copy).equals(Buffer.from(first.copy)));
  }
});
