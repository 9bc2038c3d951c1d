// A test file of a vitest suite: the mock started once in globalSetup, driven from here.
import { test, expect, inject, beforeEach } from "vitest";
import { attachMock } from "nixbuild-mock";

const mock = attachMock(inject("nixbuildMock"));

beforeEach(async () => {
  await mock.clearBuilds();
  await mock.clearRequests();
});

test("the code under test sees the builds the test added", async () => {
  await mock.addBuild("hello-2.12", "build_failed", { tags: { GITHUB_RUN_ID: "42" } });
  const response = await fetch(`${mock.url}/builds?tags=GITHUB_RUN_ID:42`, {
    headers: { authorization: `Bearer ${mock.token}` },
  });
  const builds = await response.json();
  expect(builds.map((b) => b.status)).toEqual(["build_failed"]);
  expect(await mock.requestCount("/builds")).toBe(1);
});

test("a handle from another process owns no process", async () => {
  expect(mock.running).toBe(false);
  await mock.stop();
  expect(await mock.health()).toEqual({ status: "ok" });
});
