import loadMujoco, { type MainModule, type MjData, type MjModel } from 'mujoco-js';

export type Mujoco = MainModule;
export type { MjData, MjModel };

let loading: Promise<Mujoco> | null = null;
/** Lines MuJoCo printed while loading the last model (parse errors go to stdout, not an exception). */
let printed: string[] = [];

/** The MuJoCo WebAssembly module, loaded once per thread. */
export function getMujoco(): Promise<Mujoco> {
  if (!loading) {
    loading = loadMujoco({
      print: (s: string) => printed.push(s),
      printErr: (s: string) => printed.push(s),
    }).then((m) => {
      ensureDir(m);
      return m;
    });
  }
  return loading;
}

/** An MJCF document MuJoCo refused; `mujocoMessage` is MuJoCo's own text. */
export class MjcfError extends Error {
  constructor(
    readonly mujocoMessage: string,
    readonly modelName: string,
  ) {
    super(
      `MuJoCo could not load the MJCF model "${modelName}": ${mujocoMessage.trim()} (fix the MJCF and try again)`,
    );
    this.name = 'MjcfError';
  }
}

let fileCounter = 0;

/** The scratch folder for MJCF files in MuJoCo's in-memory file system (also for modules loaded elsewhere). */
function ensureDir(mujoco: Mujoco): void {
  try {
    mujoco.FS.mkdir('/pushcut');
  } catch {
    // already there
  }
}

/**
 * MuJoCo's XML/compiler errors are C++ objects whose first member is the message text. The
 * typed-array views (e.g. a DoubleBuffer) share the WebAssembly heap, so the text can be read there.
 */
function cppErrorText(mujoco: Mujoco, err: unknown): string | null {
  const ptr = (err as { excPtr?: unknown })?.excPtr;
  if (typeof ptr !== 'number') return null;
  const buf = new mujoco.DoubleBuffer(1);
  try {
    const heap = new Uint8Array((buf.GetView() as Float64Array).buffer);
    let end = ptr;
    while (end < heap.length && end < ptr + 1000 && heap[end] !== 0) end++;
    return new TextDecoder().decode(heap.subarray(ptr, end));
  } finally {
    buf.delete();
  }
}

/** Load an MJCF string into a fresh MjModel + MjData (free both with `.delete()`). */
export function loadMjcf(mujoco: Mujoco, xml: string, modelName = 'model'): { model: MjModel; data: MjData } {
  ensureDir(mujoco);
  const path = `/pushcut/${modelName.replace(/[^A-Za-z0-9_-]/g, '_')}-${fileCounter++}.xml`;
  mujoco.FS.writeFile(path, xml);
  printed = [];
  let model: MjModel | null;
  try {
    model = mujoco.MjModel.loadFromXML(path);
  } catch (err) {
    const text = cppErrorText(mujoco, err) || printed.join('\n') || String(err);
    throw new MjcfError(text, modelName);
  } finally {
    mujoco.FS.unlink(path);
  }
  if (!model) {
    const text = printed.join('\n').trim();
    throw new MjcfError(
      text || 'the XML is not well-formed (MuJoCo printed the parser error to stdout)',
      modelName,
    );
  }
  const data = new mujoco.MjData(model);
  return { model, data };
}
