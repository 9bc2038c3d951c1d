// nixbuild-client against the nixbuild-mock npm package, both installed from their packed
// tarballs into a clean project (clients/typescript/check.sh): every operation, every
// filter, the error answers, the experimental endpoints, a status newer than the document.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createNixbuildClient, NixbuildError, isKnownStatus } from "nixbuild-client";
import { startMock } from "nixbuild-mock";

let mock;
let client;
const fast = { initialBackoffMs: 1, maxBackoffMs: 5 };

before(async () => {
  mock = await startMock();
  client = createNixbuildClient({ baseUrl: mock.url, token: mock.token, retry: fast });
});
after(() => mock.stop());

const jwt = (claims) =>
  [{ alg: "none" }, claims].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url")).join(".") +
  ".sig";

test("listBuilds, getBuildsSummary and getUsage answer what the mock stores", async () => {
  await mock.clearBuilds();
  await mock.addBuilds([
    {
      name: "hello-2.12",
      status: "built",
      tags: { GITHUB_RUN_ID: "42" },
      created_at: "2024-05-01T10:00:00Z",
    },
    {
      name: "openssl-3.0.13",
      status: "build_failed",
      tags: { GITHUB_RUN_ID: "42" },
      created_at: "2024-05-02T10:00:00Z",
    },
    {
      name: "zlib-1.3",
      status: "running",
      tags: { GITHUB_RUN_ID: "43" },
      created_at: "2024-05-03T10:00:00Z",
    },
  ]);
  const all = await client.listBuilds();
  assert.deepEqual(
    all.map((b) => b.status),
    ["running", "build_failed", "built"],
    "newest first",
  );
  const summary = await client.getBuildsSummary({ tags: { GITHUB_RUN_ID: "42" } });
  assert.equal(summary.build_count, 2);
  assert.equal(summary.failed_build_count, 1);
  const usage = await client.getUsage({
    createdFrom: "2024-05-01",
    createdTo: new Date("2024-05-03T00:00:00Z"),
  });
  assert.equal(typeof usage.billable_cpu_seconds, "number");
  assert.equal(usage.billable_build_count, 2);
});

test("every filter reaches the server as the document writes it", async () => {
  const drv = (await client.listBuilds({ limit: 1 }))[0].derivation_path;
  const cases = [
    [{ derivationPath: drv }, 1],
    [{ tags: { GITHUB_RUN_ID: "42" } }, 2],
    [{ statuses: ["built", "build_failed"] }, 2],
    [{ createdFrom: "2024-05-02" }, 2],
    [{ createdTo: "2024-05-02T00:00:00Z" }, 1],
    [{ limit: 2 }, 2],
    [
      {
        tags: { GITHUB_RUN_ID: "42" },
        statuses: ["build_failed"],
        createdFrom: new Date("2024-05-01T00:00:00Z"),
      },
      1,
    ],
  ];
  for (const [filter, expected] of cases) {
    assert.equal((await client.listBuilds(filter)).length, expected, JSON.stringify(filter));
  }
  const sent = await mock.requests({ path: "/builds" });
  const last = sent.at(-1).query;
  assert.match(last, /tags=GITHUB_RUN_ID(:|%3A)42/);
  assert.match(last, /status=build_failed/);
  await assert.rejects(client.listBuilds({ tags: { "a,b": "x" } }), (e) => e.kind === "filter");
  await assert.rejects(client.listBuilds({ limit: 0 }), (e) => e.kind === "filter");
});

test("a status newer than the document is kept as the string it is", async () => {
  await mock.clearBuilds();
  await mock.addBuild("future-1.0", "quarantined", {}, { allowUnknownStatus: true });
  const [build] = await client.listBuilds();
  assert.equal(build.status, "quarantined");
  assert.equal(isKnownStatus(build.status), false);
  assert.equal(isKnownStatus("built"), true);
});

