// Types of the nixbuild-mock JavaScript API. The builds are the API's own `Build` objects,
// as the document openapi/openapi.json describes them; only what a test reads most is typed
// here, and the rest stays reachable.

/** The statuses the mock knows: those of the API's document, as the client types them. */
export type KnownBuildStatus =
  | "pending"
  | "running"
  | "built"
  | "build_failed"
  | "cancelled"
  | "timeout"
  | "client_disconnect"
  | "client_error"
  | "max_memory_exceeded"
  | "out_of_memory"
  | "internal_error";

/** A stored build's status: a known one, or any other added with `allowUnknownStatus`. */
export type BuildStatus = KnownBuildStatus | (string & {});

/** A build as the mock stores and serves it. */
export interface Build {
  build_id: number;
  derivation_path: string;
  status: BuildStatus;
  status_message: string | null;
  system: string;
  tags: Record<string, string>;
  create_time: string;
  start_time: string | null;
  duration_seconds: number | null;
  [field: string]: unknown;
}

/** A build described by its name and status, filled in realistically by the mock. */
export interface FixtureSpec {
  name: string;
  /** A status the mock knows; another one takes `{ allowUnknownStatus: true }`. */
  status?: KnownBuildStatus;
  system?: string;
  tags?: Record<string, string>;
  created_at?: string;
  restart_of?: number;
  restarted_as?: number;
  id?: number;
  queue_seconds?: number;
  duration_seconds?: number;
  cpu_count?: number;
  status_message?: string;
}

/** A fault for the next requests, as the control API names its fields. */
export interface FaultSpec {
  status?: number;
  retry_after_seconds?: number;
  delay_ms?: number;
  malformed_body?: boolean;
  drop_connection?: boolean;
  times?: number;
  path?: string;
}

/** One request the mock received. */
export interface JournalEntry {
  method: string;
  path: string;
  operation: string | null;
  query: string | null;
  headers: Record<string, string>;
  /** The body as text, when it is UTF-8. */
  body: string | null;
  /** The body in base64, when it is not. */
  body_base64: string | null;
  truncated: boolean;
  status: number;
  auth: "passed" | "disabled" | "refused" | "not_checked";
  /** A replaying mock found no recorded request like it (and answered 404). */
  unmatched: boolean;
}

export interface ClockState {
  now: string;
  frozen: boolean;
}

export interface StartOptions {
  /** More arguments for the binary: `["--generate", "500"]`, `["--no-auth"]`, … */
  args?: string[];
  /** Start with the two builds of nixbuild.net's announcement instead of none. */
  seedBuilds?: boolean;
  /**
   * Serve the builds of this file, with the mock's own filters: a recording that
   * `nixbuild-mock record --out FILE` wrote, or a JSON array of builds.
   */
  builds?: string;
  /**
   * Answer each request exactly as this recording answered it; any other gets a 404 naming
   * the nearest recorded request, and is `unmatched` in the journal.
   */
  replay?: string;
  /** The binary to run, instead of $NIXBUILD_MOCK_BIN or the packaged one. */
  binary?: string;
  /** How long to wait for it to answer its health probe (30 s by default). */
  timeoutMs?: number;
}

export interface StatusOptions {
  /** Accept a status the mock does not know, on purpose (a typo is refused otherwise). */
  allowUnknownStatus?: boolean;
}

/** A status the mock does not know, taken on purpose: a fixture may then name any. */
export interface UnknownStatusOptions extends StatusOptions {
  allowUnknownStatus: true;
}

/** A fixture whose status may be one the mock does not know (with `UnknownStatusOptions`). */
export type AnyStatusFixtureSpec = Omit<FixtureSpec, "status"> & { status?: string };

export interface TokenOptions {
  rights?: readonly string[];
  owner?: number;
  expiresInSeconds?: number;
  expiresAt?: Date | string;
  legacy?: boolean;
  allowUnknownRights?: boolean;
}

export interface Duration {
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
}

/** The variable that names a binary to run instead of the packaged one. */
export declare const BINARY_VARIABLE: "NIXBUILD_MOCK_BIN";
/** Set to 1 to keep a failed test's mock running for a look. */
export declare const KEEP_VARIABLE: "NIXBUILD_MOCK_KEEP";

/** The binary that `startMock` runs; throws an Error saying what to do when there is none. */
export declare function findBinary(): string;

/** A machine as the platform packages are keyed: `linux-x64-gnu`, `darwin-arm64`, `win32-x64`. */
export declare function platformKey(platform?: string, arch?: string, cLibrary?: "gnu" | "musl" | ""): string;

/** The platform package that holds the binary for a platform key, or undefined when none does. */
export declare function platformPackage(key?: string): { package: string; binary: string } | undefined;

