// Library entry for plain Node: registers tsx's loader, then hands out the TypeScript API
// (sim/index.ts holds the list). TypeScript users get the types from sim/index.ts directly.
import { register } from 'tsx/esm/api';

register();
const api = await import('./sim/index.ts');

export const { runScenario, loadScenarioFile, parseScenario, scenarioJsonSchema, PinbenchError, isPinbenchError, REJECTION_REASONS } = api;
