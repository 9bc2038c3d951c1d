// Which nixbuild-mock binary to run: $NIXBUILD_MOCK_BIN, else the one the platform package
// for this machine installed (an optional dependency: npm installs only the one whose os,
// cpu and libc match), else a clear error naming what to do.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";

/** The variable that names a binary to run instead of the packaged one. */
export const BINARY_VARIABLE = "NIXBUILD_MOCK_BIN";

/** The platform packages published, by `platform-arch-libc`. */
const PACKAGES = {
  "linux-x64-gnu": "nixbuild-mock-linux-x64-gnu",
};

/** glibc or musl, on Linux; node's own report says which C library it runs on. */
function libc() {
  if (process.platform !== "linux") return "";
  const header = process.report?.getReport?.()?.header;
  return header?.glibcVersionRuntime ? "gnu" : "musl";
}

/** This machine, as the platform packages are named: `linux-x64-gnu`. */
export function platformKey() {
  return [process.platform, process.arch, libc()].filter(Boolean).join("-");
}

/** The path of the binary to run; throws an Error saying what to do when there is none. */
export function findBinary() {
  const named = process.env[BINARY_VARIABLE];
  if (named) return named;
  const key = platformKey();
  const name = PACKAGES[key];
  if (!name) {
    throw new Error(
      `nixbuild-mock has no binary for this platform (${key}); the published ones are ` +
        `${Object.keys(PACKAGES).join(", ")}. Build it with \`cargo install nixbuild-mock ` +
        `--features cli\` and set ${BINARY_VARIABLE} to its path.`,
    );
  }
  const require = createRequire(import.meta.url);
  let path;
  try {
    path = require.resolve(`${name}/bin/nixbuild-mock`);
  } catch {
    throw new Error(
      `the package ${name}, which holds the nixbuild-mock binary for ${key}, is not installed: ` +
        `reinstall nixbuild-mock without --omit=optional (or --no-optional), or set ` +
        `${BINARY_VARIABLE} to a nixbuild-mock binary.`,
    );
  }
  if (!existsSync(path)) {
    throw new Error(`${name} is installed but holds no binary at ${path}; set ${BINARY_VARIABLE}.`);
  }
  return path;
}
