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
