/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets -- test: a tiny node:http server records the bytes on the wire; the key is a fake one */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createParams, makeContext } from '../../helpers/context';
import type { ParamValue } from '../../helpers/context';
import { runNode } from '../../helpers/run';

/**
 * The create request exactly as the API documents it: body keys in the order
 * images, model, orientation, prompt, size, duration (a JSON number), and the headers
 * Accept / Content-Type: application/json and Authorization: Bearer <key>.
 * A recording server stands in for the API so the raw bytes on the wire can be compared.
 */

interface Recorded {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

const KEY = 'sk-test-SECRET-1234567890';
const TASK_ID = 'sora-2:task_01k6x15vhrff09dkkqjrzwhm60';

let server: Server;
let baseUrl: string;
const recorded: Recorded[] = [];

beforeAll(async () => {
	server = createServer((req, res) => {
		const parts: Buffer[] = [];
		req.on('data', (part: Buffer) => parts.push(part));
		req.on('end', () => {
			recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ id: TASK_ID, status: 'pending', status_update_time: 1759763427208 }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
	recorded.length = 0;
});

async function createOnce(params: Record<string, ParamValue>): Promise<Recorded> {
	const ctx = makeContext({ params: createParams({ waitForCompletion: false, ...params }), credentials: { apiKey: KEY, baseUrl } });
	const [item] = await runNode(ctx);
	expect(item.json.taskId).toBe(TASK_ID);
	expect(recorded).toHaveLength(1);
	return recorded[0];
}

test('sora-2 portrait: POST /v1/video/create with the documented body, byte for byte', async () => {
	const request = await createOnce({
		model: 'sora-2',
		orientation: 'portrait',
		prompt: 'make animate',
		size: 'small',
		duration: 10,
		images: 'https://filesystem.site/cdn/20250612/VfgB5ubjInVt8sG6rzMppxnu7gEfde.png',
	});
	expect(request.method).toBe('POST');
	expect(request.url).toBe('/v1/video/create');
	expect(request.body).toBe(
		'{"images":["https://filesystem.site/cdn/20250612/VfgB5ubjInVt8sG6rzMppxnu7gEfde.png"],"model":"sora-2","orientation":"portrait","prompt":"make animate","size":"small","duration":10}',
	);
});

test('sora-2-pro landscape with no images sends "images": [] and duration 15 as a number', async () => {
	const request = await createOnce({ model: 'sora-2-pro', orientation: 'landscape', prompt: 'make animate', size: 'large', duration: '15', images: '' });
	const body = JSON.parse(request.body) as Record<string, unknown>;
	expect(Object.keys(body)).toEqual(['images', 'model', 'orientation', 'prompt', 'size', 'duration']);
	expect(body).toEqual({ images: [], model: 'sora-2-pro', orientation: 'landscape', prompt: 'make animate', size: 'large', duration: 15 });
	expect(typeof body.duration).toBe('number');
});

test('headers: Accept and Content-Type application/json, Authorization Bearer <key>', async () => {
	const request = await createOnce({});
	expect(request.headers.accept).toBe('application/json');
	expect(request.headers['content-type']).toMatch(/^application\/json\b/);
	expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
});

test('the prompt is sent as typed (unicode, quotes, new lines), not re-encoded', async () => {
	const prompt = 'Ein "Hund" fliegt 🚀\nüber die Stadt, 中文';
	const request = await createOnce({ prompt });
	expect((JSON.parse(request.body) as { prompt: string }).prompt).toBe(prompt);
});
