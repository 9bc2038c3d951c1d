// A typed client for the nixbuild.net API: openapi-fetch over the types generated from
// openapi/openapi.json (src/schema.ts), with the Rust SDK's behaviour where a generated
// client has none: the bearer token, typed errors carrying the status, the server's message
// and `Retry-After`, and retries of idempotent requests.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";
import { listProblem, shapeProblem } from "./answer-shape.js";

export type { components, paths } from "./schema.js";

/** A build, as `GET /builds` answers it. */
export type Build = components["schemas"]["Build"];
/** One output path of a successful build. */
export type Output = components["schemas"]["Output"];
/** A build's status: a known one, or any string the service added since. */
export type BuildStatus = components["schemas"]["BuildStatus"];
/** The statuses the document lists, which filters take. */
export type KnownBuildStatus = components["schemas"]["KnownBuildStatus"];
/** Aggregates over the builds a filter selects. */
export type BuildsSummary = components["schemas"]["BuildsSummary"];
/** What the account is billed for. */
export type Usage = components["schemas"]["Usage"];
/** A process for `POST /processes` (experimental). */
export type Process = components["schemas"]["Process"];

/** The real API. */
export const DEFAULT_BASE_URL = "https://api.nixbuild.net";

/** The largest answer read unless `maxResponseBytes` says otherwise: the Rust SDK's. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/** The statuses the document lists, in its order. */
export const KNOWN_BUILD_STATUSES: readonly KnownBuildStatus[] = [
  "pending",
  "running",
  "built",
  "build_failed",
  "cancelled",
  "timeout",
  "client_disconnect",
  "client_error",
  "max_memory_exceeded",
  "out_of_memory",
  "internal_error",
];

/** Whether `status` is one the document lists (others are newer than this client). */
export function isKnownStatus(status: BuildStatus): status is KnownBuildStatus {
  return (KNOWN_BUILD_STATUSES as readonly string[]).includes(status);
}

/** A creation-time window: dates (`2024-05-01`), RFC 3339 times, or `Date`s. */
export interface TimeWindow {
  /** Created at or after (inclusive). */
  createdFrom?: string | Date;
  /** Created before (exclusive). */
  createdTo?: string | Date;
}

/** The filters of `GET /builds` and `GET /builds/summary`; every one given must match. */
export interface BuildFilter extends TimeWindow {
  /** A derivation's store path, `/nix/store/<hash>-<name>.drv`. */
  derivationPath?: string;
  /** Tags every build must carry. */
  tags?: Record<string, string>;
  /** Statuses, any of which may match. */
  statuses?: readonly KnownBuildStatus[];
  /** At most this many builds, the newest. */
  limit?: number;
}

/** How the client retries requests the server did not process; the Rust SDK's defaults. */
export interface RetryPolicy {
  /** Attempts in all, the first included (4). 1 turns retries off. */
  maxAttempts?: number;
  /** The backoff before the first retry, doubling after (200 ms). */
  initialBackoffMs?: number;
  /** The longest backoff (10 s). */
  maxBackoffMs?: number;
  /** The longest `Retry-After` waited for (60 s); a longer one is returned as the error. */
  maxRetryAfterMs?: number;
}

export interface ClientOptions {
  /** The API token (a Biscuit token), sent as `Authorization: Bearer`. */
  token: string;
  /** The API's base URL (the real API by default; a mock's `url` in tests). */
  baseUrl?: string;
  retry?: RetryPolicy;
  /** Each attempt's time limit (30 s). */
  timeoutMs?: number;
  /** The largest answer read, in bytes (256 MiB, as the Rust SDK's); a larger one is a
   * `too_large` error, refused from its `Content-Length` or as soon as it passes the limit. */
  maxResponseBytes?: number;
  /** The fetch to use (the global one by default). */
  fetch?: typeof globalThis.fetch;
}

/**
 * What went wrong, broadly: an error answer (`api`), a success answer that is not what the
 * API promises (`decode`), an answer past `maxResponseBytes` (`too_large`), no answer
 * (`transport`), the time limit, or a filter refused before sending.
 */
export type ErrorKind = "api" | "decode" | "too_large" | "transport" | "timeout" | "filter";

/** A request that failed. Never holds the token. */
export class NixbuildError extends Error {
  override readonly name = "NixbuildError";
  constructor(
    /** What went wrong, broadly. */
    readonly kind: ErrorKind,
    /** The request, `GET /builds`. */
    readonly endpoint: string,
    /** The answer's status, for `api` errors. */
    readonly status: number | undefined,
    /** The service's message (its `{"error": …}`), or what failed. */
    readonly detail: string,
    /** How long the service asked the client to wait, in seconds, if it did. */
    readonly retryAfterSeconds: number | undefined,
    /** The answer's body as text, for `api` errors. */
    readonly body: string = "",
  ) {
    super(`${endpoint}: ${status === undefined ? "" : `HTTP ${status}: `}${detail}`);
  }

