export { compileContracts, assertSolcVersion, PINNED_SOLC_VERSION } from './compile.ts';
export type { CompileOptions, CompiledContract, CompiledPinbench } from './compile.ts';
export {
  deployPinbench,
  registerDevices,
  SCALAR_FIELD,
  settlementConfig,
} from './deploy.ts';
export type {
  DeployOptions,
  DeployGas,
  PinbenchDeployment,
  SettlementParams,
  DeviceRegistration,
  RegisterResult,
  DeviceRegisteredEvent,
} from './deploy.ts';
export { settleBatch, claimRewards, claimGasLimit, encodeSettle, settleGasLimit, openEpoch, OPEN_EPOCH_GAS_LIMIT, depositStake, DEPOSIT_STAKE_GAS_LIMIT } from './settle.ts';
export type { SettleArgs, TxOptions, TxResult } from './settle.ts';
export { decodeContractError } from './errors.ts';
export type { ContractLike } from './errors.ts';
export { TxSender } from './tx/tx-sender.ts';
export { classifySendError } from './tx/classify.ts';
export { createFeeQuote } from './tx/fees.ts';
export type { FeeQuote, TxFees } from './tx/fees.ts';
export { realTxClock } from './tx/clock.ts';
export type { TxClock } from './tx/clock.ts';
export type { TxSenderOptions, TxSendRequest, TxSenderStats, TxTiming } from './tx/options.ts';
