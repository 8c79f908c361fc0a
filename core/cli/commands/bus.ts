import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { openKeys } from '../keys';
import { busTimeout } from '../robot';

const protocolOption = (v: string) => {
  if (v !== 'feetech' && v !== 'dynamixel')
    throw new CliError(`--protocol must be feetech or dynamixel, got "${v}"`, 2);
  return v;
};

export function busCommands(cli: Command): void {
  const bus = cli
    .command('bus')
    .description('serial servo-bus tools: list ports, scan for motors, read positions, calibrate an arm');

  bus
    .command('ports')
    .description('list serial ports (USB servo adapters)')
    .action(async () => {
      const { listPorts } = await import('../../hardware/serial');
      const r = await listPorts();
      if (r.warning) console.error(r.warning);
      if (r.ports.length === 0)
        console.log('No serial ports found: plug in the servo adapter (and check its cable).');
      for (const p of r.ports)
        console.log(
          `${p.path}${p.byId ? `  (${p.byId})` : ''}${p.manufacturer ? `  ${p.manufacturer}` : ''}`,
        );
    });

  bus
    .command('scan <port>')
    .description('broadcast-ping every baud rate and list the motors that answer')
    .option('--protocol <p>', 'feetech or dynamixel', protocolOption, 'feetech')
    .action(async (port: string, opts: { protocol: string }) => {
      const { DynamixelBus, FeetechBus } = await import('../../hardware/serial');
      const b =
        opts.protocol === 'dynamixel'
          ? new DynamixelBus({ path: port, motors: {} })
          : new FeetechBus({ path: port, motors: {} });
      await b.open();
      try {
        const found = await b.scan({ allBauds: false });
        if (found.length === 0)
          throw new CliError(`No motor answered on ${port} at any baud rate: check power and wiring`);
        for (const f of found) {
          console.log(
            `${f.baudRate} baud: ${f.motors.map((m) => `id ${m.id}${m.model === null ? '' : ` (model ${m.model})`}`).join(', ')}`,
          );
        }
      } finally {
        await b.close();
      }
    });

  bus
    .command('read <port>')
    .description('read the present position of motors 1-6 (raw ticks)')
    .option('--protocol <p>', 'feetech or dynamixel', protocolOption, 'feetech')
    .option('--ids <ids>', 'comma-separated motor ids', '1,2,3,4,5,6')
    .action(async (port: string, opts: { protocol: string; ids: string }) => {
      const { DynamixelBus, FeetechBus } = await import('../../hardware/serial');
      const ids = opts.ids.split(',').map((x) => Number(x.trim()));
      if (ids.some((i) => !Number.isInteger(i) || i < 0 || i > 252))
        throw new CliError(`--ids must be motor ids 0..252, got "${opts.ids}"`, 2);
      const motors = Object.fromEntries(ids.map((id) => [`m${id}`, { id }]));
      const b =
        opts.protocol === 'dynamixel'
          ? new DynamixelBus({ path: port, motors })
          : new FeetechBus({ path: port, motors });
      await b.open();
      try {
        const pos = await b.syncRead('Present_Position', Object.keys(motors));
        for (const [name, v] of Object.entries(pos)) console.log(`motor ${name.slice(1)}: ${v}`);
      } finally {
        await b.close();
      }
    });

  bus
    .command('calibrate <port>')
    .description(
      "LeRobot's guided calibration: middle pose, then every joint through its range; writes the calibration JSON",
    )
    .option('--protocol <p>', 'feetech (SO-101/SO-100) or dynamixel (Koch)', protocolOption, 'feetech')
    .option('--leader', 'the arm is a leader arm (teleoperator), not a follower')
    .option('--id <id>', "the arm's LeRobot id (names its default calibration file)", 'default')
    .option('-o, --out <file>', "calibration file to write (default: LeRobot's file for --id)")
    .option('--bus-timeout <ms>', 'extra wait per packet (slow USB adapters, a busy machine)', busTimeout)
    .action(
      async (
        port: string,
        opts: { protocol: string; leader?: boolean; id: string; out?: string; busTimeout?: number },
      ) => {
        if (!existsSync(port))
          throw new CliError(
            `No serial port at ${port}: plug in the arm's USB adapter, then find its path with \`pushcut bus ports\``,
          );
        const serial = await import('../../hardware/serial');
        const armOpts = {
          port,
          id: opts.id,
          ...(opts.out ? { calibrationFile: resolve(opts.out) } : {}),
          ...(opts.busTimeout !== undefined ? { extraTimeoutMs: opts.busTimeout } : {}),
        };
        const koch = opts.protocol === 'dynamixel';
        const arm = opts.leader
          ? new (koch ? serial.KochLeader : serial.SO101Leader)(armOpts)
          : new (koch ? serial.KochFollower : serial.SO101Follower)(armOpts);
        try {
          await arm.connect();
        } catch (err) {
          await arm.close().catch(() => undefined);
          throw new CliError(
            `Could not open the arm on ${port}: ${err instanceof Error ? err.message : String(err)} (check power and --protocol; \`pushcut bus scan ${port}\` lists the motors that answer)`,
          );
        }
        const keys = openKeys();
        const enter = async (what: string) => {
          for (;;) {
            const k = await keys.next();
            if (k === 'enter') return;
            if (k === null || k === 'q' || k === 'esc')
              throw new CliError(`Calibration cancelled ${what}; nothing was written`, 130);
          }
        };
        const interrupted = new Promise<never>((_, reject) =>
          process.once('SIGINT', () =>
            reject(new CliError('Calibration cancelled (Ctrl-C); nothing was written', 130)),
          ),
        );
        interrupted.catch(() => undefined);
        try {
          const flow = arm.calibrate();
          const first = await flow.start();
          console.log(`${first.message} Press Enter.`);
          await Promise.race([enter('before the middle pose'), interrupted]);
          await flow.setMiddle();
          const rec = await flow.startRangeRecording();
          console.log(`${rec.message} Press Enter when every joint has been to both ends.`);
          const sampler = setInterval(() => {
            flow
              .sample()
              .then((r) => {
                if (process.stdout.isTTY) {
                  const line = Object.entries(r)
                    .map(([m, v]) => `${m} ${v.min}..${v.max}`)
                    .join('  ');
                  process.stdout.write(`\r${line.slice(0, (process.stdout.columns ?? 120) - 1)}`);
                }
              })
              .catch(() => undefined);
          }, 50);
          try {
            for (;;) {
              await Promise.race([enter('while recording ranges'), interrupted]);
              try {
                await flow.sample();
                await flow.finish();
                break;
              } catch (err) {
                // a joint that barely moved: say which, keep recording, let the person finish again
                console.error(err instanceof Error ? err.message : String(err));
              }
            }
          } finally {
            clearInterval(sampler);
          }
          if (process.stdout.isTTY) process.stdout.write('\n');
          for (const [m, c] of Object.entries(arm.calibration ?? {}))
            console.log(
              `${m.padEnd(14)} id ${c.id}  homing ${c.homing_offset}  range ${c.range_min}..${c.range_max}`,
            );
          console.log(`Calibration saved in ${arm.calibrationFile}`);
        } finally {
          keys.close();
          await arm.close();
        }
      },
    );
}
