// nixbuild-mock for JavaScript: a running nixbuild-mock binary and thin helpers over its
// control API, with the names and argument order of the Python handle (in camelCase).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { findBinary, platformKey, platformPackage, BINARY_VARIABLE } from "./binary.js";

export { findBinary, platformKey, platformPackage, BINARY_VARIABLE };

/** Set to 1 to keep a failed test's mock running for a look (see `stop({ failed })`). */
export const KEEP_VARIABLE = "NIXBUILD_MOCK_KEEP";

/** The control API refused a request: its status and the mock's `{"error": …}` message. */
export class MockError extends Error {
  constructor(method, path, status, message) {
    super(`${method} ${path}: HTTP ${status}: ${message}`);
    this.name = "MockError";
    this.method = method;
    this.path = path;
    this.status = status;
    this.detail = message;
  }
}

/** The binary did not start, or did not answer its health probe in time. */
export class MockStartError extends Error {
  constructor(message) {
    super(message);
    this.name = "MockStartError";
  }
}

const REQUIRED = [
  "NIXBUILD_API_URL",
  "NIXBUILD_MOCK_URL",
  "NIXBUILD_MOCK_PORT",
  "NIXBUILD_TOKEN",
  "NIXBUILD_MOCK_ADMIN_TOKEN",
];

/** The options `startMock` takes (`StartOptions`). */
const START_OPTIONS = ["args", "seedBuilds", "builds", "replay", "binary", "timeoutMs"];

/**
 * Starts a nixbuild-mock on a free local port and waits until `/_mock/health` answers.
 * It starts with no builds unless `seedBuilds`, `builds` or `args` say otherwise, and
 * exits when this process does, however it ends (it reads its standard input until it
 * closes). `builds` serves the builds of a file `nixbuild-mock record` wrote (or of a
 * JSON array of builds) with the mock's own filters; `replay` answers each recorded request
 * exactly as recorded, and any other with a 404 naming the nearest recorded request.
 */
export async function startMock(options = {}) {
  // A misspelt option would otherwise be ignored, and the mock start without what it names.
  const unknown = Object.keys(options).filter((name) => !START_OPTIONS.includes(name));
  if (unknown.length > 0) {
    throw new TypeError(
      `startMock takes no option ${unknown.map((n) => `\`${n}\``).join(", ")}: its options are ${START_OPTIONS.join(", ")}`,
    );
  }
  const { args = [], seedBuilds = false, builds, replay, binary, timeoutMs = 30_000 } = options;
  const choosesBuilds = args.some((a) => ["--builds", "--generate", "--empty"].includes(a));
  if (builds !== undefined && replay !== undefined) {
    throw new TypeError("startMock takes `builds` or `replay`, not both");
  }
  if (replay !== undefined && (seedBuilds || choosesBuilds)) {
    throw new TypeError("a replaying mock serves its recording's answers only: no builds go with `replay`");
  }
  const command = replay === undefined ? [] : ["replay", String(replay)];
  command.push("--host", "127.0.0.1", "--port", "0");
  // NIXBUILD_MOCK_KEEP=1: a failed test's mock may outlive this process (stop({ failed }));
  // otherwise it ends with it, however it ends.
  const keep = process.env[KEEP_VARIABLE] === "1";
  if (!keep) command.push("--exit-with-stdin", "--exit-with-parent");
  if (builds !== undefined) {
    command.push("--builds", String(builds));
  } else if (replay === undefined && !seedBuilds && !choosesBuilds) {
    command.push("--empty");
  }
  command.push(...args);
  const path = binary ?? findBinary();
  const child = spawn(path, command, {
    stdio: [keep ? "ignore" : "pipe", "pipe", "pipe"],
    env: childEnvironment(),
    detached: keep,
  });
  const log = [];
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    log.push(chunk);
    // The log is for failures; keep its end only.
    while (log.length > 200) log.shift();
  });
  const deadline = Date.now() + timeoutMs;
  let variables;
  try {
    variables = await readVariables(child, path, timeoutMs, () => log.join(""));
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const mock = new NixbuildMock(child, variables, () => log.join(""));
  try {
    await mock.waitUntilHealthy(deadline);
  } catch (error) {
    await mock.stop();
    throw error;
  }
  // Neither the process nor its pipes keep this process alive: a test run that ends
  // without stop() closes the mock's stdin, and the mock exits.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.unref?.();
  return mock;
}

/**
 * A handle on a mock another process started (vitest's `globalSetup`, jest's), from its
 * `connection()`: the same helpers; `stop()` is left to its owner.
 */
export function attachMock(connection) {
  for (const field of ["url", "rootUrl", "token", "adminToken"]) {
    if (typeof connection?.[field] !== "string") throw new TypeError(`attachMock needs the mock's ${field}`);
  }
  return new NixbuildMock(
    null,
    {
      NIXBUILD_API_URL: connection.url,
      NIXBUILD_MOCK_URL: connection.rootUrl,
      NIXBUILD_MOCK_PORT: String(connection.port ?? new URL(connection.rootUrl).port),
      NIXBUILD_TOKEN: connection.token,
      NIXBUILD_MOCK_ADMIN_TOKEN: connection.adminToken,
    },
    () => "",
  );
}

