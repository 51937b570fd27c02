import { deepCopy } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { chatParams } from '../../helpers/chat';
import { makeContext } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { runNode } from '../../helpers/run';

/**
 * An API answer holding a field nested 100,000 levels deep is read (JSON.parse copes), but an output
 * item that deep overflows the stack in n8n's deepCopy and in JSON.stringify (the next node, saving the
 * execution). The node cuts what lies deeper than 32 levels and says so where it cut.
 */

const mock = useMockServer({ pendingMs: 10, generationMs: 40 });

const DEPTH = 100_000;
const MARKER = '[cut by the Sora2 node: nested more than 32 levels deep]';

/** `{"a":{"a":…{"a":"bottom"}…}}`, `levels` objects deep, as text (JSON.stringify itself could not write it). */
const deepText = (levels: number) => `${'{"a":'.repeat(levels)}"bottom"${'}'.repeat(levels)}`;

/** How deep `value` nests, and what lies at the bottom (stops after 40 levels). */
function bottom(value: unknown): { depth: number; value: unknown } {
	let depth = 0;
	let current = value;
	while (typeof current === 'object' && current !== null && depth < 40) {
		current = (current as IDataObject).a;
		depth++;
	}
	return { depth, value: current };
}

test('Get Task: a status answer with a 100,000-deep field gives an item n8n can copy and save, the cut marked', async () => {
	const task = mock.addScriptedTask({ reads: [{ status: 'completed', video_url: '{{fileUrl}}', deep: { a: 'placeholder' } }] });
	mock.addFault({ path: '/v1/video/query', status: 200, body: `{"id":"${task.id}","status":"processing","progress":"40%","deep":${deepText(DEPTH)}}` });
	const ctx = makeContext({ params: { resource: 'video', operation: 'getTask', taskId: task.id, waitForCompletion: false, options: {} }, credentials: credentialsFor(mock) });
	const [item] = await runNode(ctx);
	expect(item.json).toMatchObject({ taskId: task.id, status: 'processing', progress: 40 });
	expect(() => JSON.stringify(item.json)).not.toThrow();
	expect(() => deepCopy(item)).not.toThrow();
	// the item's own level, then 31 levels of the field, then the marker
	expect(bottom(item.json.deep)).toEqual({ depth: 31, value: MARKER });
});

test('an answer of ordinary depth is output unchanged', async () => {
	const task = mock.addScriptedTask({ reads: [{ status: 'processing', progress: 10, meta: JSON.parse(deepText(20)) as IDataObject }] });
	const [item] = await runNode(makeContext({ params: { resource: 'video', operation: 'getTask', taskId: task.id, waitForCompletion: false, options: {} }, credentials: credentialsFor(mock) }));
	expect(bottom(item.json.meta)).toEqual({ depth: 20, value: 'bottom' });
});

test('Chat: an answer with a 100,000-deep field is cut the same way', async () => {
	const answer = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"extra":${deepText(DEPTH)}}`;
	mock.addFault({ path: '/v1/chat/completions', status: 200, body: answer });
	const [item] = await runNode(makeContext({ params: chatParams(), credentials: credentialsFor(mock) }));
	expect(item.json.choices).toEqual([{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }]);
	expect(() => deepCopy(item)).not.toThrow();
	expect(bottom(item.json.extra)).toEqual({ depth: 31, value: MARKER });
});
