#!/usr/bin/env node
// Writes the npm packages of nixbuild-mock from release/targets.json, the release's one table
// of targets: one platform package per target (its `os`, `cpu` and `libc`, and the binary the
// release built for it), and the main package from npm/nixbuild-mock with the release's
// version, an optional dependency on every platform package at that version, and
// platforms.json, the table its binary resolver reads. npm installs only the platform package
// that matches the machine: no install script, no download.
//
// usage: node release/npm-packages.mjs --version X.Y.Z --binaries DIR --out DIR [--available-only]
//   DIR/<triple>/nixbuild-mock[.exe] is each target's binary. --available-only writes only the
//   platform packages whose binary is there (a rehearsal on one machine); without it a missing
//   binary is an error, as it is in a release.
import { parseArgs } from "node:util";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chmodSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const main = join(root, "npm", "nixbuild-mock");

/** The key binary.js computes for a machine: `linux-x64-gnu`, `darwin-arm64`, `win32-x64`. */
export function platformKey(npm) {
  const libc = { glibc: "gnu", musl: "musl" }[npm.libc] ?? "";
  return [npm.os, npm.cpu, libc].filter(Boolean).join("-");
}

/** The binary's file name on a target: Windows wants the `.exe`. */
export function binaryName(npm) {
  return npm.os === "win32" ? "nixbuild-mock.exe" : "nixbuild-mock";
}

export function readTargets() {
  return JSON.parse(readFileSync(join(root, "release", "targets.json"), "utf8")).targets;
}

function platformManifest(target, version, mainManifest) {
  const { npm } = target;
  return {
    name: npm.package,
    version,
    description: `The nixbuild-mock binary for ${target.triple}; installed by the nixbuild-mock package`,
    license: mainManifest.license,
    repository: { ...mainManifest.repository, directory: "npm" },
    os: [npm.os],
    cpu: [npm.cpu],
    ...(npm.libc ? { libc: [npm.libc] } : {}),
    files: [`bin/${binaryName(npm)}`, "README.md"],
    preferUnplugged: true,
  };
}

function platformReadme(target) {
  return `# ${target.npm.package}

The \`nixbuild-mock\` binary for \`${target.triple}\`. Do not install it directly: install
[\`nixbuild-mock\`](https://www.npmjs.com/package/nixbuild-mock), which lists this package as
an optional dependency, so npm installs it only on a matching machine (\`os\`, \`cpu\` and
\`libc\`), with no install script and no download of its own.
`;
}

/** Writes every package into `out`; returns the folders written, the main package last. */
export function writePackages({ version, binaries, out, availableOnly = false }) {
  const targets = readTargets();
  const mainManifest = JSON.parse(readFileSync(join(main, "package.json"), "utf8"));
  const written = [];
  for (const target of targets) {
    const binary = join(binaries, target.triple, binaryName(target.npm));
    if (!existsSync(binary)) {
      if (availableOnly) continue;
      throw new Error(`no binary for ${target.triple} at ${binary}`);
    }
    const folder = join(out, target.npm.package);
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(join(folder, "bin"), { recursive: true });
    const packaged = join(folder, "bin", binaryName(target.npm));
    copyFileSync(binary, packaged);
    chmodSync(packaged, 0o755);
    writeFileSync(
      join(folder, "package.json"),
      JSON.stringify(platformManifest(target, version, mainManifest), null, 2) + "\n",
    );
    writeFileSync(join(folder, "README.md"), platformReadme(target));
    written.push(folder);
  }

  const folder = join(out, mainManifest.name);
  rmSync(folder, { recursive: true, force: true });
  cpSync(main, folder, { recursive: true, filter: (path) => !path.includes("node_modules") });
  const platforms = Object.fromEntries(
    targets.map((target) => [
      platformKey(target.npm),
      { package: target.npm.package, binary: `bin/${binaryName(target.npm)}` },
    ]),
  );
  writeFileSync(join(folder, "platforms.json"), JSON.stringify(platforms, null, 2) + "\n");
  const manifest = {
    ...mainManifest,
    version,
    files: [...mainManifest.files, "platforms.json"],
    optionalDependencies: Object.fromEntries(targets.map((target) => [target.npm.package, version])),
  };
  writeFileSync(join(folder, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  written.push(folder);
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      version: { type: "string" },
      binaries: { type: "string" },
      out: { type: "string" },
      "available-only": { type: "boolean", default: false },
    },
  });
  for (const name of ["version", "binaries", "out"]) {
    if (!values[name]) {
      console.error(`npm-packages.mjs: --${name} is required (see the usage at the top of the file)`);
      process.exit(2);
    }
  }
  const folders = writePackages({
    version: values.version,
    binaries: resolve(values.binaries),
    out: resolve(values.out),
    availableOnly: values["available-only"],
  });
  for (const folder of folders) console.log(folder);
}
