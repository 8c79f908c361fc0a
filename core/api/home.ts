import { homedir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from './errors';

/** Where the app keeps datasets, runs and calibrations: $PUSHCUT_HOME, else ~/.pushcut. */
export function studioHome(): string {
  return process.env.PUSHCUT_HOME ?? join(homedir(), '.pushcut');
}

const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

/** A dataset or run name that is safe as a folder name (no paths, no dot-dot). */
export function checkName(kind: string, name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new ApiError(
      'invalid_args',
      `${kind} name "${name}" is not allowed: use letters, digits, '-', '_' or '.', up to 64 characters`,
      'name',
    );
  }
  return name;
}

export const datasetsDir = (): string => join(studioHome(), 'datasets');
export const runsDir = (): string => join(studioHome(), 'runs');
