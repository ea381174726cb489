/* The cleaning worker. build.sh puts the wasm-bindgen glue (`--target no-modules`,
 * which defines `wasm_bindgen`) and `HARSCRUB_WASM_B64` (the engine, base64) before this
 * file, and the page starts the whole as a worker from a blob: URL. A classic worker
 * with everything inline is what works from file:// as well as from any static host:
 * nothing is fetched, not even the .wasm. */
/* global wasm_bindgen, HARSCRUB_WASM_B64 */
"use strict";

let ready = null;

function decodeBase64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function init() {
  if (!ready) ready = wasm_bindgen({ module_or_path: decodeBase64(HARSCRUB_WASM_B64) });
  return ready;
}

/* Read the file in chunks so the page can show how far along it is. */
async function read(file, id) {
  const total = file.size;
  const buf = new Uint8Array(total);
  const reader = file.stream().getReader();
  let got = 0;
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (got + value.length > total) throw new Error("the file changed while it was read");
    buf.set(value, got);
    got += value.length;
    const now = Date.now();
    if (now - last > 50) {
      last = now;
      self.postMessage({ id, type: "progress", phase: "reading", done: got, total });
    }
  }
  return got === total ? buf : buf.subarray(0, got);
}

self.onmessage = async (ev) => {
  const { id, file, key, now } = ev.data;
  try {
    self.postMessage({ id, type: "progress", phase: "loading", done: 0, total: file.size });
    await init();
    const bytes = await read(file, id);
    self.postMessage({ id, type: "progress", phase: "cleaning", done: bytes.length, total: bytes.length });
    const r = wasm_bindgen.cleanBytes(file.name, bytes, key, now);
    const msg = {
      id,
      type: "result",
      size: bytes.length,
      report: r.report,
      findings: r.findings,
      error: r.error,
      errorKind: r.errorKind,
    };
    if (r.copy) {
      msg.copy = r.copy.buffer;
      self.postMessage(msg, [msg.copy]);
    } else {
      self.postMessage(msg);
    }
  } catch (e) {
    // A panic or running out of memory leaves the instance unusable: the page starts a
    // new worker for the next file.
    self.postMessage({
      id,
      type: "result",
      fatal: true,
      error: "the engine stopped on this file (" + (e && e.message ? e.message : String(e)) +
        "); it may be too large for the memory of this browser tab",
      errorKind: "internal",
    });
  }
};
