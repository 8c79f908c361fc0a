#!/usr/bin/env node
// The `pushcut` command: the TypeScript CLI in core/cli, run through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv);