test("401, 403 and 404 are typed errors with the server's message", async () => {
  const revoked = await mock.mintToken();
  await mock.revoke(revoked);
  const expired = await mock.mintToken({ expiresInSeconds: 0 });
  const writeOnly = await mock.mintToken({ rights: ["build:write"] });
  const cases = [
    [createNixbuildClient({ baseUrl: mock.url, token: revoked }), 401, /revoked/],
    [createNixbuildClient({ baseUrl: mock.url, token: "garbage" }), 401, /Biscuit/],
    [createNixbuildClient({ baseUrl: mock.url, token: expired }), 403, /./],
    [createNixbuildClient({ baseUrl: mock.url, token: writeOnly }), 403, /./],
    [createNixbuildClient({ baseUrl: `${mock.url}/no-such-prefix`, token: mock.token }), 404, /./],
  ];
  for (const [other, status, message] of cases) {
    await assert.rejects(other.listBuilds(), (error) => {
      assert.ok(error instanceof NixbuildError, String(error));
      assert.equal(error.kind, "api");
      assert.equal(error.status, status);
      assert.match(error.detail, message);
      assert.equal(error.retryable, false);
      assert.ok(!error.message.includes(mock.token) && !error.message.includes(revoked));
      return true;
    });
  }
});

test("429 and 503 are retried, honouring Retry-After; a long Retry-After is returned", async () => {
  await mock.clearRequests();
  await mock.failNext(503, 2, { path: "/usage" });
  await client.getUsage();
  assert.equal(await mock.requestCount("/usage"), 3);

  await mock.injectFault({ status: 429, retry_after_seconds: 1, path: "/usage" });
  const started = Date.now();
  await client.getUsage();
  assert.ok(Date.now() - started >= 900, "it waited what Retry-After asked");

  await mock.injectFault({ status: 429, retry_after_seconds: 3600, times: 5 });
  await assert.rejects(client.getUsage(), (error) => {
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 3600);
    assert.equal(error.retryable, true);
    return true;
  });
  await mock.clearFaults();

  const once = createNixbuildClient({ baseUrl: mock.url, token: mock.token, retry: { maxAttempts: 1 } });
  await mock.failNext(503, 1);
  await assert.rejects(once.listBuilds(), (error) => error.status === 503);
});

test("a refused connection and a slow server are transport and timeout errors", async () => {
  const nowhere = createNixbuildClient({
    baseUrl: "http://127.0.0.1:9",
    token: "x",
    retry: { maxAttempts: 1 },
  });
  await assert.rejects(nowhere.listBuilds(), (error) => error.kind === "transport" && error.retryable);
  await mock.injectFault({ delay_ms: 2000 });
  const impatient = createNixbuildClient({
    baseUrl: mock.url,
    token: mock.token,
    timeoutMs: 200,
    retry: { maxAttempts: 1 },
  });
  await assert.rejects(impatient.getUsage(), (error) => error.kind === "timeout");
  await mock.clearFaults();
});

test("a broken answer is a decode error, a dropped connection a transport error", async () => {
  const once = createNixbuildClient({ baseUrl: mock.url, token: mock.token, retry: { maxAttempts: 1 } });
  await mock.injectFault({ malformed_body: true });
  await assert.rejects(
    once.listBuilds(),
    (error) => error instanceof NixbuildError && error.kind === "decode",
  );
  await mock.injectFault({ drop_connection: true });
  await assert.rejects(once.listBuilds(), (error) => error.kind === "transport" || error.kind === "decode");
  await mock.injectFault({ status: 503, retry_after_seconds: 1 });
  await assert.rejects(
    once.listBuilds(),
    (error) => error.retryAfterSeconds === 1 && /injected fault/.test(error.detail),
  );
});

