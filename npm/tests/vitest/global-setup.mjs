// vitest's globalSetup: one mock for the whole run, its connection provided to every test
// file (vitest.config.mjs: `globalSetup: ["./global-setup.mjs"]`).
import { startMock } from "nixbuild-mock";

export default async function setup({ provide }) {
  const mock = await startMock();
  provide("nixbuildMock", mock.connection());
  return () => mock.stop();
}
