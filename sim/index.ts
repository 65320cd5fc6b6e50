// The public API of pinbench: this list is the contract with library users.
export { runScenario } from './run/run-scenario.ts';
export type { RunOptions, RunResult } from './run/run-scenario.ts';
export { runFleetOnly } from './run/fleet-only/run-fleet-only.ts';
export type { FleetOnlyOptions, FleetOnlyResult } from './run/fleet-only/run-fleet-only.ts';
export type { FleetProcessMode } from './run/fleet-placement.ts';
export { loadScenarioFile, parseScenario, scenarioJsonSchema } from '../scenarios/index.ts';
export type { Scenario, ScenarioInput } from '../scenarios/index.ts';
export type { RunReport, FleetOnlyReport } from '../reports/index.ts';
export { PinbenchError, isPinbenchError } from '../core/errors.ts';
export type { ErrorCode } from '../core/error-codes.ts';
export { REJECTION_REASONS } from '../backend/ingest/reasons.ts';
export type { RejectionReason } from '../backend/ingest/reasons.ts';
