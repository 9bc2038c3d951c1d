// The nixbuild-mock npm package as a node:test suite uses it, run from the packed
// packages installed into a clean project (npm/check.sh).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMock, findBinary, MockError, MockStartError } from "nixbuild-mock";

let mock;
before(async () => {
  mock = await startMock();
});
after(() => mock.stop());

const api = (path, token = mock.token) =>
  fetch(mock.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

test("a running empty mock, its secrets kept out of what a runner prints", async () => {
  assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(await mock.health(), { status: "ok" });
  assert.deepEqual(await mock.builds(), []);
  assert.ok(mock.adminToken.startsWith("nbmock-admin-"));
  const shown = JSON.stringify(mock) + String(Object.keys(mock));
  assert.ok(!shown.includes(mock.token) && !shown.includes(mock.adminToken), shown);
});

test("a dashboard URL opens one session, once, and holds no secret", async () => {
  const url = await mock.dashboardUrl();
  assert.ok(url.startsWith(`${mock.url}/_mock/ui/login?code=`), url);
  assert.ok(!url.includes(mock.adminToken) && !url.includes(mock.token));
  const first = await fetch(url, { redirect: "manual" });
  assert.equal(first.status, 303);
  assert.match(first.headers.get("set-cookie"), /HttpOnly; SameSite=Strict/);
  assert.equal((await fetch(url, { redirect: "manual" })).status, 401);
});

test("a failed test's report: a dashboard URL, and NIXBUILD_MOCK_KEEP=1 keeps the mock running", async () => {
  const report = await mock.failureReport();
  assert.match(
    report,
    /dashboard \(one use, ten minutes\): http:\/\/127\.0\.0\.1:\d+\/_mock\/ui\/login\?code=/,
  );
  assert.match(report, /NIXBUILD_MOCK_KEEP=1 keeps/);
  process.env.NIXBUILD_MOCK_KEEP = "1";
  let kept;
  try {
    kept = await startMock();
    assert.match(
      await kept.failureReport(),
      new RegExp(`left running \\(pid ${kept.pid}\\); stop it with: kill ${kept.pid}`),
    );
    await kept.stop({ failed: true });
    process.kill(kept.pid, 0); // still there
    assert.deepEqual(await kept.health(), { status: "ok" });
  } finally {
    delete process.env.NIXBUILD_MOCK_KEEP;
    if (kept) process.kill(kept.pid, "SIGTERM");
  }
});

test("builds, statuses and a duration from the clock", async () => {
  await mock.clearBuilds();
  await mock.setClock(new Date("2026-01-01T00:00:00Z"));
  const ids = await mock.addBuilds([
    { name: "hello-2.12", status: "build_failed", tags: { CI_PIPELINE_ID: "42" } },
    { name: "openssl-3.0.13", status: "pending", tags: { CI_PIPELINE_ID: "42" } },
  ]);
  assert.equal(ids.length, 2);
  const byName = await mock.addBuild("zlib-1.3", "built", { system: "aarch64-linux" });
  assert.equal((await mock.build(byName)).system, "aarch64-linux");
  await mock.advanceClock(1);
  await mock.setStatus(ids[1], "running");
  await mock.advanceClock({ minutes: 7, seconds: 40 });
  const built = await mock.setStatus(ids[1], "built");
  assert.equal(built.duration_seconds, 460);
  const failed = await (await api("/builds?status=build_failed&tags=CI_PIPELINE_ID:42")).json();
  assert.deepEqual(
    failed.map((b) => b.build_id),
    [ids[0]],
  );
  await mock.resetClock();
});

test("typos are refused with what is valid; asked for on purpose, they are taken", async () => {
  await assert.rejects(mock.addBuild({ name: "x-1", status: "failed" }), (error) => {
    assert.ok(error instanceof MockError);
    assert.equal(error.status, 400);
    assert.match(error.detail, /build_failed/);
    assert.match(error.detail, /pass \{ allowUnknownStatus: true \}/, "in JavaScript's words");
    assert.doesNotMatch(error.detail, /\?allow_unknown_status=true/);
    return true;
  });
  const future = await mock.addBuild("x-2", "quarantined", {}, { allowUnknownStatus: true });
  assert.equal((await mock.build(future)).status, "quarantined");
  await assert.rejects(
    mock.mintToken({ rights: ["build:raed"] }),
    (error) => error instanceof MockError && /pass \{ allowUnknownRights: true \}/.test(error.detail),
  );
  assert.ok(await mock.mintToken({ rights: ["run:write"], allowUnknownRights: true }));
  await assert.rejects(mock.advanceClock(-10), RangeError);
  await assert.rejects(mock.addBuilds({ name: "x" }), TypeError);
  await assert.rejects(mock.setStatus(123456, "built"), (error) => error.status === 404);
});

test("faults, the journal and its redaction", async () => {
  await mock.clearRequests();
  const queued = await mock.failNext(503, 1, { path: "/builds" });
  assert.equal(queued.retry_after_seconds, undefined, "no Retry-After unless asked");
  assert.equal((await api("/builds")).status, 503);
  await mock.injectFault({ status: 429, retry_after_seconds: 3 });
  const throttled = await api("/builds");
  assert.equal(throttled.headers.get("retry-after"), "3");
  assert.equal((await api("/builds")).status, 200);
  const journal = await mock.receivedRequests({ path: "/builds" });
  assert.deepEqual(
    journal.map((r) => r.status),
    [503, 429, 200],
  );
  assert.equal(journal[2].headers.authorization, "Bearer [redacted]");
  assert.equal(await mock.requestCount("/builds"), 3);
  assert.deepEqual(await mock.faults(), []);
});

test("tokens: minted, expired by the mock's clock, revoked", async () => {
  const short = await mock.mintToken({ rights: ["build:read"], expiresInSeconds: 60 });
  assert.equal((await api("/usage", short)).status, 200);
  await mock.advanceClock({ seconds: 61 });
  assert.equal((await api("/usage", short)).status, 403);
  await mock.resetClock();
  const doomed = await mock.mintToken();
  await mock.revoke(doomed);
  assert.equal((await api("/usage", doomed)).status, 401);
  assert.equal((await api("/usage", null)).status, 401);
});

test("a mock started from a shell holding another mock's variables gets its own admin token", async () => {
  // After `. ./mock.env` the environment names the outer mock's admin token.
  const saved = process.env.NIXBUILD_MOCK_ADMIN_TOKEN;
  process.env.NIXBUILD_MOCK_ADMIN_TOKEN = mock.adminToken;
  try {
    const inner = await startMock();
    try {
      assert.notEqual(inner.adminToken, mock.adminToken);
      assert.deepEqual(await inner.builds(), []);
    } finally {
      await inner.stop();
    }
  } finally {
    if (saved === undefined) delete process.env.NIXBUILD_MOCK_ADMIN_TOKEN;
    else process.env.NIXBUILD_MOCK_ADMIN_TOKEN = saved;
  }
});

test("a missing binary is a clear error", async () => {
  await assert.rejects(startMock({ binary: "/nonexistent/nixbuild-mock" }), (error) => {
    assert.ok(error instanceof MockStartError);
    assert.match(error.message, /cannot run \/nonexistent\/nixbuild-mock/);
    return true;
  });
});

/** Whether a process runs (a zombie, waiting only for its status to be read, does not). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return true;
  }
}

async function until(condition, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

test("the mock never outlives its runner: a run that forgets stop(), or one killed", async () => {
  const harness = (ending) =>
    `import { startMock } from "nixbuild-mock";
     const mock = await startMock();
     console.log(mock.pid);
     ${ending}`;
  for (const ending of ["/* ends without stop() */", "setInterval(() => {}, 1000);"]) {
    const child = spawn(process.execPath, ["--input-type=module", "-e", harness(ending)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = await new Promise((resolve) => child.stdout.once("data", (d) => resolve(Number(String(d)))));
    assert.ok(pid > 0 && alive(pid));
    if (ending.startsWith("setInterval")) child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    assert.ok(await until(() => !alive(pid)), `the mock ${pid} outlived its runner`);
  }
});

