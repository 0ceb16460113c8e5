import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project's root: the nearest folder above this module holding the state machines.
 * Found by walking up, so it is right both from the sources and from a bundle under `.local/`.
 */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'statemachine', 'provision-tenant.asl.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the tenant-provisioner project above ${from}`);
    dir = parent;
  }
}

/** Where `tenantctl --local` keeps its state (emulator record, executions): TENANTCTL_STATE_DIR, else `.local/` in the project. */
export function localStateDir(env: NodeJS.ProcessEnv): string {
  return env.TENANTCTL_STATE_DIR?.trim() || join(projectRoot(), '.local');
}

/** The local executions' file store in a state directory. */
export function executionsStore(stateDir: string): string {
  return join(stateDir, 'executions');
}
