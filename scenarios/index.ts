export { scenarioSchema, fleetGroupSchema, scenarioJsonSchema, MOTION_PROFILES } from './schema.ts';
export type { Scenario, ScenarioInput, FleetGroup } from './schema.ts';
export { loadScenarioFile, parseScenario, formatPath } from './load.ts';
