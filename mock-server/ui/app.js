// The nixbuild-mock dashboard: what the code under test sent, and the mock steered, through
// the control API. Everything that came from outside (paths, bodies, headers, build names,
// tags, messages) is written as text nodes, never parsed as HTML. No secret is kept: the
// session is an HttpOnly cookie the page cannot read.

const CONTROL = "/_mock";
const UI = "/_mock/ui";
/** The most journal entries the page holds, as the binary's journal does. */
const MAX_REQUESTS = 10000;
/** The most rows a table draws; a filter narrows the rest. */
const MAX_ROWS = 500;
/** The statuses a build may take: the mock's own list (its overview), so that the page
 * offers nothing the mock would refuse. */
function statuses() {
  return state.overview ? state.overview.known_statuses : [];
}

const state = {
  view: "requests",
  requests: [],
  lastSeq: 0,
  /** Requests that arrived faster than the page follows, left out of its list. */
  skipped: 0,
  changes: -1,
  overview: null,
  selected: null,
  selectedEntry: null,
  requestFilter: "",
  buildQuery: { status: "", tag: "", derivation: "" },
  minted: null,
  inspected: null,
};

// ---- DOM, as text only ----

/** An element with attributes and children; a string child is a text node. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === undefined || value === null) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return node;
}

let fields = 0;

/** A control and its label beside it (not around it, so that its name is the label's text). */
function field(text, control) {
  control.id = `field-${++fields}`;
  return el("div", { class: "field" }, el("label", { for: control.id }, text), control);
}

function table(headings, rows) {
  return el(
    "table",
    {},
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        headings.map((h) => el("th", { scope: "col" }, h)),
      ),
    ),
    el("tbody", {}, rows),
  );
}

function problem(message) {
  const node = document.getElementById("problem");
  node.hidden = !message;
  node.textContent = message || "";
}

// ---- the control API ----

async function call(method, path, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const answer = await fetch(path, init);
  const text = await answer.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!answer.ok) {
    const message = parsed && typeof parsed.error === "string" ? parsed.error : `HTTP ${answer.status}`;
    throw new Error(`${method} ${path}: ${message}`);
  }
  return parsed;
}

/** Runs `action`, showing its failure; true when it succeeded. */
async function attempt(action) {
  try {
    await action();
    problem("");
    return true;
  } catch (error) {
    problem(error.message);
    return false;
  }
}

// ---- following the mock ----

/** One refresh at a time: a change during one asks for another after it. */
let refreshing = null;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      await refreshOnce();
    } while (again);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

async function refreshOnce() {
  await attempt(async () => {
    state.overview = await call("GET", `${UI}/overview`);
    // The newest ones only when more arrived than the page shows: following a busy mock
    // costs it one short list each time, never its whole traffic.
    const limit = state.lastSeq === 0 ? MAX_REQUESTS : MAX_ROWS;
    const page = await call("GET", `${UI}/requests?after=${state.lastSeq}&limit=${limit}`);
    const newer = page.entries.filter((entry) => entry.seq > state.lastSeq);
    state.skipped += page.skipped;
    if (newer.length > 0) {
      state.requests.push(...newer);
      state.lastSeq = newer[newer.length - 1].seq;
      if (state.requests.length > MAX_REQUESTS)
        state.requests.splice(0, state.requests.length - MAX_REQUESTS);
    }
    document.getElementById("mode").textContent = state.overview.mode;
    await render(true);
  });
}

function follow() {
  const live = document.getElementById("live");
  const events = new EventSource(`${UI}/events`);
  events.addEventListener("changes", (event) => {
    live.textContent = "live";
    const count = Number(event.data);
    if (count !== state.changes) {
      state.changes = count;
      refresh();
    }
  });
  events.addEventListener("error", () => {
    live.textContent = "reconnecting…";
  });
}

// ---- views ----

const VIEWS = {
  requests: { title: "Requests", render: renderRequests },
  builds: { title: "Builds", render: renderBuilds },
  faults: { title: "Faults", render: renderFaults },
  clock: { title: "Clock", render: renderClock },
  tokens: { title: "Tokens", render: renderTokens },
  expectations: { title: "Expectations", render: renderExpectations },
};

function renderTabs() {
  const tabs = document.getElementById("tabs");
  tabs.replaceChildren(
    ...Object.entries(VIEWS).map(([name, view]) =>
      el(
        "button",
        {
          role: "tab",
          id: `tab-${name}`,
          "aria-selected": String(state.view === name),
          "aria-controls": "view",
          onclick: () => {
            state.view = name;
            renderTabs();
            render();
          },
        },
        view.title,
      ),
    ),
  );
}

