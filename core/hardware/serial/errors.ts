import { RobotError } from '../robot';

export type BusErrorCode =
  | 'timeout'
  | 'motor-fault'
  | 'disconnected'
  | 'not-open'
  | 'permission'
  | 'no-port'
  | 'open-failed'
  | 'bad-register'
  | 'bad-value'
  | 'motors-missing';

/** A bus error naming, where known, the port, motor, register and fault. */
export class BusError extends RobotError {
  constructor(
    message: string,
    override readonly code: BusErrorCode,
    fix?: string,
    readonly details: {
      motor?: string;
      id?: number;
      register?: string;
      faults?: string[];
      path?: string;
    } = {},
  ) {
    super(message, code, fix);
    this.name = 'BusError';
  }
}

/** The usual fix for a serial port the user may not open. */
export const PERMISSION_FIX =
  'add yourself to the dialout group: `sudo usermod -aG dialout $USER`, then log out and back in; or add a udev rule such as ' +
  '`SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", MODE="0666"` to /etc/udev/rules.d/99-servo-bus.rules and run ' +
  '`sudo udevadm control --reload-rules && sudo udevadm trigger`';

/** Turn an error from opening a serial port into one that says what to do. */
export function explainOpenError(path: string, err: unknown): BusError {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string } | null)?.code;
  if (code === 'EACCES' || /permission denied|EACCES/i.test(msg)) {
    return new BusError(`Permission denied opening ${path}`, 'permission', PERMISSION_FIX, { path });
  }
  if (code === 'ENOENT' || /no such file|ENOENT/i.test(msg)) {
    return new BusError(
      `Serial port ${path} does not exist`,
      'no-port',
      'plug the arm in and power it, then pick its port from the port list (`pushcut bus ports`)',
      { path },
    );
  }
  if (/EBUSY|resource busy|Cannot lock port/i.test(msg)) {
    return new BusError(
      `Serial port ${path} is in use by another program`,
      'open-failed',
      'close the other program using it (another Studio window, a LeRobot script, a serial monitor)',
      { path },
    );
  }
  return new BusError(`Could not open ${path}: ${msg}`, 'open-failed', 'check the cable and try again', {
    path,
  });
}
