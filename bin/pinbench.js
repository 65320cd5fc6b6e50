#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx's loader, so there is no build step between
// `npm ci` and `npx pinbench`.
import { register } from 'tsx/esm/api';

register();
// React's development build (the live view) costs twice the CPU per frame; nothing else here reads NODE_ENV.
process.env.NODE_ENV ??= 'production';
const { main } = await import('../sim/cli.ts');
process.exitCode = await main(process.argv.slice(2));