/** The latest render asked for: an older one that finishes later (its reads took longer)
 * draws nothing over it. */
let renders = 0;

/** Draws the view; `keepTyped` (a live update, not the person's own action) keeps what the
 * controls hold and where the focus is. */
async function render(keepTyped = false) {
  const ticket = ++renders;
  const view = state.view;
  const content = await VIEWS[view].render();
  if (ticket !== renders) return;
  const main = document.getElementById("view");
  // A change drawn while a person types must not take what they typed, nor their place.
  const kept = keepTyped && main.getAttribute("aria-labelledby") === `tab-${view}` ? typed(main) : null;
  main.setAttribute("aria-labelledby", `tab-${view}`);
  main.replaceChildren(content);
  if (kept) restore(main, kept);
}

/** A control's place in the view: its form's label and its own name or label. */
function placeOf(control) {
  const form = control.closest("form");
  const name = control.name || control.getAttribute("aria-label") || "";
  const value = control.type === "checkbox" ? `=${control.value}` : "";
  return `${form ? form.getAttribute("aria-label") : ""}/${name}${value}`;
}

/** What the controls of `main` hold now, and which one has the focus. */
function typed(main) {
  const values = new Map();
  for (const control of main.querySelectorAll("input, select")) {
    values.set(placeOf(control), control.type === "checkbox" ? control.checked : control.value);
  }
  const active = document.activeElement;
  const focus = active && main.contains(active) && active.matches("input, select") ? placeOf(active) : null;
  // The whole selection, not only the caret: text selected to be typed over (as a
  // select-all before typing does) must still be selected after the live update, or what
  // is typed next lands beside the old text instead of replacing it.
  const selection =
    focus && typeof active.selectionStart === "number"
      ? [active.selectionStart, active.selectionEnd, active.selectionDirection]
      : null;
  return { values, focus, selection };
}

function restore(main, { values, focus, selection }) {
  for (const control of main.querySelectorAll("input, select")) {
    const place = placeOf(control);
    if (!values.has(place)) continue;
    if (control.type === "checkbox") control.checked = values.get(place);
    else control.value = values.get(place);
    if (place === focus) {
      control.focus();
      if (selection !== null && typeof control.setSelectionRange === "function") {
        try {
          control.setSelectionRange(...selection);
        } catch {
          // Not a text control.
        }
      }
    }
  }
}

function requestLine(entry) {
  return entry.query ? `${entry.path}?${entry.query}` : entry.path;
}

function renderRequests() {
  const needle = state.requestFilter.toLowerCase();
  const matching = state.requests.filter(
    (entry) =>
      !needle ||
      `${entry.method} ${requestLine(entry)} ${entry.status} ${entry.operation || ""}`
        .toLowerCase()
        .includes(needle),
  );
  const shown = matching.slice(-MAX_ROWS).reverse();
  const rows = shown.map((entry) =>
    el(
      "tr",
      { class: entry.unmatched ? "unmatched" : null },
      el("td", {}, entry.received_at ? new Date(entry.received_at).toLocaleTimeString() : ""),
      el("td", {}, entry.method),
      el("td", { class: "code" }, requestLine(entry)),
      el("td", {}, entry.operation || "—"),
      el("td", { class: entry.status >= 400 ? "bad" : "good" }, String(entry.status)),
      el("td", {}, entry.auth),
      el("td", {}, entry.unmatched ? "not in the recording" : ""),
      el("td", {}, el("button", { onclick: () => showDetails(entry.seq) }, `Details #${entry.seq}`)),
    ),
  );
  const filter = el("input", {
    type: "search",
    "aria-label": "Filter requests",
    placeholder: "filter: method, path, status, operation",
    value: state.requestFilter,
    oninput: (event) => {
      state.requestFilter = event.target.value;
      render();
    },
  });
  const selected =
    state.selectedEntry && state.selectedEntry.seq === state.selected ? state.selectedEntry : null;
  return el(
    "section",
    {},
    el("h2", {}, "Requests, newest first"),
    el(
      "form",
      { onsubmit: (event) => event.preventDefault() },
      filter,
      clearButton("requests", "Clear the journal"),
    ),
    el(
      "p",
      { class: "muted" },
      `${matching.length} of ${state.requests.length} requests${matching.length > MAX_ROWS ? `; the newest ${MAX_ROWS} shown` : ""}` +
        (state.skipped > 0
          ? `; ${state.skipped} more arrived faster than shown and are left out of this list`
          : ""),
    ),
    selected ? requestDetails(selected) : null,
    table(["Time", "Method", "Path", "Operation", "Status", "Auth", "Replay", ""], rows),
  );
}

