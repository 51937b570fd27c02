/* eslint-disable @n8n/community-nodes/no-restricted-imports -- e2e helper: runs outside n8n, reads the example workflow files with node:fs */
/**
 * The example workflows in examples/ (what users import into the editor), loaded and adapted for a
 * run in the real n8n: by the e2e suite (so they never rot) and by `npm run demo` (example 01).
 *
 * The only rewrites: the Sora2 node type for the 'custom' staging (`CUSTOM.sora2`), the poll
 * interval (seconds → a fraction of a second against the mock), when asked the time of Wait nodes
 * (minutes → seconds), the file that Read/Write Files from Disk reads, and the credential id.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { CredentialImport, StagingMode, Workflow, WorkflowNode } from './harness';
import { PACKAGE_NAME, REPO_DIR, nodeType } from './harness';

export const EXAMPLES_DIR = path.join(REPO_DIR, 'examples');

/** The example files, by what they show. */
export const EXAMPLES = {
	createVideo: '01-create-video.json',
	webhook: '02-webhook-video-respond.json',
	sheetRows: '03-sheet-rows-to-videos.json',
	chat: '04-chat-video-link.json',
	submitNowCollectLater: '05-submit-now-collect-later.json',
	answerNowDeliverLater: '06-webhook-answer-now-deliver-later.json',
	imageFileToVideo: '07-image-file-to-video.json',
} as const;

export type ExampleName = keyof typeof EXAMPLES;

/** The Sora2 node type as users install it (what the example files say). */
export const SORA2_TYPE = `${PACKAGE_NAME}.sora2`;

const WAIT_TYPE = 'n8n-nodes-base.wait';
const READ_FILE_TYPE = 'n8n-nodes-base.readWriteFile';

/** The credential every example references: import one with this id and name and they run as they are. */
export const EXAMPLE_CREDENTIAL = { id: 'sora2ApiAccount1', name: 'Sora2 API account', type: 'sora2Api' } as const;

/** A version 1 Create node's parameters as the suites' own workflows send them (sora-2, portrait, 720p, 10 s, waiting), with `overrides`. */
export function createVideoParameters(overrides: Record<string, unknown>): Record<string, unknown> {
	return {
		resource: 'video',
		operation: 'create',
		model: 'sora-2',
		orientation: 'portrait',
		size: 'small',
		duration: 10,
		images: '',
		waitForCompletion: true,
		maxWait: 120,
		downloadVideo: false,
		options: {},
		...overrides,
	};
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNode(value: unknown): value is WorkflowNode {
	return (
		isRecord(value) &&
		typeof value.name === 'string' &&
		typeof value.type === 'string' &&
		typeof value.typeVersion === 'number' &&
		isRecord(value.parameters)
	);
}

/** Reads examples/<file> and checks it is a workflow (id, name, nodes, connections). */
export function loadExample(name: ExampleName): Workflow {
	const file = path.join(EXAMPLES_DIR, EXAMPLES[name]);
	const json = JSON.parse(readFileSync(file, 'utf8')) as unknown;
	if (
		!isRecord(json) ||
		typeof json.id !== 'string' ||
		typeof json.name !== 'string' ||
		!Array.isArray(json.nodes) ||
		!json.nodes.every(isNode) ||
		!isRecord(json.connections)
	) {
		throw new Error(`${file} is not a workflow (id, name, nodes, connections)`);
	}
	return json as unknown as Workflow;
}

export interface ExampleRewrite {
	/** How the package is staged: 'custom' renames the Sora2 node type to CUSTOM.sora2. */
	mode: StagingMode;
	/** Poll Interval (seconds) for every Sora2 node that waits; omit to keep the file's. */
	pollIntervalSeconds?: number;
	/** Every Wait node waits this many seconds instead; omit to keep the file's. */
	waitSeconds?: number;
	/** The file (path or glob) every Read/Write Files from Disk node reads instead; omit to keep the file's. */
	readFile?: string;
	/** The id of the imported Sora2 credential; omit when it was imported as EXAMPLE_CREDENTIAL. */
	credentialId?: string;
	/** A new workflow id (to import the same example twice). */
	id?: string;
}

/** A copy of the example adapted for a run (see the file comment); the file itself is untouched. */
export function prepareExample(workflow: Workflow, rewrite: ExampleRewrite): Workflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as Workflow;
	if (rewrite.id) copy.id = rewrite.id;
	for (const node of copy.nodes) {
		if (node.type === WAIT_TYPE && rewrite.waitSeconds !== undefined) {
			node.parameters = { ...node.parameters, amount: rewrite.waitSeconds, unit: 'seconds' };
		}
		if (node.type === READ_FILE_TYPE && rewrite.readFile !== undefined) node.parameters = { ...node.parameters, fileSelector: rewrite.readFile };
		if (node.type !== SORA2_TYPE) continue;
		node.type = nodeType(rewrite.mode, 'sora2');
		if (rewrite.pollIntervalSeconds !== undefined && 'pollInterval' in node.parameters) {
			node.parameters.pollInterval = rewrite.pollIntervalSeconds;
		}
		const credential = node.credentials?.[EXAMPLE_CREDENTIAL.type];
		if (rewrite.credentialId && credential) credential.id = rewrite.credentialId;
	}
	return copy;
}

/** The Sora2 nodes of a workflow (either staging). */
export function sora2Nodes(workflow: Workflow): WorkflowNode[] {
	return workflow.nodes.filter((node) => /(^CUSTOM|^n8n-nodes-sora2)\.sora2$/.test(node.type));
}

/** A credential with the examples' id and name, pointing at `api`. */
export function exampleCredential(api: { baseUrl: string; apiKey: string }): CredentialImport {
	return {
		id: EXAMPLE_CREDENTIAL.id,
		name: EXAMPLE_CREDENTIAL.name,
		type: EXAMPLE_CREDENTIAL.type,
		data: { apiKey: api.apiKey, baseUrl: api.baseUrl },
	};
}
