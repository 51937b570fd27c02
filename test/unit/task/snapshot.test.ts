import { taskOfCreateAnswer } from '../../../nodes/Sora2/task/createAnswer';
import { snapshotOf } from '../../../nodes/Sora2/task/snapshot';
import { meaningOf } from '../../../nodes/Sora2/task/statusWords';

const BASE = 'https://gateway.example/v1';

/** The progress a running task's answer reports, as the node reads it. */
const progressOf = (value: unknown) => snapshotOf('t', { status: 'processing', progress: value }, BASE)?.progress;

/**
 * Task reading without I/O: what status words mean (the known ones of every gateway, and the rule
 * for words never seen), progress in every form, where links and reasons hide, create answers.
 * Whole gateway life cycles run through the node in test/conformance.
 */

describe('status words', () => {
	test.each([
		['pending', 'pending'],
		['NOT_START', 'pending'],
		['In-Queue', 'pending'],
		['UNKNOWN', 'pending'],
		['IN_PROGRESS', 'processing'],
		['InProgress', 'processing'],
		['dreaming', 'processing'],
		['  Completed ', 'completed'],
		['SUCCESS', 'completed'],
		['Succeeded', 'completed'],
		['FAILURE', 'failed'],
		['canceled', 'failed'],
	] as const)('a known word: %j → %s', (word, status) => {
		expect(meaningOf(word)).toEqual({ status, source: 'known' });
	});

	test.each([
		['ready', 'completed'],
		['video_ready', 'completed'],
		['render_complete', 'completed'],
		['postprocessed', 'completed'],
		['generation_failed', 'failed'],
		['rejected', 'failed'],
		['moderation_blocked', 'failed'],
		['content-violation', 'failed'],
		['timed_out', 'failed'],
		['awaiting_slot', 'pending'],
		['scheduled', 'pending'],
		['upscaling', 'processing'],
		['not_ready', 'processing'],
		['incomplete', 'processing'],
		['finishing', 'processing'],
	] as const)('a word never seen says what it means: %j → %s', (word, status) => {
		expect(meaningOf(word)).toEqual({ status, source: 'read' });
	});

	test.each([['zorp'], ['x7'], ['']])('a word that says nothing readable (%j) counts as running', (word) => {
		expect(meaningOf(word)).toEqual({ status: 'processing', source: 'none' });
	});
});

describe('progress', () => {
	test.each([
		[100, 100],
		[0, 0],
		[42.5, 42.5],
		['0', 0],
		['36%', 36],
		[' 36 % ', 36],
		['99.5%', 99.5],
		[0.42, 42],
		['0.5', 50],
		['0.5%', 0.5],
		[1, 1],
		[150, 100],
	])('%j → %j', (value, expected) => {
		expect(progressOf(value)).toBe(expected);
	});

	test.each([[undefined], [null], [''], ['abc'], ['%'], ['-5'], [Number.NaN], [Number.POSITIVE_INFINITY], [{}], [[50]]])('%j → undefined', (value) => {
		expect(progressOf(value)).toBeUndefined();
	});

	test('nested under detail (or deeper) when not at the top', () => {
		expect(snapshotOf('t', { status: 'processing', detail: { progress: '45%' } }, BASE)?.progress).toBe(45);
		expect(snapshotOf('t', { detail: { status: 'pending', pending_info: { progress_pct: 0.25 } } }, BASE)?.progress).toBe(25);
	});
});