function clearButton(what, label) {
  return el(
    "button",
    {
      type: "button",
      onclick: () =>
        attempt(async () => {
          await call("DELETE", `${CONTROL}/${what}`);
          if (what === "requests") {
            state.requests = [];
            state.selected = null;
            state.selectedEntry = null;
            state.skipped = 0;
          }
          await refresh();
        }),
    },
    label,
  );
}

/** Reads one request whole (headers and body), and shows it. */
function showDetails(seq) {
  attempt(async () => {
    state.selectedEntry = await call("GET", `${UI}/requests/${seq}`);
    state.selected = seq;
    await render();
  });
}

function requestDetails(entry) {
  const headers = Object.entries(entry.headers || {});
  const body = entry.body ?? (entry.body_base64 ? `(base64) ${entry.body_base64}` : "");
  const curl = asCurl(entry);
  return el(
    "div",
    { class: "details", role: "region", "aria-label": `Request #${entry.seq}` },
    el("h3", {}, `${entry.method} ${requestLine(entry)}`),
    entry.nearest ? el("p", { class: "bad" }, entry.nearest) : null,
    entry.truncated ? el("p", { class: "muted" }, "cut to what the journal keeps") : null,
    table(
      ["Header", "Value"],
      headers.map(([name, value]) => el("tr", {}, el("td", {}, name), el("td", { class: "code" }, value))),
    ),
    body ? el("pre", {}, body) : el("p", { class: "muted" }, "no body"),
    el("pre", { "aria-label": "As curl" }, curl),
    el(
      "button",
      {
        type: "button",
        onclick: () =>
          navigator.clipboard?.writeText(curl).catch(() => problem("the clipboard is not available")),
      },
      "Copy as curl",
    ),
    el("button", { type: "button", onclick: () => ((state.selected = null), render()) }, "Close"),
  );
}

/** A word for a POSIX shell, in single quotes. */
function quoted(text) {
  return `'${String(text).replaceAll("'", "'\\''")}'`;
}

/** The request as a curl command; its token left to the reader's NIXBUILD_TOKEN. */
function asCurl(entry) {
  const prefix = state.overview ? state.overview.prefix : "";
  const parts = ["curl", "-X", entry.method, quoted(`${location.origin}${prefix}${requestLine(entry)}`)];
  const skipped = new Set(["authorization", "cookie", "host", "content-length", "connection"]);
  for (const [name, value] of Object.entries(entry.headers || {})) {
    if (!skipped.has(name) && !value.includes("[redacted]")) parts.push("-H", quoted(`${name}: ${value}`));
  }
  parts.push("-H", '"Authorization: Bearer $NIXBUILD_TOKEN"');
  if (entry.body) parts.push("--data-raw", quoted(entry.body));
  return parts.join(" ");
}

