// Runs a virtual servo bus (or a raw echo responder) in its own process, so the bench measures the
// driver's side and the emulator does not share its event loop. (Not a worker thread: serialport's
// native poller aborts the process when ports are open in two threads.)
// Usage: tsx bench/bus-worker.ts <feetech|dynamixel|echo> [replyBytes]; prints the device path, stops on stdin EOF.
import { SerialPort } from 'serialport';
import { PtyPair } from '../core/hardware/virtual/servo-bus/pty-pair';
import { VirtualServoBus } from '../core/hardware/virtual/servo-bus/virtual-servo-bus';

const mode = process.argv[2] as 'feetech' | 'dynamixel' | 'echo';
const replyBytes = Number(process.argv[3] ?? 0);
const onStop = (fn: () => Promise<void>) => {
  process.stdin.resume();
  process.stdin.on('end', () => void fn().then(() => process.exit(0)));
};

if (mode === 'echo') {
  // Answers every request of any size with `replyBytes` bytes: the transport floor.
  const pty = await PtyPair.create();
  const port = new SerialPort({ path: pty.a, baudRate: 1_000_000 });
  await new Promise((r) => port.once('open', r));
  const reply = Buffer.alloc(replyBytes, 0x55);
  port.on('data', () => port.write(reply));
  console.log(pty.b);
  onStop(async () => {
    port.close();
    await pty.close();
  });
} else {
  const v = await VirtualServoBus.start({ protocol: mode });
  console.log(v.devicePath);
  onStop(() => v.stop());
}
