export * from './types.ts';
export { mulDown, powDown, ONE_E18 } from './fixed-point.ts';
export { GWEI, WEI_PER_TOKEN, decayFactorE18, scheduledEmissionWei, totalScheduledEmissionWei, initialEmissionWei, describeWei } from './emission.ts';
export { ACCRUAL_LIMIT_WEI, DEFAULT_MAX_SUPPLY_WEI, defaultPolicy, policyProblems, formatPolicyProblems, validatePolicy, type PolicyContext, type PolicyProblem } from './policy.ts';
export { cellOccupancy, cellUnits, deviceUnits, epochRewards, factsFromReadings, runPolicy, slashOf, type DeviceReward, type EpochRewards, type PolicyRun } from './rewards.ts';
export { applyAxes, applyAxis, parseAxisValue, parseGridAxis, tokensToWei, POLICY_AXES, POLICY_AXIS_NAMES, MAX_AXIS_VALUES, type AxisContext, type AxisValue, type PolicyAxisInfo } from './axes.ts';
export { fastEmissionWei, fastEpochRewards, fastPolicy, type FastPolicy } from './rewards-fast.ts';
export { chainPolicyOf, circuitPolicyOf, isProRata, type ChainPolicy } from './chain-policy.ts';
export { applyParamSet, formatParamSet, parseParamSet } from './param-set.ts';
