import cliProgress from 'cli-progress';

/** A progress bar with ETA on a terminal; plain lines when output is piped (CI, logs). */
export function progressBar(label: string, total: number) {
  if (!process.stderr.isTTY) {
    let last = -1;
    return {
      update(done: number, info = '') {
        const pct = Math.floor((100 * done) / Math.max(1, total));
        if (pct >= last + 10 || done === total) {
          last = pct;
          console.error(`${label}: ${done}/${total} (${pct}%) ${info}`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} · ETA {eta_formatted} · {info}`, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { info: '' });
  return {
    update: (done: number, info = '') => bar.update(done, { info }),
    stop: () => bar.stop(),
  };
}

/** An AbortSignal that Ctrl-C triggers once (a second Ctrl-C exits at once). */
export function interruptSignal(): AbortSignal {
  const ctl = new AbortController();
  process.once('SIGINT', () => {
    console.error('\nStopping after the current step (Ctrl-C again to quit now)…');
    ctl.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  return ctl.signal;
}
