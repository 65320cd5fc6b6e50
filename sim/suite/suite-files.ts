import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PinbenchError } from '../../core/errors.ts';

const SCENARIO_FILE = /\.ya?ml$/i;

/**
 * The scenario files of `pinbench test <folder|files…>`, in the order they run: a folder gives
 * its `*.yaml` and `*.yml` files sorted by name (not its subfolders: a suite's folder can keep
 * routes, captures or scenarios of another suite beside it), a file is taken as given, in the
 * order given. A file named twice runs once. Nothing found is bad input: nothing would run.
 */
export function suiteFiles(targets: readonly string[]): string[] {
  if (targets.length === 0) {
    throw new PinbenchError('CLI_ARGS_INVALID', 'give a folder of scenarios or scenario files: `pinbench test scenarios/ci-suite`');
  }
  const files: string[] = [];
  for (const target of targets) {
    let isFolder: boolean;
    try {
      isFolder = statSync(target).isDirectory();
    } catch {
      throw new PinbenchError('CLI_ARGS_INVALID', `${target}: no such file or folder; give a folder of scenarios or scenario files`);
    }
    if (!isFolder) {
      files.push(target);
      continue;
    }
    const found = readdirSync(target, { withFileTypes: true })
      .filter((entry) => entry.isFile() && SCENARIO_FILE.test(entry.name))
      .map((entry) => entry.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (found.length === 0) {
      throw new PinbenchError('CLI_ARGS_INVALID', `${target}: no scenario files (*.yaml, *.yml) in this folder; subfolders are not searched`);
    }
    files.push(...found.map((name) => join(target, name)));
  }
  return [...new Set(files)];
}
