/**
 * The release build's entry point (scripts/bundle.ts bundles from here): the
 * program of main.ts, with the lazily imported modules given to
 * io/lazy_import.ts as literal imports, so that the bundler includes each as
 * a chunk loaded only when it runs.
 */
import { useBundledModules } from "./lazy_import.ts";
import { LAZY_MODULES } from "./lazy_modules.ts";

useBundledModules(LAZY_MODULES);
const { runCli } = await import("../main.ts");
await runCli();