describe('task answers', () => {
	test('an unknown word with a finished video link is done; a known running word with one is not', () => {
		expect(snapshotOf('t', { status: 'postprocess_done_x', video_url: 'https://cdn.example/v.mp4' }, BASE)?.status).toBe('completed');
		expect(snapshotOf('t', { status: 'zorp', video_url: 'https://cdn.example/v.mp4' }, BASE)).toMatchObject({ status: 'completed', rawStatus: 'zorp', wordSource: 'none' });
		expect(snapshotOf('t', { status: 'zorp', video_url: 'https://example.com/about' }, BASE)?.status).toBe('processing');
		expect(snapshotOf('t', { status: 'processing', video_url: 'https://cdn.example/v.mp4' }, BASE)?.status).toBe('processing');
	});

	test('an envelope is unwrapped: the task inside is read, the envelope\'s "message" is not a reason', () => {
		const snapshot = snapshotOf('t', { code: 0, message: 'success', data: { status: 'FAILURE', fail_reason: 'content policy: public figure' } }, BASE);
		expect(snapshot).toMatchObject({ status: 'failed', failureReason: 'content policy: public figure', raw: { status: 'FAILURE' } });
	});

	test('links where gateways put them', () => {
		const link = (body: Record<string, unknown>) => snapshotOf('t', { status: 'completed', ...body }, BASE)?.videoUrl;
		expect(link({ metadata: { url: 'https://a.example/1.mp4' } })).toBe('https://a.example/1.mp4');
		expect(link({ result: { videos: [{ url: ['https://a.example/2.mp4'] }] } })).toBe('https://a.example/2.mp4');
		expect(link({ resultJson: '{"resultUrls":["https://a.example/3.mp4"]}' })).toBe('https://a.example/3.mp4');
		expect(link({ output: ['https://a.example/4.mp4'] })).toBe('https://a.example/4.mp4');
		expect(link({ video: { url: 'https://a.example/5.mp4' } })).toBe('https://a.example/5.mp4');
		expect(link({ detail: { video_url: '/files/6.mp4' } })).toBe('https://gateway.example/files/6.mp4');
		// the input echoed back is never taken for the result
		expect(link({ detail: { input: { images: ['https://a.example/in.png'] } } })).toBeUndefined();
	});

	test('failure reasons: an error object with a code, failCode/failMsg, a bare word', () => {
		const reason = (body: Record<string, unknown>) => snapshotOf('t', { status: 'failed', ...body }, BASE)?.failureReason;
		expect(reason({ error: { code: 'moderation_blocked', message: 'Blocked.' } })).toBe('moderation_blocked: Blocked.');
		expect(reason({ failCode: '500', failMsg: 'Generation failed' })).toBe('Generation failed');
		expect(reason({ error: { code: 'internal_error', message: '' } })).toBe('internal_error');
		expect(reason({})).toBe('failed');
	});

	test('an answer with no status, no link and no reason tells nothing', () => {
		expect(snapshotOf('t', { id: 'x' }, BASE)).toBeUndefined();
		expect(snapshotOf('t', 'text', BASE)).toBeUndefined();
	});
});

describe('create answers', () => {
	test.each([
		['the seed', { id: 'sora-2:task_a', status: 'pending', status_update_time: 1 }, 'sora-2:task_a'],
		['an id without status', { id: 'task_abc' }, 'task_abc'],
		['task_id', { task_id: 'abc' }, 'abc'],
		['data.id', { data: { id: 'abc' } }, 'abc'],
		['a data list', { code: 200, data: [{ status: 'submitted', task_id: 'abc' }] }, 'abc'],
		['data.task_id before a decoy request_id', { request_id: 'req_1', data: { task_id: 'abc', request_id: 'req_2' } }, 'abc'],
		['fal request_id', { status: 'IN_QUEUE', request_id: 'abc' }, 'abc'],
		['chat shaped, id with dashes', { id: 'video-gen-2b7e-4c1a', choices: [{ message: { content: 'queued' } }] }, 'video-gen-2b7e-4c1a'],
		['chat shaped, id only in the content', { id: 'chatcmpl-1', choices: [{ message: { content: 'Task ID: sora-2:task_x-y\nStatus: queued' } }] }, 'sora-2:task_x-y'],
	])('%s', (_name, body, taskId) => {
		expect(taskOfCreateAnswer(body, BASE)).toMatchObject({ taskId, status: 'pending' });
	});

	test('an answer naming no task id', () => {
		expect(taskOfCreateAnswer({ ok: true }, BASE)).toBeUndefined();
		expect(taskOfCreateAnswer({ id: 'chatcmpl-1', choices: [{ message: { content: 'no id here' } }] }, BASE)).toBeUndefined();
	});
});

describe('links the node does not fetch are noted with their scheme', () => {
	test.each([
		['ftp://files.example.com/v.mp4', 'ftp:'],
		['file:///etc/passwd', 'file:'],
		['data:video/mp4;base64,AAAAGGZ0eXBpc29t', 'data:'],
		['javascript:alert(1)', 'javascript:'],
		['rtmp://live.example.com/app/stream', 'rtmp:'],
	])('%s → refusedLink %s, no videoUrl', (link, scheme) => {
		const snapshot = snapshotOf('t', { status: 'completed', video_url: link }, BASE);
		expect(snapshot).toMatchObject({ status: 'completed', refusedLink: scheme });
		expect(snapshot?.videoUrl).toBeUndefined();
	});

	test('an http link next to a refused one is the link; nothing is noted', () => {
		const snapshot = snapshotOf('t', { status: 'completed', video_url: 'ftp://files.example.com/v.mp4', url: 'https://cdn.example.com/v.mp4' }, BASE);
		expect(snapshot).toMatchObject({ videoUrl: 'https://cdn.example.com/v.mp4' });
		expect(snapshot?.refusedLink).toBeUndefined();
	});

	test.each(['sora-2:task_01k6x15vhrff09dkkqjrzwhm60', 'data: none', 'done'])('%j under a link key is not taken for a link', (value) => {
		expect(snapshotOf('t', { status: 'completed', result: value }, BASE)?.refusedLink).toBeUndefined();
	});
});
