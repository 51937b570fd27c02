/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test helper: runs outside n8n and uses Node's util.inspect to serialize errors */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { inspect } from 'node:util';

import { Sora2 } from '../../nodes/Sora2/Sora2.node';
import type { TestContext } from './context';

/** A node to build errors for, in tests that need no run. */
export const TEST_NODE: INode = { id: 'sora2-test-node', name: 'Sora2', type: 'CUSTOM.sora2', typeVersion: 1, position: [0, 0], parameters: {} };

/** Runs the node's own `execute` and returns its single output. */
export async function runNode(ctx: TestContext): Promise<INodeExecutionData[]> {
	const [output] = await new Sora2().execute.call(ctx.fn);
	return output;
}

/** The error a run throws; fails the test when the run succeeds. */
export async function runError(ctx: TestContext): Promise<Error & IDataObject> {
	return await rejection(runNode(ctx));
}

export async function rejection(work: Promise<unknown>): Promise<Error & IDataObject> {
	let outcome: unknown;
	try {
		outcome = await work;
	} catch (error) {
		expect(error).toBeInstanceOf(Error);
		return error as Error & IDataObject;
	}
	throw new Error(`expected a rejection, but it resolved with ${JSON.stringify(outcome).slice(0, 500)}`);
}

/**
 * Everything an error carries, as text: its own and inherited-from-Error fields (message, stack,
 * description, cause …) through JSON.stringify (circular references cut), plus util.inspect to depth 10.
 */
export function serializeError(error: unknown): string {
	const seen = new WeakSet<object>();
	const replacer = (_key: string, value: unknown): unknown => {
		if (typeof value === 'object' && value !== null) {
			if (seen.has(value)) return '[circular]';
			seen.add(value);
			if (value instanceof Error) {
				const own: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
				for (const key of Object.getOwnPropertyNames(value)) own[key] = (value as unknown as Record<string, unknown>)[key];
				return own;
			}
		}
		if (typeof value === 'bigint') return value.toString();
		return value;
	};
	const json = JSON.stringify(error, replacer) ?? '';
	const inspected = inspect(error, { depth: 10, showHidden: true, getters: true });
	return `${json}\n${inspected}`;
}

/** Asserts no secret occurs anywhere in the error, however deep. */
export function expectNoSecret(error: unknown, ...secrets: string[]): void {
	const text = serializeError(error);
	expect(text.length).toBeGreaterThan(0);
	for (const secret of secrets) expect(text).not.toContain(secret);
}
