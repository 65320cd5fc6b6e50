import { errorText, nodeMessage } from './rpc.ts';

/** Node answers that mean "there is already a transaction at this nonce": let the confirmation loop decide. */
const KNOWN = /already (imported|known)|known transaction|transaction already exists|nonce (is )?too low|replacement transaction underpriced|NONCE_EXPIRED|REPLACEMENT_UNDERPRICED/i;
/** Node answers the same bytes can never get past. */
const REJECTED = /insufficient funds|intrinsic gas too low|exceeds block gas limit|gas limit reached|invalid sender|invalid chain ?id|incorrect chain ?id|oversized data|tip above fee cap|max priority fee per gas higher than max fee per gas|INSUFFICIENT_FUNDS/i;

/**
 * 'known': the node has a transaction at this nonce; 'rejected': the same bytes will never pass;
 * else retry. Re-sending the same signed bytes is harmless, so anything unrecognised is retried.
 */
export function classifySendError(error: unknown): 'known' | 'rejected' | 'transient' {
  const text = [
    (error as { code?: unknown })?.code,
    errorText(error),
    nodeMessage(error),
  ].filter((s) => typeof s === 'string').join(' ');
  if (KNOWN.test(text)) return 'known';
  if (REJECTED.test(text)) return 'rejected';
  return 'transient';
}
