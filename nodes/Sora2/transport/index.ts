/**
 * The only layer that talks HTTP. It imports nothing of the layers above it (helpers, actions):
 * `test/architecture/layers.test.ts` fails on such an import.
 */
export { createSora2Client } from './client';
export type { Sora2Client } from './client';
export type { ApiAnswer, ApiCall } from './call';
export type { ApiStream } from './apiStream';
export type { BinaryBody } from './download';
export type { CallSite, ErrorContext } from './errors';
export { cancelledError, streamFailureError, unexpectedAnswerError } from './errors';
export { apiMessageOf } from './errorBody';
export type { ClientSettings } from './exchange';
export { CREDENTIAL_TYPE } from './exchange';
export { failureOf } from './failure';
export { redactError, redactValue } from './redact';
export { RETRY_PAUSES } from './retry';
export type { RetrySettings } from './retry';
export { settle } from './settle';
export type { Settled } from './settle';
export { StopScope } from './stopScope';
