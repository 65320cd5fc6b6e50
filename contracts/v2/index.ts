/** Public API of the v2 settlement (issue 5). */
export { compileContractsV2 } from './compile.ts';
export type { CompiledPinbenchV2 } from './compile.ts';
export { deployPinbenchV2, settleBatchV2, claimRewardsV2 } from './settle.ts';
export type { SettleArgsV2, TxOptions, TxResult } from './settle.ts';
