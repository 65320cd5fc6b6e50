export { compileContracts, assertSolcVersion, PINNED_SOLC_VERSION } from './compile.ts';
export type { CompileOptions, CompiledContract, CompiledPinbench } from './compile.ts';
export {
  deployPinbench,
  registerDevices,
  SCALAR_FIELD,
} from './deploy.ts';
export type {
  DeployOptions,
  DeployGas,
  PinbenchDeployment,
  SettlementParams,
  DeviceRegistration,
  RegisterResult,
} from './deploy.ts';
export { settleBatch, claimRewards, claimGasLimit, encodeSettle, settleGasLimit } from './settle.ts';
export type { SettleArgs, TxOptions, TxResult } from './settle.ts';
export { decodeContractError } from './errors.ts';
export type { ContractLike } from './errors.ts';
export { TxSender, classifySendError, realTxClock } from './tx-sender.ts';
export type { TxSenderOptions, TxSendRequest, TxSenderStats, TxTiming, TxClock, TxFees } from './tx-sender.ts';
