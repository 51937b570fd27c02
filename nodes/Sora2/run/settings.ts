import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { BINARY_PROPERTY_NAME, MAX_CONCURRENCY, MAX_REQUESTS_PER_MINUTE, MAX_RETRIES, MAX_WAIT_SECONDS, POLL_INTERVAL_SECONDS, REQUEST_TIMEOUT_SECONDS } from '../config/defaults';
import { numberOf } from '../shared/values';
import { TaskLedger } from '../task/ledger';
import { TaskMemory } from '../task/memory';
import type { MemoryStore } from '../task/memory';
import { TaskReader } from '../task/reader';
import { GenerationTimes } from '../task/schedule';
import type { WaitSettings } from '../task/wait';
import { RETRY_PAUSES, inputError, openClient } from '../transport';
import type { ApiClient, ClientSettings } from '../transport';

/*
 * What one node run shares, and the fields several operations read the same way, each checked
 * before any request is sent.
 */

/**
 * What every item of one node run shares: the n8n context, the API client, task reading, the ledger
 * of created tasks, the memory of tasks earlier executions created, what the run learns of how long
 * tasks take, and whether it has a budget.
 */
export interface Run {
	fn: IExecuteFunctions;
	client: ApiClient;
	reader: TaskReader;
	ledger: TaskLedger;
	memory: TaskMemory;
	times: GenerationTimes;
	/** Max Requests per Minute is set. */
	budgeted: boolean;
}

/** Opens a run: reads the run-wide Options and the credential (nothing is sent yet). */
export async function openRun(fn: IExecuteFunctions, timeoutSeconds?: number): Promise<Run> {
	const settings = readClientSettings(fn, timeoutSeconds);
	const client = await openClient(fn, settings);
	const budgeted = settings.maxRequestsPerMinute !== undefined;
	return { fn, client, reader: new TaskReader(client), ledger: new TaskLedger(fn), memory: openMemory(fn), times: new GenerationTimes(), budgeted };
}

/**
 * The node's memory of created tasks (task/memory.ts), in two places n8n keeps for it:
 * - the execution context of the node (`getContext('node')`), stored with the execution's data: a
 *   retry of the execution starts from that data (execution.service `retry`: `executionData:
 *   execution.data`, with either Retry button, and on a worker in queue mode), and runs the node at
 *   the run index that failed;
 * - the workflow static data of the node, for Unique Keys: n8n saves it after every execution but
 *   a manual one (execution-lifecycle-hooks: `!isManualMode`), so a manual run neither reads nor
 *   writes it. A retry with the original workflow gets a blank one (the execution's workflow
 *   snapshot has no static data), which n8n would save over the workflow's: a retry writes only to a
 *   store that already holds the node's list.
 */
function openMemory(fn: IExecuteFunctions): TaskMemory {
	const mode = fn.getMode();
	return new TaskMemory({
		executionId: fn.getExecutionId(),
		runIndex: () => numberOrZero(fn.getWorkflowDataProxy(0).$runIndex),
		openExecution: () => executionContextOf(fn),
		openWorkflow: mode === 'manual' ? undefined : () => fn.getWorkflowStaticData('node') as MemoryStore,
		workflowListRequired: mode === 'retry',
	});
}

/** The node's context in the execution's data; a context without execution data (none is known) keeps the list for this run only. */
function executionContextOf(fn: IExecuteFunctions): MemoryStore {
	try {
		return fn.getContext('node') as MemoryStore;
	} catch {
		fn.logger.debug('Sora2: no execution context for this node run: tasks are remembered for this run only');
		return {};
	}
}

function numberOrZero(value: unknown): number {
	return typeof value === 'number' && Number.isInteger(value) ? value : 0;
}

function readNumber(fn: IExecuteFunctions, name: string, label: string, itemIndex: number, fallback: number): number {
	const value = fn.getNodeParameter(name, itemIndex, fallback) as unknown;
	const number = numberOf(value);
	if (typeof number !== 'number' || !Number.isFinite(number)) {
		throw inputError(fn.getNode(), itemIndex, `${label} must be a number, got ${JSON.stringify(value)}`, `Enter a number in "${label}".`);
	}
	return number;
}

