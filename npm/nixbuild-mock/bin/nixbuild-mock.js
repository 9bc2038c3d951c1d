#!/usr/bin/env node
// `npx nixbuild-mock …`: the packaged binary, with these arguments, stdio and exit code.
import { spawn } from "node:child_process";
import { findBinary } from "../binary.js";

let binary;
try {
  binary = findBinary();
} catch (error) {
  console.error(`nixbuild-mock: ${error.message}`);
  process.exit(1);
}
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
// A signal sent to this shim (Ctrl-C, a CI runner's SIGTERM) reaches the mock too.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (error) => {
  console.error(`nixbuild-mock: cannot run ${binary}: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, as a shell expects: without the forwarding handler.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