test("the Python handle's positional order works too", async () => {
  await mock.clearRequests();
  await mock.clearFaults();
  const token = await mock.mintToken(["build:read"], { expiresInSeconds: 600 });
  await mock.failNext(503, 1, "/usage", 2);
  const throttled = await api("/usage", token);
  assert.equal(throttled.status, 503);
  assert.equal(throttled.headers.get("retry-after"), "2");
  assert.equal((await api("/usage", token)).status, 200);
  assert.deepEqual(
    (await mock.requests("/usage", "GET")).map((r) => r.status),
    [503, 200],
  );
  assert.deepEqual(await mock.receivedRequests("/usage", "POST"), []);
});

/** Records `queries` through `nixbuild-mock record` in front of `upstream`; their answers. */
async function record(upstream, out, queries) {
  const recorder = spawn(
    findBinary(),
    ["record", "--upstream", upstream.url, "--out", out, "--exit-with-stdin"],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  let printed = "";
  recorder.stdout.setEncoding("utf8");
  const url = await new Promise((resolve, reject) => {
    recorder.stdout.on("data", (chunk) => {
      printed += chunk;
      const found = /^NIXBUILD_API_URL=(.*)$/m.exec(printed);
      if (found && printed.includes("export ")) resolve(found[1]);
    });
    recorder.on("exit", () => reject(new Error(`the recorder exited: ${printed}`)));
  });
  const seen = {};
  for (const query of queries) {
    const answer = await fetch(url + query, { headers: { authorization: `Bearer ${upstream.token}` } });
    seen[query] = [answer.status, await answer.text()];
  }
  const exited = new Promise((resolve) => recorder.on("exit", resolve));
  recorder.stdin.end();
  await exited;
  return seen;
}

test("a recording starts a mock that serves its builds, or replays its answers", async () => {
  const upstream = await startMock({ args: ["--generate", "300"] });
  const out = join(mkdtempSync(join(tmpdir(), "nixbuild-mock-")), "rec.json");
  let served, replaying;
  try {
    const seen = await record(upstream, out, ["/builds?limit=5", "/builds/summary", "/usage"]);
    assert.ok(!readFileSync(out, "utf8").includes(upstream.token), "no token is recorded");
    served = await startMock({ builds: out });
    assert.equal((await served.builds()).length, 5);
    replaying = await startMock({ replay: out });
    for (const [query, [status, body]] of Object.entries(seen)) {
      const again = await fetch(replaying.url + query);
      assert.equal(again.status, status, query);
      assert.equal(await again.text(), body, query);
    }
    const missed = await fetch(replaying.url + "/builds?limit=6");
    assert.equal(missed.status, 404);
    assert.match((await missed.json()).error, /nearest recorded request is GET \/builds\?limit=5/);
    const unmatched = (await replaying.requests()).filter((r) => r.unmatched).map((r) => r.query);
    assert.deepEqual(unmatched, ["limit=6"]);
  } finally {
    await Promise.all([upstream.stop(), served?.stop(), replaying?.stop()]);
  }
  await assert.rejects(startMock({ builds: out, replay: out }), TypeError);
  // The option's one name, as Python's `builds=` and the binary's `--builds`: the old
  // `recording` is refused by name, not ignored.
  await assert.rejects(startMock({ recording: out }), /no option `recording`: its options are .*builds/);
});
