/**
 * The only layer that talks HTTP: a client for this API that takes each request's terms (may it be
 * retried, its priority, when it is due) and knows nothing of what the requests are about. It
 * imports nothing of the layers above it: `test/architecture/layers.test.ts` fails on such an import.
 */
export { openClient } from './client';
export type { ApiClient } from './client';
export type { ApiAnswer, ApiRequest, ApiStream, FileBody, FileHead, FileRequest } from './call';
export type { ClientSettings, RequestTerms } from './exchange';
export { RETRY_PAUSES } from './retry';
export {
	apiMessageOf,
	configError,
	failureOf,
	inputError,
	isNodeError,
	itemError,
	operationError,
	stoppedError,
	streamFailureError,
	unexpectedAnswerError,
} from './errors';
export type { CallSite, ErrorContext, RequestHints } from './errors';
export { redactError, redactValue } from './secrets';