async function renderBuilds() {
  const query = new URLSearchParams();
  if (state.buildQuery.status) query.set("status", state.buildQuery.status);
  if (state.buildQuery.tag) query.set("tags", state.buildQuery.tag);
  if (state.buildQuery.derivation) query.set("derivation_path", state.buildQuery.derivation);
  let answer = { builds: [], summary: null };
  await attempt(async () => {
    answer = await call("GET", `${UI}/builds?${query}`);
  });
  const filter = el(
    "form",
    {
      "aria-label": "Filter builds",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        state.buildQuery = {
          status: data.get("status"),
          tag: data.get("tag").trim(),
          derivation: data.get("derivation").trim(),
        };
        render();
      },
    },
    field(
      "Status",
      el(
        "select",
        { name: "status" },
        el("option", { value: "" }, "any"),
        statuses().map((s) => el("option", { value: s, selected: s === state.buildQuery.status }, s)),
      ),
    ),
    field("Tag (NAME:VALUE)", el("input", { name: "tag", value: state.buildQuery.tag })),
    field(
      "Derivation (.drv path)",
      el("input", { name: "derivation", value: state.buildQuery.derivation, size: 40 }),
    ),
    el("button", { type: "submit" }, "Filter"),
  );
  const add = el(
    "form",
    {
      "aria-label": "Add a build",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const tags = {};
        for (const pair of data.get("tags").split(",")) {
          const [name, ...value] = pair.split("=");
          if (name.trim()) tags[name.trim()] = value.join("=").trim();
        }
        attempt(async () => {
          await call("POST", `${CONTROL}/builds`, [
            { name: data.get("name"), status: data.get("status"), tags },
          ]);
          await refresh();
        });
      },
    },
    field("Name", el("input", { name: "name", required: true, placeholder: "hello-2.12" })),
    field(
      "Status",
      el(
        "select",
        { name: "status" },
        statuses().map((s) => el("option", { value: s, selected: s === "built" }, s)),
      ),
    ),
    field("Tags (NAME=VALUE, …)", el("input", { name: "tags" })),
    el("button", { type: "submit" }, "Add build"),
  );
  const summary = answer.summary;
  const rows = answer.builds.slice(0, MAX_ROWS).map((build) =>
    el(
      "tr",
      {},
      el("td", {}, String(build.build_id)),
      el("td", { class: "code" }, build.derivation_path),
      el("td", {}, build.status),
      el("td", {}, build.system),
      el("td", {}, build.create_time),
      el(
        "td",
        { class: "code" },
        Object.entries(build.tags || {})
          .map(([n, v]) => `${n}=${v}`)
          .join("\n"),
      ),
      el("td", {}, moveForm(build)),
    ),
  );
  return el(
    "section",
    {},
    el("h2", {}, "Builds"),
    filter,
    summary
      ? el(
          "p",
          { "aria-label": "Summary" },
          `${summary.build_count} builds: ${summary.successful_build_count} successful, ${summary.failed_build_count} failed, ` +
            `${summary.discarded_build_count} discarded; ${summary.billable_cpu_seconds} billable CPU seconds`,
        )
      : null,
    add,
    table(["Id", "Derivation", "Status", "System", "Created", "Tags", "Move to"], rows),
  );
}

function moveForm(build) {
  return el(
    "form",
    {
      "aria-label": `Move build ${build.build_id}`,
      onsubmit: (event) => {
        event.preventDefault();
        const status = new FormData(event.target).get("status");
        attempt(async () => {
          await call("PATCH", `${CONTROL}/builds/${build.build_id}`, { status });
          await refresh();
        });
      },
    },
    el(
      "select",
      { name: "status", "aria-label": "New status" },
      ["running", ...statuses().filter((s) => s !== "pending" && s !== "running")].map((s) =>
        el("option", { value: s }, s),
      ),
    ),
    el("button", { type: "submit" }, "Move"),
  );
}

async function renderFaults() {
  let faults = [];
  await attempt(async () => {
    faults = await call("GET", `${CONTROL}/faults`);
  });
  const inject = el(
    "form",
    {
      "aria-label": "Inject a fault",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const spec = { times: Number(data.get("times")) || 1 };
        const value = Number(data.get("value"));
        const kind = data.get("kind");
        if (kind === "status") spec.status = value || 503;
        if (kind === "delay") spec.delay_ms = value || 1000;
        if (kind === "malformed") spec.malformed_body = true;
        if (kind === "drop") spec.drop_connection = true;
        if (data.get("path").trim()) spec.path = data.get("path").trim();
        attempt(async () => {
          await call("POST", `${CONTROL}/faults`, spec);
          await refresh();
        });
      },
    },
    el(
      "label",
      {},
      "Kind",
      el(
        "select",
        { name: "kind" },
        el("option", { value: "status" }, "status"),
        el("option", { value: "delay" }, "delay (ms)"),
        el("option", { value: "malformed" }, "malformed body"),
        el("option", { value: "drop" }, "dropped connection"),
      ),
    ),
    field("Status or delay", el("input", { name: "value", type: "number", value: 503 })),
    field("Times", el("input", { name: "times", type: "number", min: 1, value: 1 })),
    field("Path (all when empty)", el("input", { name: "path", placeholder: "/builds" })),
    el("button", { type: "submit" }, "Inject"),
  );
  const describe = (fault) =>
    fault.status
      ? `status ${fault.status}`
      : fault.delay_ms !== undefined
        ? `delay ${fault.delay_ms} ms`
        : fault.malformed_body
          ? "malformed body"
          : "dropped connection";
  return el(
    "section",
    {},
    el("h2", {}, "Faults waiting"),
    inject,
    clearButton("faults", "Clear faults"),
    table(
      ["Fault", "Times left", "Path"],
      faults.map((fault) =>
        el(
          "tr",
          {},
          el("td", {}, describe(fault)),
          el("td", {}, String(fault.times)),
          el("td", { class: "code" }, fault.path || "any"),
        ),
      ),
    ),
  );
}

