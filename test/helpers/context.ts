/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test harness: runs outside n8n and turns in-process answers into Node streams */
import { ExecuteContext, LoadOptionsContext } from 'n8n-core';
import { Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
	NodeParameterValueType,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Readable } from 'node:stream';

import { Sora2Api } from '../../credentials/Sora2Api.credentials';
import { Sora2 } from '../../nodes/Sora2/Sora2.node';

/**
 * The node's `execute` runs in n8n-core's own `ExecuteContext` (a public export): n8n resolves the
 * parameters (filling in the defaults of the node's description), applies Continue On Fail, reads
 * the credential through a credentials helper, sends HTTP with n8n's own request code and stores
 * binary data with n8n's binary helpers. Only what a running n8n instance would provide around it
 * (the credential store, the execution's run data) is made here.
 */

/** A parameter's value, or a function of the item index (like an expression that reads the item). */
export type ParamValue = NodeParameterValueType | unknown[] | ((itemIndex: number) => unknown);

export interface ContextOptions {
	params: Record<string, ParamValue>;
	items?: INodeExecutionData[];
	credentials?: { apiKey: string; baseUrl: string };
	continueOnFail?: boolean;
	/** "On Error: Continue (using error output)" (implies continueOnFail). */
	errorOutput?: boolean;
	cancelSignal?: AbortSignal;
	/** Answers requests in-process instead of over HTTP (the benchmark measures the node's own cost with it). */
	respond?: (request: IHttpRequestOptions) => Promise<unknown>;
	/** The execution mode n8n runs the node in (default 'manual'), e.g. 'webhook', 'retry'. */
	mode?: WorkflowExecuteMode;
	/** The workflow's static data, as n8n loads it for the execution (the same object is used: the node's writes land in it). */
	staticData?: IDataObject;
	/** Default 'test-execution'. */
	executionId?: string;
	/** The execution's context data (`runExecutionData.executionData.contextData`), as a retry inherits it from the execution it retries. */
	contextData?: IDataObject;
	/** The node's run index in the execution (default 0). */
	runIndex?: number;
	/** The node's typeVersion (default 1, what saved workflows from before version 2 have). */
	typeVersion?: number;
}

export interface LogLine {
	level: 'info' | 'warn' | 'error' | 'debug';
	message: string;
	meta?: unknown;
}

export interface TestContext {
	fn: IExecuteFunctions;
	/** Every request the node sent, with the headers it carried (the key applied as n8n applies it). */
	requests: IHttpRequestOptions[];
	/** What the node wrote to n8n's logger. */
	logs: LogLine[];
	node: INode;
}

const NODE_TYPE = 'CUSTOM.sora2';
const sora2 = new Sora2();
const credentialType = new Sora2Api();

const nodeTypes: INodeTypes = {
	getByName: () => sora2 as INodeType,
	getByNameAndVersion: () => sora2 as INodeType,
	getKnownTypes: () => ({}),
};

/** The credential's `authenticate` headers, with `{{$credentials.x}}` filled in (trimmed, as n8n sends header values). */
function authenticate(credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions): IHttpRequestOptions {
	const headers: IDataObject = { ...(options.headers ?? {}) };
	for (const [name, template] of Object.entries(credentialType.authenticate.properties.headers ?? {})) {
		headers[name] = String(template)
			.replace(/^=/, '')
			.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_, key: string) => String(credentials[key] ?? ''))
			.trim();
	}
	return { ...options, headers };
}

function nodeOf(options: ContextOptions): INode {
	const parameters: INodeParameters = {};
	for (const [name, value] of Object.entries(options.params)) {
		// a function stands for an expression: n8n sees an expression there (and shows what depends on it)
		parameters[name] = typeof value === 'function' ? '={{ $json }}' : (value as NodeParameterValueType);
	}
	const node: INode = {
		id: 'sora2-test-node',
		name: 'Sora2',
		type: NODE_TYPE,
		typeVersion: options.typeVersion ?? 1,
		position: [0, 0],
		parameters,
		credentials: { sora2Api: { id: 'sora2-test-credential', name: 'Sora2 API account' } },
	};
	if (options.errorOutput) node.onError = 'continueErrorOutput';
	else if (options.continueOnFail) node.onError = 'continueRegularOutput';
	return node;
}

/** Turns an in-process answer's text body into the stream n8n's helper would give. */
function asStream(response: unknown): unknown {
	if (typeof response !== 'object' || response === null || !('body' in response)) return response;
	const { body } = response as { body: unknown };
	return typeof body === 'string' || Buffer.isBuffer(body) ? { ...response, body: Readable.from([Buffer.from(body)]) } : response;
}

