import type { ClientFrame, EventName, ServerFrame } from './contract';
import { defaultProviders } from './default-providers';
import { ApiError } from './errors';
import { eventSchemas } from './schemas';
import { Studio, type StudioOptions } from './studio';

/**
 * Hosts the Studio in its own process, so robot control and training never block a shell's event
 * loop. A process rather than a worker thread: serialport's native binding only works on a
 * process's main thread.
 */
if (!process.send) throw new Error('studio-host must be started by StudioClient (it talks over IPC)');
const send = (frame: ServerFrame) => {
  if (process.connected) process.send?.(frame);
};

const { shell, version } = JSON.parse(process.env.PUSHCUT_STUDIO ?? '{}') as Pick<
  StudioOptions,
  'shell' | 'version'
>;
const studio = new Studio({
  shell: shell ?? 'web',
  version: version ?? '0.0.0',
  providers: defaultProviders(),
});

for (const name of Object.keys(eventSchemas) as EventName[]) {
  studio.on(name, (payload) => send({ type: 'event', name, payload }));
}

const shutdown = async () => {
  await studio.close().catch(() => undefined);
  process.exit(0);
};
// The shell went away (crash or close): stop the robot loop and release devices.
process.on('disconnect', () => void shutdown());

process.on('message', async (frame: ClientFrame | { type: 'close' }) => {
  if (frame.type === 'close') {
    await shutdown();
    return;
  }
  try {
    // biome-ignore lint/suspicious/noExplicitAny: the Studio validates the arguments itself
    const value = await studio.invoke(frame.command as any, frame.args as any);
    send({ type: 'result', id: frame.id, ok: true, value });
  } catch (err) {
    send({ type: 'result', id: frame.id, ok: false, error: ApiError.from(err).toShape() });
  }
});
