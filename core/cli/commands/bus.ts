import type { Command } from 'commander';
import { CliError } from '../errors';

const protocolOption = (v: string) => {
  if (v !== 'feetech' && v !== 'dynamixel')
    throw new CliError(`--protocol must be feetech or dynamixel, got "${v}"`, 2);
  return v;
};

export function busCommands(cli: Command): void {
  const bus = cli
    .command('bus')
    .description('serial servo-bus tools: list ports, scan for motors, read positions');

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
}
