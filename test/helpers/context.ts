/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test harness: runs outside n8n and reads streams with Node's own modules */
import { NodeApiError } from 'n8n-workflow';
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	NodeParameterValueType,
} from 'n8n-workflow';
import path from 'node:path';
import { Readable } from 'node:stream';

// n8n's own HTTP implementation (axios with n8n's option mapping), so the node meets the same
// request behaviour as in a real n8n; only the dependency-injection shell around it is skipped.
const coreEntry = require.resolve('n8n-core');
const networkEntry = require.resolve('@n8n/backend-network', { paths: [path.dirname(coreEntry)] });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { httpRequest } = require(path.join(path.dirname(networkEntry), 'http/axios/request.js')) as {
	httpRequest: (options: IHttpRequestOptions) => Promise<unknown>;
};

/** A parameter's value, or a function of the item index (like an expression that reads the item). */
export type ParamValue = NodeParameterValueType | unknown[] | ((itemIndex: number) => unknown);

export interface ContextOptions {
	params: Record<string, ParamValue>;
	items?: INodeExecutionData[];
	credentials?: { apiKey: string; baseUrl: string };
	continueOnFail?: boolean;
	cancelSignal?: AbortSignal;
	/** Answers requests in-process instead of over HTTP (the benchmark measures the node's own cost with it). */
	respond?: (request: IHttpRequestOptions) => Promise<unknown>;
}

export interface TestContext {
	fn: IExecuteFunctions;
	/** Every request the node sent, with the headers it carried. */
	requests: IHttpRequestOptions[];
	node: INode;
}

export const TEST_NODE: INode = {
	id: 'sora2-test-node',
	name: 'Sora2',
	type: 'CUSTOM.sora2',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

async function toBuffer(data: Buffer | Readable): Promise<Buffer> {
	if (Buffer.isBuffer(data)) return data;
	const chunks: Buffer[] = [];
	for await (const chunk of data) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
	return Buffer.concat(chunks);
}

/**
 * A hand-made IExecuteFunctions: parameters come from `params`, HTTP is real (n8n's own request
 * code) with the credential applied the way n8n applies `authenticate`, and errors are wrapped the
 * way n8n's httpRequestWithAuthentication wraps them.
 */
export function makeContext(options: ContextOptions): TestContext {
	const items = options.items ?? [{ json: {} }];
	const credentials = options.credentials ?? { apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9/v1' };
	const requests: IHttpRequestOptions[] = [];
	const node = { ...TEST_NODE, parameters: {} };

	const send = async (request: IHttpRequestOptions): Promise<unknown> => {
		requests.push(request);
		try {
			if (options.respond) return await options.respond(request);
			return await httpRequest({ ...request, abortSignal: options.cancelSignal });
		} catch (error) {
			throw new NodeApiError(node, error as never);
		}
	};

	const fn = {
		getNode: () => node,
		getInputData: () => items,
		continueOnFail: () => options.continueOnFail ?? false,
		getExecutionCancelSignal: () => options.cancelSignal,
		getExecutionId: () => 'test-execution',
		getWorkflow: () => ({ id: 'test-workflow', name: 'test', active: false }),
		logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
		getCredentials: async () => ({ ...credentials }),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			if (Object.prototype.hasOwnProperty.call(options.params, name)) {
				const value = options.params[name];
				return typeof value === 'function' ? value(itemIndex) : value;
			}
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		helpers: {
			httpRequest: async (request: IHttpRequestOptions) => await send(request),
			httpRequestWithAuthentication: async (_type: string, request: IHttpRequestOptions) =>
				await send({ ...request, headers: { ...(request.headers ?? {}), Authorization: `Bearer ${credentials.apiKey}` } }),
			prepareBinaryData: async (data: Buffer | Readable, fileName?: string, mimeType?: string): Promise<IBinaryData> => {
				const buffer = await toBuffer(data);
				return { data: buffer.toString('base64'), fileName, mimeType: mimeType ?? 'application/octet-stream', fileSize: `${buffer.length} B`, bytes: buffer.length };
			},
		},
	};
	return { fn: fn as unknown as IExecuteFunctions, requests, node };
}

/** Parameters of a Video → Create that polls fast (for tests against the mock server). */
export function createParams(overrides: Record<string, ParamValue> = {}): Record<string, ParamValue> {
	return {
		resource: 'video',
		operation: 'create',
		model: 'sora-2',
		prompt: 'a cat on a skateboard',
		orientation: 'portrait',
		size: 'small',
		duration: 10,
		images: '',
		waitForCompletion: true,
		pollInterval: 0.05,
		maxWait: 10,
		downloadVideo: false,
		options: {},
		...overrides,
	};
}

export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}
