export { compileContracts, assertSolcVersion, PINNED_SOLC_VERSION } from './compile.ts';
export type { CompileOptions, CompiledContract, CompiledPinbench } from './compile.ts';
export {
  deployPinbench,
  registerDevices,
  settleBatch,
  encodeSlot,
  decodeSlot,
  SCALAR_FIELD,
} from './deploy.ts';
export type {
  DeployOptions,
  DeployGas,
  PinbenchDeployment,
  SettlementParams,
  DeviceRegistration,
  RegisterResult,
  SettleArgs,
  SettleOptions,
  SettleResult,
} from './deploy.ts';
export { decodeContractError } from './errors.ts';
export type { ContractLike } from './errors.ts';