/**
 * The environment a started mock gets: this process's, less the variables a running mock
 * exports. After `. ./mock.env` a shell holds another mock's NIXBUILD_MOCK_ADMIN_TOKEN, which
 * the binary would take as its own: every mock started here has a fresh one.
 */
function childEnvironment() {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("NIXBUILD_MOCK_")),
  );
}

/** The NAME=value lines the binary prints on start, up to its `export` line. */
function readVariables(child, path, timeoutMs, tail) {
  return new Promise((resolve, reject) => {
    const found = {};
    const lines = createInterface({ input: child.stdout });
    const fail = (message) => {
      clearTimeout(timer);
      lines.close();
      reject(new MockStartError(message));
    };
    const timer = setTimeout(
      () => fail(`nixbuild-mock did not start in ${timeoutMs} ms: ${tail()}`),
      timeoutMs,
    );
    child.once("error", (error) => fail(`cannot run ${path}: ${error.message}`));
    child.once("exit", (code) => fail(`nixbuild-mock exited (${code}): ${tail() || "it printed nothing"}`));
    lines.on("line", (line) => {
      if (line.startsWith("export ")) {
        clearTimeout(timer);
        lines.close();
        child.removeAllListeners("exit");
        child.removeAllListeners("error");
        const missing = REQUIRED.filter((name) => !(name in found));
        if (missing.length > 0) reject(new MockStartError(`nixbuild-mock printed no ${missing.join(", ")}`));
        else resolve(found);
        return;
      }
      const at = line.indexOf("=");
      if (!line.startsWith("#") && at > 0) found[line.slice(0, at)] = line.slice(at + 1);
    });
  });
}

/** How a value a test gives for an `advance_clock` reads in seconds. */
function seconds(by) {
  if (typeof by === "number" && Number.isFinite(by)) return by;
  if (by && typeof by === "object" && !Array.isArray(by)) {
    const { hours = 0, minutes = 0, seconds: s = 0, milliseconds = 0 } = by;
    const total = hours * 3600 + minutes * 60 + s + milliseconds / 1000;
    if (Number.isFinite(total)) return total;
  }
  throw new TypeError("advanceClock takes seconds, or { hours, minutes, seconds, milliseconds }");
}

/** An instant as the control API takes it: RFC 3339. */
function rfc3339(value) {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("an invalid Date");
    return value.toISOString();
  }
  if (typeof value === "string") return value;
  throw new TypeError("give a Date or an RFC 3339 string");
}

const allowUnknown = (allowed) => (allowed ? "?allow_unknown_status=true" : "");

/** The control API's hints, and what a JavaScript caller of the helpers writes instead. */
const HINTS_IN_JAVASCRIPT = [
  ["add ?allow_unknown_status=true", "pass { allowUnknownStatus: true }"],
  ['add "allow_unknown_rights": true', "pass { allowUnknownRights: true }"],
];

/** A running nixbuild-mock: its API URL and token, its admin token, and the control API. */
export class NixbuildMock {
  #child;
  #log;
  #exited;

