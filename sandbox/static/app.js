// The sandbox page: loads the test lines, gets a token from /oauth2/token,
// sends the match request, and shows it all, with the same request as curl.
// It talks to its own origin only.
"use strict";

const $ = (id) => document.getElementById(id);
let token = "";
let listing = { lines: [], examples: [] };
let sent = 0;

// shellQuote wraps s in single quotes for a POSIX shell.
const shellQuote = (s) => "'" + s.replace(/'/g, "'\\''") + "'";

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  select.append(o);
}

function setStatus(el, text, ok) {
  el.textContent = text;
  el.className = "status " + (ok ? "ok" : "bad");
}

async function loadLines() {
  const resp = await fetch("/sandbox/lines");
  listing = await resp.json();
  const tbody = $("lines").tBodies[0];
  listing.lines.forEach((l, i) => {
    option($("line"), String(i), `${l.phoneNumber} (${l.kind})`);
    if (l.kind === "line") option($("login-hint"), "tel:" + l.phoneNumber, l.phoneNumber);
    const tr = tbody.insertRow();
    tr.insertCell().textContent = l.phoneNumber;
    tr.insertCell().textContent = l.kind;
    tr.insertCell().textContent = l.expect.status + (l.expect.code ? " " + l.expect.code : "");
    const v = tr.insertCell();
    v.className = "values";
    v.textContent = Object.entries(l.values || {}).map(([k, x]) => `${k}: ${x}`).join("; ");
  });
  listing.examples.forEach((e, i) => option($("example"), String(i), e.outcome));
}

// compact is the body on one line for the curl; a body that is not JSON
// is sent as typed, for the API to refuse.
function compact(raw) {
  try { return JSON.stringify(JSON.parse(raw)); } catch { return raw; }
}

function pretty(raw) {
  try { return JSON.stringify(JSON.parse(raw), null, 2); } catch { return raw; }
}

$("line").addEventListener("change", () => {
  const l = listing.lines[Number($("line").value)];
  if (!l) return;
  $("body").value = pretty(JSON.stringify(l.request));
  $("why").textContent = `Expected: ${l.expect.status}${l.expect.code ? " " + l.expect.code : ""}.`;
});

$("example").addEventListener("change", () => {
  const e = listing.examples[Number($("example").value)];
  if (!e) return;
  $("body").value = pretty(JSON.stringify(e.request));
  $("version").value = e.api;
  $("scope").value = e.scope || "kyc-match:match";
  $("login-hint").value = e.login_hint || "";
  $("why").textContent = `Expected: ${e.expect.status}${e.expect.code ? " " + e.expect.code : ""}. Why: ${e.why} Get a new token for it first.`;
});

$("token-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  setStatus($("token-status"), "Asking for a token…", false);
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if ($("scope").value.trim()) form.set("scope", $("scope").value.trim());
  if ($("login-hint").value) form.set("login_hint", $("login-hint").value);
  // RFC 6749 §2.3.1: id and secret are form-encoded, then Basic-encoded.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, "+");
  const basic = btoa(enc($("client-id").value) + ":" + enc($("client-secret").value));
  $("token-curl").textContent = `curl -sS -u ${shellQuote($("client-id").value + ":" + $("client-secret").value)} \\\n  -d ${shellQuote(form.toString())} \\\n  ${location.origin}/oauth2/token`;
  const resp = await fetch("/oauth2/token", { method: "POST", body: form, headers: { Authorization: "Basic " + basic } });
  const body = await resp.json();
  if (resp.ok) {
    token = body.access_token;
    setStatus($("token-status"), `${resp.status}: token for scope "${body.scope}", valid ${body.expires_in} s${form.get("login_hint") ? ", three-legged for " + form.get("login_hint") : ""}.`, true);
  } else {
    token = "";
    setStatus($("token-status"), `${resp.status} ${body.error}: ${body.error_description}`, false);
  }
});

$("match-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  // Cleared before anything is awaited, so no earlier answer can be taken
  // for this one.
  setStatus($("status"), "Sending…", false);
  $("verdicts").replaceChildren();
  const url = `${location.origin}/kyc-match/${$("version").value}/match`;
  const body = $("body").value;
  const correlator = "sandbox-" + (++sent);
  const headers = { "Content-Type": "application/json", "x-correlator": correlator };
  if (token) headers.Authorization = "Bearer " + token;
  $("curl").textContent = [`curl -sS -X POST ${url}`,
    ...Object.entries(headers).map(([k, v]) => `-H ${shellQuote(k + ": " + v)}`),
    `-d ${shellQuote(compact(body))}`].join(" \\\n  ");
  const resp = await fetch(url, { method: "POST", headers, body });
  const text = await resp.text();
  setStatus($("status"), `${resp.status} ${resp.statusText}`, resp.ok);
  $("headers").textContent = [...resp.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  $("response").textContent = pretty(text);
  const list = $("verdicts");
  let answer = {};
  try { answer = JSON.parse(text); } catch { /* shown as text above */ }
  for (const [k, v] of Object.entries(answer)) {
    if (!k.endsWith("Match")) continue;
    const li = document.createElement("li");
    const score = answer[k + "Score"];
    li.textContent = `${k}: ${v}` + (score !== undefined ? ` (score ${score})` : "");
    li.className = v;
    li.dataset.field = k;
    li.dataset.verdict = v;
    list.append(li);
  }
});

$("copy").addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText($("curl").textContent));

loadLines().catch((e) => setStatus($("status"), "Could not load the test lines: " + e, false));
