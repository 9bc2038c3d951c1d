// Which nixbuild-mock binary to run: $NIXBUILD_MOCK_BIN, else the one the platform package
// for this machine installed (an optional dependency: npm installs only the one whose os,
// cpu and libc match), else an error that names the platform, the package that should have
// come with this one, and how to get a binary.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";

const require = createRequire(import.meta.url);
/**
 * The platform packages of this release by platform key (`linux-x64-gnu`): written from
 * release/targets.json, the release's one table of targets, when the package is made
 * (release/npm-packages.mjs), so this resolver and the packages published cannot disagree.
 */
const PLATFORMS = require("./platforms.json");
const { version: VERSION } = require("./package.json");

/** The variable that names a binary to run instead of the packaged one. */
export const BINARY_VARIABLE = "NIXBUILD_MOCK_BIN";

/** glibc or musl, on Linux; node's own report says which C library it runs on. */
function libc() {
  if (process.platform !== "linux") return "";
  const header = process.report?.getReport?.()?.header;
  return header?.glibcVersionRuntime ? "gnu" : "musl";
}

/** A machine as the platform packages are keyed: `linux-x64-gnu`, `darwin-arm64`, `win32-x64`. */
export function platformKey(platform = process.platform, arch = process.arch, cLibrary = libc()) {
  return [platform, arch, cLibrary].filter(Boolean).join("-");
}

/** The platform package for a key and the binary's path inside it, or undefined. */
export function platformPackage(key = platformKey()) {
  return Object.hasOwn(PLATFORMS, key) ? PLATFORMS[key] : undefined;
}

const BUILD_ONE = `build one with \`cargo install nixbuild-mock --features cli\` and set ${BINARY_VARIABLE} to its path`;

/** The path of the binary to run; throws an Error saying what to do when there is none. */
export function findBinary() {
  const named = process.env[BINARY_VARIABLE];
  if (named) return named;
  const key = platformKey();
  const platform = platformPackage(key);
  if (!platform) {
    throw new Error(
      `nixbuild-mock has no binary for this platform (${key}); the packaged ones are ` +
        `${Object.keys(PLATFORMS).join(", ")}: ${BUILD_ONE}.`,
    );
  }
  const wanted = `${platform.package}@${VERSION}`;
  let path;
  try {
    path = require.resolve(`${platform.package}/${platform.binary}`);
  } catch {
    throw new Error(
      `the nixbuild-mock binary for this platform (${key}) comes in the package ${wanted}, ` +
        `an optional dependency of nixbuild-mock that is not installed. npm leaves one out when ` +
        `optional dependencies are omitted (--omit=optional, omit=optional in an .npmrc, ` +
        `NPM_CONFIG_OMIT) or when a lockfile written on another platform does not list it. ` +
        `Install it: \`npm install --save-dev ${wanted}\`; or ${BUILD_ONE}.`,
    );
  }
  if (!existsSync(path)) {
    throw new Error(`${wanted} is installed but holds no binary at ${path}: reinstall it, or ${BUILD_ONE}.`);
  }
  return path;
}