  /** Whether sending the request again may succeed (429, 502, 503, 504, or the network). */
  get retryable(): boolean {
    return this.kind === "transport" || (this.status !== undefined && RETRYABLE.has(this.status));
  }
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/** The client: one method per operation, and the typed openapi-fetch client as `raw`. */
export interface NixbuildClient {
  /** openapi-fetch over the document's paths, with the token, base URL and retries set. */
  readonly raw: Client<paths>;
  listBuilds(filter?: BuildFilter): Promise<Build[]>;
  getBuildsSummary(filter?: BuildFilter): Promise<BuildsSummary>;
  getUsage(window?: TimeWindow): Promise<Usage>;
  /** Experimental: exchanges the token and a CI job's OIDC ID token for a new token. */
  exchangeOidcToken(idToken: string): Promise<string>;
  /** Experimental: schedules processes (never retried: it is not idempotent). */
  createProcesses(idToken: string, processes: Process[]): Promise<unknown>;
}

/** A client for `options.baseUrl` (the real API by default) with `options.token`. */
export function createNixbuildClient(options: ClientOptions): NixbuildClient {
  if (!options.token) throw new TypeError("a nixbuild client needs a token");
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const raw = createClient<paths>({
    baseUrl,
    headers: { authorization: `Bearer ${options.token}` },
    fetch: bounded(
      retrying(options.fetch ?? globalThis.fetch, options.retry ?? {}, options.timeoutMs ?? 30_000),
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    ),
    // The document's arrays are `form` without `explode`: `status=built,build_failed`.
    querySerializer: { array: { style: "form", explode: false } },
  });
  const endpointOf = (method: string, path: string) =>
    `${method} ${new URL(baseUrl).pathname.replace(/\/$/, "")}${path}`;

  /** The answer's data, once `problem` (the document's shape, src/answer-shape.ts) finds
   * nothing wrong with it: an answer of another shape is a `decode` error. */
  async function answer<T>(
    method: string,
    path: string,
    call: Promise<{ data?: T; error?: unknown; response: Response }>,
    problem: (data: unknown) => string | undefined = () => undefined,
  ): Promise<T> {
    const endpoint = endpointOf(method, path);
    let result;
    try {
      result = await call;
    } catch (error) {
      throw asTransportError(endpoint, error);
    }
    const { data, response } = result;
    if (!response.ok) throw await apiError(endpoint, response, result.error);
    const wrong = problem(data);
    if (wrong !== undefined) {
      throw new NixbuildError(
        "decode",
        endpoint,
        response.status,
        `the answer is not what the API promises: ${wrong}`,
        undefined,
      );
    }
    return data as T;
  }

  return {
    raw,
    // Async, so that a filter refused before sending rejects as every other error does.
    listBuilds: async (filter = {}) =>
      answer(
        "GET",
        "/builds",
        raw.GET("/builds", { params: { query: query(filter, "GET /builds") } }),
        (data) => listProblem("Build", data, "the answer"),
      ),
    getBuildsSummary: async (filter = {}) =>
      answer(
        "GET",
        "/builds/summary",
        raw.GET("/builds/summary", { params: { query: query(filter, "GET /builds/summary") } }),
        (data) => shapeProblem("BuildsSummary", data, "the answer"),
      ),
    getUsage: async (window = {}) =>
      answer("GET", "/usage", raw.GET("/usage", { params: { query: windowQuery(window) } }), (data) =>
        shapeProblem("Usage", data, "the answer"),
      ),
    exchangeOidcToken: async (idToken) => {
      const text = await answer<string>(
        "GET",
        "/auth/oidc-token-exchange",
        raw.GET("/auth/oidc-token-exchange", {
          params: { header: { "NIXBUILDNET-OIDC-ID-TOKEN": idToken } },
          parseAs: "text",
        }),
      );
      return exchangedToken(text);
    },
    createProcesses: async (idToken, processes) =>
      answer(
        "POST",
        "/processes",
        raw.POST("/processes", {
          params: { header: { "NIXBUILDNET-OIDC-ID-TOKEN": idToken } },
          body: processes,
        }),
      ),
  };
}

/** The exchange's answer, whichever of its three shapes: plain text (now), a JSON string,
 * or `{"token": …}` (earlier). */
function exchangedToken(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === "string") return parsed;
      if (parsed && typeof parsed === "object" && typeof (parsed as { token?: unknown }).token === "string") {
        return (parsed as { token: string }).token;
      }
    } catch {
      // Not JSON after all: the text is the token.
    }
  }
  return trimmed;
}

type ListQuery = NonNullable<paths["/builds"]["get"]["parameters"]["query"]>;

