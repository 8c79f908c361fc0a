import { parentPort, workerData } from 'node:worker_threads';
import type { ClientFrame, EventName, ServerFrame } from './contract';
import { defaultProviders } from './default-providers';
import { ApiError } from './errors';
import { eventSchemas } from './schemas';
import { Studio, type StudioOptions } from './studio';

/** Hosts the Studio in a worker thread so robot control and training never block a shell's event loop. */
const port = parentPort;
if (!port) throw new Error('studio-worker must run in a worker thread');

const { shell, version } = workerData as Pick<StudioOptions, 'shell' | 'version'>;
const studio = new Studio({ shell, version, providers: defaultProviders() });
const send = (frame: ServerFrame) => port.postMessage(frame);

for (const name of Object.keys(eventSchemas) as EventName[]) {
  studio.on(name, (payload) => send({ type: 'event', name, payload }));
}

port.on('message', async (frame: ClientFrame | { type: 'close' }) => {
  if (frame.type === 'close') {
    await studio.close();
    port.close();
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