async function renderClock() {
  let clock = null;
  await attempt(async () => {
    clock = await call("GET", `${CONTROL}/clock`);
  });
  const change = (body) =>
    attempt(async () => {
      await call("PUT", `${CONTROL}/clock`, body);
      await refresh();
    });
  return el(
    "section",
    {},
    el("h2", {}, "Clock"),
    clock
      ? el("p", { "aria-label": "The mock's now" }, `${clock.now} (${clock.frozen ? "frozen" : "real time"})`)
      : null,
    el(
      "form",
      {
        "aria-label": "Advance the clock",
        onsubmit: (event) => {
          event.preventDefault();
          change({ advance_seconds: Number(new FormData(event.target).get("seconds")) });
        },
      },
      field("Seconds", el("input", { name: "seconds", type: "number", value: 60 })),
      el("button", { type: "submit" }, "Advance"),
    ),
    el(
      "form",
      {
        "aria-label": "Set the clock",
        onsubmit: (event) => {
          event.preventDefault();
          change({ now: new FormData(event.target).get("now").trim() });
        },
      },
      field("Now (RFC 3339)", el("input", { name: "now", value: clock ? clock.now : "", size: 32 })),
      el("button", { type: "submit" }, "Set and freeze"),
    ),
    el("button", { type: "button", onclick: () => clock && change({ now: clock.now }) }, "Freeze here"),
    el(
      "button",
      {
        type: "button",
        onclick: () =>
          attempt(async () => {
            await call("DELETE", `${CONTROL}/clock`);
            await refresh();
          }),
      },
      "Real time again",
    ),
  );
}

function renderTokens() {
  const rights = state.overview ? state.overview.known_rights : ["build:read"];
  const mint = el(
    "form",
    {
      "aria-label": "Mint a token",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const body = { rights: data.getAll("right"), expires_in_seconds: Number(data.get("expires")) };
        attempt(async () => {
          state.minted = (await call("POST", `${CONTROL}/tokens`, body)).token;
          state.inspected = null;
          render();
        });
      },
    },
    el(
      "fieldset",
      {},
      el("legend", {}, "Rights"),
      rights.map((right) =>
        el(
          "label",
          {},
          el("input", { type: "checkbox", name: "right", value: right, checked: right === "build:read" }),
          right,
        ),
      ),
    ),
    field("Expires in (seconds)", el("input", { name: "expires", type: "number", min: 0, value: 3600 })),
    el("button", { type: "submit" }, "Mint"),
  );
  const inspect = el(
    "form",
    {
      "aria-label": "Inspect or revoke a token",
      onsubmit: (event) => {
        event.preventDefault();
        const token = new FormData(event.target).get("token").trim();
        const revoking = event.submitter && event.submitter.value === "revoke";
        attempt(async () => {
          if (revoking) {
            await call("POST", `${CONTROL}/tokens/revoke`, { token });
            state.inspected = "revoked: it and every token attenuated from it now get 401";
          } else {
            state.inspected = (await call("POST", `${UI}/inspect`, { token })).text;
          }
          render();
        });
      },
    },
    field("Token", el("input", { name: "token", size: 60, value: state.minted || "", autocomplete: "off" })),
    el("button", { type: "submit", value: "inspect" }, "Inspect"),
    el("button", { type: "submit", value: "revoke" }, "Revoke"),
  );
  return el(
    "section",
    {},
    el("h2", {}, "Tokens"),
    mint,
    state.minted ? el("pre", { "aria-label": "Minted token" }, state.minted) : null,
    inspect,
    state.inspected ? el("pre", { "aria-label": "Inspection" }, state.inspected) : null,
  );
}

function renderExpectations() {
  const expectations = state.overview ? state.overview.expectations : [];
  return el(
    "section",
    {},
    el("h2", {}, "Expectations"),
    expectations.length === 0
      ? el("p", { class: "muted" }, "none: the Rust API's MockNixbuild::expect sets them")
      : null,
    table(
      ["Expectation", "Received", "Met"],
      expectations.map((e) =>
        el(
          "tr",
          {},
          el("td", {}, e.description),
          el("td", {}, String(e.received)),
          el("td", { class: e.met ? "good" : "bad" }, e.met ? "met" : "not met"),
        ),
      ),
    ),
  );
}

renderTabs();
refresh().then(follow);
