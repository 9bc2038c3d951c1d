// Type-checked by ../check.sh (`tsc --noEmit`) against the types openapi-typescript generated
// from openapi.json: the real seed response fits them, and a consumer's everyday code compiles.
import type { components, paths } from "./.work/nixbuild";
import seed from "../../sdk/src/examples/seed-builds.json";

type Build = components["schemas"]["Build"];
type BuildsSummary = components["schemas"]["BuildsSummary"];
type ListBuildsResponse = paths["/builds"]["get"]["responses"][200]["content"]["application/json"];
type ListBuildsQuery = NonNullable<paths["/builds"]["get"]["parameters"]["query"]>;
type ErrorBody = paths["/builds"]["get"]["responses"][401]["content"]["application/json"];

const builds: ListBuildsResponse = seed;

const newer: Build = { ...builds[0], status: "quarantined" };

const query: ListBuildsQuery = {
  tags: ["GITHUB_REPOSITORY:owner/repo", "GITHUB_RUN_ID:42"],
  status: ["built", "build_failed"],
  create_time_from: "2024-05-01",
  limit: 10,
};

const summary: BuildsSummary = {
  build_count: 2,
  successful_build_count: 1,
  failed_build_count: 1,
  discarded_build_count: 0,
  billable_cpu_seconds: 1934,
  total_output_nar_size_kilobytes: 250878,
};

function outputBytes(build: Build): number {
  return build.outputs.reduce((total, output) => total + output.nar_size_bytes, 0);
}

function describe(build: Build): string {
  const finished = build.duration_seconds === null ? "running" : `${build.duration_seconds}s`;
  return `${build.build_id} ${build.status} ${finished} ${outputBytes(build)} bytes`;
}

const failed: Build[] = [...builds, newer].filter((build) => build.status === "build_failed");
const unauthorized: ErrorBody = { error: "missing bearer token" };

// @ts-expect-error: a build without its required fields must not type-check.
const incomplete: Build = { build_id: 1 };

export const checked = [builds.map(describe), query, summary, failed, unauthorized, incomplete];
