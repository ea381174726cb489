/* The page: files in, one worker cleaning them one after the other, results out.
 * No network: the engine comes from engine.js (a script next to this one) and runs in a
 * worker started from a blob: URL; copies and reports are offered as blob: downloads. */
/* global HARSCRUB_WORKER_SOURCE */
"use strict";

(function () {
  // A random fingerprint key per page load, unless the user types one.
  const randomKey = (() => {
    const b = new Uint8Array(32);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  })();
  const keyInput = document.getElementById("key");
  const results = document.getElementById("results");
  const fileInput = document.getElementById("files");
  const drop = document.getElementById("drop");

  const workerUrl = URL.createObjectURL(
    new Blob([HARSCRUB_WORKER_SOURCE], { type: "text/javascript" })
  );
  let worker = null;
  let nextId = 1;
  const jobs = new Map(); // id -> job
  const queue = [];
  let busy = null;

  function startWorker() {
    worker = new Worker(workerUrl);
    worker.onmessage = (ev) => onMessage(ev.data);
    worker.onerror = (ev) => {
      ev.preventDefault();
      if (busy) finish(busy, { error: "the engine could not start: " + (ev.message || "unknown error"), errorKind: "internal" });
      worker.terminate();
      worker = null;
      pump();
    };
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function size(n) {
    if (n < 1024) return n + " B";
    if (n < 1 << 20) return (n / 1024).toFixed(1) + " KB";
    if (n < 1 << 30) return (n / (1 << 20)).toFixed(1) + " MB";
    return (n / (1 << 30)).toFixed(2) + " GB";
  }

  function addFiles(files) {
    for (const file of files) {
      const id = nextId++;
      const card = el("section", { class: "file", "data-name": file.name, "data-state": "queued" });
      const status = el("p", { class: "status", text: "Waiting…" });
      const bar = el("progress", { max: "1", value: "0" });
      card.append(el("h2", {}, el("span", { class: "name", text: file.name }), " ", el("span", { class: "size", text: size(file.size) })), status, bar);
      results.append(card);
      const job = { id, file, card, status, bar, key: keyInput.value || randomKey };
      jobs.set(id, job);
      queue.push(job);
    }
    pump();
  }

  function pump() {
    if (busy || queue.length === 0) return;
    if (!worker) startWorker();
    busy = queue.shift();
    busy.card.dataset.state = "working";
    busy.status.textContent = "Starting the engine…";
    worker.postMessage({ id: busy.id, file: busy.file, key: busy.key, now: Date.now() / 1000 });
  }

  function onMessage(m) {
    const job = jobs.get(m.id);
    if (!job) return;
    if (m.type === "progress") {
      if (m.phase === "reading") {
        job.status.textContent = "Reading… " + size(m.done) + " of " + size(m.total);
        job.bar.value = m.total ? (m.done / m.total) * 0.3 : 0.3;
      } else if (m.phase === "cleaning") {
        job.status.textContent = "Cleaning and verifying " + size(m.total) + "…";
        job.bar.removeAttribute("value"); // indeterminate while the engine runs
      } else {
        job.status.textContent = "Starting the engine…";
      }
      return;
    }
    if (m.fatal && worker) {
      worker.terminate();
      worker = null;
    }
    finish(job, m);
    busy = null;
    pump();
  }

  // Where a finding was, in words: entry, method and URL (already redacted), field.
  const PARTS = [
    [/^\/log\/entries\/(\d+)\/request\/headers\//, "request header"],
    [/^\/log\/entries\/(\d+)\/response\/headers\//, "response header"],
    [/^\/log\/entries\/(\d+)\/request\/cookies\//, "request cookie"],
    [/^\/log\/entries\/(\d+)\/response\/cookies\//, "response cookie"],
    [/^\/log\/entries\/(\d+)\/request\/queryString\//, "query parameter"],
    [/^\/log\/entries\/(\d+)\/request\/url/, "URL"],
    [/^\/log\/entries\/(\d+)\/request\/postData/, "request body"],
    [/^\/log\/entries\/(\d+)\/response\/content/, "response body"],
    [/^\/log\/entries\/(\d+)\/response\/redirectURL/, "redirect URL"],
    [/^\/log\/entries\/(\d+)\/_webSocketMessages\//, "WebSocket message"],
    [/^\/log\/entries\/(\d+)\//, "entry"],
  ];

  function where(f, topName) {
    const box = el("div", { class: "where" });
    const member = f.file && f.file !== topName && f.file.startsWith(topName + "!/") ? f.file.slice(topName.length + 2) : null;
    if (member) box.append(el("div", { class: "member", text: member }));
    let part = null;
    for (const [re, label] of PARTS) {
      const m = re.exec(f.location || "");
      if (m) {
        part = label;
        box.append(el("div", { class: "entry", text: "entry " + m[1] + (f.method ? " · " + f.method : "") }));
        break;
      }
    }
    if (!part && f.method) box.append(el("div", { class: "entry", text: f.method }));
    if (f.url) box.append(el("div", { class: "url", text: f.url, title: f.url }));
    const field = [part, f.name].filter(Boolean).join(" · ");
    box.append(el("div", { class: "field" }, field ? el("strong", { text: field }) : null, field ? " " : null, el("code", { text: f.location })));
    return box;
  }

  function liveness(f) {
    if (f.jwt && f.jwt.expired === true) return ["expired", "JWT expired " + new Date(f.jwt.exp * 1000).toISOString()];
    if (f.cookie_expired === true) return ["expired", f.cookie_expires ? "cookie expired " + new Date(f.cookie_expires * 1000).toISOString() : "cookie deleted"];
    if (f.jwt && f.jwt.exp) return ["live", "JWT valid until " + new Date(f.jwt.exp * 1000).toISOString()];
    if (f.cookie_expires) return ["live", "cookie valid until " + new Date(f.cookie_expires * 1000).toISOString()];
    return ["live", "no expiry known: treat as usable"];
  }

  function download(label, name, data, type, cls) {
    const url = URL.createObjectURL(new Blob([data], { type }));
    return el("a", { class: "download " + cls, href: url, download: name, text: label });
  }

  function finish(job, m) {
    const { card, status, bar, file } = job;
    bar.remove();
    if (m.error) {
      card.dataset.state = "failed";
      status.className = "status error";
      status.textContent = "Not cleaned: " + m.error + ". No copy was made: do not send this file as it is.";
      return;
    }
    card.dataset.state = "done";
    const findings = JSON.parse(m.findings || "[]");
    status.className = "status ok";
    status.textContent = findings.length === 0
      ? "Nothing to remove: the copy is identical to the file."
      : "Removed " + findings.length + " credential" + (findings.length === 1 ? "" : "s") + "; the copy was checked again and nothing is left.";
    const live = findings.filter((f) => liveness(f)[0] === "live").length;
    const copy = new Uint8Array(m.copy);
    card.append(
      el("p", { class: "kept" },
        "Kept: everything else — " + size(copy.length) + " copy of a " + size(m.size) + " file, same structure, " +
        "names of headers, cookies and parameters, scheme words (Bearer, Basic), JWT headers and payloads." +
        (findings.length ? " " + live + " of the removed values looked usable (live), " + (findings.length - live) + " expired." : "")),
      el("p", { class: "actions" },
        download("Download cleaned copy", file.name, copy, "application/octet-stream", "copy"),
        " ",
        download("Download report (JSON)", file.name + ".report.json", m.report, "application/json", "report"))
    );
    if (findings.length) {
      const tbody = el("tbody");
      findings.forEach((f, i) => {
        const [state, why] = liveness(f);
        tbody.append(el("tr", { class: "finding" },
          el("td", { class: "n", text: String(i + 1) }),
          el("td", { class: "kind" }, el("span", { class: "kind", text: f.kind }), el("div", { class: "rule", text: f.rule })),
          el("td", {}, where(f, file.name)),
          el("td", { class: "state " + state, title: why, text: state }),
          el("td", { class: "fp" }, el("code", { text: f.fingerprint }), el("div", { class: "len", text: f.length + " bytes" }))));
      });
      card.append(el("table", { class: "findings" },
        el("thead", {}, el("tr", {}, ...["#", "Kind", "Where", "Live?", "Fingerprint"].map((h) => el("th", { text: h })))),
        tbody));
    }
  }

  fileInput.addEventListener("change", () => {
    addFiles(Array.from(fileInput.files));
    fileInput.value = "";
  });
  for (const t of ["dragenter", "dragover"]) {
    drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    addFiles(Array.from(e.dataTransfer.files));
  });
  // A file dropped outside the zone must not make the browser navigate to it.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
})();
