#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx's loader, so there is no build step between
// `npm ci` and `npx pinbench`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/cli.ts');
process.exitCode = await main(process.argv.slice(2));
