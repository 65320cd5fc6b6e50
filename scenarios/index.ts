export { scenarioSchema, fleetGroupSchema, replayEntrySchema, isReplayEntry, scenarioJsonSchema, MOTION_PROFILES } from './schema.ts';
export type { Scenario, ScenarioInput, FleetGroup, ReplayEntry } from './schema.ts';
export { loadScenarioFile, parseScenario, parseScenarioText, formatPath } from './load.ts';
