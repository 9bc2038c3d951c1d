// The dashboard in a real browser: Debian's chromium, driven by playwright-core, against
// the built nixbuild-mock binary (NIXBUILD_MOCK_BIN), as a person meets it: the login, each
// view, the live updates, hostile strings, the keyboard, a page of another origin trying the
// control API, and axe-core's accessibility rules. Screenshots of the views go to
// SCREENSHOTS when it is set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const HOSTILE = "<img src=x onerror=alert(1)>";
/** How long a change may take to show: the second, with room for a busy machine. */
const LIVE_MS = 5000;

let mock;
let browser;

/** Starts the binary (with `args` first: `replay FILE`) and reads the variables it prints. */
async function startMock(args = []) {
  const child = spawn(process.env.NIXBUILD_MOCK_BIN, [...args, "--port", "0", "--exit-with-stdin"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const vars = {};
  let buffered = "";
  await new Promise((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`nixbuild-mock exited with ${code}`)));
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      for (const line of buffered.split("\n")) {
        const at = line.indexOf("=");
        if (at > 0 && !line.startsWith("#") && !line.startsWith("export"))
          vars[line.slice(0, at)] = line.slice(at + 1);
        if (line.startsWith("export ")) resolve();
      }
    });
  });
  const control = async (method, path, body) => {
    const answer = await fetch(vars.NIXBUILD_MOCK_URL + path, {
      method,
      headers: {
        authorization: `Bearer ${vars.NIXBUILD_MOCK_ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const api = (path) =>
    fetch(vars.NIXBUILD_API_URL + path, { headers: { authorization: `Bearer ${vars.NIXBUILD_TOKEN}` } });
  return { child, vars, control, api, stop: () => child.stdin.end() };
}

/** A fresh page logged in through a one-time URL, failing the test on any dialog. */
async function loggedIn(options = {}, of = mock) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on("dialog", (dialog) => {
    throw new Error(`a dialog opened: ${dialog.message()}`);
  });
  const { url } = await of.control("POST", "/_mock/ui/login");
  await page.goto(url);
  await page.getByRole("tab", { name: "Requests" }).waitFor();
  return { context, page };
}

async function screenshot(page, name) {
  if (process.env.SCREENSHOTS)
    await page.screenshot({ path: join(process.env.SCREENSHOTS, `dashboard-${name}.png`), fullPage: false });
}

before(async () => {
  mock = await startMock();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  mock?.stop();
});

test("the login: one use, then a session that no script, URL or storage can read", async () => {
  const { url } = await mock.control("POST", "/_mock/ui/login");
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.getByRole("tab", { name: "Requests" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/_mock/ui/");
  assert.ok(!page.url().includes("code="), "the address holds no code");
  const secrets = [mock.vars.NIXBUILD_MOCK_ADMIN_TOKEN, mock.vars.NIXBUILD_TOKEN];
  const seen = await page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    cookie: document.cookie,
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
  }));
  assert.equal(seen.cookie, "", "the session cookie is HttpOnly");
  for (const secret of secrets) {
    for (const [where, text] of Object.entries(seen))
      assert.ok(!text.includes(secret), `a secret in ${where}`);
  }
  const again = await (await browser.newContext()).newPage();
  const refused = await again.goto(url);
  assert.equal(refused.status(), 401, "a login URL works once");
  assert.match(await again.textContent("body"), /unknown, used already, or older than/);
  const without = await again.goto(`${mock.vars.NIXBUILD_MOCK_URL}/_mock/ui/`);
  assert.equal(without.status(), 401);
  const journal = await mock.control("GET", "/_mock/requests");
  assert.ok(
    !journal.some((entry) => entry.path.includes("favicon")),
    "the page's own requests are not the API's",
  );
  await context.close();
});

test("requests show live, newest first, with their details and a curl without the token", async () => {
  const { context, page } = await loggedIn();
  await mock.api("/builds?status=built");
  await page.getByRole("cell", { name: "/builds?status=built" }).first().waitFor({ timeout: LIVE_MS });
  await mock.api(`/usage?x=${encodeURIComponent(HOSTILE)}`);
  const hostileRow = page.getByRole("cell", { name: `/usage?x=${encodeURIComponent(HOSTILE)}` });
  await hostileRow.first().waitFor({ timeout: LIVE_MS });
  const first = await page.locator("tbody tr").first().textContent();
  assert.match(first, /\/usage/, "newest first");
  await page
    .getByRole("button", { name: /^Details/ })
    .first()
    .click();
  const curl = await page.getByLabel("As curl").textContent();
  assert.match(curl, /^curl -X GET /);
  assert.ok(curl.includes("$NIXBUILD_TOKEN") && !curl.includes(mock.vars.NIXBUILD_TOKEN), curl);
  await screenshot(page, "requests");
  await context.close();
});

test("builds: hostile names as text, a filter with its summary, a build added and moved", async () => {
  const { context, page } = await loggedIn();
  await mock.control("POST", "/_mock/builds", [
    { name: HOSTILE.replace(/[^A-Za-z0-9+\-._?=]/g, "_"), status: "built" },
    { name: "hello-2.12", status: "build_failed", tags: { ci: HOSTILE } },
  ]);
  await page.getByRole("tab", { name: "Builds" }).click();
  await page.getByRole("cell", { name: `ci=${HOSTILE}` }).waitFor({ timeout: LIVE_MS });
  assert.equal(await page.locator("img").count(), 0, "no element was made of a tag");
  await page.getByLabel("Status").first().selectOption("build_failed");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByLabel("Summary").filter({ hasText: "1 builds" }).waitFor({ timeout: LIVE_MS });
  await page.getByLabel("Status").first().selectOption("");
  await page.getByRole("button", { name: "Filter" }).click();
  const add = page.getByRole("form", { name: "Add a build" });
  const offered = await add.getByLabel("Status").locator("option").allTextContents();
  const known = await page.evaluate(
    async () => (await (await fetch("/_mock/ui/overview")).json()).known_statuses,
  );
  assert.deepEqual(offered, known, "the statuses the mock takes, no other");
  await add.getByLabel("Name", { exact: true }).fill("zlib-1.3");
  await add.getByLabel("Status").selectOption("pending");
  await add.getByRole("button", { name: "Add build" }).click();
  const row = page.getByRole("row").filter({ hasText: "zlib-1.3" });
  await row.waitFor({ timeout: LIVE_MS });
  await row.getByLabel("New status").selectOption("running");
  await row.getByRole("button", { name: "Move" }).click();
  await page
    .getByRole("row")
    .filter({ hasText: "zlib-1.3" })
    .filter({ hasText: "running" })
    .waitFor({ timeout: LIVE_MS });
  const stored = (await mock.control("GET", "/_mock/builds")).find((b) =>
    b.derivation_path.endsWith("-zlib-1.3.drv"),
  );
  assert.equal(stored.status, "running");
  await screenshot(page, "builds");
  await context.close();
});

test("faults, clock, tokens and expectations, each steered from its view", async () => {
  const { context, page } = await loggedIn();
  await page.getByRole("tab", { name: "Faults" }).click();
  const inject = page.getByRole("form", { name: "Inject a fault" });
  await inject.getByLabel("Times").fill("2");
  await inject.getByRole("button", { name: "Inject" }).click();
  await page.getByRole("cell", { name: "status 503" }).waitFor({ timeout: LIVE_MS });
  assert.equal((await mock.control("GET", "/_mock/faults"))[0].times, 2);
  await page.getByRole("button", { name: "Clear faults" }).click();
  await page.getByRole("cell", { name: "status 503" }).waitFor({ state: "detached", timeout: LIVE_MS });

  await page.getByRole("tab", { name: "Clock" }).click();
  const set = page.getByRole("form", { name: "Set the clock" });
  await set.getByLabel("Now (RFC 3339)").fill("2030-01-01T00:00:00Z");
  await set.getByRole("button", { name: "Set and freeze" }).click();
  await page
    .getByLabel("The mock's now")
    .filter({ hasText: "2030-01-01T00:00:00Z (frozen)" })
    .waitFor({ timeout: LIVE_MS });
  await page
    .getByRole("form", { name: "Advance the clock" })
    .getByRole("button", { name: "Advance" })
    .click();
  await page
    .getByLabel("The mock's now")
    .filter({ hasText: "2030-01-01T00:01:00Z" })
    .waitFor({ timeout: LIVE_MS });
  await screenshot(page, "clock");
  await page.getByRole("button", { name: "Real time again" }).click();

  await page.getByRole("tab", { name: "Tokens" }).click();
  await page.getByRole("button", { name: "Mint" }).click();
  await page.getByLabel("Minted token").waitFor({ timeout: LIVE_MS });
  await page.getByRole("button", { name: "Inspect" }).click();
  await page.getByLabel("Inspection").filter({ hasText: "build:read" }).waitFor({ timeout: LIVE_MS });
  await page.getByRole("button", { name: "Revoke" }).click();
  await page.getByLabel("Inspection").filter({ hasText: "revoked" }).waitFor({ timeout: LIVE_MS });
  await screenshot(page, "tokens");

  await page.getByRole("tab", { name: "Expectations" }).click();
  await page.getByText("none: the Rust API").waitFor();
  await context.close();
});

test("the journal view stays responsive with 10,000 entries", async () => {
  await mock.control("DELETE", "/_mock/requests");
  const sent = Array.from({ length: 10000 }, (_, i) => `/builds?limit=${(i % 100) + 1}&tags=n:${i}`);
  for (let at = 0; at < sent.length; at += 50) {
    await Promise.all(sent.slice(at, at + 50).map((path) => mock.api(path).then((r) => r.arrayBuffer())));
  }
  const { context, page } = await loggedIn();
  await page.getByText("10000 of 10000 requests").waitFor({ timeout: 4 * LIVE_MS });
  assert.ok((await page.locator("tbody tr").count()) <= 500, "a bounded number of rows drawn");
  await page.getByLabel("Filter requests").fill("n:9999");
  await page.getByText("1 of 10000 requests").waitFor({ timeout: LIVE_MS });
  // One more request after the load shows too: the page once missed it for good, when the
  // mock counted a change before making it and the page read in between.
  await mock.api("/usage");
  await page.getByLabel("Filter requests").fill("/usage");
  await page
    .getByText("1 of 10000 requests")
    .waitFor({ timeout: LIVE_MS })
    .catch(async (error) => {
      const seen = await page.evaluate(
        () =>
          `${document.querySelector("#live").textContent}: ${document.querySelector("main p").textContent}`,
      );
      throw new Error(`${error.message}\nthe page showed: ${seen}`);
    });
  await context.close();
});

test("a replaying mock says so, and flags a request its recording does not hold, naming the nearest", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "dashboard-replay-")), "recording.json");
  writeFileSync(
    file,
    JSON.stringify({
      format: "nixbuild-mock-recording/1",
      anonymised: false,
      builds: [],
      interactions: [
        {
          method: "GET",
          path: "/builds",
          query: "status=built",
          status: 200,
          headers: { "content-type": "application/json" },
          body: [],
        },
      ],
    }),
  );
  const replaying = await startMock(["replay", file]);
  try {
    const { context, page } = await loggedIn({}, replaying);
    await page.locator("#mode").filter({ hasText: "replaying" }).waitFor({ timeout: LIVE_MS });
    await replaying.api("/builds?status=build_failed");
    const row = page.getByRole("row").filter({ hasText: "not in the recording" });
    await row.waitFor({ timeout: LIVE_MS });
    await row.getByRole("button", { name: /^Details/ }).click();
    await page.getByRole("region").getByText("status=built").first().waitFor({ timeout: LIVE_MS });
    await context.close();
  } finally {
    replaying.stop();
  }
});

test("a live update keeps what a person is typing, and where", async () => {
  const { context, page } = await loggedIn();
  await page.getByRole("tab", { name: "Builds" }).click();
  const name = page.getByRole("form", { name: "Add a build" }).getByLabel("Name", { exact: true });
  await name.fill("half-typ");
  await mock.control("POST", "/_mock/builds", [{ name: "drawn-meanwhile-1.0", status: "built" }]);
  await page.getByRole("cell", { name: /drawn-meanwhile-1\.0\.drv$/ }).waitFor({ timeout: LIVE_MS });
  assert.equal(await name.inputValue(), "half-typ");
  assert.ok(await name.evaluate((input) => input === document.activeElement), "the focus stays");
  // Text selected to be typed over stays selected: with only the caret kept, a select-all
  // then typing across a live update wrote beside the old text ("/usagen:9999").
  await name.selectText();
  await mock.control("POST", "/_mock/builds", [{ name: "drawn-meanwhile-2.0", status: "built" }]);
  await page.getByRole("cell", { name: /drawn-meanwhile-2\.0\.drv$/ }).waitFor({ timeout: LIVE_MS });
  assert.deepEqual(
    await name.evaluate((input) => [input.selectionStart, input.selectionEnd]),
    [0, "half-typ".length],
    "the selection stays",
  );
  await page.keyboard.type("typed-over");
  assert.equal(await name.inputValue(), "typed-over");
  await context.close();
});

test("the keyboard alone moves between views", async () => {
  const { context, page } = await loggedIn();
  await page.getByRole("tab", { name: "Requests" }).focus();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  assert.equal(await page.getByRole("tab", { name: "Builds" }).getAttribute("aria-selected"), "true");
  await context.close();
});

test("a page of another origin cannot drive the control API with the session", async () => {
  const { context, page } = await loggedIn();
  const faultsBefore = (await mock.control("GET", "/_mock/faults")).length;
  const attacker = createServer((request, response) => {
    response.setHeader("content-type", "text/html");
    response.end(`<!doctype html><title>elsewhere</title><script>
      window.outcomes = [];
      const target = ${JSON.stringify(mock.vars.NIXBUILD_MOCK_URL)};
      fetch(target + "/_mock/faults", { method: "POST", credentials: "include", headers: { "content-type": "text/plain" }, body: '{"status": 500}' })
        .then((r) => outcomes.push(r.status), () => outcomes.push("blocked"));
      fetch(target + "/_mock/requests", { credentials: "include" })
        .then((r) => r.text()).then((t) => outcomes.push("read " + t.length), () => outcomes.push("read blocked"));
    </script>`);
  });
  await new Promise((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  const elsewhere = `http://127.0.0.1:${attacker.address().port}/`;
  const other = await context.newPage();
  await other.goto(elsewhere);
  await other.waitForFunction(() => window.outcomes && window.outcomes.length === 2);
  const outcomes = await other.evaluate(() => window.outcomes);
  assert.ok(!outcomes.includes(201), `the fault was refused: ${outcomes}`);
  assert.ok(
    !outcomes.some(
      (o) =>
        typeof o === "string" && o.startsWith("read ") && o !== "read blocked" && Number(o.slice(5)) > 100,
    ),
    `nothing was read: ${outcomes}`,
  );
  assert.equal((await mock.control("GET", "/_mock/faults")).length, faultsBefore, "no fault was injected");
  attacker.close();
  await context.close();
});

test("axe-core finds no serious accessibility violation in any view", async () => {
  // The page's policy allows no script but its own; axe-core is added beside it here only.
  const { context, page } = await loggedIn({ bypassCSP: true });
  await page.addScriptTag({ content: AXE });
  for (const view of ["Requests", "Builds", "Faults", "Clock", "Tokens", "Expectations"]) {
    await page.getByRole("tab", { name: view }).click();
    await page.locator("main h2").waitFor();
    const violations = await page.evaluate(async () =>
      (await axe.run(document)).violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    );
    assert.deepEqual(violations, [], view);
  }
  await context.close();
});
