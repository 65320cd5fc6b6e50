import { createHash } from 'node:crypto';
import type { Scenario } from '../../scenarios/index.ts';
import { planFleet } from '../fleet/fleet-plan.ts';

/** One MQTT login a broker must know. */
export interface BrokerLogin {
  readonly username: string;
  readonly password: string;
}

/** The username pinbench's backend logs in with when it is a client of the team's broker. */
export const BACKEND_USERNAME = 'pinbench-backend';

/**
 * Every login a team's broker needs for a scenario: each virtual device's (username = client id
 * = IMEI, the password the fleet uses) and the backend's own. All follow from the scenario and
 * its seed, so `pinbench provision` writes the same credentials each time, and a run of the
 * same scenario logs in with them.
 */
export function brokerLogins(scenario: Scenario, scenarioDir: string): { devices: BrokerLogin[]; backend: BrokerLogin } {
  const plan = planFleet(scenario, { scenarioDir, startMs: Date.UTC(2026, 0, 1) });
  const devices = plan.devices.map(({ spec }) => ({ username: spec.id, password: spec.password }));
  const backend = { username: BACKEND_USERNAME, password: createHash('sha256').update(`pinbench/backend-password/${scenario.seed}/${scenario.name}`).digest('base64url').slice(0, 24) };
  return { devices, backend };
}
