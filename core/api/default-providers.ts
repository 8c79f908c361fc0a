import type { RobotProvider } from './providers';

/** The robot backends this build offers. */
export function defaultProviders(): RobotProvider[] {
  return [];
}
