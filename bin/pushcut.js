#!/usr/bin/env node
// The `pushcut` command: the TypeScript CLI in core/cli, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
// Exit once the command is done, after its output is flushed: a native thread pool or an open
// stdin must not keep a finished command alive.
const code = await main(process.argv);
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((r) => s.write('', r))));
process.exit(code);
