import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ClientSettings } from '../transport';
import { DEFAULT_RETRY } from '../transport/retry';

/** Reading parameters that several operations share, each checked before any request is sent. */

export interface WaitSettings {
	wait: boolean;
	pollIntervalMs: number;
	maxWaitMs: number;
	download: boolean;
	binaryPropertyName: string;
}

export function inputError(fn: IExecuteFunctions, itemIndex: number, message: string, fix: string): NodeOperationError {
	return new NodeOperationError(fn.getNode(), `${message} (item ${itemIndex})`, { itemIndex, description: fix });
}

function readNumber(fn: IExecuteFunctions, name: string, label: string, itemIndex: number, fallback: number): number {
	const value = fn.getNodeParameter(name, itemIndex, fallback) as unknown;
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number)) {
		throw inputError(fn, itemIndex, `${label} must be a number, got ${JSON.stringify(value)}`, `Enter a number in "${label}".`);
	}
	return number;
}

export function readWaitSettings(fn: IExecuteFunctions, itemIndex: number, waitByDefault: boolean): WaitSettings {
	const wait = fn.getNodeParameter('waitForCompletion', itemIndex, waitByDefault) as boolean;
	if (!wait) return { wait, pollIntervalMs: 0, maxWaitMs: 0, download: false, binaryPropertyName: 'data' };
	const pollInterval = readNumber(fn, 'pollInterval', 'Poll Interval (Seconds)', itemIndex, 10);
	if (pollInterval <= 0) {
		throw inputError(fn, itemIndex, `Poll Interval must be more than 0 seconds, got ${pollInterval}`, 'Set "Poll Interval (Seconds)" to 5 or more; 10 is a good start.');
	}
	const maxWait = readNumber(fn, 'maxWait', 'Max Wait (Seconds)', itemIndex, 1200);
	if (maxWait < pollInterval) {
		throw inputError(fn, itemIndex, `Max Wait (${maxWait} s) is shorter than the Poll Interval (${pollInterval} s)`, 'Raise "Max Wait (Seconds)" (videos take minutes; 1200 is a good start) or lower "Poll Interval".');
	}
	const download = fn.getNodeParameter('downloadVideo', itemIndex, false) as boolean;
	const binaryPropertyName = download ? String(fn.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim() : 'data';
	if (download && binaryPropertyName === '') {
		throw inputError(fn, itemIndex, 'Put Output File in Field is empty', 'Name the binary field for the video, for example "data".');
	}
	return { wait, pollIntervalMs: Math.round(pollInterval * 1000), maxWaitMs: Math.round(maxWait * 1000), download, binaryPropertyName };
}

/** Run-wide settings, read from the first item's Options. */
export function readClientSettings(fn: IExecuteFunctions): ClientSettings {
	const options = fn.getNodeParameter('options', 0, {}) as IDataObject;
	const integer = (label: string, value: unknown, min: number, fallback: number): number => {
		if (value === undefined || value === '') return fallback;
		const number = typeof value === 'string' ? Number(value) : value;
		if (typeof number !== 'number' || !Number.isInteger(number) || number < min) {
			throw inputError(fn, 0, `${label} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`, `Fix "${label}" in the node's Options.`);
		}
		return number;
	};
	const maxConcurrency = integer('Max Concurrent Requests', options.maxConcurrency, 1, 5);
	const maxRetries = integer('Max Retries', options.maxRetries, 0, DEFAULT_RETRY.maxRetries);
	const timeout = options.requestTimeout === undefined ? 60 : Number(options.requestTimeout);
	if (!Number.isFinite(timeout) || timeout <= 0) {
		throw inputError(fn, 0, `Request Timeout must be more than 0 seconds, got ${JSON.stringify(options.requestTimeout)}`, 'Fix "Request Timeout (Seconds)" in the node\'s Options; 60 is a good start.');
	}
	return { maxConcurrency, timeoutMs: Math.round(timeout * 1000), retry: { ...DEFAULT_RETRY, maxRetries } };
}
