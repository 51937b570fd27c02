import { makeContext } from '../../helpers/context';
import { credentialsFor, useMockServer } from '../../helpers/mockServer';
import { runError, runNode } from '../../helpers/run';

/** Answer bodies are bounded in bytes as they arrive, whatever the characters they hold. */

const mock = useMockServer({ pendingMs: 10, generationMs: 40 });

const MB = 1024 * 1024;
const TASK = 'sora-2:task_bodybytes';

const getTask = () =>
	makeContext({ params: { resource: 'video', operation: 'getTask', taskId: TASK, waitForCompletion: false, options: {} }, credentials: credentialsFor(mock) });

/** A task answer of about `bytes` bytes whose padding is CJK text (3 bytes a character in UTF-8). */
function cjkAnswer(bytes: number): { id: string; status: string; note: string } {
	return { id: TASK, status: 'processing', note: '视'.repeat(Math.floor(bytes / 3)) };
}

test('5 MB of CJK text (1.7 million characters) is over the 4 MB cap: refused while it arrives', async () => {
	const body = cjkAnswer(5 * MB);
	expect(body.note.length).toBeLessThan(4 * MB);
	mock.addFault({ path: '/v1/video/query', status: 200, body });
	const error = await runError(getTask());
	expect(error.message).toMatch(/^Video → Get Task, item 0: the API answered 200 but the body is larger than an API answer can be \(more than 4 MB; reading stopped there\)\. Received: \{"id":"sora-2:task_bodybytes","status":"processing","note":"视+… \(\d+ characters\)$/);
	// what was read is at most 4 MB of bytes (the quote counts its characters)
	const characters = Number(/\((\d+) characters\)$/.exec(error.message)?.[1]);
	expect(characters).toBeLessThanOrEqual(Math.ceil((4 * MB) / 3) + 60);
	expect(characters).toBeGreaterThan(Math.floor((4 * MB) / 3) - 10);
});

test('3.9 MB of CJK text is under the cap: read whole', async () => {
	mock.addFault({ path: '/v1/video/query', status: 200, body: cjkAnswer(3.9 * MB) });
	const [item] = await runNode(getTask());
	expect(item.json.status).toBe('processing');
	expect(String(item.json.note)).toMatch(/^视+$/);
});