/** The query of a filter, checked as the Rust SDK checks it before anything is sent. */
function query(filter: BuildFilter, endpoint: string): ListQuery {
  const refuse = (detail: string) => new NixbuildError("filter", endpoint, undefined, detail, undefined);
  const out: ListQuery = { ...windowQuery(filter) };
  if (filter.derivationPath !== undefined) {
    if (filter.derivationPath === "") throw refuse("`derivation_path` must not be empty");
    out.derivation_path = filter.derivationPath;
  }
  const tags = Object.entries(filter.tags ?? {});
  for (const [name, value] of tags) {
    if (!name || name.includes(":") || name.includes(","))
      throw refuse(`a tag name cannot be empty or hold \`:\` or \`,\`: \`${name}\``);
    if (value.includes(","))
      throw refuse(`a tag value cannot hold \`,\` (the API separates tags with it): \`${name}:${value}\``);
  }
  if (tags.length > 0) out.tags = tags.map(([name, value]) => `${name}:${value}`);
  if (filter.statuses && filter.statuses.length > 0) out.status = [...filter.statuses];
  if (filter.limit !== undefined) {
    if (!Number.isSafeInteger(filter.limit) || filter.limit < 1)
      throw refuse("`limit` must be a positive integer");
    out.limit = filter.limit;
  }
  return out;
}

function windowQuery(window: TimeWindow): { create_time_from?: string; create_time_to?: string } {
  const out: { create_time_from?: string; create_time_to?: string } = {};
  if (window.createdFrom !== undefined) out.create_time_from = instant(window.createdFrom);
  if (window.createdTo !== undefined) out.create_time_to = instant(window.createdTo);
  return out;
}

function instant(value: string | Date): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** Seconds a `Retry-After` asks for: a number of seconds or an HTTP date. */
function retryAfterSeconds(response: Response): number | undefined {
  const value = response.headers.get("retry-after");
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function apiError(endpoint: string, response: Response, parsed: unknown): Promise<NixbuildError> {
  // openapi-fetch parsed the body already when it was JSON; otherwise keep the text.
  let body = "";
  let detail = response.statusText || "error";
  if (parsed && typeof parsed === "object" && typeof (parsed as { error?: unknown }).error === "string") {
    detail = (parsed as { error: string }).error;
    body = JSON.stringify(parsed);
  } else if (typeof parsed === "string") {
    body = parsed;
    if (parsed.trim()) detail = parsed.trim().slice(0, 500);
  }
  return new NixbuildError("api", endpoint, response.status, detail, retryAfterSeconds(response), body);
}

function asTransportError(endpoint: string, error: unknown): NixbuildError {
  if (error instanceof NixbuildError) return error;
  // openapi-fetch parses a success body as JSON: one that is not fails here.
  if (error instanceof SyntaxError) {
    return new NixbuildError(
      "decode",
      endpoint,
      undefined,
      `the answer is not the JSON the API promises: ${error.message}`,
      undefined,
    );
  }
  const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
  const cause =
    error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new NixbuildError(timedOut ? "timeout" : "transport", endpoint, undefined, cause, undefined);
}

/**
 * A fetch whose answers hold at most `max` bytes: one whose `Content-Length` says more is
 * refused at once, and one sent without it (chunked, or endless) fails as soon as it passes
 * the limit, so memory stays bounded whatever a server sends.
 */
function bounded(fetch: typeof globalThis.fetch, max: number): typeof globalThis.fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    const endpoint = `${request.method} ${new URL(request.url).pathname}`;
    const tooLarge = () =>
      new NixbuildError(
        "too_large",
        endpoint,
        response.status,
        `the answer holds more than ${max} bytes (maxResponseBytes)`,
        undefined,
      );
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (declared > max) {
      await response.body?.cancel();
      throw tooLarge();
    }
    if (!response.body) return response;
    let seen = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > max) controller.error(tooLarge());
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * A fetch that retries a GET (every idempotent operation of the API is one) after a
 * network failure or an answer of 429, 502, 503 or 504, waiting what `Retry-After` asks
 * (up to `maxRetryAfterMs`, else the answer is returned at once) or an exponential,
 * jittered backoff.
 */
function retrying(
  fetch: typeof globalThis.fetch,
  policy: RetryPolicy,
  timeoutMs: number,
): typeof globalThis.fetch {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 4);
  const initial = policy.initialBackoffMs ?? 200;
  const maxBackoff = policy.maxBackoffMs ?? 10_000;
  const maxRetryAfter = policy.maxRetryAfterMs ?? 60_000;
  return async (input, init) => {
    const request = new Request(input, init);
    const idempotent = request.method === "GET" || request.method === "HEAD";
    for (let attempt = 1; ; attempt++) {
      const last = !idempotent || attempt >= maxAttempts;
      let response: Response;
      try {
        response = await fetch(request.clone(), { signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        if (last) throw error;
        await sleep(backoff(attempt, initial, maxBackoff));
        continue;
      }
      if (last || !RETRYABLE.has(response.status)) return response;
      const asked = retryAfterSeconds(response);
      if (asked !== undefined && asked * 1000 > maxRetryAfter) return response;
      await response.body?.cancel();
      await sleep(asked !== undefined ? asked * 1000 : backoff(attempt, initial, maxBackoff));
    }
  };
}

/** Between half and all of `initial × 2^(attempt-1)`, never past `max`. */
function backoff(attempt: number, initial: number, max: number): number {
  const full = Math.min(max, initial * 2 ** (attempt - 1));
  return full / 2 + Math.random() * (full / 2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
