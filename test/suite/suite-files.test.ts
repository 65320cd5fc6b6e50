import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteFiles } from '../../sim/suite/suite-files.ts';

function folder(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pinbench-suite-files-'));
  for (const name of names) writeFileSync(join(dir, name), 'name: x\n');
  return dir;
}

describe('suiteFiles: what `pinbench test` runs, in order', () => {
  it('behavior: a folder gives its *.yaml and *.yml files sorted by name; other files and subfolders are left out', () => {
    const dir = folder(['b.yml', 'a.yaml', 'notes.md', 'C.YAML', 'route.gpx']);
    mkdirSync(join(dir, 'sub.yaml'));
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'deep.yaml'), 'name: y\n');
    expect(suiteFiles([dir])).toEqual([join(dir, 'C.YAML'), join(dir, 'a.yaml'), join(dir, 'b.yml')]);
  });

  it('behavior: files run in the order given, a file named twice runs once', () => {
    const dir = folder(['a.yaml', 'b.yaml']);
    const [a, b] = [join(dir, 'a.yaml'), join(dir, 'b.yaml')];
    expect(suiteFiles([b, a, b])).toEqual([b, a]);
    expect(suiteFiles([b, dir])).toEqual([b, a]);
  });

  it('error: nothing to run is bad input, said in one line', () => {
    expect(() => suiteFiles([])).toThrow('give a folder of scenarios or scenario files: `pinbench test scenarios/ci-suite`');
    expect(() => suiteFiles(['/nonexistent/suite'])).toThrow('/nonexistent/suite: no such file or folder; give a folder of scenarios or scenario files');
    const empty = folder(['readme.md']);
    expect(() => suiteFiles([empty])).toThrow(`${empty}: no scenario files (*.yaml, *.yml) in this folder; subfolders are not searched`);
  });
});