/** What a running n8n gives a node's context around it: the credential store (recording each authenticated request). */
function additionalDataFor(credentials: ICredentialDataDecryptedObject, requests: IHttpRequestOptions[], executionId = 'test-execution'): IWorkflowExecuteAdditionalData {
	const credentialsHelper = {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		getDecrypted: async () => ({ ...credentials }),
		preAuthentication: async () => undefined,
		authenticate: async (decrypted: ICredentialDataDecryptedObject, _type: string, request: IHttpRequestOptions) => {
			const authenticated = authenticate(decrypted, request);
			requests.push(authenticated);
			return authenticated;
		},
	};
	return { credentialsHelper, executionId, variables: {} } as unknown as IWorkflowExecuteAdditionalData;
}

export function makeContext(options: ContextOptions): TestContext {
	const items = options.items ?? [{ json: {} }];
	const credentials = options.credentials ?? { apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9/v1' };
	const requests: IHttpRequestOptions[] = [];
	const logs: LogLine[] = [];
	const workflow = new Workflow({ id: 'test-workflow', name: 'test', nodes: [nodeOf(options)], connections: {}, active: false, nodeTypes, staticData: options.staticData });
	const node = workflow.getNode('Sora2') as INode;
	const additionalData = additionalDataFor(credentials, requests, options.executionId);
	const contextData = options.contextData ?? {};
	const runData = { resultData: { runData: {} }, executionData: { nodeExecutionStack: [], waitingExecution: {}, waitingExecutionSource: {}, contextData } } as unknown as IRunExecutionData;
	const input = { main: [items] };
	const context = new ExecuteContext(workflow, node, additionalData, options.mode ?? 'manual', runData, options.runIndex ?? 0, items, input, { node, data: input, source: null }, [], options.cancelSignal ?? new AbortController().signal);

	instrument(context, options, requests, logs);
	if (options.respond) answerInProcess(context, options.respond, credentials, requests);
	return { fn: context, requests, logs, node };
}

/**
 * n8n-core's own context of the editor's list searches (a resource locator's "From List"), for the
 * node's `methods.listSearch`: the node at `options.typeVersion`, its credential as in `makeContext`.
 */
export function makeLoadOptionsContext(options: Pick<ContextOptions, 'credentials' | 'typeVersion' | 'params'>): { fn: ILoadOptionsFunctions; requests: IHttpRequestOptions[] } {
	const credentials = options.credentials ?? { apiKey: 'test-key', baseUrl: 'http://127.0.0.1:9/v1' };
	const requests: IHttpRequestOptions[] = [];
	const workflow = new Workflow({ id: 'test-workflow', name: 'test', nodes: [nodeOf(options)], connections: {}, active: false, nodeTypes });
	const node = workflow.getNode('Sora2') as INode;
	const fn = new LoadOptionsContext(workflow, node, additionalDataFor(credentials, requests), 'parameters.model');
	const plain = fn.helpers.httpRequest.bind(fn.helpers);
	fn.helpers.httpRequest = async (request: IHttpRequestOptions) => {
		requests.push(request);
		return await plain(request);
	};
	return { fn, requests };
}

/** Records what the node sends and logs, answers in-process when asked, and evaluates function parameters per item. */
function instrument(context: ExecuteContext, options: ContextOptions, requests: IHttpRequestOptions[], logs: LogLine[]): void {
	const helpers = context.helpers;
	const plain = helpers.httpRequest.bind(helpers);
	helpers.httpRequest = async (request: IHttpRequestOptions) => {
		requests.push(request);
		return await plain(request);
	};

	const record = (level: LogLine['level']) => (message: string, meta?: unknown) => void logs.push({ level, message, meta });
	Object.defineProperty(context, 'logger', { value: { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') } });

	const real = context.getNodeParameter.bind(context) as (name: string, itemIndex: number, fallback?: unknown, extra?: IDataObject) => unknown;
	const perItem = Object.entries(options.params).filter((entry): entry is [string, (itemIndex: number) => unknown] => typeof entry[1] === 'function');
	if (perItem.length === 0) return;
	const functions = new Map(perItem);
	Object.assign(context, {
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown, extra?: IDataObject) =>
			functions.has(name) ? functions.get(name)?.(itemIndex) : real(name, itemIndex, fallback, extra),
	});
}

/** Every request answered in-process (no network at all), the key applied as the credential says. */
function answerInProcess(context: ExecuteContext, respond: NonNullable<ContextOptions['respond']>, credentials: ICredentialDataDecryptedObject, requests: IHttpRequestOptions[]): void {
	const answer = async (request: IHttpRequestOptions) => {
		requests.push(request);
		return asStream(await respond(request));
	};
	context.helpers.httpRequest = answer;
	context.helpers.httpRequestWithAuthentication = async (_type: string, request: IHttpRequestOptions) => await answer(authenticate(credentials, request));
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
