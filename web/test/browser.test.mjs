// The page, as a user meets it: opened from disk in headless Chromium (Debian's package,
// driven by puppeteer-core), three files picked, findings read from the table, the
// cleaned copies downloaded for real and compared with the CLI's. Any request that is not
// file:, data: or blob: fails the test.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";
import { FIXTURES, KEY, cliClean, secrets, WEB } from "./cli.mjs";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const PAGE = pathToFileURL(path.join(WEB, "dist/index.html")).href;
const LOCAL = /^(file|data|blob):/;

let browser, page, downloads;
const requests = [];
const refused = [];
const problems = [];

async function waitForDownload(name, timeout = 30000) {
  const file = path.join(downloads, name);
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (fs.existsSync(file) && !fs.existsSync(file + ".crdownload")) return fs.readFileSync(file);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`download of ${name} did not arrive`);
}

before(async () => {
  downloads = fs.mkdtempSync(path.join(os.tmpdir(), "harscrub-web-dl-"));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...(process.getuid && process.getuid() === 0 ? ["--no-sandbox"] : []),
      // Belt and braces: even if something tried, there is no network to reach.
      "--proxy-server=127.0.0.1:9",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  page.on("console", (m) => {
    if (m.type() === "error") problems.push("console: " + m.text());
  });
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    requests.push(req.url());
    if (LOCAL.test(req.url())) req.continue();
    else {
      refused.push(req.url());
      req.abort();
    }
  });
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads, eventsEnabled: true });
  await page.goto(PAGE, { waitUntil: "load" });
});

after(async () => {
  if (browser) await browser.close();
  if (downloads) fs.rmSync(downloads, { recursive: true, force: true });
});

test("the page cleans a HAR, a zip and refuses a broken file, offline", async () => {
  // A fixed key, typed as a user would, so the copies can be compared with the CLI's.
  await page.click("#keybox summary");
  await page.type("#key", KEY);

  const input = await page.$("#files");
  await input.uploadFile(FIXTURES.broken, FIXTURES.har, FIXTURES.zip);
  await page.waitForFunction(
    () => {
      const c = [...document.querySelectorAll("section.file")];
      return c.length === 3 && c.every((s) => s.dataset.state === "done" || s.dataset.state === "failed");
    },
    { timeout: 120000 }
  );

  const cards = await page.$$eval("section.file", (cs) =>
    cs.map((c) => ({
      name: c.dataset.name,
      state: c.dataset.state,
      status: c.querySelector(".status").textContent,
      downloads: [...c.querySelectorAll("a.download")].map((a) => a.getAttribute("download")),
      rows: [...c.querySelectorAll("tr.finding")].map((tr) => ({
        kind: tr.querySelector("span.kind").textContent,
        where: tr.querySelector(".where").innerText,
        state: tr.querySelector("td.state").textContent,
        fingerprint: tr.querySelector("td.fp code").textContent,
      })),
    }))
  );
  const byName = Object.fromEntries(cards.map((c) => [c.name, c]));
  const text = await page.evaluate(() => document.body.innerText);

  for (const kind of ["har", "zip"]) {
    const fixture = FIXTURES[kind];
    const name = path.basename(fixture);
    const card = byName[name];
    assert.equal(card.state, "done", card.status);
    const cli = cliClean(fixture);
    assert.equal(cli.status, 0, cli.stderr);

    // The findings table: one row per finding of the CLI's report, same kinds and
    // fingerprints, in order; live/expired shown.
    assert.equal(card.rows.length, cli.report.findings.length);
    assert.deepEqual(card.rows.map((r) => r.kind), cli.report.findings.map((f) => f.kind));
    assert.deepEqual(card.rows.map((r) => r.fingerprint), cli.report.findings.map((f) => f.fingerprint));
    for (const r of card.rows) assert.match(r.state, /^(live|expired)$/);
    assert.deepEqual(card.downloads, [name, name + ".report.json"]);

    // The downloaded copy is the CLI's, byte for byte.
    await page.click(`section.file[data-name="${name}"] a.download.copy`);
    const copy = await waitForDownload(name);
    assert.ok(copy.equals(cli.copy), `${name}: downloaded copy differs from the CLI's`);
    await page.click(`section.file[data-name="${name}"] a.download.report`);
    const report = JSON.parse((await waitForDownload(name + ".report.json")).toString("utf8"));
    assert.equal(report.findings.length, cli.report.findings.length);

    // Nothing secret on the page.
    for (const s of secrets(fixture)) assert.ok(!text.includes(s), `${name}: a planted secret is shown on the page`);
  }

  // HAR rows say where: entry number, method, the URL (redacted) and the field.
  const har = byName[path.basename(FIXTURES.har)];
  assert.ok(har.rows.some((r) => /entry \d+ · (GET|POST)/.test(r.where) && /https?:\/\//.test(r.where)), "no row with entry, method and URL");
  assert.ok(har.rows.some((r) => /request header · x-okta-xsrftoken/i.test(r.where)), "no row naming a header");
  // Archive members are named.
  const zip = byName[path.basename(FIXTURES.zip)];
  assert.ok(zip.rows.some((r) => r.where.includes("case/capture.har")));
  assert.ok(zip.rows.some((r) => r.where.includes("case/app.log")));

  // The broken file: a failure message and nothing to download.
  const broken = byName[path.basename(FIXTURES.broken)];
  assert.equal(broken.state, "failed");
  assert.match(broken.status, /^Not cleaned: .+No copy was made/);
  assert.deepEqual(broken.downloads, []);
  for (const s of secrets(FIXTURES.broken)) assert.ok(!text.includes(s));

  await page.click("#keybox summary"); // fold the key box again for the picture
  await page.setViewport({ width: 1200, height: 1300 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(WEB, "screenshot.png") });

  assert.deepEqual(problems, []);
  assert.deepEqual(refused, [], "the page made network requests");
  assert.ok(requests.length > 0 && requests.every((u) => LOCAL.test(u)));
});