  constructor(child, variables, log) {
    this.#child = child;
    this.#log = log;
    this.#exited = child ? new Promise((resolve) => child.once("exit", resolve)) : Promise.resolve();
    /** The API's base URL: give it to the code under test (NIXBUILD_API_URL). */
    this.url = variables.NIXBUILD_API_URL;
    /** The server's root, where the control API lives under /_mock (NIXBUILD_MOCK_URL). */
    this.rootUrl = variables.NIXBUILD_MOCK_URL;
    this.port = Number(variables.NIXBUILD_MOCK_PORT);
    // The secrets are not enumerable: a test runner printing the handle shows neither.
    Object.defineProperty(this, "token", { value: variables.NIXBUILD_TOKEN, enumerable: false });
    Object.defineProperty(this, "adminToken", {
      value: variables.NIXBUILD_MOCK_ADMIN_TOKEN,
      enumerable: false,
    });
  }

  /** The process id of the mock (undefined for a handle from `attachMock`). */
  get pid() {
    return this.#child?.pid;
  }

  /** Whether the process still runs (false for a handle from `attachMock`: it owns none). */
  get running() {
    return Boolean(this.#child) && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * What another process needs to drive this mock with `attachMock`: URLs and tokens, for
   * vitest's `provide` or jest's globals. It holds the secrets: pass it, never print it.
   */
  connection() {
    return {
      url: this.url,
      rootUrl: this.rootUrl,
      port: this.port,
      token: this.token,
      adminToken: this.adminToken,
    };
  }

  /** The environment the code under test reads: NIXBUILD_API_URL and NIXBUILD_TOKEN. */
  env() {
    return { NIXBUILD_API_URL: this.url, NIXBUILD_TOKEN: this.token };
  }

  /** What the mock logged so far: one line per API request (never a token). */
  log() {
    return this.#log();
  }

  /**
   * Lines for a failed test's report: a one-time dashboard URL (one use, within ten
   * minutes), and what `stop({ failed: true })` will do with the mock.
   */
  async failureReport() {
    const lines = [`nixbuild-mock dashboard (one use, ten minutes): ${await this.dashboardUrl()}`];
    if (process.env[KEEP_VARIABLE] === "1" && this.#child) {
      lines.push(`nixbuild-mock left running (pid ${this.pid}); stop it with: kill ${this.pid}`);
    } else {
      lines.push(`the mock stops with the test; ${KEEP_VARIABLE}=1 keeps a failed test's mock running`);
    }
    return lines.join("\n");
  }

  /**
   * Stops the process (SIGTERM, then SIGKILL after five seconds). Idempotent; nothing for a
   * handle from `attachMock`, whose mock belongs to the process that started it. With
   * `failed` and NIXBUILD_MOCK_KEEP=1 (set when the mock started), the mock is left running
   * for a look instead, and outlives this process.
   */
  async stop({ failed = false } = {}) {
    if (!this.#child) return;
    if (failed && process.env[KEEP_VARIABLE] === "1") {
      this.#child.stdout?.destroy();
      this.#child.stderr?.destroy();
      return;
    }
    if (this.running) {
      this.#child.kill("SIGTERM");
      const killer = setTimeout(() => this.#child.kill("SIGKILL"), 5000);
      await this.#exited;
      clearTimeout(killer);
    }
    this.#child.stdin?.destroy();
  }

  toJSON() {
    return { url: this.url, rootUrl: this.rootUrl, pid: this.pid };
  }

  async waitUntilHealthy(deadline) {
    for (;;) {
      try {
        if ((await this.health()).status === "ok") return;
      } catch {
        // Not listening yet.
      }
      if (this.#child && !this.running) throw new MockStartError(`nixbuild-mock exited: ${this.#log()}`);
      if (Date.now() > deadline)
        throw new MockStartError("nixbuild-mock did not answer /_mock/health in time");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * A raw control request: `path` under the server's root (`/_mock/...`); the JSON answer,
   * or null for 204. Rejects with a MockError for an error answer.
   */
  async control(method, path, body, { auth = true } = {}) {
    const headers = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (auth) headers.authorization = `Bearer ${this.adminToken}`;
    const response = await fetch(this.rootUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let message;
      try {
        message = JSON.parse(text).error;
      } catch {
        message = undefined;
      }
      throw new MockError(method, path, response.status, message ?? text.slice(0, 500));
    }
    return text ? JSON.parse(text) : null;
  }

  /** `control` for a helper: a refusal's hint names the helper's option, not the control
   * API's parameter it sends. */
  async #helper(method, path, body) {
    try {
      return await this.control(method, path, body);
    } catch (error) {
      if (!(error instanceof MockError)) throw error;
      const detail = HINTS_IN_JAVASCRIPT.reduce(
        (text, [ours, theirs]) => text.replace(ours, theirs),
        error.detail,
      );
      if (detail === error.detail) throw error;
      throw new MockError(method, path, error.status, detail);
    }
  }

  /** `GET /_mock/health`. */
  async health() {
    return this.control("GET", "/_mock/health", undefined, { auth: false });
  }

  /**
   * A fresh one-time URL that opens this mock's dashboard in a browser
   * (`POST /_mock/ui/login`): it works once, within ten minutes.
   */
  async dashboardUrl() {
    return (await this.control("POST", "/_mock/ui/login")).url;
  }

  /**
   * Adds builds: complete builds (they have a `derivation_path`), or fixture specs such as
   * `{ name: "hello-2.12", status: "build_failed", tags: { … } }`, filled in realistically.
   * Returns their ids, in order. An unknown status (a typo) is refused unless
   * `allowUnknownStatus`.
   */
  async addBuilds(builds, { allowUnknownStatus = false } = {}) {
    if (!Array.isArray(builds)) throw new TypeError("addBuilds takes an array of builds; addBuild takes one");
    const added = await this.#helper("POST", "/_mock/builds" + allowUnknown(allowUnknownStatus), builds);
    return added.build_ids;
  }

  /**
   * Adds one build; returns its id: a name, its status (`built` by default) and other
   * fixture fields, or one build or fixture spec as an object.
   */
  async addBuild(build, status, fields = {}, { allowUnknownStatus = false } = {}) {
    let spec;
    if (typeof build === "string") {
      spec = { name: build, status: status ?? "built", ...fields };
    } else if (build && typeof build === "object" && !Array.isArray(build)) {
      if (status !== undefined)
        throw new TypeError("give a build as an object, or a name and a status, not both");
      spec = build;
    } else {
      throw new TypeError("addBuild takes a name or an object");
    }
    const [id] = await this.addBuilds([spec], { allowUnknownStatus });
    return id;
  }

  /** Moves a build to `running` or a finished status, at the mock's now; returns the build. */
  async setStatus(buildId, status, { allowUnknownStatus = false } = {}) {
    return this.#helper("PATCH", `/_mock/builds/${checkedId(buildId)}${allowUnknown(allowUnknownStatus)}`, {
      status,
    });
  }

  /** A stored build. */
  async build(buildId) {
    return this.control("GET", `/_mock/builds/${checkedId(buildId)}`);
  }

  /** Every stored build, newest first. */
  async builds() {
    return this.control("GET", "/_mock/builds");
  }

  async clearBuilds() {
    await this.control("DELETE", "/_mock/builds");
  }

  /**
   * A token signed by the mock's root key (`build:read`, account 1, an hour from the
   * mock's now, unless told otherwise). As in Python, the rights come first:
   * `mintToken(["build:read"], { expiresInSeconds: 60 })`, or all in one object. A right
   * nixbuild.net does not grant is refused unless `allowUnknownRights`.
   */
  async mintToken(rightsOrOptions = {}, more = {}) {
    const options = Array.isArray(rightsOrOptions)
      ? { ...more, rights: rightsOrOptions }
      : { ...rightsOrOptions };
    const {
      rights,
      owner,
      expiresInSeconds,
      expiresAt,
      legacy = false,
      allowUnknownRights = false,
    } = options;
    if (typeof rights === "string") throw new TypeError('rights is an array, such as ["build:read"]');
    const shape = { legacy };
    if (rights !== undefined) shape.rights = [...rights];
    if (owner !== undefined) shape.owner = owner;
    if (expiresInSeconds !== undefined) shape.expires_in_seconds = expiresInSeconds;
    if (expiresAt !== undefined) shape.expires_at = rfc3339(expiresAt);
    if (allowUnknownRights) shape.allow_unknown_rights = true;
    return (await this.#helper("POST", "/_mock/tokens", shape)).token;
  }

  /** Revokes `token` and every token attenuated from it: 401 from now on. */
  async revoke(token) {
    await this.control("POST", "/_mock/tokens/revoke", { token });
  }

  /**
   * The next `times` API requests (of `path`, or any) answer `status`, with no
   * `Retry-After` unless `retryAfterSeconds` asks for one.
   */
  async failNext(status = 503, times = 1, pathOrOptions = {}, retryAfter = undefined) {
    // Python's order (status, times, path, retry_after_seconds), or an options object third.
    const { path, retryAfterSeconds } =
      typeof pathOrOptions === "string"
        ? { path: pathOrOptions, retryAfterSeconds: retryAfter }
        : pathOrOptions;
    const spec = { status, times };
    if (path !== undefined) spec.path = path;
    if (retryAfterSeconds !== undefined) spec.retry_after_seconds = retryAfterSeconds;
    return this.injectFault(spec);
  }

  /**
   * Queues any fault: one of `status`, `delay_ms`, `malformed_body: true` or
   * `drop_connection: true`, with `times`, `path` and (with a status)
   * `retry_after_seconds`, as the control API names them. Returns the fault as queued.
   */
  async injectFault(spec) {
    if (!spec || typeof spec !== "object" || Array.isArray(spec))
      throw new TypeError("injectFault takes an object");
    return this.control("POST", "/_mock/faults", spec);
  }

  /** The faults not yet used up, in the order they apply. */
  async faults() {
    return this.control("GET", "/_mock/faults");
  }

  async clearFaults() {
    await this.control("DELETE", "/_mock/faults");
  }

  /**
   * The journal of API requests, oldest first: method, path (relative to the API's root),
   * operation, query, headers (secrets redacted), body, status, auth.
   */
  async receivedRequests(pathOrFilter = {}, byMethod = undefined) {
    // Python's order (path, method), or a filter object.
    const { path, method } =
      typeof pathOrFilter === "string" ? { path: pathOrFilter, method: byMethod } : pathOrFilter;
    const query = new URLSearchParams();
    if (path !== undefined) query.set("path", path);
    if (method !== undefined) query.set("method", method);
    const suffix = query.toString() ? `?${query}` : "";
    return this.control("GET", `/_mock/requests${suffix}`);
  }

  /** The same as receivedRequests. */
  async requests(pathOrFilter, method) {
    return this.receivedRequests(pathOrFilter, method);
  }

  /** How many API requests went to `path` (relative to the API's root), whatever their answer. */
  async requestCount(path) {
    return (await this.receivedRequests({ path })).length;
  }

  async clearRequests() {
    await this.control("DELETE", "/_mock/requests");
  }

  /** The mock's now, and whether it is frozen. */
  async clock() {
    return this.control("GET", "/_mock/clock");
  }

  /** Freezes the mock's clock at `now` (a Date or an RFC 3339 string). */
  async setClock(now) {
    return this.control("PUT", "/_mock/clock", { now: rfc3339(now) });
  }

  /**
   * Moves the mock's clock forward by `by` (seconds, or `{ hours, minutes, seconds,
   * milliseconds }`) and freezes it there. Moving it back is refused unless
   * `backwards: true`: a negative value is more often a sign error than meant.
   */
  async advanceClock(by, { backwards = false } = {}) {
    const total = seconds(by);
    if (total < 0 && !backwards) {
      throw new RangeError(
        `advanceClock(${total}) would move the clock back; pass { backwards: true } if that is meant`,
      );
    }
    return this.control("PUT", "/_mock/clock", { advance_seconds: total });
  }

  /** Real time again. */
  async resetClock() {
    await this.control("DELETE", "/_mock/clock");
  }
}

// `await using mock = await startMock()` where the runtime has explicit resource management.
if (typeof Symbol.asyncDispose === "symbol") {
  NixbuildMock.prototype[Symbol.asyncDispose] = function dispose() {
    return this.stop();
  };
}

function checkedId(id) {
  if (!Number.isSafeInteger(id) || id < 0) throw new TypeError(`${id} is not a build id`);
  return id;
}
