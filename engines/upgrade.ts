/**
 * Registry upgrades above the `Engine` interface (cli.md §5.20,
 * registry.md §10, Engine.pm `upgrade_registry`): decide whether the
 * registry needs upgrading, refuse what cannot be upgraded, and report
 * each step the engine runs. The SQL of each step is the engine's.
 */
import { SqlitchError } from "../core/errors.ts";
import { type Engine, type Person, REGISTRY_VERSION, REGISTRY_VERSION_NUMBER } from "./engine.ts";

/** Where upgrade messages go (core/output.ts `Output` fits). */
export interface UpgradeReporter {
  info(...parts: string[]): void;
}

function upgradeError(message: string, ident: string): SqlitchError {
  return new SqlitchError(message, { exitCode: 2, ident });
}

/**
 * A registry version as the engine's driver reports it: `1.0` for SQLite
 * and MySQL, whose drivers keep the decimal, unless the engine says
 * otherwise (`Engine.versionText`; PostgreSQL's `real` reads back as `1`).
 */
export function registryVersionText(engine: Engine, version: number): string {
  if (engine.versionText) return engine.versionText(version);
  return Number.isInteger(version) ? version.toFixed(1) : String(version);
}

/**
 * Bring an existing registry up to `REGISTRY_VERSION` (a no-op when it is
 * there): `Upgrading the Sqitch registry from {old} to {new}` before the
 * first step, `  * From {old} to {new}` before each. The versions are
 * printed as the engine names its steps (SQLite says `1.0`, not `1`).
 * A registry newer than this sqlitch is an error.
 */
export async function upgradeRegistry(
  engine: Engine,
  installer: Person,
  reporter: UpgradeReporter,
): Promise<void> {
  const version = await engine.registryVersion();
  if (version === REGISTRY_VERSION_NUMBER) return;
  if (version > REGISTRY_VERSION_NUMBER) {
    throw upgradeError(
      `Registry version is ${
        registryVersionText(engine, version)
      } but ${REGISTRY_VERSION} is the latest known. Please upgrade Sqitch.`,
      "engine",
    );
  }
  let first = true;
  await engine.upgradeRegistry(installer, (from, to) => {
    if (first) {
      reporter.info(`Upgrading the Sqitch registry from ${from} to ${REGISTRY_VERSION}`);
      first = false;
    }
    reporter.info(`  * From ${from} to ${to}`);
  });
}

/**
 * `sqitch upgrade`: say whether the registry is up to date, else upgrade
 * it. A registry that was never created cannot be upgraded (Sqitch 1.3.1
 * tries, and fails in the middle of its first script).
 */
export async function upgrade(
  engine: Engine,
  installer: Person,
  reporter: UpgradeReporter,
): Promise<void> {
  await engine.connect();
  const version = await engine.registryVersion();
  const where = engine.registryDestination;
  if (version === REGISTRY_VERSION_NUMBER) {
    reporter.info(`Registry ${where} is up-to-date at version ${REGISTRY_VERSION}`);
    return;
  }
  if (version === 0 && !(await engine.registryExists())) {
    throw upgradeError(`No registry found in ${where}. Have you ever deployed?`, "upgrade");
  }
  reporter.info(`Upgrading registry ${where} to version ${REGISTRY_VERSION}`);
  await upgradeRegistry(engine, installer, reporter);
}