/** The Wait for Completion fields of one item (n8n fills in each operation's own default for the switch). */
export function readWaitSettings(fn: IExecuteFunctions, itemIndex: number): WaitSettings {
	const node = fn.getNode();
	const wait = fn.getNodeParameter('waitForCompletion', itemIndex) as boolean;
	if (!wait) return { wait, pollIntervalMs: 0, maxWaitMs: 0, download: false, binaryPropertyName: BINARY_PROPERTY_NAME };
	const pollInterval = readNumber(fn, 'pollInterval', 'Poll Interval (Seconds)', itemIndex, POLL_INTERVAL_SECONDS);
	if (pollInterval <= 0) {
		throw inputError(node, itemIndex, `Poll Interval must be more than 0 seconds, got ${pollInterval}`, `Set "Poll Interval (Seconds)" to 5 or more; ${POLL_INTERVAL_SECONDS} is a good start.`);
	}
	const maxWait = readNumber(fn, 'maxWait', 'Max Wait (Seconds)', itemIndex, MAX_WAIT_SECONDS);
	if (maxWait < pollInterval) {
		throw inputError(node, itemIndex, `Max Wait (${maxWait} s) is shorter than the Poll Interval (${pollInterval} s)`, `Raise "Max Wait (Seconds)" (videos take minutes; ${MAX_WAIT_SECONDS} is a good start) or lower "Poll Interval".`);
	}
	const download = fn.getNodeParameter('downloadVideo', itemIndex, false) as boolean;
	const binaryPropertyName = download ? String(fn.getNodeParameter('binaryPropertyName', itemIndex, BINARY_PROPERTY_NAME)).trim() : BINARY_PROPERTY_NAME;
	if (download && binaryPropertyName === '') {
		throw inputError(node, itemIndex, 'Put Output File in Field is empty', `Name the binary field for the video, for example "${BINARY_PROPERTY_NAME}".`);
	}
	return { wait, pollIntervalMs: Math.round(pollInterval * 1000), maxWaitMs: Math.round(maxWait * 1000), download, binaryPropertyName };
}

/** A whole number of at least `min` from the run-wide Options; `fallback` when not set. */
function optionInteger(fn: IExecuteFunctions, label: string, value: unknown, min: number, fallback: number): number {
	if (value === undefined || value === '' || value === null) return fallback;
	const number = numberOf(value);
	if (typeof number !== 'number' || !Number.isInteger(number) || number < min) {
		throw inputError(fn.getNode(), 0, `${label} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`, `Fix "${label}" in the node's Options.`);
	}
	return number;
}

/** Run-wide settings, read from the first item's Options. */
function readClientSettings(fn: IExecuteFunctions, timeoutSeconds: number = REQUEST_TIMEOUT_SECONDS): ClientSettings {
	const options = fn.getNodeParameter('options', 0, {}) as IDataObject;
	const maxConcurrency = optionInteger(fn, 'Max Concurrent Requests', options.maxConcurrency, 1, MAX_CONCURRENCY);
	const perMinute = optionInteger(fn, 'Max Requests per Minute', options.maxRequestsPerMinute, 0, MAX_REQUESTS_PER_MINUTE);
	const maxRetries = optionInteger(fn, 'Max Retries', options.maxRetries, 0, MAX_RETRIES);
	const timeout = options.requestTimeout === undefined ? timeoutSeconds : numberOf(options.requestTimeout);
	if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
		throw inputError(fn.getNode(), 0, `Request Timeout must be more than 0 seconds, got ${JSON.stringify(options.requestTimeout)}`, `Fix "Request Timeout (Seconds)" in the node's Options; ${timeoutSeconds} is a good start.`);
	}
	return {
		maxConcurrency,
		maxRequestsPerMinute: perMinute > 0 ? perMinute : undefined,
		timeoutMs: Math.round(timeout * 1000),
		retry: { ...RETRY_PAUSES, maxRetries },
	};
}