/** Starts a nixbuild-mock on a free local port; resolves once it answers. */
export declare function startMock(options?: StartOptions): Promise<NixbuildMock>;

/** What `attachMock` needs: URLs and tokens (secrets: pass it, never print it). */
export interface MockConnection {
  url: string;
  rootUrl: string;
  port: number;
  token: string;
  adminToken: string;
}

/** A handle on a mock another process started (vitest's or jest's globalSetup). */
export declare function attachMock(connection: MockConnection): NixbuildMock;

/** The control API refused a request. */
export declare class MockError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The mock's own message. */
  readonly detail: string;
}

/** The binary did not start, or did not answer in time. */
export declare class MockStartError extends Error {}

/** A running nixbuild-mock. */
export declare class NixbuildMock {
  /** The API's base URL, for the code under test. */
  readonly url: string;
  /** The server's root; the control API lives under /_mock. */
  readonly rootUrl: string;
  readonly port: number;
  /** An API token with build:read and build:write, valid for a day. */
  readonly token: string;
  /** The control API's secret. */
  readonly adminToken: string;
  readonly pid: number | undefined;
  readonly running: boolean;

  env(): { NIXBUILD_API_URL: string; NIXBUILD_TOKEN: string };
  /** What `attachMock` takes, in another process. */
  connection(): MockConnection;
  log(): string;
  /**
   * Stops the process; with `failed` and NIXBUILD_MOCK_KEEP=1 (set when it started), leaves it
   * running for a look instead.
   */
  stop(options?: { failed?: boolean }): Promise<void>;

  control<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options?: { auth?: boolean },
  ): Promise<T>;
  health(): Promise<{ status: string }>;
  /** A fresh one-time URL that opens this mock's dashboard in a browser (once, within ten minutes). */
  dashboardUrl(): Promise<string>;
  /** Lines for a failed test's report: a dashboard URL, and what `stop({ failed: true })` does. */
  failureReport(): Promise<string>;

  addBuilds(builds: ReadonlyArray<FixtureSpec | Build>, options?: StatusOptions): Promise<number[]>;
  addBuilds(
    builds: ReadonlyArray<AnyStatusFixtureSpec | Build>,
    options: UnknownStatusOptions,
  ): Promise<number[]>;
  addBuild(
    name: string,
    status?: KnownBuildStatus,
    fields?: Omit<FixtureSpec, "name" | "status">,
    options?: StatusOptions,
  ): Promise<number>;
  addBuild(
    name: string,
    status: string,
    fields: Omit<FixtureSpec, "name" | "status">,
    options: UnknownStatusOptions,
  ): Promise<number>;
  addBuild(
    build: FixtureSpec | Build,
    status?: undefined,
    fields?: undefined,
    options?: StatusOptions,
  ): Promise<number>;
  addBuild(
    build: AnyStatusFixtureSpec | Build,
    status: undefined,
    fields: undefined,
    options: UnknownStatusOptions,
  ): Promise<number>;
  setStatus(buildId: number, status: KnownBuildStatus, options?: StatusOptions): Promise<Build>;
  setStatus(buildId: number, status: string, options: UnknownStatusOptions): Promise<Build>;
  build(buildId: number): Promise<Build>;
  builds(): Promise<Build[]>;
  clearBuilds(): Promise<void>;

  mintToken(options?: TokenOptions): Promise<string>;
  mintToken(rights: readonly string[], options?: Omit<TokenOptions, "rights">): Promise<string>;
  revoke(token: string): Promise<void>;

  failNext(
    status?: number,
    times?: number,
    options?: { path?: string; retryAfterSeconds?: number },
  ): Promise<FaultSpec>;
  failNext(status: number, times: number, path: string, retryAfterSeconds?: number): Promise<FaultSpec>;
  injectFault(spec: FaultSpec): Promise<FaultSpec>;
  faults(): Promise<FaultSpec[]>;
  clearFaults(): Promise<void>;

  receivedRequests(filter?: { path?: string; method?: string }): Promise<JournalEntry[]>;
  receivedRequests(path: string, method?: string): Promise<JournalEntry[]>;
  requests(filter?: { path?: string; method?: string }): Promise<JournalEntry[]>;
  requests(path: string, method?: string): Promise<JournalEntry[]>;
  requestCount(path: string): Promise<number>;
  clearRequests(): Promise<void>;

  clock(): Promise<ClockState>;
  setClock(now: Date | string): Promise<ClockState>;
  advanceClock(by: number | Duration, options?: { backwards?: boolean }): Promise<ClockState>;
  resetClock(): Promise<void>;
}
