// What a TypeScript user writes, type-checked against the installed package's declarations
// (tsc --noEmit in the clean project): wrong filters and statuses must not compile.
import { createNixbuildClient, NixbuildError, type Build, type BuildFilter } from "nixbuild-client";

const client = createNixbuildClient({ token: "t", baseUrl: "http://127.0.0.1:1" });
const filter: BuildFilter = { statuses: ["built", "build_failed"], tags: { GITHUB_RUN_ID: "42" }, limit: 5 };

export async function failedNames(): Promise<string[]> {
  const builds: Build[] = await client.listBuilds(filter);
  return builds.filter((b) => b.status !== "built").map((b) => b.derivation_path);
}

export function waitFor(error: unknown): number | undefined {
  return error instanceof NixbuildError ? error.retryAfterSeconds : undefined;
}

// @ts-expect-error: a status the document does not list is not a filter.
export const typo: BuildFilter = { statuses: ["failed"] };
// @ts-expect-error: the raw client knows the document's paths.
client.raw.GET("/buildz");

// The mock's declarations, as a TypeScript test suite uses them.
import { attachMock, MockError, startMock, type MockConnection } from "nixbuild-mock";

export async function withMock(): Promise<number> {
  const mock = await startMock({ seedBuilds: true, timeoutMs: 5000 });
  const id: number = await mock.addBuild("hello-2.12", "build_failed", { tags: { RUN: "1" } });
  await mock.addBuild({ name: "zlib-1.3", status: "built" });
  await mock.setStatus(id, "quarantined", { allowUnknownStatus: true });
  await mock.failNext(503, 1, { path: "/builds", retryAfterSeconds: 1 });
  await mock.failNext(503, 1, "/usage");
  const token: string = await mock.mintToken(["build:read"], { expiresInSeconds: 60 });
  await mock.revoke(token);
  await mock.advanceClock({ minutes: 5 });
  const connection: MockConnection = mock.connection();
  const other = attachMock(connection);
  const count = await other.requestCount("/builds");
  await mock.stop();
  return count;
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof MockError ? error.status : undefined;
}

// @ts-expect-error: a build id is a number.
export const wrongId = (mock: Awaited<ReturnType<typeof startMock>>) => mock.build("1");

// The mock's statuses are typed as the client's: a typo does not compile, a status newer
// than the mock compiles only when asked for on purpose.
export async function mockStatuses(mock: Awaited<ReturnType<typeof startMock>>): Promise<void> {
  await mock.addBuild("hello-2.12", "build_failed");
  await mock.addBuild("future-1.0", "quarantined", {}, { allowUnknownStatus: true });
  await mock.addBuilds([{ name: "x-1", status: "evicted" }], { allowUnknownStatus: true });
  // @ts-expect-error: "biult" is no status the mock knows.
  await mock.addBuild("zlib-1.3", "biult");
  // @ts-expect-error: nor in a fixture spec.
  await mock.addBuilds([{ name: "x-2", status: "failed" }]);
  // @ts-expect-error: nor moved to.
  await mock.setStatus(1, "succeeded");
  const [build] = await mock.builds();
  const known: boolean = build.status === "built";
  void known;
}

// @ts-expect-error: the option that serves a file's builds is `builds`, as in Python and the binary.
export const oldName = () => startMock({ recording: "rec.json" });