test("an answer of another shape than the document's is a decode error, never data", async () => {
  const answering = (body, headers = {}) =>
    createNixbuildClient({
      baseUrl: "http://nixbuild.invalid",
      token: "x",
      retry: { maxAttempts: 1 },
      fetch: async () =>
        new Response(body, { status: 200, headers: { "content-type": "application/json", ...headers } }),
    });
  await mock.addBuild("hello-2.12", "built");
  const [build] = await client.listBuilds({ limit: 1 });
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  for (const [body, why] of [
    ['{"a":1}', /not an array of Build/],
    ["[1]", /\[0\] is integer, not an object/],
    ['[{"build_id":"7"}]', /build_id is string, not integer/],
    [deep, /\[0\] is array, not an object/],
    ["null", /is null, not an array/],
  ]) {
    await assert.rejects(
      answering(body).listBuilds(),
      (error) => error instanceof NixbuildError && error.kind === "decode" && why.test(error.detail),
      body.slice(0, 40),
    );
  }
  assert.deepEqual(
    await answering(JSON.stringify([build])).listBuilds(),
    [build],
    "a build as the mock sends it passes",
  );
  const { status: _, ...statusless } = build;
  await assert.rejects(answering(JSON.stringify([statusless])).listBuilds(), /has no status/);
  const outputs = [{ name: "out", path: "/nix/store/x-out", nar_hash: "sha256:x" }];
  await assert.rejects(answering(JSON.stringify([{ ...build, outputs }])).listBuilds(), /nar_size_bytes/);
  await assert.rejects(
    answering('{"billable_cpu_seconds": 1e999, "billable_build_count": 1}').getUsage(),
    (error) => error.kind === "decode" && /billable_cpu_seconds is other/.test(error.detail),
  );
  await assert.rejects(answering('{"build_count": 1}').getBuildsSummary(), /successful_build_count/);
  await assert.rejects(
    createNixbuildClient({
      baseUrl: "http://nixbuild.invalid",
      token: "x",
      retry: { maxAttempts: 1 },
      fetch: async () => new Response("{}", { status: 503, headers: { "retry-after": "\u00b2" } }),
    }).getUsage(),
    (error) => error.kind === "api" && error.status === 503 && error.retryAfterSeconds === undefined,
  );
});

test("an answer past maxResponseBytes is refused, even one without end", async () => {
  const small = createNixbuildClient({ baseUrl: mock.url, token: mock.token, maxResponseBytes: 100 });
  await mock.addBuild("hello-2.12", "built");
  await assert.rejects(small.listBuilds(), (error) => error.kind === "too_large" && error.status === 200);
  // A server that never stops: chunked, no Content-Length.
  let sent = 0;
  const endless = () =>
    new Response(
      new ReadableStream({
        pull(controller) {
          sent += 65536;
          controller.enqueue(new Uint8Array(65536).fill(91));
        },
      }),
      { status: 200, headers: { "content-type": "application/json" } },
    );
  const flooded = createNixbuildClient({
    baseUrl: mock.url,
    token: "x",
    maxResponseBytes: 1_000_000,
    fetch: async () => endless(),
  });
  await assert.rejects(flooded.listBuilds(), (error) => error.kind === "too_large");
  assert.ok(sent < 5_000_000, `it stopped reading (${sent} bytes pulled)`);
});

test("the experimental endpoints: the OIDC exchange and processes", async () => {
  const exchanged = await client.exchangeOidcToken(jwt({ repository: "acme/web", sub: "repo:acme/web" }));
  assert.match(exchanged, /^[A-Za-z0-9_-]+=*$/, "a bare token");
  const asExchanged = createNixbuildClient({ baseUrl: mock.url, token: exchanged });
  assert.ok(Array.isArray(await asExchanged.listBuilds()));
  await assert.rejects(client.exchangeOidcToken("x".repeat(9000)), (error) => error.status === 431);

  await mock.failNext(503, 1, { path: "/processes" });
  await assert.rejects(
    client.createProcesses(jwt({}), [{ installable: "/nix/store/x-hello.drv^*", attributes: [] }]),
    (error) => error.status === 503,
    "a POST is never retried",
  );
  const answer = await client.createProcesses(jwt({}), [
    {
      installable: "/nix/store/dkrh838n9rkc6xwjd9diimhssihfx5rx-hello-2.12.drv^*",
      attributes: [["NIXBUILDNET_TAG_RUN", "1"]],
    },
  ]);
  assert.ok(answer !== undefined);
});

test("the raw client is openapi-fetch over the document's paths", async () => {
  const { data, response } = await client.raw.GET("/builds", { params: { query: { limit: 1 } } });
  assert.equal(response.status, 200);
  assert.equal(data.length, 1);
});
