import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fileCycles, folderCycles, importGraph, ruleBreaks, type RoomRules } from './import-graph.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ROOMS = ['bin', 'sim', 'backend', 'protocol', 'devices', 'circuits', 'contracts', 'scenarios', 'reports', 'core'];

/**
 * Which rooms each room may import (docs/architecture.md, "Rooms"): dependencies point one way,
 * from the bench at the top down to core/. The backend knows a device only through protocol/
 * and its directory, never through the bench or the device models.
 */
const RULES: RoomRules = {
  core: [],
  protocol: ['core'],
  circuits: ['core'],
  contracts: ['core'],
  devices: ['core', 'protocol'],
  scenarios: ['core', 'protocol', 'devices'],
  reports: ['core'],
  backend: ['core', 'protocol', 'circuits', 'contracts'],
  sim: ['core', 'protocol', 'backend', 'devices', 'circuits', 'contracts', 'scenarios', 'reports'],
  bin: ['sim'],
};

describe('dependency rule', () => {
  const edges = importGraph(REPO, ROOMS);

  it('behavior: every room imports only the rooms below it', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(ruleBreaks(edges, RULES)).toEqual([]);
  });

  it('behavior: no import cycles between files, nor between folders', () => {
    expect(fileCycles(edges)).toEqual([]);
    expect(folderCycles(edges)).toEqual([]);
  });

  it('error: a backend file that imports the bench, and a cycle, are reported (fakes)', () => {
    const fake = [
      { from: 'backend/ingest/ingest.ts', to: 'sim/run/run-scenario.ts' },
      { from: 'backend/ingest/ingest.ts', to: 'protocol/index.ts' },
      { from: 'sim/a/x.ts', to: 'sim/b/y.ts' },
      { from: 'sim/b/y.ts', to: 'sim/c/z.ts' },
      { from: 'sim/c/z.ts', to: 'sim/a/w.ts' },
      { from: 'sim/a/w.ts', to: 'sim/a/x.ts' },
      { from: 'sim/a/x.ts', to: 'sim/a/w.ts' },
      { from: 'sim/index.ts', to: 'sim/a/x.ts' },
      { from: 'sim/a/x.ts', to: 'sim/paths.ts' },
    ];
    expect(ruleBreaks(fake, RULES)).toEqual(['backend/ingest/ingest.ts → sim/run/run-scenario.ts']);
    expect(folderCycles(fake)).toEqual(['sim/a → sim/b → sim/c → sim/a']);
    expect(fileCycles(fake)).toEqual(['sim/a/w.ts → sim/a/x.ts → sim/a/w.ts', 'sim/a/w.ts → sim/a/x.ts → sim/b/y.ts → sim/c/z.ts → sim/a/w.ts']);
  });
});
